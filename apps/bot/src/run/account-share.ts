import { createHash } from 'node:crypto';
import { cloidTagOf, type OrderScope, type VenueOrderRef } from '@hl-bot/exchange-hyperliquid';
import type { AccountPeer, PgRiskBudget } from '@hl-bot/risk-budget-pg';

/** Whose a venue order, fill or position is, among the bots registered on the venue account. */
export type Attribution =
  | { readonly kind: 'own' }
  | { readonly kind: 'peer'; readonly botId: string }
  /** No bot claims it (manual, unknown tag, no cloid) and no bot trades its symbol. */
  | { readonly kind: 'unowned' };

/** The 4-byte cloid tag of a bot: stable across restarts (from its id), the same on every machine. */
export function cloidTagOfBot(botId: string): string {
  return createHash('sha256').update(`hl-bot cloid tag\0${botId}`).digest('hex').slice(0, 8);
}

/**
 * One venue account shared by several bots (`sharedRisk`): this bot's symbols and cloid tag, registered
 * in the shared budget (`claimSymbols`, exclusive per venue account), and the other bots registered there
 * (refreshed at every reconciliation). It decides whose an order, fill or position is:
 *
 * - an order carrying this bot's tag is its own, on any symbol;
 * - one carrying another registered bot's tag is that bot's, on any symbol;
 * - any other (manual, an unknown tag, no cloid) belongs to the bot that trades its symbol: this bot's
 *   unknown order on its own symbols, the other bot's on theirs, and nobody's on a symbol no bot trades.
 *
 * Unknown tags are judged by symbol because a bot that registered after the last refresh must never have
 * its orders taken for this bot's: at worst they count as nobody's (fail closed) until the next refresh.
 */
export class AccountShare implements OrderScope {
  readonly cloidTag: string;
  readonly #symbols: Set<string>;
  #peers: readonly AccountPeer[] = [];
  #peerByTag = new Map<string, AccountPeer>();
  #ownerOfSymbol = new Map<string, string>();
  #venueAccount: string | undefined;

  constructor(
    readonly botId: string,
    symbols: Iterable<string>,
  ) {
    this.cloidTag = cloidTagOfBot(botId);
    this.#symbols = new Set(symbols);
  }

  /** The symbols this bot trades on the account (its strategies', and any it still held at start). */
  get symbols(): ReadonlySet<string> {
    return this.#symbols;
  }

  get peers(): readonly AccountPeer[] {
    return this.#peers;
  }

  get venueAccount(): string | undefined {
    return this.#venueAccount;
  }

  /**
   * Registers this bot's symbols on `venueAccount`, then reads the other bots there.
   * @throws {RiskBudgetPgError} `RISK_BUDGET_SYMBOL_OWNED` when another bot trades one of the symbols
   */
  async claim(budget: PgRiskBudget, venueAccount: string, alsoHeld: Iterable<string> = []): Promise<void> {
    const symbols = [...new Set([...this.#symbols, ...alsoHeld])];
    await budget.claimSymbols({ venueAccount, cloidTag: this.cloidTag, symbols });
    for (const s of symbols) this.#symbols.add(s);
    this.#venueAccount = venueAccount.toLowerCase();
    await this.refresh(budget);
  }

  /** Re-reads the other bots of the venue account (a failure keeps the last list). */
  async refresh(budget: PgRiskBudget): Promise<void> {
    if (this.#venueAccount === undefined) return;
    this.setPeers(await budget.peers(this.#venueAccount));
  }

  setPeers(peers: readonly AccountPeer[]): void {
    this.#peers = peers;
    this.#peerByTag = new Map(peers.map((p) => [p.cloidTag, p]));
    this.#ownerOfSymbol = new Map(peers.flatMap((p) => p.symbols.map((s) => [s, p.botId] as const)));
  }

  /** Whose an order or fill is (see the class comment). */
  attribute(ref: VenueOrderRef): Attribution {
    const tag = cloidTagOf(ref.cloid);
    if (tag === this.cloidTag) return { kind: 'own' };
    const peer = tag === undefined ? undefined : this.#peerByTag.get(tag);
    if (peer !== undefined) return { kind: 'peer', botId: peer.botId };
    return this.attributeSymbol(ref.symbol);
  }

  /** Whose a symbol's position is: the bot that trades it, or nobody's. */
  attributeSymbol(symbol: string): Attribution {
    if (this.#symbols.has(symbol)) return { kind: 'own' };
    const owner = this.#ownerOfSymbol.get(symbol);
    return owner === undefined ? { kind: 'unowned' } : { kind: 'peer', botId: owner };
  }

  /** Handed to the client as a plain function (`orderScope.owns`). */
  readonly owns = (ref: VenueOrderRef): boolean => this.attribute(ref).kind === 'own';
}

/** How hard {@link refreshPeers} tries before it keeps the last list. */
export interface PeerRefreshOptions {
  /** Reads tried in all (default 3). */
  readonly attempts?: number;
  /** Wait before the second read, doubled before each further one (default 50 ms). */
  readonly backoffMs?: number;
  /** Told of each failed read (the caller logs it: a failure must not go unseen). */
  readonly onFailure?: (error: unknown, attempt: number) => void;
}

/**
 * Re-reads the other bots of the account, trying again after a failure: bots start together and the
 * database is busiest then, so one timed-out read would leave a newer bot's orders and fills counted as
 * nobody's until the next reconciliation. Resolves true once a read succeeded, false when every attempt
 * failed (the last list stays: unknown tags still count as nobody's, which is the safe side).
 */
export async function refreshPeers(
  share: AccountShare,
  budget: PgRiskBudget,
  options: PeerRefreshOptions = {},
): Promise<boolean> {
  const attempts = Math.max(1, options.attempts ?? 3);
  const backoffMs = options.backoffMs ?? 50;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      await share.refresh(budget);
      return true;
    } catch (error) {
      options.onFailure?.(error, attempt);
      if (attempt < attempts) await new Promise((r) => setTimeout(r, backoffMs * 2 ** (attempt - 1)));
    }
  }
  return false;
}
