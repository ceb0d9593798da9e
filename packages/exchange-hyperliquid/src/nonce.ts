import type { Clock } from '@hl-bot/core-types';

/**
 * Hands out strictly increasing millisecond nonces: the clock's time when it moved past the last nonce,
 * otherwise last + 1. Synchronous, so concurrent callers in one process can never get the same value.
 * One manager per signing key: Hyperliquid tracks nonces per signer.
 *
 * @example
 * const nonces = new NonceManager(systemClock);
 * nonces.next() < nonces.next(); // true
 */
export class NonceManager {
  #last = 0;
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  next(): number {
    const now = Math.floor(this.#clock.now());
    this.#last = now > this.#last ? now : this.#last + 1;
    return this.#last;
  }

  /** The last nonce handed out (0 before the first). */
  get last(): number {
    return this.#last;
  }
}
