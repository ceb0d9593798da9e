import type pg from 'pg';
import { RiskBudgetPgError } from './errors.js';
import { SCHEMA } from './schema.js';

/** What a bot claims on its venue account: the symbols it trades and the tag its cloids start with. */
export interface SymbolClaim {
  /** The venue account (`0x…` address) the bot trades, lowercased here. */
  readonly venueAccount: string;
  /** The 8 hex digits after `0x` that every cloid of the bot starts with. */
  readonly cloidTag: string;
  readonly symbols: readonly string[];
}

/** Another bot registered on the same venue account. */
export interface AccountPeer {
  readonly botId: string;
  /** The budget account it leases from (usually the same as this bot's). */
  readonly account: string;
  readonly cloidTag: string;
  readonly symbols: readonly string[];
  /** False once its lease expired: it is dead, but owns its symbols until its lease is cleared. */
  readonly live: boolean;
}

const ADDRESS = /^0x[0-9a-f]{40}$/;
const TAG = /^[0-9a-f]{8}$/;
const SYMBOL = /^[A-Za-z0-9@:._/-]{1,64}$/;

/** A claim checked at the boundary: a malformed one must never register (or free) anything. */
export function checkClaim(claim: SymbolClaim): SymbolClaim {
  const fail = (message: string): never => {
    throw new RiskBudgetPgError('RISK_BUDGET_CONFIG', message);
  };
  if (typeof claim !== 'object' || claim === null) fail('the claim must be an object');
  const venueAccount = String(claim.venueAccount).toLowerCase();
  if (!ADDRESS.test(venueAccount)) fail('venueAccount must be a 0x address of 40 hex digits');
  const cloidTag = String(claim.cloidTag).toLowerCase();
  if (!TAG.test(cloidTag)) fail('cloidTag must be 8 hex digits');
  if (!Array.isArray(claim.symbols)) fail('symbols must be an array');
  const symbols = [...new Set(claim.symbols)].sort();
  for (const s of symbols) if (typeof s !== 'string' || !SYMBOL.test(s)) fail(`invalid symbol ${String(s)}`);
  return { venueAccount, cloidTag, symbols };
}

type Conflict = { kind: 'symbol' | 'tag'; symbol?: string; account: string; botId: string; live: boolean };

/**
 * Registers `claim` for (account, botId) inside the caller's transaction, or returns the first conflict.
 * Claims on one venue account run one after another (an advisory lock on it), so two bots starting at once
 * cannot both take a symbol. The bot's earlier claim on this venue account is replaced.
 */
export async function claimIn(
  client: pg.PoolClient,
  account: string,
  botId: string,
  claim: SymbolClaim,
): Promise<Conflict | undefined> {
  // Bounded on the server too: a waiting backend does not notice its client gave up (see migrate).
  await client.query(`SET LOCAL lock_timeout = '5s'`);
  await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
    `${SCHEMA}.owners:${claim.venueAccount}`,
  ]);
  const symbols = await client.query<{ symbol: string; account: string; bot_id: string; live: boolean }>(
    `SELECT o.symbol, o.account, o.bot_id, l.expires_at > now() AS live
     FROM ${SCHEMA}.symbol_owners o JOIN ${SCHEMA}.leases l USING (account, bot_id)
     WHERE o.venue_account = $1 AND o.symbol = ANY($2) AND NOT (o.account = $3 AND o.bot_id = $4)
     ORDER BY o.symbol LIMIT 1`,
    [claim.venueAccount, claim.symbols, account, botId],
  );
  const owned = symbols.rows[0];
  if (owned !== undefined)
    return {
      kind: 'symbol',
      symbol: owned.symbol,
      account: owned.account,
      botId: owned.bot_id,
      live: owned.live,
    };
  const tags = await client.query<{ account: string; bot_id: string; live: boolean }>(
    `SELECT t.account, t.bot_id, l.expires_at > now() AS live
     FROM ${SCHEMA}.cloid_tags t JOIN ${SCHEMA}.leases l USING (account, bot_id)
     WHERE t.venue_account = $1 AND t.cloid_tag = $2 AND NOT (t.account = $3 AND t.bot_id = $4)`,
    [claim.venueAccount, claim.cloidTag, account, botId],
  );
  const tagged = tags.rows[0];
  if (tagged !== undefined)
    return { kind: 'tag', account: tagged.account, botId: tagged.bot_id, live: tagged.live };
  const params = [claim.venueAccount, account, botId];
  await client.query(
    `DELETE FROM ${SCHEMA}.symbol_owners WHERE venue_account = $1 AND account = $2 AND bot_id = $3`,
    params,
  );
  await client.query(
    `DELETE FROM ${SCHEMA}.cloid_tags WHERE venue_account = $1 AND account = $2 AND bot_id = $3`,
    params,
  );
  await client.query(
    `INSERT INTO ${SCHEMA}.cloid_tags (venue_account, cloid_tag, account, bot_id) VALUES ($1, $4, $2, $3)`,
    [...params, claim.cloidTag],
  );
  if (claim.symbols.length > 0)
    await client.query(
      `INSERT INTO ${SCHEMA}.symbol_owners (venue_account, symbol, account, bot_id)
       SELECT $1, s, $2, $3 FROM unnest($4::text[]) AS s`,
      [...params, claim.symbols],
    );
  return undefined;
}

/** The error a conflict becomes: names the other bot, and says how a dead one's claim ends. */
export function conflictError(claim: SymbolClaim, c: Conflict): RiskBudgetPgError {
  const who = `bot ${c.botId}${c.account === '' ? '' : ` (budget account ${c.account})`}`;
  const state = c.live
    ? 'which is running'
    : 'whose lease expired; its claim ends when its lease is cleared (a running bot of the account clears it once none of its orders are open and it holds no position) or when it starts again and stops cleanly';
  if (c.kind === 'symbol')
    return new RiskBudgetPgError(
      'RISK_BUDGET_SYMBOL_OWNED',
      `${c.symbol} on venue account ${claim.venueAccount} is traded by ${who}, ${state}: two bots on one account never trade one symbol (give each bot its own symbols)`,
      { details: { symbol: c.symbol ?? '', owner: c.botId, venueAccount: claim.venueAccount } },
    );
  return new RiskBudgetPgError(
    'RISK_BUDGET_TAG_TAKEN',
    `the cloid tag ${claim.cloidTag} on venue account ${claim.venueAccount} is already used by ${who}, ${state}: give this bot another botId`,
    { details: { cloidTag: claim.cloidTag, owner: c.botId, venueAccount: claim.venueAccount } },
  );
}

/** Every other bot registered on `venueAccount`, with its tag and symbols. */
export async function peersIn(
  client: pg.PoolClient,
  account: string,
  botId: string,
  venueAccount: string,
): Promise<AccountPeer[]> {
  const r = await client.query<{
    account: string;
    bot_id: string;
    cloid_tag: string;
    live: boolean;
    symbols: string[] | null;
  }>(
    `SELECT t.account, t.bot_id, t.cloid_tag, l.expires_at > now() AS live,
       (SELECT array_agg(o.symbol ORDER BY o.symbol) FROM ${SCHEMA}.symbol_owners o
        WHERE o.venue_account = t.venue_account AND o.account = t.account AND o.bot_id = t.bot_id) AS symbols
     FROM ${SCHEMA}.cloid_tags t JOIN ${SCHEMA}.leases l USING (account, bot_id)
     WHERE t.venue_account = $1 AND NOT (t.account = $2 AND t.bot_id = $3)
     ORDER BY t.bot_id`,
    [venueAccount.toLowerCase(), account, botId],
  );
  return r.rows.map((row) => ({
    botId: row.bot_id,
    account: row.account,
    cloidTag: row.cloid_tag,
    symbols: row.symbols ?? [],
    live: row.live,
  }));
}
