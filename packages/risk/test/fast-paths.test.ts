import { fc, test } from '@fast-check/vitest';
import { Decimal, OrderRequest, parseValidated } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { cmp, equals, gt, gte, isPositive, lt, lte } from '../src/decimal-compare.js';
import { RiskCode } from '../src/index.js';
import { limitBuy, setup, T0 } from './helpers.js';

const decimalText = fc
  .tuple(fc.constantFrom('', '-'), fc.bigInt({ min: 0n, max: 10n ** 45n }), fc.integer({ min: -60, max: 60 }))
  .map(([sign, digits, exp]) => `${sign}${digits}e${exp}`);
const decimal = fc.oneof(
  decimalText.map((t) => new Decimal(t)),
  fc
    .constantFrom('0', '-0', '1', '-1', '0.1', '50000', 'NaN', 'Infinity', '-Infinity')
    .map((t) => new Decimal(t)),
);

describe('allocation-free decimal comparisons agree with decimal.js', () => {
  test.prop([decimal, decimal], { numRuns: 2000 })('for any two decimals', (x, y) => {
    const k = x.cmp(y);
    expect(Number.isNaN(k) ? Number.isNaN(cmp(x, y)) : cmp(x, y) === k).toBe(true);
    expect(gt(x, y)).toBe(x.gt(y));
    expect(gte(x, y)).toBe(x.gte(y));
    expect(lt(x, y)).toBe(x.lt(y));
    expect(lte(x, y)).toBe(x.lte(y));
    expect(equals(x, y)).toBe(x.eq(y));
    expect(isPositive(x)).toBe(x.gt(0));
  });

  test.prop([decimal], { numRuns: 500 })('for a decimal and itself or an equal copy', (x) => {
    const copy = new Decimal(x);
    expect(equals(x, copy)).toBe(x.eq(copy));
    expect(cmp(x, x) === x.cmp(x) || Number.isNaN(x.cmp(x))).toBe(true);
  });
});

const KEYS = [
  'symbol',
  'side',
  'orderType',
  'quantity',
  'price',
  'triggerPrice',
  'reduceOnly',
  'timeInForce',
  'clientOrderId',
] as const;
const value = fc.oneof(
  fc.constantFrom(
    'BTC-USD',
    'buy',
    'sell',
    'market',
    'limit',
    'stop-market',
    'stop-limit',
    'take-profit',
    'GTC',
    'IOC',
    'post-only',
    '0.01',
    '50000',
    '-1',
    '0',
    '1e3',
    '0x10',
    '',
    ' 1',
    'BTC USD',
    'x'.repeat(65),
    'c'.repeat(256),
    'c'.repeat(257),
    true,
    false,
    0,
    1,
    0.5,
    -2,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    2 ** 60,
    10n,
    null,
    undefined,
  ),
  decimal,
  fc.string({ maxLength: 8 }),
  fc.object({ maxDepth: 1 }),
);
/** Mostly a valid field, sometimes anything. */
const mostly = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: valid, weight: 6 }, { arbitrary: value as fc.Arbitrary<unknown>, weight: 1 });
const fields = {
  symbol: mostly(fc.constantFrom('BTC-USD', 'ETH-USD', 'a@b:c.d_e/f-g')),
  side: mostly(fc.constantFrom('buy', 'sell')),
  orderType: mostly(fc.constantFrom('market', 'limit', 'stop-market', 'stop-limit', 'take-profit')),
  quantity: mostly(fc.oneof(fc.constantFrom('0.01', '1', 3, 10n), decimal)),
  price: mostly(fc.oneof(fc.constantFrom('50000', '0.5', 7), decimal)),
  triggerPrice: mostly(fc.oneof(fc.constantFrom('49000', 9), decimal)),
  reduceOnly: mostly(fc.boolean()),
  timeInForce: mostly(fc.constantFrom('GTC', 'IOC', 'post-only')),
  clientOrderId: mostly(fc.constantFrom('c1', 'abc-123')),
};
// Spread into a plain object: the fast path only takes plain objects.
const orderish = fc
  .oneof(
    fc.record(fields, { requiredKeys: ['symbol', 'side', 'orderType', 'quantity'] }),
    fc.record(fields, { requiredKeys: [] }),
    fc.dictionary(fc.constantFrom(...KEYS, 'extra', '__proto__', 'constructor'), value, { maxKeys: 10 }),
  )
  .map((o) => ({ ...o }));

describe('orders are validated once: at the boundary, or in full', () => {
  test.prop([orderish], { numRuns: 1500 })(
    'an unmarked, hand-made order is fully validated: refused as invalid exactly when the schema refuses it',
    async (input) => {
      const { risk } = setup();
      const r = await risk.checkOrder(input);
      const schema = OrderRequest.safeParse(input);
      expect(r.code === RiskCode.INVALID_ORDER).toBe(!schema.success);
    },
  );

  it('a marked order (parseValidated, as the engine passes it) is checked as it is; a copy is parsed again', async () => {
    const { risk } = setup();
    const order = parseValidated(OrderRequest, limitBuy('0.1'), 'order');
    const r = await risk.checkOrder(order);
    expect(r.approved).toBe(true);
    if (r.reservation !== undefined) risk.releaseReservation(r.reservation.id, 'rejected');
    const broken = await risk.checkOrder({ ...order, quantity: '-1' });
    expect(broken.code).toBe(RiskCode.INVALID_ORDER);
  });

  it('never throws on input whose property access throws', async () => {
    const throwing = Object.defineProperty({ side: 'buy' }, 'symbol', {
      enumerable: true,
      get() {
        throw new Error('trap');
      },
    });
    const { risk } = setup();
    const r = await risk.checkOrder(throwing);
    expect(r.approved).toBe(false);
  });

  it('still rejects a malformed order with the schema message', async () => {
    const { risk } = setup();
    const r = await risk.checkOrder({ ...limitBuy('0.1'), price: undefined });
    expect(r.code).toBe(RiskCode.INVALID_ORDER);
    expect(r.reason).toBe('INVALID_ORDER: issues=price: a limit order needs a price');
  });
});

describe('reservation expiry with out-of-order outcomes', () => {
  it('frees only finished holds at their timeout, whatever happened to the ones before them', async () => {
    const { risk, clock } = setup({ reservationTimeoutMs: 1000 });
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      const r = await risk.checkOrder({ ...limitBuy('0.001'), clientOrderId: `o${i}` });
      expect(r.approved).toBe(true);
      ids.push(r.reservation?.id ?? '');
    }
    // Every third submitted (never lapses), every third cancelled, the rest finished one ms apart.
    for (let i = 0; i < 200; i++) {
      if (i % 3 === 0) risk.releaseReservation(ids[i] ?? '', 'submitted');
      else if (i % 3 === 1) risk.releaseReservation(ids[i] ?? '', 'cancelled');
      else risk.orderFinished(ids[i] ?? '', '0.001');
      clock.advance(1);
    }
    expect(risk.state.openOrders).toBe(200 - 67);
    // Hold i expires at T0 + i + 1000: at T0 + 1100, finished holds 0..100 lapse.
    clock.set(T0 + 1100);
    const probe = await risk.checkOrder({ ...limitBuy('0.001'), clientOrderId: 'probe' });
    expect(probe.reason).toBe('approved');
    risk.releaseReservation('probe', 'cancelled');
    const left = risk.reservations();
    const finishedLeft = left.filter((r) => r.status === 'finished').map((r) => r.clientOrderId);
    const expected = [];
    for (let i = 101; i < 200; i++) if (i % 3 === 2) expected.push(`o${i}`);
    expect(finishedLeft).toEqual(expected);
    expect(left.filter((r) => r.status === 'working')).toHaveLength(67);
    // And all the rest once every timeout has passed; working orders stay.
    clock.advance(10_000);
    risk.updateMarketPrice('BTC-USD', '50000');
    const probe2 = await risk.checkOrder({ ...limitBuy('0.001'), clientOrderId: 'probe2' });
    expect(probe2.reason).toBe('approved');
    risk.releaseReservation('probe2', 'cancelled');
    expect(risk.reservations().filter((r) => r.status === 'finished')).toHaveLength(0);
    expect(risk.state.openOrders).toBe(67);
  });
});
