import type { Decimal, FundingPayment } from '@hl-bot/core-types';
import type { PaperCore } from './core.js';

const HOUR_MS = 3_600_000;

/**
 * Funding for every whole hour boundary H with from < H <= to, on the position held across H, at the
 * previous close: amount = -size x price x rate (longs pay when the rate is positive).
 */
export function applyFunding(core: PaperCore, symbol: string, from: number, to: number): void {
  const pos = core.positions.get(symbol);
  const price = core.marks.get(symbol);
  if (pos === undefined || price === undefined) return;
  // All rates first: a rate function that throws must not leave some hours paid and the bar unprocessed.
  const hours: { time: number; rate: Decimal }[] = [];
  for (let h = Math.floor(from / HOUR_MS) * HOUR_MS + HOUR_MS; h <= to; h += HOUR_MS) {
    hours.push({ time: h, rate: core.settings.fundingRateOf(symbol, h) });
  }
  for (const { time, rate } of hours) {
    const amount = pos.size.times(price).times(rate).neg();
    core.balance = core.balance.plus(amount);
    const payment: FundingPayment = { symbol, amount, time, rate, positionSize: pos.size, price };
    for (const l of core.listeners.funding) core.listeners.call(l, payment);
  }
}
