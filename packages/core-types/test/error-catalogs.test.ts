import { describe, expect, it } from 'vitest';
import { BudgetRefusalCode, EXCHANGE_ERROR_CODES, ExchangeError, ExchangeErrorCode } from '../src/index.js';

describe('code catalogs', () => {
  it('name every exchange error code once, as a frozen object whose keys are its values', () => {
    expect(Object.keys(ExchangeErrorCode)).toEqual([...EXCHANGE_ERROR_CODES]);
    for (const [key, value] of Object.entries(ExchangeErrorCode)) expect(value).toBe(key);
    expect(Object.isFrozen(ExchangeErrorCode)).toBe(true);
    expect(new ExchangeError(ExchangeErrorCode.NO_LIQUIDITY, 'no match').code).toBe('NO_LIQUIDITY');
  });

  it('keep the budget refusal codes distinct from each other', () => {
    const codes = Object.values(BudgetRefusalCode);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.every((c) => c.startsWith('BUDGET_'))).toBe(true);
  });
});
