import type { RiskFailure } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { checkReduceOnly } from '../internals.js';
import { buy, sell, World } from './world.js';

const long = { symbol: 'BTC-USD', side: 'long' as const, quantity: '0.1', entryPrice: '50000' };

function reduceOnly(w: World, order: ReturnType<typeof sell>): { reducing: boolean; out: RiskFailure[] } {
  const out: RiskFailure[] = [];
  const reducing = checkReduceOnly(w.context({ ...order, reduceOnly: true }), out);
  return { reducing, out };
}

describe('reduce-only validity and what counts as reducing', () => {
  it('an opposite-side order up to the position reduces and passes', () => {
    const w = new World().position(long);
    expect(reduceOnly(w, sell('0.1'))).toEqual({ reducing: true, out: [] });
  });

  it('a reduce-only order that would flip the position fails', () => {
    const w = new World().position(long);
    const r = reduceOnly(w, sell('0.1001'));
    expect(r.reducing).toBe(false);
    expect(r.out.map((f) => f.message)).toEqual([
      'REDUCE_ONLY_INVALID: position=0.1 pendingSameSide=0 quantity=0.1001',
    ]);
  });

  it('working orders on the same side count: together they must not exceed the position', () => {
    const w = new World().position(long);
    w.hold(sell('0.06'), false);
    expect(reduceOnly(w, sell('0.04')).reducing).toBe(true);
    expect(reduceOnly(w, sell('0.05')).out.map((f) => f.details.pendingSameSide)).toEqual(['0.06']);
  });

  it('flat or same side never reduces', () => {
    expect(reduceOnly(new World(), sell('0.1')).out.map((f) => f.code)).toEqual(['REDUCE_ONLY_INVALID']);
    expect(reduceOnly(new World().position(long), buy('0.1')).reducing).toBe(false);
  });

  it('an order without reduceOnly is only classified, never rejected here', () => {
    const out: RiskFailure[] = [];
    expect(checkReduceOnly(new World().context(buy('1')), out)).toBe(false);
    expect(out).toEqual([]);
  });
});
