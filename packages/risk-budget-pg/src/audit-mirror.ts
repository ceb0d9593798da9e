import { createHash } from 'node:crypto';
import type { AuditEntry, AuditEventInput, AuditSink } from '@hl-bot/core-types';
import pg from 'pg';
import { RiskBudgetPgError } from './errors.js';
import { LogFollower } from './log-follower.js';
import { idleInTransactionMs } from './options.js';
import { migrate, SCHEMA } from './schema.js';

/**
 * The chain rule of `@hl-bot/audit`, replicated (this package must not depend on it): a line is
 * `{"timestamp":…,…,"seq":N,"prevHash":"…","hash":"…"}`; its `content` is the line up to the `,"hash":"`
 * of its last member, closed with `}`; `hash = hex(SHA-256(ASCII(prevHash) || content))`, and the first
 * entry's prevHash is 64 zeros. A test checks this against logs written by the real AuditLogger.
 */
const GENESIS_HASH = '0'.repeat(64);
const HASH_SUFFIX = /,"hash":"([0-9a-f]{64})"\}$/;

function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex');
}

/** The audit logger's line timestamp: ISO 8601 UTC with microseconds (whole milliseconds padded). */
function isoMicros(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, -1)}000Z`;
}

/**
 * The exact line `@hl-bot/audit` wrote for an entry `append` returned, rebuilt from the entry (the logger
 * serialises the event in its own key order, then appends `seq`, `prevHash` and `hash`). Undefined when the
 * rebuilt line does not hash to the entry's hash, i.e. the entry is not one the logger returned as is.
 */
export function auditLineOf(entry: AuditEntry): string | undefined {
  const { timestamp, seq, prevHash, hash, ...event } = entry as AuditEntry & Record<string, unknown>;
  const body = JSON.stringify(event);
  const head = `{"timestamp":"${isoMicros(timestamp)}",${body.slice(1, -1)},"seq":${seq},"prevHash":"${prevHash}"`;
  if (sha256Hex(`${prevHash}${head}}`) !== hash) return undefined;
  return `${head},"hash":"${hash}"}`;
}

interface ParsedLine {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
}

/** Checks a line's own hash; the reason it fails, or its envelope. */
function parseLine(line: string): ParsedLine | string {
  const m = HASH_SUFFIX.exec(line);
  if (m === null) return 'the line does not end with a "hash" member';
  let object: unknown;
  try {
    object = JSON.parse(line);
  } catch {
    return 'the line is not valid JSON';
  }
  const { seq, prevHash, hash } = object as Record<string, unknown>;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1)
    return 'seq is not a positive integer';
  if (typeof prevHash !== 'string' || !/^[0-9a-f]{64}$/.test(prevHash))
    return 'prevHash is not 64 hex digits';
  if (hash !== m[1]) return 'the hash member is not the last one';
  const content = `${line.slice(0, m.index)}}`;
  const computed = sha256Hex(`${prevHash}${content}`);
  if (computed !== hash) return `hash mismatch (the line was modified): computed ${computed}`;
  return { seq, prevHash, hash };
}

export interface MirrorVerification {
  readonly ok: boolean;
  /** Rows checked. */
  readonly entries: number;
  readonly firstSeq: number | undefined;
  readonly lastSeq: number | undefined;
  /** The first problem found, with the seq of the row it is in. */
  readonly problem?: { readonly seq: number; readonly reason: string };
}

export interface AuditMirrorOptions {
  readonly url: string;
  readonly account: string;
  readonly botId: string;
  /** Entries kept in memory while the database is unreachable (default 100000); older ones are dropped. */
  readonly maxPending?: number;
  readonly timeoutMs?: number;
  readonly onError?: (error: RiskBudgetPgError) => void;
}

/**
 * Mirrors one bot's audit log into `hl_risk.audit_mirror`, chain columns kept, so a team queries one store.
 * The local log stays the source of truth: `wrap(logger)` returns a sink whose `append` resolves when the
 * local entry is durable; the mirror copies it in the background and never fails an append. After a crash
 * or an outage longer than `maxPending`, `backfill(dir)` copies whatever the table lacks from the day files.
 */
/** A running `PgAuditMirror.follow`. */
export interface AuditFollow {
  /** Stops following after mirroring every line written so far; failures go to `onError`. */
  stop(): Promise<void>;
}

export class PgAuditMirror {
  readonly account: string;
  readonly botId: string;
  readonly #pool: pg.Pool;
  readonly #maxPending: number;
  readonly #onError: ((error: RiskBudgetPgError) => void) | undefined;
  #pending: string[] = [];
  #dropped = 0;
  #draining: Promise<void> | undefined;
  #migrated = false;
  #closed = false;

  constructor(options: AuditMirrorOptions) {
    this.account = options.account;
    this.botId = options.botId;
    this.#maxPending = options.maxPending ?? 100_000;
    this.#onError = options.onError;
    const timeout = options.timeoutMs ?? 2000;
    this.#pool = new pg.Pool({
      connectionString: options.url,
      max: 1,
      connectionTimeoutMillis: timeout,
      query_timeout: timeout,
      // Its migration holds the schema's advisory lock: a frozen mirror must not hold every bot's start.
      idle_in_transaction_session_timeout: idleInTransactionMs(timeout),
    });
    this.#pool.on('error', (error) => this.#report(error));
  }

  /** Entries dropped because the queue was full (a `backfill` recovers them). */
  get dropped(): number {
    return this.#dropped;
  }

  /** A sink that appends to `inner` (the local log) and mirrors each entry it returns. */
  wrap(inner: AuditSink): AuditSink {
    return {
      append: async (event: AuditEventInput): Promise<AuditEntry> => {
        const entry = await inner.append(event);
        this.mirror(entry);
        return entry;
      },
    };
  }

  /** Queues one entry returned by an AuditLogger's `append`. */
  mirror(entry: AuditEntry): void {
    const line = auditLineOf(entry);
    if (line === undefined) {
      this.#report(new Error(`entry ${entry.seq} is not as its audit logger wrote it; not mirrored`));
      return;
    }
    this.mirrorLine(line);
  }

  /** Queues one raw audit line (without its newline). */
  mirrorLine(line: string): void {
    if (this.#closed) return;
    this.#pending.push(line);
    if (this.#pending.length > this.#maxPending) {
      this.#pending.shift();
      this.#dropped += 1;
    }
    this.#drain();
  }

  /** Resolves once every queued entry is in the table. @throws when the database is unreachable */
  async flush(): Promise<void> {
    while (this.#pending.length > 0 || this.#draining !== undefined) {
      if (this.#draining === undefined) await this.#write();
      else await this.#draining;
    }
  }

  /**
   * Copies the lines of the day files in `dir` after the last one the table has; returns how many. Starts
   * in the day file holding the first missing seq, so it does not re-read a long log.
   */
  async backfill(dir: string): Promise<number> {
    await this.#ensureSchema();
    const follower = await LogFollower.from(dir, await this.#lastMirroredSeq());
    let added = 0;
    for (let lines = await follower.read(); lines.length > 0; lines = await follower.read()) {
      for (const line of lines) this.mirrorLine(line);
      added += lines.length;
      await this.flush();
    }
    return added;
  }

  /**
   * Mirrors the audit log in `dir` as it grows, every `intervalMs`: first what the table lacks (from the
   * day file holding the first missing seq on), then each new line. Unlike `wrap`, it sees every line the
   * logger writes (checkpoints included) byte for byte, and never drops one: while the database is
   * unreachable it stops reading, and the day files are the queue. Resolves at once, whether the database
   * is reachable or not (failures go to `onError`); `stop()` mirrors what is left and flushes.
   */
  follow(dir: string, options: { intervalMs?: number } = {}): AuditFollow {
    const intervalMs = options.intervalMs ?? 250;
    let follower: LogFollower | undefined;
    let running: Promise<void> | undefined;
    let stopped = false;
    const tick = async (): Promise<number> => {
      if (follower === undefined) {
        await this.#ensureSchema();
        follower = await LogFollower.from(dir, await this.#lastMirroredSeq());
      }
      if (this.#pending.length >= this.#maxPending) return 0;
      const lines = await follower.read();
      for (const line of lines) this.mirrorLine(line);
      return lines.length;
    };
    const guarded = (): Promise<void> => {
      running ??= tick()
        .then(() => undefined)
        .catch((error) => this.#report(error))
        .finally(() => {
          running = undefined;
        });
      return running;
    };
    const timer = setInterval(() => {
      if (!stopped) void guarded();
    }, intervalMs);
    timer.unref();
    void guarded();
    return {
      stop: async () => {
        stopped = true;
        clearInterval(timer);
        await running;
        try {
          // Flushed before each read, so the queue is empty and the back-pressure rule in tick() cannot
          // end this loop while lines remain in the files.
          do await this.flush();
          while ((await tick()) > 0);
          await this.flush();
        } catch (error) {
          this.#report(error);
        }
      },
    };
  }

  async #lastMirroredSeq(): Promise<number> {
    const r = await this.#pool.query<{ max: string | null }>(
      `SELECT max(seq)::text AS max FROM ${SCHEMA}.audit_mirror WHERE account = $1 AND bot_id = $2`,
      [this.account, this.botId],
    );
    return Number(r.rows[0]?.max ?? 0);
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      this.#closed = true;
      await this.#pool.end().catch(() => undefined);
    }
  }

  #drain(): void {
    if (this.#draining !== undefined) return;
    this.#draining = this.#write()
      .catch((error) => this.#report(error))
      .finally(() => {
        this.#draining = undefined;
      });
  }

  async #write(): Promise<void> {
    await this.#ensureSchema();
    while (this.#pending.length > 0) {
      const batch = this.#pending.slice(0, 500);
      const rows: ParsedLine[] = [];
      for (const line of batch) {
        const parsed = parseLine(line);
        if (typeof parsed === 'string') throw new Error(`an audit line does not verify: ${parsed}`);
        rows.push(parsed);
      }
      // Idempotent: a backfill may meet entries the live mirror already wrote.
      await this.#pool.query(
        `INSERT INTO ${SCHEMA}.audit_mirror (account, bot_id, seq, prev_hash, hash, line)
         SELECT $1, $2, * FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[])
         ON CONFLICT (account, bot_id, seq) DO NOTHING`,
        [
          this.account,
          this.botId,
          rows.map((r) => r.seq),
          rows.map((r) => r.prevHash),
          rows.map((r) => r.hash),
          batch,
        ],
      );
      this.#pending.splice(0, batch.length);
    }
  }

  async #ensureSchema(): Promise<void> {
    if (this.#migrated) return;
    await migrate(this.#pool);
    this.#migrated = true;
  }

  #report(error: unknown): void {
    this.#onError?.(
      new RiskBudgetPgError('RISK_BUDGET_UNAVAILABLE', `audit mirror: ${(error as Error).message}`, {
        cause: error,
      }),
    );
  }
}

/**
 * Re-checks one bot's mirrored chain from the table alone: every line's own hash, the row's chain columns
 * against its line, `seq` without gaps and each `prevHash` equal to the previous row's `hash` (64 zeros
 * before seq 1). A mirror that starts later than seq 1 is checked from its first row.
 */
export async function verifyMirror(url: string, account: string, botId: string): Promise<MirrorVerification> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const r = await client.query<{ seq: string; prev_hash: string; hash: string; line: string }>(
      `SELECT seq::text, prev_hash, hash, line FROM ${SCHEMA}.audit_mirror
       WHERE account = $1 AND bot_id = $2 ORDER BY audit_mirror.seq`,
      [account, botId],
    );
    let previous: ParsedLine | undefined;
    let first: number | undefined;
    for (const row of r.rows) {
      const seq = Number(row.seq);
      first ??= seq;
      const fail = (reason: string): MirrorVerification => ({
        ok: false,
        entries: r.rows.length,
        firstSeq: first,
        lastSeq: previous?.seq,
        problem: { seq, reason },
      });
      const parsed = parseLine(row.line);
      if (typeof parsed === 'string') return fail(parsed);
      if (parsed.seq !== seq || parsed.prevHash !== row.prev_hash || parsed.hash !== row.hash)
        return fail("the row's seq, prev_hash or hash differ from its line");
      if (previous === undefined && seq === 1 && parsed.prevHash !== GENESIS_HASH)
        return fail('the first entry does not start from the genesis hash');
      if (previous !== undefined) {
        if (seq !== previous.seq + 1) return fail(`seq ${seq} follows ${previous.seq}: entries are missing`);
        if (parsed.prevHash !== previous.hash)
          return fail('prevHash does not match the previous entry: the chain is broken');
      }
      previous = parsed;
    }
    return { ok: true, entries: r.rows.length, firstSeq: first, lastSeq: previous?.seq };
  } finally {
    await client.end().catch(() => undefined);
  }
}
