/** How many of a signer's highest nonces the venue keeps. */
export const NONCE_SET_SIZE = 100;
/** A nonce must be within (now - 2 days, now + 1 day). */
export const NONCE_PAST_MS = 2 * 24 * 60 * 60 * 1000;
export const NONCE_FUTURE_MS = 24 * 60 * 60 * 1000;

/**
 * Hyperliquid's nonce rule, per signer: the 100 highest nonces are kept; a new nonce must be larger than
 * the smallest of them (once 100 are held), never used before, and inside the time window around the
 * server's time. Returns the venue-style refusal text, or undefined when the nonce is accepted (and
 * recorded).
 */
export class NonceBook {
  readonly #sets = new Map<string, number[]>();

  check(signer: string, nonce: number, now: number): string | undefined {
    if (nonce <= now - NONCE_PAST_MS || nonce >= now + NONCE_FUTURE_MS) {
      return `Invalid nonce: nonce ${nonce} is outside the allowed time window around ${now}`;
    }
    let set = this.#sets.get(signer);
    if (set === undefined) {
      set = [];
      this.#sets.set(signer, set);
    }
    // `set` is sorted ascending and holds at most NONCE_SET_SIZE values.
    if (set.includes(nonce)) return `Invalid nonce: duplicate nonce ${nonce}`;
    const smallest = set[0];
    if (set.length >= NONCE_SET_SIZE && smallest !== undefined && nonce <= smallest) {
      return `Invalid nonce: nonce ${nonce} is too low (smallest allowed is above ${smallest})`;
    }
    let i = set.length;
    while (i > 0 && (set[i - 1] ?? 0) > nonce) i -= 1;
    set.splice(i, 0, nonce);
    if (set.length > NONCE_SET_SIZE) set.shift();
    return undefined;
  }
}
