import type { DecimalInput } from '@hl-bot/core-types';
import type { Candle } from '@hl-bot/paper-exchange';
import { SimError } from './errors.js';
import type { MarketFeed } from './market.js';
import type { SimState } from './sim-state.js';
import { wireDecimal } from './wire-decimal.js';
import type { WsHub } from './ws-hub.js';

/** One explicit bar (`pushBar`, `POST /sim/bar`). */
export interface ExplicitBar {
  coin: string;
  open: DecimalInput;
  high: DecimalInput;
  low: DecimalInput;
  close: DecimalInput;
  volume?: DecimalInput;
}

/**
 * Time steps of the market: every account sees each bar, then waiting TP/SL children, mids, scheduled
 * cancels and the streams follow, in that order. Bars advance on a timer, or only when asked
 * (`manualBars`).
 */
export class BarClock {
  readonly #state: SimState;
  readonly #feed: MarketFeed;
  readonly #hub: WsHub;
  readonly #afterBars: () => Promise<void>;
  #timer: NodeJS.Timeout | undefined;
  #stepping = false;

  constructor(options: {
    state: SimState;
    feed: MarketFeed;
    hub: WsHub;
    /** Runs after every account has seen a time step's bars (the TP/SL children waiting for their entry). */
    afterBars: () => Promise<void>;
  }) {
    this.#state = options.state;
    this.#feed = options.feed;
    this.#hub = options.hub;
    this.#afterBars = options.afterBars;
  }

  /** Advances n bars from the market data source. */
  step(n = 1): Promise<void> {
    if (!Number.isInteger(n) || n < 1 || n > 100_000) {
      return Promise.reject(new SimError('SIM_INVALID_OPTION', 'n must be an integer in 1..100000'));
    }
    return this.#state.serial(async () => {
      for (let i = 0; i < n; i++) {
        const group = await this.#feed.next();
        if (group.length === 0) break;
        await this.#apply(group);
      }
    });
  }

  /** Feeds one explicit bar as the next time step. */
  pushBar(bar: ExplicitBar): Promise<void> {
    return this.#state.serial(async () => {
      await this.#apply([this.#feed.explicit(bar)]);
    });
  }

  /** Steps one bar every `barMs`; a bar that fails is counted and shown, never fatal. */
  start(barMs: number): void {
    this.#timer = setInterval(() => {
      if (this.#stepping) return;
      this.#stepping = true;
      this.step(1)
        .catch((error: unknown) => {
          // A broken bar source must not crash the server; it shows in GET /sim/state.
          this.#state.stats.barErrors += 1;
          this.#state.lastBarError = error instanceof Error ? error.message : String(error);
        })
        .finally(() => {
          this.#stepping = false;
        });
    }, barMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
  }

  async #apply(group: Candle[]): Promise<void> {
    if (group.length === 0) return;
    const state = this.#state;
    state.bars.push(group);
    if (state.bars.length > 10) state.bars.shift();
    for (const account of state.accounts.values()) for (const c of group) await account.onBar(c);
    await this.#afterBars();
    for (const c of group) state.mids.set(c.symbol.slice(0, -4), wireDecimal(c.close));
    state.stats.steps += 1;
    await state.runScheduledCancels();
    this.#hub.flush();
    this.#hub.publishMids();
    this.#hub.publishAssetCtxs();
  }
}
