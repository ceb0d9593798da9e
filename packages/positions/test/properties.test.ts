import { fc, it } from '@fast-check/vitest';
import { Decimal, type FillInput, ZERO } from '@hl-bot/core-types';
import { describe, expect } from 'vitest';
import { PositionTracker } from '../src/index.js';
import { ledgerView, MemorySink } from './helpers.js';

// Sizes and prices with the decimals a venue uses, so products are exact and the invariants are checked
// with equality, not tolerance.
const size = fc.integer({ min: 1, max: 50_000 }).map((n) => new Decimal(n).div(1000));
const price = fc.integer({ min: 1, max: 2_000_000 }).map((n) => new Decimal(n).div(100));
const fee = fc.integer({ min: -500, max: 5_000 }).map((n) => new Decimal(n).div(10_000));
const symbol = fc.constantFrom('BTC-USD', 'ETH-USD', 'SOL-USD');

type Step =
  | { kind: 'fill'; symbol: string; side: 'buy' | 'sell'; quantity: Decimal; price: Decimal; fee: Decimal }
  | { kind: 'mark'; symbol: string; price: Decimal }
  | { kind: 'funding'; symbol: string; amount: Decimal };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('fill' as const),
      symbol,
      side: fc.constantFrom('buy' as const, 'sell' as const),
      quantity: size,
      price,
      fee,
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('mark' as const), symbol, price }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('funding' as const),
      symbol,
      amount: fc.integer({ min: -1000, max: 1000 }).map((n) => new Decimal(n).div(100)),
    }),
  },
);

function toFill(s: Extract<Step, { kind: 'fill' }>, i: number): FillInput {
  return {
    id: `f${i}`,
    orderId: `o${i}`,
    symbol: s.symbol,
    side: s.side,
    quantity: s.quantity,
    price: s.price,
    fee: s.fee,
    timestamp: 1000 + i,
  };
}

/** Runs the steps; funding only where a position is open (elsewhere it is refused by design). */
async function run(tracker: PositionTracker, steps: Step[]): Promise<void> {
  for (const [i, st] of steps.entries()) {
    if (st.kind === 'fill') await tracker.updateFromFill(toFill(st, i));
    else if (st.kind === 'mark') {
      tracker.updateMarketPrice(st.symbol, st.price, 1000 + i);
      await tracker.flush();
    } else if (tracker.getPosition(st.symbol) !== undefined)
      await tracker.applyFunding(st.symbol, st.amount, 1000 + i);
  }
}

describe('accounting invariants', () => {
  it.prop([fc.array(step, { maxLength: 60 })])(
    'the quantity of every symbol equals the signed sum of its fills',
    async (steps) => {
      const tracker = new PositionTracker(new MemorySink());
      await run(tracker, steps);
      for (const sym of ['BTC-USD', 'ETH-USD', 'SOL-USD']) {
        const expected = steps.reduce(
          (acc, st) =>
            st.kind === 'fill' && st.symbol === sym
              ? acc.plus(st.side === 'buy' ? st.quantity : st.quantity.neg())
              : acc,
          ZERO,
        );
        const held = tracker.getPosition(sym)?.signedQuantity ?? ZERO;
        expect(held.toString()).toBe(expected.toString());
      }
    },
  );

  it.prop([fc.array(step, { maxLength: 60 })])(
    'for any sequence that ends flat, net realized P&L = sell notional - buy notional - fees + funding',
    async (steps) => {
      const sink = new MemorySink();
      const tracker = new PositionTracker(sink);
      await run(tracker, steps);
      // flatten every symbol with one more fill
      let i = steps.length;
      for (const p of tracker.getAllPositions()) {
        i += 1;
        await tracker.updateFromFill({
          id: `flat${i}`,
          orderId: 'x',
          symbol: p.symbol,
          side: p.side === 'long' ? 'sell' : 'buy',
          quantity: p.quantity,
          price: '123.45',
          fee: '0.01',
          timestamp: 10_000_000 + i,
        });
      }
      expect(tracker.getAllPositions()).toHaveLength(0);
      let cash = ZERO;
      for (const e of sink.ofType('order_filled')) {
        const notional = e.fill.quantity.times(e.fill.price);
        cash = cash.plus(e.fill.side === 'sell' ? notional : notional.neg()).minus(e.fill.fee);
      }
      for (const e of sink.ofType('funding_applied')) cash = cash.plus(e.amount);
      const net = tracker.getClosedPositions().reduce((acc, c) => acc.plus(c.netRealizedPnl), ZERO);
      expect(net.toString()).toBe(cash.toString());
      expect(tracker.getTotalNetRealizedPnl().toString()).toBe(cash.toString());
      for (const c of tracker.getClosedPositions()) {
        expect(c.maxAdverseExcursion.lte(0) && c.maxFavorableExcursion.gte(0)).toBe(true);
        expect(c.peakQuantity.gte(0) && c.quantity.gte(c.peakQuantity)).toBe(true);
      }
    },
  );

  it.prop([fc.array(step, { maxLength: 60 })])(
    'entry and exit totals are the sums over the opening and closing legs (round trips and open positions)',
    async (steps) => {
      const tracker = new PositionTracker(new MemorySink());
      await run(tracker, steps);
      // The reference: per symbol, the signed quantity held and the legs of the current round trip.
      type Legs = { held: Decimal; entryQ: Decimal; entryN: Decimal; exitQ: Decimal; exitN: Decimal };
      const flat = (): Legs => ({ held: ZERO, entryQ: ZERO, entryN: ZERO, exitQ: ZERO, exitN: ZERO });
      const books = new Map<string, Legs>();
      const closed: Array<{ symbol: string; entry: Decimal; exit: Decimal }> = [];
      for (const st of steps) {
        if (st.kind !== 'fill') continue;
        let b = books.get(st.symbol) ?? flat();
        const signed = st.side === 'buy' ? st.quantity : st.quantity.neg();
        if (b.held.isZero() || b.held.isPositive() === signed.isPositive()) {
          b.entryQ = b.entryQ.plus(st.quantity);
          b.entryN = b.entryN.plus(st.quantity.times(st.price));
          b.held = b.held.plus(signed);
        } else {
          const closing = Decimal.min(st.quantity, b.held.abs());
          b.exitQ = b.exitQ.plus(closing);
          b.exitN = b.exitN.plus(closing.times(st.price));
          b.held = b.held.plus(signed);
          if (b.held.isZero() || b.held.isPositive() === signed.isPositive()) {
            closed.push({ symbol: st.symbol, entry: b.entryN.div(b.entryQ), exit: b.exitN.div(b.exitQ) });
            const rest = b.held.abs();
            b = { ...flat(), held: b.held, entryQ: rest, entryN: rest.times(st.price) };
          }
        }
        books.set(st.symbol, b);
      }
      expect(
        tracker.getClosedPositions().map((c) => [c.symbol, c.entryPrice.toString(), c.exitPrice.toString()]),
      ).toEqual(closed.map((c) => [c.symbol, c.entry.toString(), c.exit.toString()]));
      for (const [sym, b] of books) {
        const p = tracker.getPosition(sym);
        if (b.held.isZero()) {
          expect(p).toBeUndefined();
          continue;
        }
        expect([p?.entryQuantity.toString(), p?.entryNotional.toString()]).toEqual([
          b.entryQ.toString(),
          b.entryN.toString(),
        ]);
        expect([p?.exitQuantity.toString(), p?.exitNotional.toString()]).toEqual([
          b.exitQ.toString(),
          b.exitN.toString(),
        ]);
      }
    },
  );

  it.prop([fc.array(step, { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 20 })])(
    're-applying any subset of already applied fills changes nothing',
    async (steps, picks) => {
      const tracker = new PositionTracker(new MemorySink());
      await run(tracker, steps);
      const fills = steps.flatMap((st, i) => (st.kind === 'fill' ? [toFill(st, i)] : []));
      const before = ledgerView(tracker);
      const subset = fills.length === 0 ? [] : picks.map((n) => fills[n % fills.length] as FillInput);
      await Promise.all(subset.map((f) => tracker.updateFromFill(f)));
      expect(ledgerView(tracker)).toEqual(before);
    },
  );

  it.prop([fc.array(step, { maxLength: 50 }), fc.nat()])(
    'recovering from the audit log after any prefix gives a state equal to the live tracker',
    async (steps, cut) => {
      const prefix = steps.slice(0, steps.length === 0 ? 0 : cut % (steps.length + 1));
      const sink = new MemorySink();
      const live = new PositionTracker(sink);
      await run(live, prefix);
      const recovered = new PositionTracker(new MemorySink());
      await recovered.replay(sink.entries);
      expect(ledgerView(recovered)).toEqual(ledgerView(live));
      for (const p of live.getAllPositions()) {
        expect(recovered.getPosition(p.symbol)?.maxAdverseExcursion.toString()).toBe(
          p.maxAdverseExcursion.toString(),
        );
      }
    },
  );
});
