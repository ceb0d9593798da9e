/**
 * A map of a transaction's changes that holds its first entry in fields and makes a Map only for a second
 * key: a caller awaiting each fill commits batches of one fill (one symbol, one id), and the two Maps each
 * such batch made were a good part of the garbage per fill. Iterates in insertion order, like a Map.
 */
export class SmallMap<K, V> {
  #key: K | undefined;
  #value: V | undefined;
  #one = false;
  #map: Map<K, V> | undefined;

  get size(): number {
    return this.#map !== undefined ? this.#map.size : this.#one ? 1 : 0;
  }

  has(key: K): boolean {
    if (this.#map !== undefined) return this.#map.has(key);
    return this.#one && this.#key === key;
  }

  get(key: K): V | undefined {
    if (this.#map !== undefined) return this.#map.get(key);
    return this.#one && this.#key === key ? this.#value : undefined;
  }

  set(key: K, value: V): void {
    if (this.#map !== undefined) {
      this.#map.set(key, value);
    } else if (!this.#one || this.#key === key) {
      this.#key = key;
      this.#value = value;
      this.#one = true;
    } else {
      this.#map = new Map([[this.#key as K, this.#value as V]]);
      this.#map.set(key, value);
    }
  }

  /**
   * Calls `fn(value, key)` for each entry, in insertion order, without the arrays `entries()` builds for
   * one entry (the commit of every batch of one fill walks two of these).
   */
  forEach(fn: (value: V, key: K) => void): void {
    if (this.#map !== undefined) this.#map.forEach(fn);
    else if (this.#one) fn(this.#value as V, this.#key as K);
  }

  /** The entries, in insertion order. */
  entries(): Iterable<[K, V]> {
    if (this.#map !== undefined) return this.#map;
    return this.#one ? [[this.#key as K, this.#value as V]] : [];
  }

  /** The values, in insertion order. */
  values(): Iterable<V> {
    if (this.#map !== undefined) return this.#map.values();
    return this.#one ? [this.#value as V] : [];
  }
}
