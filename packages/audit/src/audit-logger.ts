import { constants, writeSync } from 'node:fs';
import { chmod, type FileHandle, mkdir, open, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type AuditEntry,
  type AuditEventInput,
  type AuditSink,
  type Clock,
  systemClock,
} from '@hl-bot/core-types';
import type { AuditAnchor } from './anchor.js';
import { type CheckpointWritten, checkpointParts } from './checkpoints.js';
import { encodeLine, type ValidatedEvent, validateEvent } from './codec.js';
import { AuditClosedError, AuditFileReplacedError, AuditWriteError } from './errors.js';
import { assertStillAtPathSync } from './file-identity.js';
import { dayFileName, GENESIS_HASH } from './format.js';
import { LineBuffer } from './line-buffer.js';
import { acquireLock, type DirectoryLock } from './lock.js';
import { listDayFiles } from './log-files.js';
import { recoverLog } from './recover.js';
import { syncDir } from './sync-dir.js';

/**
 * When `append` resolves:
 * - `fsync`: after a write and fsync of that one entry;
 * - `group` (default): after the fdatasync that covers it. An append to an idle logger is written at once
 *   (after the current synchronous burst of appends, which shares its write); entries arriving while a
 *   write + fdatasync is in flight share the next write and fdatasync;
 * - `none`: after the write reached the OS, without fsync (a power loss may lose it; a process crash does not).
 *   Day files are still created, chained and sealed read-only, but neither a new file's name nor a finished
 *   day is fsynced: a simulation over a year of days pays no disk flush per day.
 */
export type AuditDurability = 'fsync' | 'group' | 'none';

export interface AuditLoggerOptions {
  /** Time of events that carry no timestamp of their own. Default: the system clock. */
  clock?: Clock;
  /** Default `group`. */
  durability?: AuditDurability;
  /**
   * How long `group` waits, when idle, to gather appends into one write. Default 0: an idle logger writes at
   * once, and appends arriving while an fdatasync runs are grouped anyway (waiting only adds latency).
   */
  groupCommitMs?: number;
}

type State = 'new' | 'opening' | 'open' | 'closing' | 'closed' | 'failed';

interface Pending {
  /** Bytes of the line (newline included), which follow the previous pending line's in the line buffer. */
  readonly length: number;
  readonly day: string;
  readonly entry: AuditEntry;
  readonly resolve: (entry: AuditEntry) => void;
  readonly reject: (error: Error) => void;
  /** Filled in when written: where the line starts (a checkpoint's link to it needs the place). */
  readonly placed: Placement | undefined;
}

interface Placement {
  file?: string;
  offset?: number;
}

interface Waiting {
  readonly validated: ValidatedEvent;
  readonly resolve: (entry: AuditEntry) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The write only has to reach the page cache (the fdatasync or fsync after it makes it durable): a
 * synchronous write takes microseconds there, while a thread-pool round trip per batch dominated long
 * simulations that await each append and added a second round trip to every group commit and fsync.
 */
function writeAllSync(handle: FileHandle, buffer: Buffer): void {
  let offset = 0;
  while (offset < buffer.length) {
    const written = writeSync(handle.fd, buffer, offset, buffer.length - offset, null);
    if (written <= 0) throw new Error('write wrote no bytes');
    offset += written;
  }
}

/**
 * The append-only, hash-chained audit log of one directory, one `audit-YYYY-MM-DD.jsonl` file per UTC day.
 *
 * Only one AuditLogger (in any process) writes a directory at a time. Appends are serialised in call order,
 * each gets the next `seq` and is chained to the previous entry by SHA-256; `append` resolves once the entry
 * is durable under the chosen policy. Any write or fsync failure fails the logger closed.
 *
 * @example
 * const audit = await AuditLogger.open('./logs/audit');
 * const entry = await audit.append({ type: 'session_started', app: 'my-bot' });
 * console.log(entry.seq, entry.hash);
 * await audit.close();
 */
export class AuditLogger implements AuditSink {
  /** The log directory (absolute). */
  readonly dir: string;
  readonly #clock: Clock;
  readonly #durability: AuditDurability;
  readonly #groupCommitMs: number;
  #state: State = 'new';
  #openPromise: Promise<void> | undefined;
  #lock: DirectoryLock | undefined;
  #failure: Error | undefined;
  #lastSeq = 0;
  #lastHash = GENESIS_HASH;
  /** Day of the newest file on disk (entries never go to an older file). */
  #fileDay: string | undefined;
  #handle: FileHandle | undefined;
  #handleDay: string | undefined;
  /** The path of `#handle`'s day file. */
  #handlePath = '';
  /** Size of the open day file: the offset of the next line written to it (one writer, O_APPEND). */
  #handleSize = 0;
  #queue: Pending[] = [];
  /** The encoded bytes of `#queue`'s lines, in order. */
  readonly #lines = new LineBuffer();
  #waiting: Waiting[] = [];
  #inFlight = false;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #microtask = false;
  #last: Promise<AuditEntry> | undefined;
  #idleWaiters: Array<() => void> = [];

  constructor(dir: string, options: AuditLoggerOptions = {}) {
    this.dir = resolve(dir);
    this.#clock = options.clock ?? systemClock;
    this.#durability = options.durability ?? 'group';
    if (!['fsync', 'group', 'none'].includes(this.#durability)) {
      throw new RangeError(`unknown durability ${String(this.#durability)}`);
    }
    const ms = options.groupCommitMs ?? 0;
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`groupCommitMs must be >= 0, got ${ms}`);
    this.#groupCommitMs = ms;
  }

  /**
   * Creates a logger and opens it.
   *
   * @throws {AuditLockError} code `AUDIT_LOCKED` when another writer holds the directory
   * @throws {AuditCorruptError} code `AUDIT_CORRUPT` when the newest day file is damaged before its last line
   */
  static async open(dir: string, options: AuditLoggerOptions = {}): Promise<AuditLogger> {
    const logger = new AuditLogger(dir, options);
    await logger.open();
    return logger;
  }

  /** Seq of the last appended entry (0 for an empty log). Includes entries not yet durable. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Hash of the last appended entry (64 zeros for an empty log). */
  get lastHash(): string {
    return this.#lastHash;
  }

  /** The error that failed the logger, if it failed. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /**
   * Takes the directory lock, verifies the newest day file and repairs a torn tail (quarantining its bytes
   * and auditing an `audit_recovered` event). Optional: `append` opens lazily. Idempotent.
   *
   * @throws {AuditLockError} code `AUDIT_LOCKED`
   * @throws {AuditCorruptError} code `AUDIT_CORRUPT`
   */
  open(): Promise<void> {
    if (this.#openPromise === undefined) {
      if (this.#state !== 'new') {
        return Promise.reject(new AuditClosedError('AUDIT_CLOSED', `audit logger for ${this.dir} is closed`));
      }
      this.#openPromise = this.#doOpen();
    }
    return this.#openPromise;
  }

  async #doOpen(): Promise<void> {
    this.#state = 'opening';
    let internal: Promise<AuditEntry>[] = [];
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      this.#lock = await acquireLock(this.dir);
      const found = await recoverLog(this.dir);
      this.#lastSeq = found.cursor.seq;
      this.#lastHash = found.cursor.hash;
      this.#fileDay = found.lastDay;
      this.#state = 'open';
      const now = () => this.#clock.now();
      if (this.#lock.tookOverFrom !== undefined) {
        const message = `took over the stale audit lock of pid ${this.#lock.tookOverFrom}, which is no longer running`;
        internal.push(this.#enqueue(validateEvent({ type: 'note', message }, now)));
      }
      if (found.recovered !== undefined) {
        internal.push(this.#enqueue(validateEvent({ type: 'audit_recovered', ...found.recovered }, now)));
      }
    } catch (error) {
      this.#state = 'closed';
      await this.#lock?.release();
      this.#lock = undefined;
      for (const w of this.#waiting.splice(0)) w.reject(error);
      throw error;
    }
    for (const w of this.#waiting.splice(0)) this.#enqueue(w.validated).then(w.resolve, w.reject);
    // Recovery must be on disk before the logger reports itself open.
    const settled = await Promise.allSettled(internal);
    internal = [];
    for (const s of settled) if (s.status === 'rejected') throw s.reason;
  }

  /**
   * Appends an event. Validates it against the core-types `AuditEvent` schema, stamps it (its own `timestamp`
   * or `clock.now()`), gives it the next `seq` and chains it. Resolves once durable under the policy.
   *
   * @throws {AuditValidationError} code `AUDIT_INVALID_EVENT`: nothing was written, the logger stays usable
   * @throws {AuditWriteError} code `AUDIT_WRITE_FAILED`: the write or fsync failed; the logger is failed
   * @throws {AuditClosedError} code `AUDIT_CLOSED` after close, `AUDIT_FAILED` after a failure
   * @throws {AuditLockError} code `AUDIT_LOCKED` when the lazy open could not take the lock
   * @example
   * await audit.append({ type: 'order_submitted', orderId: 'o1',
   *   order: { symbol: 'BTC-USD', side: 'buy', orderType: 'limit', quantity: '0.01', price: '50000' } });
   */
  append(event: AuditEventInput): Promise<AuditEntry> {
    const refusal = this.#refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    let validated: ValidatedEvent;
    try {
      validated = validateEvent(event, () => this.#clock.now());
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#state === 'open') {
      try {
        return this.#enqueue(validated);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const promise = new Promise<AuditEntry>((resolve, reject) => {
      this.#waiting.push({ validated, resolve, reject });
    });
    this.open().catch(() => undefined);
    return promise;
  }

  /**
   * An anchor of the last entry appended so far, once that entry is durable: store it outside the log
   * (`writeAuditAnchor`) and a later `verifyAuditLog(dir, { anchor })` fails if the log was cut or rewritten
   * at or before it.
   *
   * @throws {AuditWriteError} when that entry could not be made durable
   */
  async anchor(): Promise<AuditAnchor & { seq: number }> {
    const seq = this.#lastSeq;
    const hash = this.#lastHash;
    await this.flush();
    return { seq, hash, createdAt: new Date(this.#clock.now()).toISOString() };
  }

  /**
   * Appends a component's checkpoint: `data` (the component's own text form of its state) split into
   * consecutive `checkpoint` entries that cover every entry appended before this call. Call it in the same
   * synchronous run that built `data`, so nothing the state does not include lands in between; the logger
   * must be open (`await audit.open()` first). Resolves once every part is durable. `readCheckpoints` finds
   * it again.
   *
   * @throws {AuditClosedError} code `AUDIT_NOT_OPEN` before the logger is open, or as `append`
   * @throws {AuditValidationError} for a component name that is not `[a-z][a-z0-9-]*`
   * @example
   * await audit.open();
   * const written = await audit.appendCheckpoint('my-component', JSON.stringify(state));
   */
  appendCheckpoint(component: string, data: string): Promise<CheckpointWritten> {
    const refusal = this.#refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    if (this.#state !== 'open') {
      return Promise.reject(
        new AuditClosedError('AUDIT_NOT_OPEN', `audit logger for ${this.dir} is not open yet`),
      );
    }
    const coversSeq = this.#lastSeq;
    const coversHash = this.#lastHash;
    const chunks = checkpointParts(data);
    const now = () => this.#clock.now();
    let validated: ValidatedEvent[];
    try {
      validated = chunks.map((chunk, part) =>
        validateEvent(
          { type: 'checkpoint', component, part, parts: chunks.length, coversSeq, coversHash, data: chunk },
          now,
        ),
      );
    } catch (error) {
      return Promise.reject(error);
    }
    // Enqueued back to back: the parts get consecutive seqs right after the entry they cover.
    const placed: Placement = {};
    const appended = validated.map((v, i) => this.#enqueue(v, i === 0 ? placed : undefined));
    return Promise.all(appended).then((entries) => {
      const last = entries.at(-1) as AuditEntry;
      return {
        coversSeq,
        coversHash,
        lastSeq: last.seq,
        parts: chunks.length,
        at: {
          file: placed.file as string,
          offset: placed.offset as number,
          seq: coversSeq + 1,
          lastHash: last.hash,
        },
      };
    });
  }

  /**
   * Resolves once every entry appended so far is durable under the policy.
   *
   * @throws {AuditWriteError} when one of them failed
   */
  async flush(): Promise<void> {
    if (this.#openPromise !== undefined) await this.#openPromise;
    if (this.#failure !== undefined) throw this.#failure;
    const last = this.#last;
    if (last !== undefined) await last;
    if (this.#failure !== undefined) throw this.#failure;
  }

  /**
   * Flushes, closes the day file and releases the directory lock. Later appends reject with `AUDIT_CLOSED`.
   *
   * @throws {AuditWriteError} when pending entries could not be made durable (the lock is released anyway)
   */
  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    const failedBefore = this.#state === 'failed';
    let flushError: unknown;
    if (this.#openPromise !== undefined) {
      try {
        await this.flush();
      } catch (error) {
        flushError = error;
      }
    }
    if (this.#state !== 'failed') this.#state = 'closing';
    await this.#waitIdle();
    this.#state = 'closed';
    const handle = this.#handle;
    this.#handle = undefined;
    try {
      await handle?.close();
    } finally {
      await this.#lock?.release();
      this.#lock = undefined;
    }
    if (flushError !== undefined && !failedBefore && !(flushError instanceof AuditClosedError))
      throw flushError;
  }

  #refusal(): Error | undefined {
    if (this.#state === 'failed') {
      return new AuditClosedError(
        'AUDIT_FAILED',
        `audit logger for ${this.dir} failed earlier and accepts no appends: ${this.#failure?.message ?? ''}`,
        { cause: this.#failure },
      );
    }
    if (this.#state === 'closing' || this.#state === 'closed') {
      return new AuditClosedError('AUDIT_CLOSED', `audit logger for ${this.dir} is closed`);
    }
    return undefined;
  }

  #enqueue(validated: ValidatedEvent, placed?: Placement): Promise<AuditEntry> {
    const refusal = this.#refusal();
    if (refusal !== undefined) return Promise.reject(refusal);
    const seq = this.#lastSeq + 1;
    const prevHash = this.#lastHash;
    const { length, hash, iso } = encodeLine(validated, seq, prevHash, this.#lines);
    const eventDay = iso.slice(0, 10);
    // Time may step back across midnight (clock adjustments, late events): the entry then joins the newest
    // file, so file order always equals seq order.
    const day = this.#fileDay !== undefined && eventDay < this.#fileDay ? this.#fileDay : eventDay;
    this.#lastSeq = seq;
    this.#lastHash = hash;
    this.#fileDay = day;
    // The validated event is a fresh object (its parts may be shared): completing it in place saves a copy.
    const entry = validated.event as unknown as Record<string, unknown>;
    entry.timestamp = validated.ms;
    entry.seq = seq;
    entry.prevHash = prevHash;
    entry.hash = hash;
    const promise = new Promise<AuditEntry>((resolve, reject) => {
      this.#queue.push({ length, day, entry: entry as unknown as AuditEntry, resolve, reject, placed });
    });
    this.#last = promise;
    this.#schedule();
    return promise;
  }

  #schedule(): void {
    if (this.#inFlight || this.#timer !== undefined || this.#immediate !== undefined || this.#microtask)
      return;
    if (this.#durability === 'group' && this.#groupCommitMs > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#startWrite();
      }, this.#groupCommitMs);
    } else if (this.#durability === 'group') {
      // Idle: write now. A microtask still lets appends issued in the same synchronous burst (a loop of
      // appends, a batch of fills) join this write instead of each paying its own fdatasync.
      this.#microtask = true;
      queueMicrotask(() => {
        this.#microtask = false;
        this.#startWrite();
      });
    } else {
      this.#immediate = setImmediate(() => {
        this.#immediate = undefined;
        this.#startWrite();
      });
    }
  }

  #startWrite(): void {
    if (this.#inFlight || this.#queue.length === 0 || this.#state === 'failed') {
      this.#notifyIdle();
      return;
    }
    this.#inFlight = true;
    // Everything queued goes; `fsync` still writes and syncs its entries one by one (#writeBatch).
    const batch = this.#queue;
    this.#queue = [];
    this.#writeBatch(batch, this.#lines.take()).then(
      () => {
        this.#inFlight = false;
        // Appends that arrived while the fsync was in flight form the next group at once.
        if (this.#queue.length > 0) this.#startWrite();
        else this.#notifyIdle();
      },
      (error: unknown) => {
        this.#inFlight = false;
        this.#fail(error);
        this.#notifyIdle();
      },
    );
  }

  /** Writes `batch`, whose lines are `bytes` back to back: one write per day (per entry under `fsync`). */
  async #writeBatch(batch: Pending[], bytes: Buffer): Promise<void> {
    let start = 0;
    let from = 0;
    try {
      while (start < batch.length) {
        const day = (batch[start] as Pending).day;
        let end = start;
        let length = 0;
        while (end < batch.length && (batch[end] as Pending).day === day) {
          length += (batch[end] as Pending).length;
          end += 1;
          if (this.#durability === 'fsync') break;
        }
        const handle = await this.#fileFor(day);
        const path = this.#handlePath;
        let at = this.#handleSize;
        for (let i = start; i < end; i += 1) {
          const p = batch[i] as Pending;
          if (p.placed !== undefined) {
            p.placed.file = dayFileName(day);
            p.placed.offset = at;
          }
          at += p.length;
        }
        const buffer = bytes.subarray(from, from + length);
        // Checked after the write (and its sync) and before anything resolves: whenever the file at the path
        // stopped being the one written (deleted, renamed, replaced), no entry of this batch is acknowledged.
        // Synchronously: two stats of a file just written are answered from the kernel's caches in
        // microseconds, while a round trip through the thread pool added to every acknowledgement.
        writeAllSync(handle, buffer);
        if (this.#durability === 'fsync') await handle.sync();
        else if (this.#durability === 'group') await handle.datasync();
        assertStillAtPathSync(handle.fd, path);
        this.#handleSize = at;
        for (let i = start; i < end; i += 1) {
          const p = batch[i] as Pending;
          p.resolve(p.entry);
        }
        start = end;
        from += length;
      }
    } catch (error) {
      const failure =
        error instanceof AuditFileReplacedError
          ? error
          : new AuditWriteError(
              `audit write to ${this.dir} failed; entries from seq ${(batch[start] as Pending).entry.seq} on are not durable: ${(error as Error).message}`,
              { cause: error, details: { dir: this.dir, fromSeq: (batch[start] as Pending).entry.seq } },
            );
      this.#failure = failure;
      for (let i = start; i < batch.length; i += 1) (batch[i] as Pending).reject(failure);
      throw failure;
    }
  }

  /** The open handle of a day file, rolling over (and sealing the previous day's file) when the day changes. */
  async #fileFor(day: string): Promise<FileHandle> {
    if (this.#handle !== undefined && this.#handleDay === day) return this.#handle;
    const path = join(this.dir, dayFileName(day));
    let handle: FileHandle;
    let created = false;
    try {
      handle = await open(
        path,
        constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_EXCL,
        0o600,
      );
      created = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      handle = await open(path, constants.O_WRONLY | constants.O_APPEND);
    }
    if (created) {
      await handle.chmod(0o600); // independent of the umask
      // `none` promises nothing across a power loss: the new name reaches the disk with the OS's own flush.
      if (this.#durability !== 'none') await syncDir(this.dir);
    }
    const previous = this.#handle;
    const previousDay = this.#handleDay;
    this.#handle = handle;
    this.#handleDay = day;
    this.#handlePath = path;
    this.#handleSize = created ? 0 : (await handle.stat()).size;
    if (previous !== undefined) {
      if (previousDay !== day) {
        await previous.chmod(0o400);
        if (this.#durability !== 'none') await previous.sync();
      }
      await previous.close();
    } else if (created) {
      // The newest file before this one was written by an earlier logger: seal it too.
      await this.#sealOlderThan(day);
    }
    return handle;
  }

  #sealedBefore: string | undefined;

  async #sealOlderThan(day: string): Promise<void> {
    if (this.#sealedBefore === day) return;
    for (const file of await listDayFiles(this.dir)) {
      if (file.day < day && ((await stat(file.path)).mode & 0o777) !== 0o400) await chmod(file.path, 0o400);
    }
    this.#sealedBefore = day;
  }

  #fail(error: unknown): void {
    if (this.#state !== 'closed') this.#state = 'failed';
    const failure =
      this.#failure ??
      new AuditWriteError(`audit write to ${this.dir} failed: ${(error as Error).message}`, { cause: error });
    this.#failure = failure;
    for (const p of this.#queue.splice(0)) p.reject(failure);
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
  }

  #waitIdle(): Promise<void> {
    if (!this.#inFlight && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #notifyIdle(): void {
    if (this.#inFlight || this.#queue.length > 0) return;
    for (const w of this.#idleWaiters.splice(0)) w();
  }
}
