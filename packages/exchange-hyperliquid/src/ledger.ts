import { type Decimal, InvalidDecimalError, toDecimal, ZERO } from '@hl-bot/core-types';
import { z } from 'zod';
import type { AccountModeKind } from './account-mode.js';

/**
 * Non-funding ledger updates (`userNonFundingLedgerUpdates`, HTTP and WebSocket): deposits, withdrawals,
 * transfers, vault flows, liquidations. Money in or out of the account is not trading P&L; risk needs
 * it apart, or a withdrawal reads as a loss and a deposit hides one.
 */

const Loose = z.union([z.string(), z.number()]);
export const LedgerDeltaSchema = z.object({ type: z.string().min(1).max(64) }).passthrough();
export const LedgerUpdateSchema = z
  .object({ time: z.number().int().nonnegative(), hash: z.string().max(100), delta: LedgerDeltaSchema })
  .passthrough();
export type LedgerUpdate = z.output<typeof LedgerUpdateSchema>;
export const LedgerUpdatesResponseSchema = z.array(LedgerUpdateSchema);
/** The REST answer with its updates unread, so each is parsed (and refused) on its own. */
export const LedgerUpdatesRawResponseSchema = z.array(z.unknown());
/** A ledger message with its updates unread, so each is parsed (and refused) on its own. */
export const WsLedgerUpdatesSchema = z
  .object({
    user: z.string().optional(),
    isSnapshot: z.boolean().optional(),
    nonFundingLedgerUpdates: z.array(z.unknown()),
  })
  .passthrough();

/** A ledger update as the account sees it: `amount` is the signed USDC change of this account. */
export interface LedgerChange {
  /** `time:hash:type`, unique per update. */
  id: string;
  kind: string;
  amount: Decimal;
  time: number;
  hash: string;
  /** True when no cash moved in or out of the account (a liquidation, a spot genesis, an unknown kind). */
  nonCash: boolean;
  /**
   * False for a kind this client does not know, a spot transfer while the account's mode is not known yet,
   * or a spot-perp class transfer of an account that is not standard: audited, counted as no cash, and
   * reported as an error.
   */
  known: boolean;
}

/** An optional amount (a fee): absent is zero. */
function dec(v: unknown): Decimal {
  const parsed = Loose.safeParse(v);
  return parsed.success ? toDecimal(parsed.data) : ZERO;
}

/** The amount a kind is about: absent is an unreadable update (reported), never a zero that looks read. */
function required(d: Record<string, unknown>, field: string): Decimal {
  const parsed = Loose.safeParse(d[field]);
  if (!parsed.success) throw new InvalidDecimalError(`ledger update ${String(d.type)} has no ${field}`);
  return toDecimal(parsed.data);
}

/**
 * The account's side of one ledger update, as it moves the equity risk sees (`accountStateFor`). Transfers
 * are signed by direction (`destination` is this account: in; otherwise out, fee included). A spot
 * transfer depends on the account's `mode` (see `spotTransferAmount`).
 * @throws {InvalidDecimalError} for an amount that is not a decimal
 */
export function ledgerChange(
  u: LedgerUpdate,
  account: string,
  mode: AccountModeKind | undefined,
): LedgerChange {
  const d = u.delta as Record<string, unknown>;
  const me = account.toLowerCase();
  const incoming = typeof d.destination === 'string' && d.destination.toLowerCase() === me;
  const base = {
    id: `${u.time}:${u.hash}:${d.type as string}`,
    kind: d.type as string,
    time: u.time,
    hash: u.hash,
  };
  const cash = (amount: Decimal): LedgerChange => ({ ...base, amount, nonCash: false, known: true });
  switch (d.type) {
    case 'deposit':
    case 'vaultDistribution':
    case 'vaultLeaderCommission':
      return cash(required(d, 'usdc'));
    case 'rewardsClaim':
      return cash(required(d, 'amount'));
    case 'withdraw':
      return cash(required(d, 'usdc').plus(dec(d.fee)).neg());
    case 'vaultCreate':
    case 'vaultDeposit':
      return cash(required(d, 'usdc').neg());
    case 'vaultWithdraw':
      return cash(required(d, 'netWithdrawnUsd'));
    case 'internalTransfer':
    case 'subAccountTransfer':
      return cash(incoming ? required(d, 'usdc') : required(d, 'usdc').plus(dec(d.fee)).neg());
    case 'spotTransfer': {
      if (mode === undefined) return { ...base, amount: ZERO, nonCash: true, known: false };
      const amount = spotTransferAmount(d, incoming, mode);
      return amount === undefined ? { ...base, amount: ZERO, nonCash: true, known: true } : cash(amount);
    }
    case 'accountClassTransfer':
      // Between this account's own spot and perp balances. Standard: equity is the perp side, so to perp is
      // in. Unified and portfolio margin keep one balance (reported in spot): whether a class transfer there
      // moves it is not known, so it is not guessed either way but reported.
      if (mode !== 'standard') return { ...base, amount: ZERO, nonCash: true, known: false };
      return cash(d.toPerp === true ? required(d, 'usdc') : required(d, 'usdc').neg());
    case 'liquidation':
    case 'spotGenesis':
    // HYPE between spot and staking: not USDC, and not valued in any mode's equity.
    case 'cStakingTransfer':
      return { ...base, amount: ZERO, nonCash: true, known: true };
    default:
      return { ...base, amount: ZERO, nonCash: true, known: false };
  }
}

/**
 * A spot send moves spot balances, so what it does to equity depends on the mode. Standard: spot is not
 * trading collateral (equity is the perp dexes' value), so nothing. Unified and portfolio margin: the USDC
 * spot balance is the collateral, so a USDC send moves it by its amount (an outgoing one also by its
 * fee); another token moves it only by the USDC fee of an outgoing send, since equity does not value
 * other tokens. Never `usdcValue`: a $4.3M UETH send is not $4.3M of collateral. Undefined: no cash moved.
 */
function spotTransferAmount(
  d: Record<string, unknown>,
  incoming: boolean,
  mode: AccountModeKind,
): Decimal | undefined {
  if (mode === 'standard') return undefined;
  const usdc = d.token === 'USDC';
  const fee = incoming ? ZERO : dec(d.fee);
  const moved = usdc ? required(d, 'amount') : ZERO;
  if (moved.isZero() && fee.isZero()) return undefined;
  return incoming ? moved : moved.plus(fee).neg();
}
