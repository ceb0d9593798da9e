import { Decimal } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { checkAccountEquity, checkAccountState } from '../internals.js';
import { buy, run, sell, World } from './world.js';

describe('beyond the spec: an account is needed', () => {
  it('rejects without a confirmed account', () => {
    const ctx = new World().context(buy('1'), { equity: null });
    expect(run(checkAccountState, ctx).map((f) => f.message)).toEqual([
      'ACCOUNT_STATE_MISSING: confirmed=false',
    ]);
    expect(run(checkAccountState, new World().context(buy('1')))).toEqual([]);
  });

  it('rejects at zero or negative equity, except a reduce-only close', () => {
    const w = new World();
    expect(
      run(checkAccountEquity, w.context(buy('1'), { equity: new Decimal(0) })).map((f) => f.message),
    ).toEqual(['ACCOUNT_EQUITY_NON_POSITIVE: equity=0']);
    expect(run(checkAccountEquity, w.context(buy('1'), { equity: new Decimal(-5) })).length).toBe(1);
    const close = w.context({ ...sell('1'), reduceOnly: true }, { equity: new Decimal(0), reducing: true });
    expect(run(checkAccountEquity, close)).toEqual([]);
    // Reducing without reduceOnly is not enough: only an order that can never open is safe at zero equity.
    expect(
      run(checkAccountEquity, w.context(sell('1'), { equity: new Decimal(0), reducing: true })).length,
    ).toBe(1);
  });
});
