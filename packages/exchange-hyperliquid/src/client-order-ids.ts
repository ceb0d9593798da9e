import { toCloid } from './cloid.js';

/**
 * The one place where the venue's ids (cloid, oid) are turned back into the client order ids the caller
 * placed its orders with. Hyperliquid reports fills, order updates and open orders by oid and by the
 * 16-byte cloid, while risk and the engine key an order by its own client order id: without this map no
 * fill or cancel would ever reach the order it belongs to.
 *
 * The map is bounded: the oldest entries go first once `maxEntries` is reached (an order that old has long
 * been settled, and an unmapped id is reported as the venue's cloid, which nobody holds: fail closed).
 */
export class ClientOrderIds {
  readonly #byCloid = new Map<string, string>();
  readonly #byOid = new Map<string, string>();
  readonly #maxEntries: number;
  readonly #tag: string | undefined;

  constructor(maxEntries = 100_000, tag?: string) {
    this.#maxEntries = maxEntries;
    this.#tag = tag;
  }

  /** The cloid a client order id is sent as (carrying this client's tag, when it has one). */
  cloidOf(clientOrderId: string): string {
    return toCloid(clientOrderId, this.#tag);
  }

  /** Remembers a client order id; returns the cloid it is sent as. */
  remember(clientOrderId: string): string {
    const cloid = this.cloidOf(clientOrderId);
    this.#byCloid.delete(cloid);
    this.#byCloid.set(cloid, clientOrderId);
    trim(this.#byCloid, this.#maxEntries);
    return cloid;
  }

  /** Links the venue's oid to a client order id once the venue named it. */
  link(oid: string | number, clientOrderId: string): void {
    const key = String(oid);
    this.#byOid.delete(key);
    this.#byOid.set(key, clientOrderId);
    trim(this.#byOid, this.#maxEntries);
  }

  /**
   * The caller's id for a venue order: by cloid first, then by oid; the raw cloid when neither is known
   * (an order placed by someone else, or before the map learned it); undefined without either.
   */
  resolve(cloid: string | null | undefined, oid: string | number | undefined): string | undefined {
    if (cloid != null) {
      const byCloid = this.#byCloid.get(cloid.toLowerCase());
      if (byCloid !== undefined) return byCloid;
    }
    if (oid !== undefined) {
      const byOid = this.#byOid.get(String(oid));
      if (byOid !== undefined) return byOid;
    }
    return cloid ?? undefined;
  }
}

function trim(map: Map<string, string>, max: number): void {
  while (map.size > max) {
    const oldest = map.keys().next();
    if (oldest.done === true) return;
    map.delete(oldest.value);
  }
}
