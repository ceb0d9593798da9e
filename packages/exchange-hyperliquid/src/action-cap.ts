import { type Clock, HlBotError, type HlBotErrorOptions } from '@hl-bot/core-types';
import type { L1Action } from './actions.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The daily action cap of a unified or portfolio-margin account would be exceeded. */
export class ActionCapError extends HlBotError {
  constructor(message: string, options: HlBotErrorOptions = {}) {
    super('HL_ACTION_CAP_REACHED', message, options);
    this.name = 'ActionCapError';
  }
}

/**
 * True for actions that only reduce risk: cancels, the dead man's switch, and orders that are all
 * reduce-only. They may use the reserve kept back from the daily cap, so exits stay possible after the
 * strategy has spent its share.
 */
export function isProtectiveAction(action: L1Action): boolean {
  switch (action.type) {
    case 'cancel':
    case 'cancelByCloid':
    case 'scheduleCancel':
    case 'noop':
      return true;
    case 'order':
      return action.orders.length > 0 && action.orders.every((o) => o.r);
    default:
      return false;
  }
}

/** How many user actions an L1 action counts as: one per order, cancel or modify in a batch. */
export function actionCount(action: L1Action): number {
  switch (action.type) {
    case 'order':
      return action.orders.length;
    case 'cancel':
    case 'cancelByCloid':
      return action.cancels.length;
    case 'batchModify':
      return action.modifies.length;
    default:
      return 1;
  }
}

/**
 * Counts user actions over a rolling 24 hours against the venue's daily cap of unified and
 * portfolio-margin accounts (50k). A rolling window is never looser than a calendar day. The last
 * `reserve` share of the cap is kept for protective actions (cancels, reduce-only orders). No cap is
 * enforced until `setCap` gives one (standard accounts have none). The count lives in memory: after a
 * restart it starts from zero, so keep `reserve` large enough to cover one restart's blind spot.
 */
export class DailyActionCap {
  readonly #clock: Clock;
  readonly #reserve: number;
  #cap: number | undefined;
  // (time, count) of recent actions, oldest first.
  readonly #log: Array<{ at: number; n: number }> = [];
  #sum = 0;

  /** @throws {RangeError} for a reserve outside [0, 1). */
  constructor(options: { clock: Clock; reserve?: number }) {
    const reserve = options.reserve ?? 0.05;
    if (!(reserve >= 0 && reserve < 1)) throw new RangeError('reserve must be in [0, 1)');
    this.#clock = options.clock;
    this.#reserve = reserve;
  }

  /** The cap in force (undefined: none). */
  get cap(): number | undefined {
    return this.#cap;
  }

  setCap(cap: number | undefined): void {
    if (cap !== undefined && !(Number.isInteger(cap) && cap > 0))
      throw new RangeError('cap must be a positive integer');
    this.#cap = cap;
  }

  /** Actions counted in the last 24 hours. */
  used(): number {
    this.#prune();
    return this.#sum;
  }

  #prune(): void {
    const from = this.#clock.now() - DAY_MS;
    while (this.#log.length > 0 && (this.#log[0]?.at ?? 0) <= from) this.#sum -= this.#log.shift()?.n ?? 0;
  }

  /**
   * Counts `action` or refuses it.
   * @throws {ActionCapError} `HL_ACTION_CAP_REACHED` when it would pass the cap (the strategy's share of it
   *   for an action that is not protective).
   */
  take(action: L1Action): void {
    const n = actionCount(action);
    const cap = this.#cap;
    if (cap !== undefined) {
      this.#prune();
      const protective = isProtectiveAction(action);
      const limit = protective ? cap : Math.floor(cap * (1 - this.#reserve));
      if (this.#sum + n > limit) {
        throw new ActionCapError(
          `${action.type} would bring the account to ${this.#sum + n} actions in 24 h; the venue allows ${cap} a day in this account mode${protective ? '' : ` and ${cap - limit} are kept for cancels and reduce-only orders`}`,
          { details: { used: this.#sum, cap, limit, type: action.type } },
        );
      }
    }
    this.#log.push({ at: this.#clock.now(), n });
    this.#sum += n;
  }
}
