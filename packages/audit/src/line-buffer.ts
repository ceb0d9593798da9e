const INITIAL_BYTES = 64 * 1024;
/** A buffer a burst grew beyond this is dropped after its write instead of being kept for reuse. */
const KEEP_BYTES = 4 * 1024 * 1024;

/**
 * The encoded lines waiting for the next write, back to back in one buffer, so a group is written from
 * where its lines were encoded: no buffer per line and no copy per group. Two buffers take turns: lines
 * are encoded into one while the other is being written.
 *
 * The caller guarantees that the write of what `take` returned has finished before it calls `take` again
 * (the logger has one write in flight at a time); that is what makes reusing the other buffer safe.
 */
export class LineBuffer {
  #current: Buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  #spare: Buffer | undefined;
  #used = 0;

  /** Bytes encoded since the last `take`. */
  get used(): number {
    return this.#used;
  }

  /** The buffer to encode the next line into, at offset `used`, with room for `bytes` more. */
  room(bytes: number): Buffer {
    const needed = this.#used + bytes;
    if (needed > this.#current.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.#current.length * 2));
      this.#current.copy(grown, 0, 0, this.#used);
      this.#current = grown;
    }
    return this.#current;
  }

  /** Counts `bytes` written at `used` (through `room`) as part of the lines. */
  commit(bytes: number): void {
    this.#used += bytes;
  }

  /** The lines encoded so far, in order; later lines go to the other buffer. */
  take(): Buffer {
    const taken = this.#current.subarray(0, this.#used);
    const next = this.#spare ?? Buffer.allocUnsafe(INITIAL_BYTES);
    this.#spare = this.#current.length <= KEEP_BYTES ? this.#current : undefined;
    this.#current = next;
    this.#used = 0;
    return taken;
  }
}
