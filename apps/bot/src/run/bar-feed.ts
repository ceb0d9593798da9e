import type { Bar } from '@hl-bot/engine';
import { BarBuilder } from '../bar-builder.js';
import type { BotCore } from './bot-core.js';
import { errorText } from './bot-core.js';

/**
 * Bars from the venue's price stream to the engine, one at a time and in order: the configured symbols'
 * mids become bars every `barIntervalMs`, each handed over after the one before it finished.
 */
export class BarFeed {
  private readonly bars: BarBuilder;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly core: BotCore,
    private readonly symbols: ReadonlySet<string>,
  ) {
    this.bars = new BarBuilder(core.config.barIntervalMs);
  }

  /** Subscribes to the client's prices (before it starts streaming). */
  listen(): void {
    this.core.client.onPrice((p) => {
      // The venue streams every coin's mid; only configured symbols become bars for the strategy. Marks of
      // the others still reach the engine (positions held in them count in exposure and equity).
      if (!this.symbols.has(p.symbol)) return;
      for (const bar of this.bars.add(p.symbol, p.price, p.timestamp)) this.queue(bar);
    });
  }

  /** Closes the bars whose interval is over even when no later price came. */
  closeDue(now: number): void {
    for (const bar of this.bars.closeDue(now)) this.queue(bar);
  }

  /** Resolves when every bar queued so far was handled. */
  drained(): Promise<void> {
    return this.chain;
  }

  private queue(bar: Bar): void {
    this.chain = this.chain
      .then(() => (this.core.stopping ? undefined : this.core.engine.onBar(bar)))
      .catch((error: unknown) => this.core.logger.error({ err: errorText(error) }, 'strategy bar failed'));
  }
}
