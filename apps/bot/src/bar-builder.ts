import type { Decimal } from '@hl-bot/core-types';
import { ZERO } from '@hl-bot/core-types';
import type { Bar } from '@hl-bot/engine';

interface Open {
  openTime: number;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
}

/**
 * Turns the live price stream into fixed-interval bars for strategies. Mids carry no volume, so bars have
 * volume 0. An interval without any price produces no bar (no invented prices).
 */
export class BarBuilder {
  private readonly open = new Map<string, Open>();

  constructor(private readonly intervalMs: number) {}

  /** Records a price; returns the bars that closed because this price belongs to a later interval. */
  add(symbol: string, price: Decimal, time: number): Bar[] {
    const start = time - (time % this.intervalMs);
    const cur = this.open.get(symbol);
    if (cur === undefined || start > cur.openTime) {
      this.open.set(symbol, { openTime: start, open: price, high: price, low: price, close: price });
      return cur === undefined ? [] : [this.toBar(symbol, cur)];
    }
    if (start < cur.openTime) return []; // late price of a closed interval
    if (price.gt(cur.high)) cur.high = price;
    if (price.lt(cur.low)) cur.low = price;
    cur.close = price;
    return [];
  }

  /** Closes every bar whose interval ended before `time`. */
  closeDue(time: number): Bar[] {
    const out: Bar[] = [];
    for (const [symbol, cur] of this.open) {
      if (cur.openTime + this.intervalMs <= time) {
        out.push(this.toBar(symbol, cur));
        this.open.delete(symbol);
      }
    }
    return out;
  }

  private toBar(symbol: string, o: Open): Bar {
    return {
      symbol,
      openTime: o.openTime,
      closeTime: o.openTime + this.intervalMs - 1,
      open: o.open,
      high: o.high,
      low: o.low,
      close: o.close,
      volume: ZERO,
    };
  }
}
