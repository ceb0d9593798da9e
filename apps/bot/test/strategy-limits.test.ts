import { Decimal, OrderRequest, type OrderRequestInput, ZERO } from '@hl-bot/core-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkStrategyOrder, type StrategyRun, type SymbolBook } from '../src/index.js';

const d = (v: string | number) => new Decimal(v);

function run(limits: StrategyRun['limits'] = {}, symbols = ['BTC-USD', 'SOL-USD']): StrategyRun {
  return { name: 'alpha', strategy: 'trend', symbols, limits };
}

const owners = new Map([
  ['BTC-USD', ['alpha']],
  ['SOL-USD', ['alpha']],
  ['ETH-USD', ['beta']],
]);

function flat(price: string | null = '100'): SymbolBook {
  return { position: ZERO, buying: ZERO, selling: ZERO, price: price === null ? undefined : d(price) };
}

function books(map: Record<string, SymbolBook>) {
  return (symbol: string) => map[symbol] ?? flat();
}

function order(o: Partial<OrderRequestInput> = {}): OrderRequest {
  return OrderRequest.parse({ symbol: 'BTC-USD', side: 'buy', orderType: 'market', quantity: '1', ...o });
}

describe('a strategy’s own checks, before the account’s risk manager', () => {
  it('refuses a symbol another strategy owns, naming both, and one no strategy trades', () => {
    const f = checkStrategyOrder(run(), owners, books({}), order({ symbol: 'ETH-USD' }));
    expect(f?.code).toBe('STRATEGY_SYMBOL_NOT_OWNED');
    expect(f?.details).toEqual({ strategy: 'alpha', symbol: 'ETH-USD', owner: 'beta' });
    expect(f?.message).toContain('belongs to beta');
    const none = checkStrategyOrder(run(), owners, books({}), order({ symbol: 'DOGE-USD' }));
    expect(none?.code).toBe('STRATEGY_SYMBOL_NOT_OWNED');
    expect(none?.message).toContain('no strategy trades it');
  });

  it('refuses another strategy’s symbol even reduce-only, but lets a reduce-only order in its own symbol pass every limit', () => {
    const tiny = run({ maxOrderNotional: d(1), maxPositionSizeUsd: d(1), maxTotalExposure: d(1) });
    expect(
      checkStrategyOrder(tiny, owners, books({}), order({ symbol: 'ETH-USD', reduceOnly: true }))?.code,
    ).toBe('STRATEGY_SYMBOL_NOT_OWNED');
    const long = books({ 'BTC-USD': { ...flat(), position: d(5) } });
    expect(checkStrategyOrder(tiny, owners, long, order({ side: 'sell', reduceOnly: true }))).toBeUndefined();
  });

  it('values an order at its limit price, else at the mark, against maxOrderNotional', () => {
    const r = run({ maxOrderNotional: d(150) });
    expect(checkStrategyOrder(r, owners, books({}), order({ quantity: '1.5' }))).toBeUndefined();
    const f = checkStrategyOrder(r, owners, books({}), order({ quantity: '1.6' }));
    expect(f?.code).toBe('STRATEGY_ORDER_NOTIONAL');
    expect(f?.details).toMatchObject({ strategy: 'alpha', notional: '160', limit: '150' });
    const limit = order({ orderType: 'limit', price: '200', quantity: '0.8' });
    expect(checkStrategyOrder(r, owners, books({}), limit)?.code).toBe('STRATEGY_ORDER_NOTIONAL');
  });

  it('fails closed without a mark when a limit is set, and needs none without limits', () => {
    const unknown = books({ 'BTC-USD': flat(null) });
    expect(checkStrategyOrder(run({ maxOrderNotional: d(1000) }), owners, unknown, order())?.code).toBe(
      'STRATEGY_NO_PRICE',
    );
    expect(checkStrategyOrder(run(), owners, unknown, order())).toBeUndefined();
  });

  it('counts working orders on the order’s side in the worst-case position; an order that shrinks it passes', () => {
    const r = run({ maxPositionSizeUsd: d(500) });
    const book = books({ 'BTC-USD': { ...flat(), position: d(2), buying: d(2) } });
    const f = checkStrategyOrder(r, owners, book, order({ quantity: '1.5' }));
    expect(f?.code).toBe('STRATEGY_POSITION_SIZE');
    expect(f?.details.size).toBe('550');
    expect(checkStrategyOrder(r, owners, book, order({ quantity: '1' }))).toBeUndefined();
    // Over the limit already (a limit lowered, a fill bigger than asked): selling down is still allowed.
    const over = books({ 'BTC-USD': { ...flat(), position: d(9) } });
    expect(checkStrategyOrder(r, owners, over, order({ side: 'sell', quantity: '1' }))).toBeUndefined();
    expect(checkStrategyOrder(r, owners, over, order({ side: 'buy', quantity: '0.01' }))?.code).toBe(
      'STRATEGY_POSITION_SIZE',
    );
    // A sell that flips the long into a bigger short (11) grows the worst case on the short side.
    expect(checkStrategyOrder(r, owners, over, order({ side: 'sell', quantity: '20' }))?.code).toBe(
      'STRATEGY_POSITION_SIZE',
    );
  });

  it('sums the worst case of every symbol of the strategy against maxTotalExposure, and only those', () => {
    const r = run({ maxTotalExposure: d(1000) });
    const book = books({
      'BTC-USD': { ...flat(), position: d(-3) },
      'SOL-USD': { ...flat('50'), position: d(4), buying: d(2) },
      'ETH-USD': { ...flat('1000'), position: d(100) },
    });
    // BTC short 3 x 100 = 300, SOL (4 held + 2 working + 9 asked) x 50 = 750: 1050; ETH is beta's.
    expect(checkStrategyOrder(r, owners, book, order({ symbol: 'SOL-USD', quantity: '9' }))?.code).toBe(
      'STRATEGY_EXPOSURE',
    );
    expect(checkStrategyOrder(r, owners, book, order({ symbol: 'SOL-USD', quantity: '2' }))).toBeUndefined();
    // Buying back part of the BTC short shrinks the worst case: it passes whatever the total.
    const tight = run({ maxTotalExposure: d(10) });
    expect(checkStrategyOrder(tight, owners, book, order({ quantity: '1' }))).toBeUndefined();
  });

  it('never lets an order through that takes the worst case over a limit it grows (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -50, max: 50 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 1, max: 30 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 5000 }),
        (pos, buying, selling, qty, buy, limit) => {
          const own: SymbolBook = { position: d(pos), buying: d(buying), selling: d(selling), price: d(10) };
          const r = run({ maxPositionSizeUsd: d(limit) }, ['BTC-USD']);
          const f = checkStrategyOrder(
            r,
            owners,
            () => own,
            order({ side: buy ? 'buy' : 'sell', quantity: String(qty) }),
          );
          const worst = (b: number, s: number) => Math.max(Math.abs(pos + b), Math.abs(pos - s));
          const before = worst(buying, selling);
          const after = buy ? worst(buying + qty, selling) : worst(buying, selling + qty);
          const refused = after > before && after * 10 > limit;
          expect(f?.code === 'STRATEGY_POSITION_SIZE').toBe(refused);
        },
      ),
    );
  });
});
