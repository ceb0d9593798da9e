import type { Fill } from '@hl-bot/core-types';
import type { AssetCatalog } from './assets.js';
import type { ClientOrderIds } from './client-order-ids.js';
import { HyperliquidResponseError } from './errors.js';
import { type FillDeduper, fillKey, toFill } from './fills.js';
import type { InfoReads } from './info.js';
import { type UserFill, UserFillSchema, WsUserFillsEnvelopeSchema } from './info-schemas.js';
import { inScope, type OrderScope } from './order-scope.js';
import { asError, notify, type Reporter } from './reporter.js';
import { isSpotCoin, spotFillEvent, spotPairNames } from './spot.js';

/** A stream message the client cannot read: reported and audited, then dropped. */
export function reportInvalidMessage(reporter: Reporter, channel: string): void {
  const error = new HyperliquidResponseError(`WebSocket ${channel} message has an unexpected shape; dropped`);
  reporter.emitError(error);
  void reporter.recordError(error, 'websocket');
}

export interface FillStreamDeps {
  reads: InfoReads;
  assets: AssetCatalog;
  ids: ClientOrderIds;
  reporter: Reporter;
  deduper: FillDeduper;
  /** Which of the account's fills are this client's (default all). */
  scope: OrderScope | undefined;
}

/**
 * Every fill of the account reaches `onFill` exactly once: from the stream, from the REST backfill after
 * each (re)connect, or from a backfill of a fill that could not be read. Backfills run one after another
 * (a chain), so "settled" means every fill fetched so far was delivered.
 */
export class FillStream {
  readonly fillListeners = new Set<(fill: Fill) => void>();
  /** Fills of the account that are not this client's (see `OrderScope`), each once. */
  readonly foreignFillListeners = new Set<(fill: Fill) => void>();
  readonly faultListeners = new Set<(error: Error) => void>();
  readonly #d: FillStreamDeps;
  #backfill: Promise<void> = Promise.resolve();
  /** Spot pair names from `spotMeta`, read once at the first spot fill (null: not read yet). */
  #spotNames: Promise<Map<string, string>> | null = null;
  #spotQueue: Promise<void> = Promise.resolve();

  constructor(deps: FillStreamDeps) {
    this.#d = deps;
  }

  /** The backfills scheduled so far, settled. */
  get settled(): Promise<void> {
    return this.#backfill;
  }

  /** Fetches fills over REST from `startTime` (default: the newest fill seen) after the running backfills. */
  scheduleBackfill(startTime?: number): void {
    const { deduper, reads, reporter } = this.#d;
    this.#backfill = this.#backfill.then(async () => {
      try {
        const from = startTime ?? Math.max(deduper.newestTime, deduper.since);
        this.#deliver(await reads.userFillsByTime({ startTime: from }));
      } catch (error) {
        reporter.emitError(asError(error));
        await reporter.recordError(error, 'fill backfill after (re)connect');
      }
    });
  }

  /** A `userFills` stream message. */
  onMessage(data: unknown): void {
    const envelope = WsUserFillsEnvelopeSchema.safeParse(data);
    if (!envelope.success) {
      // A fill we cannot read must not be lost: fetch it over REST instead.
      reportInvalidMessage(this.#d.reporter, 'userFills');
      this.scheduleBackfill();
      return;
    }
    // Each fill on its own: one malformed fill must not drop the good ones next to it.
    const from = Math.max(this.#d.deduper.newestTime, this.#d.deduper.since);
    const good: UserFill[] = [];
    let unreadable = 0;
    for (const raw of envelope.data.fills) {
      const parsed = UserFillSchema.safeParse(raw);
      if (parsed.success) good.push(parsed.data);
      else {
        unreadable += 1;
        this.#invalidFill(parsed.error);
      }
    }
    this.#deliver(good);
    // From before this message: the good fills in it moved the newest time past the unreadable one.
    if (unreadable > 0) this.scheduleBackfill(from);
  }

  /** Delivers each fill on its own: one that cannot be read is reported and left for a backfill. */
  #deliver(batch: readonly UserFill[]): void {
    const { assets: catalog, deduper, ids, reporter } = this.#d;
    const assets = catalog.current;
    let retryFrom: number | undefined;
    for (const f of deduper.accept(batch)) {
      if (assets !== undefined && !assets.hasCoin(f.coin) && isSpotCoin(f.coin)) {
        // A spot fill is no perp position, but it is booked: audited as a typed spot_fill.
        // In the venue's order: one after another, each after the metadata read it may wait for.
        this.#spotQueue = this.#spotQueue.then(() => this.#recordSpotFill(f));
        continue;
      }
      if (assets !== undefined && !assets.hasCoin(f.coin)) {
        // A perp dex this client does not trade: not a position here, but never dropped unseen.
        void reporter
          .record({
            type: 'note',
            message: `fill ${fillKey(f)} of ${f.coin} (${f.side === 'B' ? 'buy' : 'sell'} ${f.sz.toFixed()} @ ${f.px.toFixed()}) is outside the perp dexes this client trades; not booked as a position`,
          })
          .catch((error: unknown) => reporter.emitError(asError(error)));
        continue;
      }
      let venueFill: Fill;
      try {
        venueFill = toFill(f);
      } catch (error) {
        deduper.forget(f);
        this.#invalidFill(error);
        retryFrom = Math.min(retryFrom ?? f.time, f.time);
        continue;
      }
      const clientOrderId = ids.resolve(f.cloid, f.oid);
      const fill = clientOrderId === undefined ? venueFill : { ...venueFill, clientOrderId };
      // Another bot's fill on this account: booked by that bot, never here; reported, never dropped unseen.
      const own = inScope(this.#d.scope, f.cloid, venueFill.symbol);
      notify(own ? this.fillListeners : this.foreignFillListeners, fill, reporter);
    }
    if (retryFrom !== undefined) this.scheduleBackfill(Math.max(retryFrom, deduper.since));
  }

  async #recordSpotFill(f: UserFill): Promise<void> {
    const { reads, reporter } = this.#d;
    let pair: string | undefined = f.coin.includes('/') ? f.coin : undefined;
    if (pair === undefined) {
      this.#spotNames ??= reads.spotMeta().then(spotPairNames);
      try {
        pair = (await this.#spotNames).get(f.coin);
      } catch (error) {
        // Without the names the fill is still booked under its coin; the next spot fill asks again.
        this.#spotNames = null;
        reporter.emitError(asError(error));
        await reporter.recordError(error, 'spotMeta');
      }
    }
    try {
      await reporter.record(spotFillEvent(f, fillKey(f), pair));
    } catch (error) {
      reporter.emitError(asError(error));
    }
  }

  /** A fill that cannot be read or mapped: reported and audited as an `error`, then fetched again. */
  #invalidFill(cause: unknown): void {
    const error = new HyperliquidResponseError(
      'WebSocket userFills message holds a fill that cannot be read; the other fills were delivered, this one is fetched again over REST',
      { cause },
    );
    this.#d.reporter.emitError(error);
    notify(this.faultListeners, error, this.#d.reporter);
    void this.#d.reporter.recordError(error, 'websocket fill');
  }
}
