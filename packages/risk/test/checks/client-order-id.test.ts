import { describe, expect, it } from 'vitest';
import { checkClientOrderId } from '../internals.js';
import { buy, run, World } from './world.js';

describe('beyond the spec: one order per clientOrderId', () => {
  it('rejects a clientOrderId already held, passes a new one or none', () => {
    const w = new World();
    w.hold({ ...buy('1'), clientOrderId: 'c1' });
    expect(
      run(checkClientOrderId, w.context({ ...buy('1'), clientOrderId: 'c1' })).map((f) => f.message),
    ).toEqual(['DUPLICATE_CLIENT_ORDER_ID: clientOrderId=c1']);
    expect(run(checkClientOrderId, w.context({ ...buy('1'), clientOrderId: 'c2' }))).toEqual([]);
    expect(run(checkClientOrderId, w.context(buy('1')))).toEqual([]);
  });

  it('frees the id once its hold is released', () => {
    const w = new World();
    const r = w.hold({ ...buy('1'), clientOrderId: 'c1' });
    w.ledger.release(r.id);
    expect(run(checkClientOrderId, w.context({ ...buy('1'), clientOrderId: 'c1' }))).toEqual([]);
  });
});
