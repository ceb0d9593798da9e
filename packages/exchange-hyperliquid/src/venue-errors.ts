import { ExchangeError, type ExchangeErrorCode } from '@hl-bot/core-types';

// The venue's texts (docs: for-developers/api/error-responses). Order matters: the first match wins, so
// the specific texts come before the broad ones ("... at current leverage" is not a leverage error).
const RULES: ReadonlyArray<readonly [RegExp, ExchangeErrorCode]> = [
  [
    /away from the reference price|too far from oracle|more aggressive than oracle/i,
    'PRICE_TOO_FAR_FROM_REFERENCE',
  ],
  [/margin tier limit|exceed.*max(imum)? position/i, 'POSITION_SIZE_LIMIT'],
  [/order value|order notional/i, 'ORDER_VALUE_TOO_LARGE'],
  [/could not immediately match|no liquidity available/i, 'NO_LIQUIDITY'],
  [/insufficient spot balance/i, 'INSUFFICIENT_SPOT_BALANCE'],
  [/insufficient margin/i, 'INSUFFICIENT_MARGIN'],
  [/reduce only order would increase position/i, 'REDUCE_ONLY_VIOLATION'],
  [/post only order would have immediately matched/i, 'POST_ONLY_WOULD_CROSS'],
  [/minimum value of/i, 'MIN_NOTIONAL'],
  [/tick size|invalid tp\/sl price|invalid price/i, 'INVALID_PRICE'],
  [/invalid size|zero size|size must be/i, 'INVALID_SIZE'],
  [/leverage/i, 'INVALID_LEVERAGE'],
  [/duplicate|cloid.*(exists|used)/i, 'DUPLICATE_CLIENT_ORDER_ID'],
  [/never placed, already canceled, or filled|unknown oid|order does not exist/i, 'UNKNOWN_ORDER'],
  [/unknown asset|invalid asset/i, 'UNKNOWN_SYMBOL'],
];

/** The ExchangeError code for a venue message; `ORDER_REJECTED` when no rule matches. */
export function venueErrorCode(message: string): ExchangeErrorCode {
  for (const [pattern, code] of RULES) if (pattern.test(message)) return code;
  return 'ORDER_REJECTED';
}

/**
 * An ExchangeError for a per-order error status. The message and `details.venueMessage` carry the
 * venue's own text.
 */
export function venueError(message: string, details: Record<string, unknown> = {}): ExchangeError {
  return new ExchangeError(venueErrorCode(message), `Hyperliquid refused: ${message}`, {
    details: { ...details, venueMessage: message },
  });
}
