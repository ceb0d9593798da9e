import { AccountState, type Decimal, HlBotError, type HlBotErrorOptions, ZERO } from '@hl-bot/core-types';
import { z } from 'zod';
import { type ClearinghouseStateResponse, HlDecimal } from './info-schemas.js';

/**
 * Account abstraction modes as `{"type":"userAbstraction"}` answers them (a bare JSON string). The venue's
 * docs (trading/account-abstraction-modes): unified account and portfolio margin keep every balance and
 * hold in `spotClearinghouseState` ("individual perp dex user states are not meaningful"); standard
 * (`disabled`, and `default` for an account that never chose) keeps perp and spot apart, one balance per
 * perp dex. `dexAbstraction` is discontinued and behaves unintuitively on HIP-3 dexes.
 */
export const VENUE_ACCOUNT_MODES = [
  'default',
  'disabled',
  'unifiedAccount',
  'portfolioMargin',
  'dexAbstraction',
] as const;
export type VenueAccountMode = (typeof VENUE_ACCOUNT_MODES)[number];

/** How the client measures the account: where balance, equity and margin come from. */
export type AccountModeKind = 'standard' | 'unified' | 'portfolioMargin';

export interface AccountMode {
  /** The venue's own word for the mode. */
  venue: VenueAccountMode;
  kind: AccountModeKind;
  /** Actions per rolling day the venue allows in this mode (undefined: no such cap). */
  dailyActionCap: number | undefined;
}

/** "Portfolio margin and unified account are limited to 50k user actions per day." (venue docs) */
export const UNIFIED_DAILY_ACTION_CAP = 50_000;

/** The raw answer of `userAbstraction`: any string (an unknown one is refused by `accountModeOf`). */
export const UserAbstractionResponseSchema = z.string().min(1).max(100);

/**
 * The account's mode cannot be measured safely: the venue reported a mode this client does not know, or a
 * discontinued one. Equity-based risk limits would run on wrong numbers, so this is a start-up error.
 */
export class AccountModeError extends HlBotError {
  readonly venueMode: string;

  constructor(
    code: 'HL_UNKNOWN_ACCOUNT_MODE' | 'HL_UNSUPPORTED_ACCOUNT_MODE',
    message: string,
    venueMode: string,
    options: HlBotErrorOptions = {},
  ) {
    super(code, message, { ...options, details: { ...(options.details ?? {}), venueMode } });
    this.name = 'AccountModeError';
    this.venueMode = venueMode;
  }
}

/**
 * The client's reading of a `userAbstraction` answer.
 * @throws {AccountModeError} `HL_UNKNOWN_ACCOUNT_MODE` for a string the venue does not document,
 *   `HL_UNSUPPORTED_ACCOUNT_MODE` for the discontinued `dexAbstraction`.
 */
export function accountModeOf(raw: string): AccountMode {
  switch (raw) {
    case 'default':
    case 'disabled':
      return { venue: raw, kind: 'standard', dailyActionCap: undefined };
    case 'unifiedAccount':
      return { venue: raw, kind: 'unified', dailyActionCap: UNIFIED_DAILY_ACTION_CAP };
    case 'portfolioMargin':
      return { venue: raw, kind: 'portfolioMargin', dailyActionCap: UNIFIED_DAILY_ACTION_CAP };
    case 'dexAbstraction':
      throw new AccountModeError(
        'HL_UNSUPPORTED_ACCOUNT_MODE',
        'the account uses the discontinued dexAbstraction mode (HIP-3 cross margin behaves unintuitively in it); switch it to unified or standard',
        raw,
      );
    default:
      throw new AccountModeError(
        'HL_UNKNOWN_ACCOUNT_MODE',
        `the venue reports account mode ${JSON.stringify(raw.slice(0, 100))}, which this client does not know; refusing to guess how to measure the account`,
        raw,
      );
  }
}

export const SpotBalanceSchema = z
  .object({
    coin: z.string().min(1),
    token: z.number().int().nonnegative(),
    hold: HlDecimal,
    total: HlDecimal,
    entryNtl: HlDecimal.optional(),
  })
  .passthrough();
export type SpotBalance = z.output<typeof SpotBalanceSchema>;

export const SpotClearinghouseStateResponseSchema = z
  .object({ balances: z.array(SpotBalanceSchema) })
  .passthrough();
export type SpotClearinghouseStateResponse = z.output<typeof SpotClearinghouseStateResponseSchema>;

/** The token index of USDC in `spotMeta` (the same on mainnet and testnet). */
export const USDC_TOKEN = 0;

/** One perp dex's user state: `dex` is `""` for the first (validator-operated) dex. */
export interface DexState {
  dex: string;
  state: ClearinghouseStateResponse;
}

/**
 * Balance, equity and margin of an account in its mode.
 *
 * - standard: each perp dex keeps its own collateral; equity is the sum of the dexes' account values,
 *   balance that minus their unrealized P&L, margin the sum of their margin in use. Spot balances are not
 *   trading collateral and are not counted.
 * - unified / portfolio margin: the USDC spot balance is the one collateral of every USDC-margined dex;
 *   balance is its `total`, equity adds the unrealized P&L of every dex's positions, and margin is the
 *   larger of the spot hold and the margin the dexes report (never the smaller of two readings). Non-USDC
 *   balances (portfolio margin also counts HYPE, BTC, USDT) are not valued here, so equity is a lower bound.
 */
export function accountStateFor(input: {
  mode: AccountMode;
  dexes: readonly DexState[];
  spot?: SpotClearinghouseStateResponse | undefined;
  time: number;
}): AccountState {
  let upnl: Decimal = ZERO;
  let value: Decimal = ZERO;
  let margin: Decimal = ZERO;
  for (const { state } of input.dexes) {
    for (const p of state.assetPositions) upnl = upnl.plus(p.position.unrealizedPnl);
    value = value.plus(state.marginSummary.accountValue);
    margin = margin.plus(state.marginSummary.totalMarginUsed);
  }
  if (input.mode.kind === 'standard') {
    return AccountState.parse({
      balance: value.minus(upnl),
      equity: value,
      marginUsed: margin,
      timestamp: input.time,
    });
  }
  const usdc = input.spot?.balances.find((b) => b.token === USDC_TOKEN);
  const total = usdc?.total ?? ZERO;
  const hold = usdc?.hold ?? ZERO;
  return AccountState.parse({
    balance: total,
    equity: total.plus(upnl),
    marginUsed: hold.gt(margin) ? hold : margin,
    timestamp: input.time,
  });
}
