import { SlidingWindow } from '../sliding-window.js';

/** The per-symbol rate window (`maxOrdersPerMinute`). */
export const SYMBOL_WINDOW_MS = 60_000;
/** The global rate window (`maxOrdersPerSecond`). */
export const GLOBAL_WINDOW_MS = 1_000;

/**
 * Approvals per symbol in the last minute and over all symbols in the last second. An approval takes a
 * slot for good (the order may have been sent); a symbol's window exists from its first approval.
 */
export class RateWindows {
  private readonly perSymbol = new Map<string, SlidingWindow>();
  private readonly global = new SlidingWindow(GLOBAL_WINDOW_MS);

  /** Approvals for `symbol` still inside its window at `now`. */
  symbolCount(symbol: string, now: number): number {
    const w = this.perSymbol.get(symbol);
    return w === undefined ? 0 : w.count(now);
  }

  /** Approvals over all symbols still inside the global window at `now`. */
  globalCount(now: number): number {
    return this.global.count(now);
  }

  /** An approval for `symbol` at `now`. */
  record(symbol: string, now: number): void {
    let w = this.perSymbol.get(symbol);
    if (w === undefined) {
      w = new SlidingWindow(SYMBOL_WINDOW_MS);
      this.perSymbol.set(symbol, w);
    }
    w.add(now);
    this.global.add(now);
  }
}
