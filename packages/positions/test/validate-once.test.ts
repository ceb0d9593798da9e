import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogger } from '@hl-bot/audit';
import { Decimal, Fill, isValidated, PositionSnapshot, parseValidated } from '@hl-bot/core-types';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
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

describe('position snapshots are validated once: marked when the tracker builds them, parsed when hand-made', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const openLogger = async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-positions-snapshot-'));
    dirs.push(dir);
    return AuditLogger.open(dir, { durability: 'none' });
  };

  // Sizes and prices from dust to the edge of DECIMAL_LIMITS, so some positions leave the schema's range.
  const amount = fc.constantFrom(
    '0.00000000000000000001',
    '0.0000001',
    '0.3',
    '1',
    '7.25',
    '1000',
    '1e20',
    '9e29',
  );
  const fillArb = fc.record({
    symbol: fc.constantFrom('BTC-USD', 'ETH-USD'),
    side: fc.constantFrom('buy', 'sell'),
    quantity: amount,
    price: amount,
    fee: fc.constantFrom('0', '0.01', '-0.002'),
  });

  it("marks the tracker's snapshots only when they are exactly what the PositionSnapshot schema returns", async () => {
    let marked = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fillArb, { minLength: 1, maxLength: 12 }), async (fills) => {
        const tracker = new PositionTracker(nullAuditSink);
        for (const [i, f] of fills.entries()) {
          await tracker
            .updateFromFill({ id: `f${i}`, orderId: 'o', timestamp: 1_000 + i, ...f })
            .catch(() => {});
          tracker.updateMarketPrice(f.symbol, f.price);
          for (const p of tracker.getAllPositions()) {
            const snapshot = p.toPosition();
            expect(p.toPosition()).toBe(snapshot); // built once per position
            const parsed = PositionSnapshot.safeParse(snapshot);
            if (isValidated(snapshot, PositionSnapshot)) {
              marked += 1;
              expect(parsed.success).toBe(true);
              expect(snapshot).toEqual(parsed.data);
            } else {
              // Left unmarked only when the schema refuses it: consumers parse it and refuse it too.
              expect(parsed.success).toBe(false);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
    expect(marked).toBeGreaterThan(100);
  });

  it('the audit logger validates an unmarked, hand-made snapshot in full: accepted exactly when the schema accepts it', async () => {
    const logger = await openLogger();
    const tracker = new PositionTracker(nullAuditSink);
    await tracker.updateFromFill({
      id: 'f',
      orderId: 'o',
      symbol: 'BTC-USD',
      side: 'buy',
      quantity: '2',
      price: '100',
    });
    const built = tracker.getPosition('BTC-USD')?.toPosition() as PositionSnapshot;
    expect(isValidated(built, PositionSnapshot)).toBe(true);
    const value = fc.constantFrom<unknown>(
      '1',
      '-1',
      '0',
      'abc',
      '1e40',
      5,
      -2.5,
      'long',
      'short',
      'BTC-USD',
      '',
      undefined,
      null,
      new Decimal('3'),
      new Decimal('-3'),
      1_700_000_000_000,
      1.5,
    );
    const field = fc.constantFrom(...Object.keys(PositionSnapshot.shape), 'extra');
    let accepted = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.dictionary(field, value, { maxKeys: 5 }), async (changes) => {
          // A copy of a valid snapshot with some fields changed: unmarked, so parsed in full.
          const handMade = { ...built, ...changes };
          const schema = PositionSnapshot.safeParse(handMade);
          const outcome = await logger
            .append({
              type: 'position_updated',
              symbol: 'BTC-USD',
              cause: 'fill',
              position: handMade as never,
            })
            .then(
              (entry) => entry,
              (error: { code?: string }) => error.code,
            );
          if (!schema.success) {
            expect(outcome).toBe('AUDIT_INVALID_EVENT');
            return;
          }
          accepted += 1;
          expect((outcome as { position?: unknown }).position).toEqual(schema.data);
        }),
        { numRuns: 400 },
      );
    } finally {
      await logger.close();
    }
    expect(accepted).toBeGreaterThan(20);
  });

  it('a snapshot with a value outside the decimal range is left unmarked, so the audit logger refuses it', async () => {
    const logger = await openLogger();
    try {
      const tracker = new PositionTracker(nullAuditSink);
      await tracker.updateFromFill({
        id: 'big',
        orderId: 'o',
        symbol: 'BTC-USD',
        side: 'buy',
        quantity: '1e29',
        price: '1',
      });
      expect(isValidated(tracker.getPosition('BTC-USD')?.toPosition(), PositionSnapshot)).toBe(true);
      // Marked at 9e29: an unrealized P&L of about 9e58, beyond DECIMAL_LIMITS, which no audit line may hold.
      const snapshot = tracker.updateMarketPrice('BTC-USD', '9e29')?.toPosition();
      expect(snapshot?.unrealizedPnl?.gt('1e58')).toBe(true);
      expect(isValidated(snapshot, PositionSnapshot)).toBe(false);
      await expect(
        logger.append({
          type: 'position_updated',
          symbol: 'BTC-USD',
          cause: 'fill',
          position: snapshot as never,
        }),
      ).rejects.toMatchObject({ code: 'AUDIT_INVALID_EVENT' });
    } finally {
      await logger.close();
    }
  });
});
