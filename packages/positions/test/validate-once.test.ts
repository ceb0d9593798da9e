import { Decimal, Fill, parseValidated } from '@hl-bot/core-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nullAuditSink, PositionTracker } from '../src/index.js';

// Values near the schema's edges, valid and invalid: a hand-made fill is accepted exactly when the schema
// accepts it, and booked as the schema returns it.
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

describe('fills are validated once: at the boundary, or in full', () => {
  it('an unmarked, hand-made fill is fully validated: accepted exactly when the Fill schema accepts it', async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom(...keys), anyValue, { maxKeys: 14 }),
        fc.boolean(),
        async (partial, complete) => {
          const raw: Record<string, unknown> = complete
            ? { id: 'f', orderId: 'o', symbol: 'BTC-USD', side: 'buy', quantity: '1', price: '2', ...partial }
            : partial;
          const schema = Fill.safeParse(raw);
          const tracker = new PositionTracker(nullAuditSink, { clock: { now: () => 7 } });
          const outcome = await tracker.updateFromFill(raw as never).then(
            () => 'booked',
            (error: { code?: string }) => error.code,
          );
          if (!schema.success) {
            expect(outcome).toBe('INVALID_FILL');
            return;
          }
          if (outcome !== 'booked') return; // valid, but refused by the ledger (a spot fee it cannot value)
          accepted += 1;
          const p = tracker.getPosition(schema.data.symbol);
          expect(p?.signedQuantity.abs().toString()).toBe(schema.data.quantity.toString());
        },
      ),
      { numRuns: 1500 },
    );
    expect(accepted).toBeGreaterThan(50);
  });

  it('a fill the boundary parsed is booked as it is, without a copy, and stays frozen', async () => {
    const fill = parseValidated(
      Fill,
      {
        id: 'f',
        orderId: 'o',
        symbol: 'BTC-USD',
        side: 'sell',
        quantity: '0.5',
        price: '100',
        fee: '-0.01',
        timestamp: 5,
        marketKind: 'perp',
      },
      'fill',
    );
    const events: unknown[] = [];
    const sink = {
      append: (event: unknown) => {
        events.push(event);
        return Promise.resolve({} as never);
      },
    };
    const tracker = new PositionTracker(sink as never);
    const position = await tracker.updateFromFill(fill);
    expect(position?.signedQuantity.toString()).toBe('-0.5');
    const filled = events.find((e) => (e as { type: string }).type === 'order_filled') as { fill: unknown };
    expect(filled.fill).toBe(fill);
    expect(Object.isFrozen(fill)).toBe(true);
    // A copy is not the validated object: it is parsed again, and refused when it no longer is a fill.
    await expect(tracker.updateFromFill({ ...fill, id: 'g', quantity: '-1' } as never)).rejects.toMatchObject(
      {
        code: 'INVALID_FILL',
      },
    );
  });
});
