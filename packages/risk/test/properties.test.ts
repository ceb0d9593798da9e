import { fc, test } from '@fast-check/vitest';
import { Decimal, ZERO } from '@hl-bot/core-types';
import { describe, expect } from 'vitest';
import type { Reservation } from '../src/index.js';
import { setup } from './helpers.js';

const SYMBOLS = ['A-USD', 'B-USD', 'C-USD', 'D-USD', 'E-USD', 'F-USD'];
const MARKS: Record<string, string> = {
  'A-USD': '10',
  'B-USD': '20',
  'C-USD': '5',
  'D-USD': '100',
  'E-USD': '1',
  'F-USD': '50',
};

const command = fc.oneof(
  fc.record({
    kind: fc.constant('order' as const),
    symbol: fc.constantFrom(...SYMBOLS),
    side: fc.constantFrom('buy' as const, 'sell' as const),
    quantity: fc.constantFrom('0.5', '1', '2', '3', '7'),
    reduceOnly: fc.constantFrom(false, false, false, true),
  }),
  fc.record({
    kind: fc.constant('outcome' as const),
    pick: fc.nat(),
    outcome: fc.constantFrom(
      'submitted' as const,
      'rejected' as const,
      'filled' as const,
      'cancelled' as const,
      'partial' as const,
    ),
  }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 20_000 }) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 400 }) }),
);

describe('no sequence of approvals breaks a limit', () => {
  test.prop([fc.array(command, { minLength: 10, maxLength: 150 })], { numRuns: 150 })(
    'exposure, open positions and order rates stay within their limits',
    async (commands) => {
      const limits = {
        maxTotalExposure: '300',
        maxPositions: 3,
        maxOrdersPerMinute: 2,
        maxOrdersPerSecond: 3,
        maxOpenOrders: 5,
      };
      const { risk, clock } = setup(limits);
      const positions = new Map<string, Decimal>();
      const approvals: { symbol: string; at: number }[] = [];
      const refreshMarks = () => {
        for (const s of SYMBOLS) risk.updateMarketPrice(s, MARKS[s] as string);
      };
      const applyFill = (r: Reservation, qty: Decimal) => {
        const signed = r.side === 'buy' ? qty : qty.neg();
        const next = (positions.get(r.symbol) ?? ZERO).plus(signed);
        if (next.isZero()) {
          positions.delete(r.symbol);
          risk.removePosition(r.symbol);
        } else {
          positions.set(r.symbol, next);
          risk.updatePosition({
            symbol: r.symbol,
            side: next.gt(0) ? 'long' : 'short',
            quantity: next.abs(),
            entryPrice: MARKS[r.symbol] as string,
          });
        }
      };
      refreshMarks();
      for (const c of commands) {
        if (c.kind === 'advance') {
          clock.advance(c.ms);
          refreshMarks();
        } else if (c.kind === 'order') {
          const price = MARKS[c.symbol] as string;
          const r = await risk.checkOrder({
            symbol: c.symbol,
            side: c.side,
            orderType: 'limit',
            quantity: c.quantity,
            price,
            reduceOnly: c.reduceOnly,
          });
          if (r.approved) approvals.push({ symbol: c.symbol, at: clock.now() });
        } else {
          const held = risk.reservations();
          const r = held[c.pick % Math.max(1, held.length)];
          if (r === undefined) continue;
          if (c.outcome === 'filled') {
            applyFill(r, r.quantity);
            risk.orderFilled(r.id);
          } else if (c.outcome === 'partial') {
            const half = r.quantity.div(2);
            applyFill(r, half);
            risk.orderFilled(r.id, half);
          } else {
            risk.releaseReservation(r.id, c.outcome);
          }
        }
        const state = risk.state;
        expect(state.exposure.lte(limits.maxTotalExposure)).toBe(true);
        const openingHolds = risk.reservations().filter((r) => r.opening);
        const opening = new Set(openingHolds.map((r) => r.symbol));
        const used = new Set([...positions.keys(), ...opening]);
        expect(used.size).toBeLessThanOrEqual(limits.maxPositions);
        // An order that reduces a position is exempt from the open-order slots (README: exits stay
        // possible), so only the opening holds are bounded by maxOpenOrders.
        expect(openingHolds.length).toBeLessThanOrEqual(limits.maxOpenOrders);
      }
      for (const a of approvals) {
        const sameSymbol = approvals.filter(
          (b) => b.symbol === a.symbol && b.at <= a.at && b.at > a.at - 60_000,
        );
        expect(sameSymbol.length).toBeLessThanOrEqual(limits.maxOrdersPerMinute);
        const global = approvals.filter((b) => b.at <= a.at && b.at > a.at - 1000);
        expect(global.length).toBeLessThanOrEqual(limits.maxOrdersPerSecond);
      }
    },
  );

  test.prop([fc.array(fc.constantFrom('0.1', '0.2', '0.3', '0.5'), { minLength: 1, maxLength: 20 })], {
    numRuns: 100,
  })('approved reduce-only orders never add up to more than the position', async (quantities) => {
    const { risk } = setup();
    risk.updateMarketPrice('A-USD', '10');
    risk.updatePosition({ symbol: 'A-USD', side: 'long', quantity: '1', entryPrice: '10' });
    let total = ZERO;
    for (const q of quantities) {
      const r = await risk.checkOrder({
        symbol: 'A-USD',
        side: 'sell',
        orderType: 'limit',
        quantity: q,
        price: '10',
        reduceOnly: true,
      });
      if (r.approved) total = total.plus(q);
    }
    expect(total.lte(new Decimal(1))).toBe(true);
  });
});

describe('running totals equal a full recomputation', () => {
  const op = fc.oneof(
    fc.record({
      kind: fc.constant('upsert' as const),
      symbol: fc.constantFrom('A-USD', 'B-USD', 'C-USD'),
      side: fc.constantFrom('long' as const, 'short' as const),
      quantity: fc.constantFrom('0.1', '1', '2.5', '10'),
      entryPrice: fc.constantFrom('9', '10', '11.5'),
    }),
    fc.record({ kind: fc.constant('remove' as const), symbol: fc.constantFrom('A-USD', 'B-USD', 'C-USD') }),
    fc.record({
      kind: fc.constant('mark' as const),
      symbol: fc.constantFrom('A-USD', 'B-USD', 'C-USD'),
      price: fc.constantFrom('8', '10', '12.25', '100'),
    }),
    fc.record({
      kind: fc.constant('replace' as const),
      keep: fc.subarray(['A-USD', 'B-USD', 'C-USD']),
    }),
  );

  test.prop([fc.array(op, { maxLength: 60 })], { numRuns: 200 })(
    'exposure and unrealized P&L after any sequence of position and mark updates',
    async (ops) => {
      const { risk } = setup();
      const marks = new Map<string, Decimal>();
      for (const o of ops) {
        if (o.kind === 'upsert') {
          const { kind: _kind, ...snapshot } = o;
          risk.updatePosition(snapshot);
        } else if (o.kind === 'remove') risk.removePosition(o.symbol);
        else if (o.kind === 'mark') {
          risk.updateMarketPrice(o.symbol, o.price);
          marks.set(o.symbol, new Decimal(o.price));
        } else {
          const kept = risk.positions().filter((p) => o.keep.includes(p.symbol));
          await risk.checkOrder(
            { symbol: 'BTC-USD', side: 'buy', orderType: 'limit', quantity: '0.0001', price: '50000' },
            kept,
          );
        }
      }
      let exposure = ZERO;
      let unrealized = ZERO;
      for (const p of risk.positions()) {
        const m = marks.get(p.symbol);
        if (m === undefined) continue;
        const signed = p.side === 'long' ? p.quantity : p.quantity.neg();
        exposure = exposure.plus(p.quantity.times(m));
        unrealized = unrealized.plus(m.minus(p.entryPrice).times(signed));
      }
      const reserved = risk
        .reservations()
        .filter((r) => r.opening)
        .reduce((sum, r) => sum.plus(r.notional), ZERO);
      expect(risk.state.exposure.minus(reserved).toString()).toBe(exposure.toString());
      const book = (risk as unknown as { book: { unrealizedPnl: Decimal } }).book;
      expect(book.unrealizedPnl.toString()).toBe(unrealized.toString());
    },
  );
});
