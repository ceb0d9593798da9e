import { createHash } from 'node:crypto';
import type pg from 'pg';

/** Every table lives in this one schema. */
export const SCHEMA = 'hl_risk';
/** The schema version this package writes; `migrate` records it. */
export const SCHEMA_VERSION = 2;

// Concurrent first starts of several bots must not race `CREATE ... IF NOT EXISTS` (it is not atomic in
// PostgreSQL's catalogs): the whole migration runs under one transaction-scoped advisory lock.
const MIGRATION_LOCK = 0x686c5f72; // 'hl_r'

const STATEMENTS = [
  `CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`,
  `CREATE TABLE IF NOT EXISTS ${SCHEMA}.schema_version (
     id integer PRIMARY KEY CHECK (id = 1),
     version integer NOT NULL
   )`,
  // One row per account: its caps, the order-token bucket, and the shared trading state (breaker, REDUCING
  // latch, loss streak, the day's peak P&L). Every grant and every state change locks this row.
  `CREATE TABLE IF NOT EXISTS ${SCHEMA}.accounts (
     account text PRIMARY KEY,
     max_exposure numeric CHECK (max_exposure >= 0),
     max_positions integer CHECK (max_positions >= 0),
     orders_per_minute integer CHECK (orders_per_minute >= 0),
     daily_loss numeric CHECK (daily_loss > 0),
     max_drawdown numeric CHECK (max_drawdown > 0),
     max_consecutive_losses integer CHECK (max_consecutive_losses > 0),
     lease_ms integer NOT NULL CHECK (lease_ms BETWEEN 200 AND 600000),
     slice numeric NOT NULL CHECK (slice > 0 AND slice <= 1),
     order_tokens numeric NOT NULL DEFAULT 0,
     tokens_at timestamptz NOT NULL DEFAULT now(),
     trading_state text NOT NULL DEFAULT 'ACTIVE' CHECK (trading_state IN ('ACTIVE', 'REDUCING', 'HALTED')),
     reason text,
     reducing_day text,
     consecutive_losses integer NOT NULL DEFAULT 0,
     peak_day text,
     day_peak numeric NOT NULL DEFAULT 0,
     state_version bigint NOT NULL DEFAULT 0
   )`,
  // One lease per bot: the slice granted to it and, as last reported, what it uses and how many of its
  // orders may be live. A live lease counts its grant; an expired one only what it used, until cleared.
  `CREATE TABLE IF NOT EXISTS ${SCHEMA}.leases (
     account text NOT NULL REFERENCES ${SCHEMA}.accounts (account),
     bot_id text NOT NULL,
     exposure numeric NOT NULL DEFAULT 0,
     positions integer NOT NULL DEFAULT 0,
     order_tokens integer NOT NULL DEFAULT 0,
     loss_share numeric NOT NULL DEFAULT 0,
     used_exposure numeric NOT NULL DEFAULT 0,
     used_positions integer NOT NULL DEFAULT 0,
     live_orders integer NOT NULL DEFAULT 0,
     expires_at timestamptz NOT NULL,
     renewed_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (account, bot_id)
   )`,
  `CREATE TABLE IF NOT EXISTS ${SCHEMA}.day_pnl (
     account text NOT NULL REFERENCES ${SCHEMA}.accounts (account),
     bot_id text NOT NULL,
     day text NOT NULL,
     pnl numeric NOT NULL,
     PRIMARY KEY (account, day, bot_id)
   )`,
  // Several bots on one venue account: which bot trades which symbol there, and the cloid tag its orders
  // carry. A row lives as long as its bot's lease (deleted with it: a clean idle stop, or a dead lease the
  // reconciler cleared once none of the bot's orders were open), so ownership is never given up while that
  // bot's orders may be live. The primary keys are the exclusivity: one owner per symbol, one bot per tag.
  `CREATE TABLE IF NOT EXISTS ${SCHEMA}.symbol_owners (
     venue_account text NOT NULL,
     symbol text NOT NULL,
     account text NOT NULL,
     bot_id text NOT NULL,
     PRIMARY KEY (venue_account, symbol),
     FOREIGN KEY (account, bot_id) REFERENCES ${SCHEMA}.leases (account, bot_id) ON DELETE CASCADE
   )`,
  `CREATE TABLE IF NOT EXISTS ${SCHEMA}.cloid_tags (
     venue_account text NOT NULL,
     cloid_tag text NOT NULL CHECK (cloid_tag ~ '^[0-9a-f]{8}$'),
     account text NOT NULL,
     bot_id text NOT NULL,
     PRIMARY KEY (venue_account, cloid_tag),
     UNIQUE (venue_account, account, bot_id),
     FOREIGN KEY (account, bot_id) REFERENCES ${SCHEMA}.leases (account, bot_id) ON DELETE CASCADE
   )`,
  // The audit mirror: every bot's hash-chained entries, append-only (the trigger refuses UPDATE and DELETE
  // for every role, the owner included; grants can narrow it further, see the README).
  `CREATE TABLE IF NOT EXISTS ${SCHEMA}.audit_mirror (
     account text NOT NULL,
     bot_id text NOT NULL,
     seq bigint NOT NULL CHECK (seq >= 1),
     prev_hash text NOT NULL,
     hash text NOT NULL,
     line text NOT NULL,
     mirrored_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (account, bot_id, seq)
   )`,
  `CREATE OR REPLACE FUNCTION ${SCHEMA}.audit_mirror_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     RAISE EXCEPTION 'hl_risk.audit_mirror is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
   END $$`,
  `DROP TRIGGER IF EXISTS audit_mirror_append_only ON ${SCHEMA}.audit_mirror`,
  `CREATE TRIGGER audit_mirror_append_only BEFORE UPDATE OR DELETE ON ${SCHEMA}.audit_mirror
     FOR EACH ROW EXECUTE FUNCTION ${SCHEMA}.audit_mirror_append_only()`,
  `CREATE OR REPLACE TRIGGER audit_mirror_no_truncate BEFORE TRUNCATE ON ${SCHEMA}.audit_mirror
     FOR EACH STATEMENT EXECUTE FUNCTION ${SCHEMA}.audit_mirror_append_only()`,
  `REVOKE UPDATE, DELETE, TRUNCATE ON ${SCHEMA}.audit_mirror FROM PUBLIC`,
];

/**
 * Creates the schema when it is missing; idempotent and safe to run from several processes at once.
 * Refuses a database whose schema is newer than this package.
 */
export async function migrate(db: pg.Pool): Promise<void> {
  // Already at this version (every later start of every bot): nothing to do, and no lock to queue for.
  if ((await currentVersion(db)) === SCHEMA_VERSION) return;
  const pool = await db.connect();
  const onError = () => undefined;
  pool.on('error', onError);
  await pool.query('BEGIN');
  try {
    // A backend waiting for a lock does not notice its client gave up: bounded here, or every timed-out
    // retry of every starting bot would leave one more waiting backend until the server refuses clients.
    await pool.query(`SET LOCAL lock_timeout = '5s'`);
    await pool.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    for (const sql of STATEMENTS) await pool.query(sql);
    const found = await pool.query<{ version: number }>(
      `SELECT version FROM ${SCHEMA}.schema_version WHERE id = 1`,
    );
    const version = found.rows[0]?.version;
    if (version !== undefined && version > SCHEMA_VERSION) {
      throw new Error(
        `the ${SCHEMA} schema is version ${version}, newer than this package (${SCHEMA_VERSION})`,
      );
    }
    await pool.query(
      `INSERT INTO ${SCHEMA}.schema_version (id, version) VALUES (1, $1)
       ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version`,
      [SCHEMA_VERSION],
    );
    await pool.query('COMMIT');
  } catch (error) {
    await pool.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    pool.off('error', onError);
    pool.release();
  }
}

/** The recorded schema version, or undefined before the first migration. */
async function currentVersion(db: pg.Pool): Promise<number | undefined> {
  const found = await db
    .query<{ version: number }>(`SELECT version FROM ${SCHEMA}.schema_version WHERE id = 1`)
    .catch(() => ({ rows: [] as { version: number }[] }));
  return found.rows[0]?.version;
}

/** The NOTIFY channel of an account: a fixed-length identifier whatever the account name. */
export function channelOf(account: string): string {
  return `hl_risk_${createHash('sha256').update(account).digest('hex').slice(0, 32)}`;
}
