import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AccountState,
  AuditEvent,
  Decimal,
  Fill,
  FundingPayment,
  InvalidDecimalError,
  MarketPrice,
  OrderRequest,
  OrderUpdate,
  PositionSnapshot,
  parseOrThrow,
  toDecimal,
  toTimestamp,
  ValidationError,
} from '../src/index.js';
import { hostileValues } from './hostile-input.js';

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

const validFill = { id: 'f', orderId: 'o', symbol: 'BTC-USD', side: 'buy', quantity: '1', price: '50000' };
const validOrder = { symbol: 'BTC-USD', side: 'buy', orderType: 'limit', quantity: '1', price: '50000' };

describe('objects that are not what they claim', () => {
  it.each(hostileValues())(
    'toDecimal refuses %s with INVALID_DECIMAL, never a raw TypeError',
    (_label, value) => {
      const error = thrown(() => toDecimal(value, 'price'));
      expect(error).toBeInstanceOf(InvalidDecimalError);
      expect((error as InvalidDecimalError).code).toBe('INVALID_DECIMAL');
      expect((error as InvalidDecimalError).field).toBe('price');
    },
  );

  it.each(hostileValues())('toTimestamp refuses %s with a ValidationError', (_label, value) => {
    const error = thrown(() => toTimestamp(value, 'timestamp'));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('INVALID_TIMESTAMP');
  });

  it('a Decimal is copied, never handed back, so a proxy cannot change under the caller', () => {
    const target = new Decimal('1.5');
    const handle = Proxy.revocable(target, {});
    const copy = toDecimal(handle.proxy);
    handle.revoke();
    expect(copy === handle.proxy).toBe(false);
    expect(copy.plus(1).toString()).toBe('2.5');
    expect(Object.getPrototypeOf(copy)).toBe(Decimal.prototype);
  });

  it('genuine Decimals pass whatever their digits', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 30n) + 1n, max: 10n ** 30n - 1n }),
        fc.integer({ min: 0, max: 30 }),
        (n, scale) => {
          const d = new Decimal(n.toString()).div(new Decimal(10).pow(scale));
          const copy = toDecimal(d);
          expect(copy.eq(d)).toBe(true);
          expect(copy.toString()).toBe(d.toString());
        },
      ),
    );
  });

  const entries: Array<[string, (value: unknown) => unknown]> = [
    ['Fill (whole)', (v) => parseOrThrow(Fill, v, 'fill')],
    ['Fill.price', (v) => parseOrThrow(Fill, { ...validFill, price: v }, 'fill')],
    ['Fill.quantity', (v) => parseOrThrow(Fill, { ...validFill, quantity: v }, 'fill')],
    ['Fill.timestamp', (v) => parseOrThrow(Fill, { ...validFill, timestamp: v }, 'fill')],
    ['OrderRequest (whole)', (v) => parseOrThrow(OrderRequest, v, 'order')],
    ['OrderRequest.quantity', (v) => parseOrThrow(OrderRequest, { ...validOrder, quantity: v }, 'order')],
    ['PositionSnapshot (whole)', (v) => parseOrThrow(PositionSnapshot, v, 'position')],
    [
      'AccountState.balance',
      (v) => parseOrThrow(AccountState, { balance: v, equity: '1', timestamp: 1 }, 'account'),
    ],
    [
      'MarketPrice.price',
      (v) => parseOrThrow(MarketPrice, { symbol: 'BTC-USD', price: v, timestamp: 1 }, 'price'),
    ],
    [
      'FundingPayment.amount',
      (v) => parseOrThrow(FundingPayment, { symbol: 'BTC-USD', amount: v, time: 1 }, 'funding'),
    ],
    [
      'OrderUpdate.filledQuantity',
      (v) =>
        parseOrThrow(
          OrderUpdate,
          {
            orderId: 'o',
            symbol: 'BTC-USD',
            status: 'open',
            filledQuantity: v,
            remainingQuantity: '1',
            timestamp: 1,
          },
          'order update',
        ),
    ],
    ['AuditEvent (whole)', (v) => parseOrThrow(AuditEvent, v, 'audit event')],
    ['AuditEvent fill', (v) => parseOrThrow(AuditEvent, { type: 'order_filled', fill: v }, 'audit event')],
  ];

  it('every schema entry answers every hostile shape with a typed ValidationError and leaves its input alone', () => {
    // fast-check probes the values it generates (a `has` on a revoked proxy throws), so it draws an index
    // and the hostile value is built fresh inside the property.
    const plain = [
      '1e999999',
      `${'9'.repeat(200)}`,
      '+275760-09-13T00:00:00.000Z',
      2 ** 53 + 2,
      '',
      Number.NaN,
    ];
    const count = hostileValues().length + plain.length;
    for (const [name, entry] of entries) {
      fc.assert(
        fc.property(fc.nat({ max: count - 1 }), (index) => {
          const all = [...hostileValues().map(([, v]) => v), ...plain];
          const value = all[index];
          const before = typeof value === 'object' && value !== null ? safeKeys(value) : undefined;
          const error = thrown(() => entry(value));
          expect(error, name).toBeInstanceOf(ValidationError);
          expect(typeof (error as ValidationError).code, name).toBe('string');
          if (before !== undefined) expect(safeKeys(value as object)).toEqual(before);
        }),
        { numRuns: 60 },
      );
    }
  });
});

function safeKeys(value: object): string[] | 'unreadable' {
  try {
    return Reflect.ownKeys(value).map(String);
  } catch {
    return 'unreadable';
  }
}
