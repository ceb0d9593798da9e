import { isValidated, type MarketPrice } from '@hl-bot/core-types';
import { type Candle, Candle as CandleSchema } from '../candle.js';
import { PaperExchangeError } from '../errors.js';
import { instrument, type PaperCore, type SimOrder } from './core.js';
import { applyFunding } from './funding.js';
import { checkAccountLiquidation, checkLiquidation } from './margin.js';
import { checkTrigger, fill, takeLiquidity } from './matching.js';

/** What a bar's order scans return when no order is open (most bars of a run). */
const NO_ORDERS: readonly SimOrder[] = [];

/**
 * One bar of one symbol, in the order the class documentation of `PaperExchange` gives: funding, waiting
 * takers, triggers, resting limits traded through, liquidation, mark, price listeners.
 *
 * @throws {PaperExchangeError} `INVALID_BAR`, `BAR_OUT_OF_ORDER`; {ExchangeError} `UNKNOWN_SYMBOL`.
 */
export function processBar(core: PaperCore, candle: Candle): void {
  // A candle the synthetic market built or a reader parsed at its boundary is marked; anything else (a
  // caller's hand-made object) is parsed in full here.
  const parsed = isValidated(candle, CandleSchema)
    ? { success: true as const, data: candle }
    : CandleSchema.safeParse(candle);
  if (!parsed.success) {
    throw new PaperExchangeError(
      'INVALID_BAR',
      `invalid candle: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
      {
        symbol: (candle as { symbol?: unknown }).symbol,
      },
    );
  }
  const bar = parsed.data;
  const { symbol, openTime } = bar;
  instrument(core, symbol);
  const previous = core.lastBarTime.get(symbol);
  if ((previous !== undefined && openTime <= previous) || openTime < core.lastGlobalBarTime) {
    throw new PaperExchangeError('BAR_OUT_OF_ORDER', `bar ${symbol}@${openTime} is out of time order`, {
      symbol,
      openTime,
      previous,
      lastGlobalBarTime: core.lastGlobalBarTime,
    });
  }
  const endTime = bar.closeTime ?? openTime;
  if (core.clock.now() < openTime) core.clock.set(openTime);

  // 1. funding over the hour boundaries crossed since the symbol's previous bar
  if (previous !== undefined) applyFunding(core, symbol, previous, openTime);
  core.lastBarTime.set(symbol, openTime);
  core.lastGlobalBarTime = openTime;

  try {
    const participation = core.settings.participation;
    core.barBudget = participation === undefined ? undefined : bar.volume.times(participation);
    const barSeq = core.orderSeq;
    core.barSeq = barSeq;
    const ordersOf = (stage: SimOrder['stage']) =>
      core.orders.size === 0
        ? NO_ORDERS
        : [...core.orders.values()].filter(
            (o) => o.symbol === symbol && o.stage === stage && o.seq <= barSeq,
          );

    // 2. taker orders waiting for the next price
    for (const o of ordersOf('pending')) {
      if (core.orders.has(o.orderId)) takeLiquidity(core, o, bar.open, openTime);
    }
    // 3. triggers
    for (const o of ordersOf('trigger')) {
      if (core.orders.has(o.orderId)) checkTrigger(core, o, bar, endTime);
    }
    // 4. resting limits traded through
    for (const o of ordersOf('resting')) {
      if (!core.orders.has(o.orderId) || o.price === undefined || core.triggeredThisBar.has(o.orderId))
        continue;
      const through = o.side === 'buy' ? bar.low.lt(o.price) : bar.high.gt(o.price);
      if (through) fill(core, o, o.price, 'maker', endTime);
    }
    // 5. liquidation at the bar's adverse extreme, then 6. mark to close
    checkLiquidation(core, symbol, bar, endTime);
    core.marks.set(symbol, bar.close);
    core.markTimes.set(symbol, endTime);
    checkAccountLiquidation(core, endTime);
  } finally {
    core.barBudget = undefined;
    core.barSeq = undefined;
    core.triggeredThisBar.clear();
  }
  if (core.clock.now() < endTime) core.clock.set(endTime);
  const price: MarketPrice = { symbol, price: bar.close, timestamp: endTime };
  for (const l of core.listeners.price) core.listeners.call(l, price);
  core.listeners.flush();
}
