import { cloidTagOf, isCloidTag } from './cloid.js';
import { HyperliquidClientError } from './errors.js';

/** A venue order or fill as the scope sees it: its cloid (when it has one) and its symbol. */
export interface VenueOrderRef {
  readonly cloid: string | undefined;
  readonly symbol: string;
}

/**
 * Several clients (bots, usually in separate processes) trading one venue account, each its own orders.
 * Every cloid the client derives from a client order id starts with `cloidTag`, so the venue's reports name
 * the bot that placed an order. `owns` decides which of the account's orders and fills are this client's:
 * the others are left out of `getOpenOrders`, `cancelAllOrders`, `onOrderUpdate` and `onFill`, and each
 * fill of theirs goes to `onForeignFill` instead, so it is never booked here nor lost unseen.
 */
export interface OrderScope {
  /** 8 lowercase hex digits (4 bytes). */
  readonly cloidTag: string;
  readonly owns: (ref: VenueOrderRef) => boolean;
}

/** @throws {HyperliquidClientError} `HL_INVALID_ARGUMENT` for a malformed scope */
export function checkOrderScope(scope: OrderScope | undefined): OrderScope | undefined {
  if (scope === undefined) return undefined;
  if (typeof scope !== 'object' || scope === null || typeof scope.owns !== 'function')
    throw new HyperliquidClientError(
      'HL_INVALID_ARGUMENT',
      'orderScope needs a cloidTag and an owns function',
    );
  if (typeof scope.cloidTag !== 'string' || !isCloidTag(scope.cloidTag))
    throw new HyperliquidClientError(
      'HL_INVALID_ARGUMENT',
      'orderScope.cloidTag must be 8 lowercase hex digits',
    );
  return scope;
}

/** True when the scope (if any) counts this venue order or fill as the client's own. */
export function inScope(
  scope: OrderScope | undefined,
  cloid: string | null | undefined,
  symbol: string,
): boolean {
  return scope === undefined || scope.owns({ cloid: cloid ?? undefined, symbol });
}

/** True when a cloid carries `tag`. */
export function hasTag(cloid: string | undefined, tag: string): boolean {
  return cloidTagOf(cloid) === tag;
}
