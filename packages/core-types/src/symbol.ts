/**
 * The symbol rule, once: 1 to 64 characters from `[A-Za-z0-9@:._/-]` (`BTC-USD`, `PURR-USDC`, `@107`,
 * `xyz:XYZ100-USD`). `SymbolSchema` and the hand-written fast parsers of fills and orders both use it, so a
 * symbol one of them accepts the other never refuses.
 */
export const SYMBOL_MAX_LENGTH = 64;
export const SYMBOL_PATTERN = /^[A-Za-z0-9@:._/-]+$/;

/**
 * True when `value` is a string that satisfies the symbol rule (what `SymbolSchema` accepts).
 * @example
 * isSymbol('BTC-USD'); // true
 * isSymbol('BTC USD'); // false
 */
export function isSymbol(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= SYMBOL_MAX_LENGTH &&
    SYMBOL_PATTERN.test(value)
  );
}
