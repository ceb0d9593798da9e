import {
  type Clock,
  type Decimal,
  Fill,
  type MarketKind,
  ValidationError,
  validatedOrParse,
  ZERO,
} from '@hl-bot/core-types';
import { abs, cmp } from './decimal-ops.js';
import { InvalidFillError } from './errors.js';

/** A validated fill with everything the ledger needs resolved. */
export interface NormalizedFill {
  /** The fill as it is audited: timestamp and marketKind always set. */
  readonly fill: Fill & { timestamp: number; marketKind: MarketKind };
  /**
   * Signed change of the held quantity: +quantity for a buy, -quantity for a sell, minus a spot fee paid in
   * the base asset (those coins leave the position).
   */
  readonly delta: Decimal;
  /** `|delta|`: the quantity itself unless a base-asset fee came off it. */
  readonly size: Decimal;
  /** The fee in quote currency: the fee itself, or fee x price when it was paid in the base asset. */
  readonly feeValue: Decimal;
}

const SPOT_PAIR = /^(.+?)[-/](.+)$/;

/**
 * Validates a raw fill and resolves its market kind and fee treatment.
 *
 * Market kind: the fill's own `marketKind`, else `spot` for configured spot symbols, else the kind of the
 * open position, else `perp`. A fill that contradicts the configuration or the open position is refused.
 * On spot a fee whose currency is the base asset reduces the quantity; a fee in the quote currency (or
 * without a currency) is quote money; any other currency cannot be valued and is refused. On perps fees are
 * always settled in the collateral (quote) and never change the quantity.
 *
 * @throws {InvalidFillError} code `INVALID_FILL`
 */
export function normalizeFill(
  raw: unknown,
  spotSymbols: ReadonlySet<string>,
  openKind: MarketKind | undefined,
  clock: Clock,
): NormalizedFill {
  let fill: Fill;
  try {
    // A fill the boundary parsed (`parseValidated(Fill, ...)`: venue adapters, the paper exchange) is taken
    // as it is; anything else, however well formed, is parsed in full.
    fill = validatedOrParse(Fill, raw, 'fill');
  } catch (error) {
    const field = error instanceof ValidationError ? error.field : undefined;
    throw new InvalidFillError(error instanceof Error ? error.message : 'invalid fill', {
      cause: error,
      details: field === undefined ? {} : { field },
    });
  }
  const configured: MarketKind | undefined = spotSymbols.has(fill.symbol) ? 'spot' : undefined;
  const kind: MarketKind = fill.marketKind ?? configured ?? openKind ?? 'perp';
  if ((configured !== undefined && configured !== kind) || (openKind !== undefined && openKind !== kind)) {
    throw new InvalidFillError(
      `fill ${fill.id}: marketKind ${kind} contradicts ${configured !== undefined ? 'the configured spot symbol' : `the open ${openKind} position`} ${fill.symbol}`,
      { details: { fillId: fill.id, symbol: fill.symbol, marketKind: kind } },
    );
  }
  const timestamp = fill.timestamp ?? clock.now();
  let feeInBase = false;
  if (kind === 'spot' && fill.feeCurrency !== undefined) {
    const pair = SPOT_PAIR.exec(fill.symbol);
    const currency = fill.feeCurrency.toUpperCase();
    const base = pair?.[1]?.toUpperCase();
    const quote = pair?.[2]?.toUpperCase();
    if (base === undefined || quote === undefined) {
      throw new InvalidFillError(
        `fill ${fill.id}: spot symbol ${fill.symbol} is not BASE-QUOTE, so fee currency ${fill.feeCurrency} cannot be valued`,
        { details: { fillId: fill.id, symbol: fill.symbol, feeCurrency: fill.feeCurrency } },
      );
    }
    if (currency === base) feeInBase = true;
    else if (currency !== quote) {
      throw new InvalidFillError(
        `fill ${fill.id}: fee currency ${fill.feeCurrency} is neither the base ${base} nor the quote ${quote} of ${fill.symbol}`,
        { details: { fillId: fill.id, symbol: fill.symbol, feeCurrency: fill.feeCurrency } },
      );
    }
  }
  const signed = fill.side === 'buy' ? fill.quantity : fill.quantity.neg();
  let delta = signed;
  let size = fill.quantity;
  let feeValue = fill.fee;
  if (feeInBase) {
    if (cmp(abs(fill.fee), fill.quantity) >= 0) {
      throw new InvalidFillError(
        `fill ${fill.id}: a base-asset fee of ${fill.fee.toString()} is not smaller than the fill quantity ${fill.quantity.toString()}`,
        { details: { fillId: fill.id, fee: fill.fee.toString(), quantity: fill.quantity.toString() } },
      );
    }
    delta = signed.minus(fill.fee);
    size = abs(delta);
    feeValue = fill.fee.isZero() ? ZERO : fill.fee.times(fill.price);
  }
  let complete: Fill & { timestamp: number; marketKind: MarketKind };
  if (Object.isFrozen(fill)) {
    // A validated fill is shared and frozen: completed in a copy unless it is complete already.
    complete =
      fill.timestamp === timestamp && fill.marketKind === kind
        ? (fill as Fill & { timestamp: number; marketKind: MarketKind })
        : { ...fill, timestamp, marketKind: kind };
  } else {
    // A fresh parse: completing it in place is safe (and cheaper than a copy).
    complete = fill as Fill & { timestamp: number; marketKind: MarketKind };
    complete.timestamp = timestamp;
    complete.marketKind = kind;
  }
  return { fill: complete, delta, size, feeValue };
}
