import type { AccountState, Clock } from '@hl-bot/core-types';
import { type AccountMode, accountModeOf, accountStateFor, type DexState } from './account-mode.js';
import type { DailyActionCap } from './action-cap.js';
import type { AssetCatalog } from './assets.js';
import type { InfoReads } from './info.js';
import type { Reporter } from './reporter.js';

/**
 * The account's mode (standard, unified, portfolio margin) and its state measured in that mode. The mode
 * read is cached for `ttlMs`: `userAbstraction` weighs 20, ten times an account read.
 */
export class AccountReader {
  readonly #reads: InfoReads;
  readonly #assets: AssetCatalog;
  readonly #reporter: Reporter;
  readonly #clock: Clock;
  readonly #actionCap: DailyActionCap;
  readonly #ttlMs: number;
  #mode: AccountMode | undefined;
  #modeReadAt = Number.NEGATIVE_INFINITY;

  constructor(deps: {
    reads: InfoReads;
    assets: AssetCatalog;
    reporter: Reporter;
    clock: Clock;
    actionCap: DailyActionCap;
    ttlMs: number;
  }) {
    this.#reads = deps.reads;
    this.#assets = deps.assets;
    this.#reporter = deps.reporter;
    this.#clock = deps.clock;
    this.#actionCap = deps.actionCap;
    this.#ttlMs = deps.ttlMs;
  }

  /** The mode last read, however long ago (undefined before the first read). */
  get known(): AccountMode | undefined {
    return this.#mode;
  }

  /** Reads the mode, audits it when new or changed, and sets the daily action cap. */
  async mode(): Promise<AccountMode> {
    const raw = await this.#reads.userAbstraction(undefined);
    const previous = this.#mode;
    let mode: AccountMode;
    try {
      mode = accountModeOf(raw);
    } catch (error) {
      await this.#reporter.recordError(error, 'account mode');
      throw error;
    }
    this.#mode = mode;
    this.#modeReadAt = this.#clock.now();
    this.#actionCap.setCap(mode.dailyActionCap);
    if (previous?.venue !== mode.venue) {
      await this.#reporter.record({
        type: 'account_mode',
        venueMode: mode.venue,
        kind: mode.kind,
        ...(previous === undefined ? {} : { previous: previous.venue }),
      });
    }
    return mode;
  }

  /** Balance, equity and margin across every traded dex, in the account's mode. */
  async state(): Promise<AccountState> {
    const known = this.#mode;
    const mode =
      known !== undefined && this.#clock.now() - this.#modeReadAt < this.#ttlMs ? known : await this.mode();
    const assets = await this.#assets.load(false);
    const [dexes, spot] = await Promise.all([
      Promise.all(
        assets.dexes().map(
          async (dex): Promise<DexState> => ({
            dex,
            state: await this.#reads.clearinghouseState(undefined, dex),
          }),
        ),
      ),
      mode.kind === 'standard' ? undefined : this.#reads.spotClearinghouseState(undefined),
    ]);
    const time = Math.max(...dexes.map((d) => d.state.time));
    return accountStateFor({ mode, dexes, spot, time });
  }
}
