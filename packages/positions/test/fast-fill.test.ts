import { Decimal, Fill } from '@hl-bot/core-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastParseFill } from '../src/fast-fill.js';

const str = (v: unknown) => JSON.stringify(v, (_k, x) => (x instanceof Decimal ? `D:${x.toString()}` : x));

// Values near the schema's edges, valid and invalid, to check the fast path never accepts what zod refuses
// and never returns something different from what zod returns.
const anyValue = fc.oneof(
  fc.constantFrom(
    '',
    'a',
    'BTC-USD',
    'x'.repeat(65),
    'bad symbol',
    'buy',
    'sell',
    'maker',
    'spot',
    'perp',
    'long',
  ),
  fc.constantFrom('0', '-1', '1', '0.1', '1e3', 'NaN', 'Infinity', '0x10', ' 1', '1.', '.5'),
  fc.constantFrom(0, -1, 1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60, 1_700_000_000_000),
  fc.constantFrom(undefined, null, true, new Decimal('2.5'), new Decimal(0), 10n, new Date(0)),
);
const keys = [
  'id',
  'orderId',
  'symbol',
  'side',
  'quantity',
  'price',
  'fee',
  'feeCurrency',
  'timestamp',
  'liquidity',
  'closedPnl',
  'marketKind',
  'clientOrderId',
  'extra',
];

describe('fast fill parsing', () => {
  it('accepts only what the Fill schema accepts and returns exactly what it returns', () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...keys), anyValue, { maxKeys: 14 }),
        fc.boolean(),
        (partial, complete) => {
          const raw: Record<string, unknown> = complete
            ? { id: 'f', orderId: 'o', symbol: 'BTC-USD', side: 'buy', quantity: '1', price: '2', ...partial }
            : partial;
          const fast = fastParseFill(raw);
          if (fast === undefined) return;
          accepted += 1;
          const slow = Fill.safeParse(raw);
          expect(slow.success).toBe(true);
          expect(str(fast)).toBe(str(slow.data));
        },
      ),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(100);
  });

  it('takes the fast path for an ordinary fill', () => {
    const raw = {
      id: 'f',
      orderId: 'o',
      symbol: 'BTC-USD',
      side: 'sell',
      quantity: '0.5',
      price: '100',
      fee: '-0.01',
      feeCurrency: 'USDC',
      timestamp: 5,
      liquidity: 'maker',
      closedPnl: '1',
      marketKind: 'perp',
      clientOrderId: 'c',
    };
    expect(str(fastParseFill(raw))).toBe(str(Fill.parse(raw)));
  });
});
