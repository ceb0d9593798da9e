import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type AuditAnchor, findAnchorProblem } from './anchor.js';
import { type ChainCursor, GENESIS, linkProblem } from './chain.js';
import { MAX_LINE_BYTES } from './codec.js';
import { endOfDay } from './format.js';
import { type DayFile, listDayFiles } from './log-files.js';
import { type RangeResult, type RangeTask, verifyRange } from './verify-range.js';

/** A log that verified: every line is a valid event and the chain is intact from seq 1. */
export interface AuditVerifyOk {
  readonly ok: true;
  /** Number of entries. */
  readonly entries: number;
  /** Day file names, oldest first. */
  readonly files: readonly string[];
  readonly lastSeq: number;
  readonly lastHash: string;
}

/** The first problem found. `line` is 1-based (0 when the problem is a whole file). */
export interface AuditVerifyFailure {
  readonly ok: false;
  readonly file: string;
  readonly line: number;
  readonly reason: string;
  /** Entries that verified before the problem. */
  readonly entries: number;
}

export type AuditVerifyReport = AuditVerifyOk | AuditVerifyFailure;

export interface VerifyAuditLogOptions {
  /**
   * Worker threads that check byte ranges in parallel (the chain links between ranges are checked here).
   * Default: up to 4, one per available core, for logs of 64 MiB or more while the 1-minute load average
   * leaves a core idle; 0 checks everything in this thread.
   */
  workers?: number;
  /** Target size of one range in bytes (tuning and tests). Default: the log split 4 ways per worker. */
  rangeBytes?: number;
  /**
   * An anchor taken earlier (`AuditLogger#anchor`, `createAuditAnchor`, `hl-audit anchor`): the log must
   * still reach its seq and hold its hash there, or the report fails naming what was cut or rewritten.
   */
  anchor?: AuditAnchor;
}

const PARALLEL_THRESHOLD = 64 * 1024 * 1024;
const WORKER_FILE = fileURLToPath(new URL('./verify-worker.js', import.meta.url));

interface PlannedRange {
  readonly file: number;
  readonly task: RangeTask;
}

/** The offset just after the first newline at or after `from`, or undefined when there is none near. */
async function nextLineStart(path: string, from: number, size: number): Promise<number | undefined> {
  const handle = await open(path, 'r');
  try {
    const length = Math.min(MAX_LINE_BYTES + 1, size - from);
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await handle.read(buffer, 0, length, from);
    const nl = buffer.subarray(0, bytesRead).indexOf(0x0a);
    return nl === -1 ? undefined : from + nl + 1;
  } finally {
    await handle.close();
  }
}

async function plan(
  files: readonly DayFile[],
  sizes: readonly number[],
  rangeBytes: number,
): Promise<PlannedRange[]> {
  const ranges: PlannedRange[] = [];
  for (let f = 0; f < files.length; f += 1) {
    const file = files[f] as DayFile;
    const size = sizes[f] as number;
    const fileEnd = endOfDay(file.day);
    let start = 0;
    while (start < size || (start === 0 && size === 0)) {
      let end = size;
      if (size - start > rangeBytes * 1.5) {
        const cut = await nextLineStart(file.path, start + rangeBytes - 1, size);
        if (cut !== undefined && cut < size) end = cut;
      }
      ranges.push({ file: f, task: { path: file.path, start, end, fileEnd } });
      if (end >= size) break;
      start = end;
    }
  }
  return ranges;
}

async function runInWorkers(tasks: readonly RangeTask[], count: number): Promise<RangeResult[]> {
  const results: RangeResult[] = new Array(tasks.length);
  // The parent's --input-type (from `node --input-type=module -e`) is refused by a worker's file entry.
  const execArgv = process.execArgv.filter((arg) => !arg.startsWith('--input-type'));
  const workers = Array.from(
    { length: Math.min(count, tasks.length) },
    () => new Worker(WORKER_FILE, { execArgv }),
  );
  try {
    let next = 0;
    await Promise.all(
      workers.map(
        (worker) =>
          new Promise<void>((resolve, reject) => {
            const send = () => {
              if (next >= tasks.length) {
                resolve();
                return;
              }
              const id = next;
              next += 1;
              worker.postMessage({ id, task: tasks[id] });
            };
            worker.on('message', (message: { id: number; result?: RangeResult; error?: string }) => {
              if (message.error !== undefined || message.result === undefined) {
                reject(new Error(`audit verify worker failed: ${message.error ?? 'no result'}`));
                return;
              }
              results[message.id] = message.result;
              send();
            });
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (next < tasks.length || code !== 0)
                reject(new Error(`audit verify worker exited with ${code}`));
            });
            send();
          }),
      ),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

/**
 * Verifies a whole log directory: every line parses, is a valid audit event of its file's day, has the hash
 * its bytes give, and continues the chain (seq + 1, prevHash = previous hash) from the genesis entry across
 * day files. Detects edited, deleted, reordered and inserted lines, seq gaps, and missing day files between
 * present ones. Large logs are checked in parallel byte ranges by worker threads; the links between ranges
 * are checked here, so the result is the same as a sequential check.
 *
 * Alone it cannot detect entries cut from the very end of the log, a deleted newest day file or a chain
 * recomputed from an edited entry on: pass an `anchor` kept elsewhere for that.
 *
 * @example
 * const report = await verifyAuditLog('./logs/audit');
 * if (!report.ok) console.error(`${report.file}:${report.line}: ${report.reason}`);
 */
export async function verifyAuditLog(
  dir: string,
  options: VerifyAuditLogOptions = {},
): Promise<AuditVerifyReport> {
  const files = await listDayFiles(dir);
  const sizes = await Promise.all(files.map(async (f) => (await stat(f.path)).size));
  const total = sizes.reduce((a, b) => a + b, 0);
  const available = existsSync(WORKER_FILE) ? Math.min(availableParallelism(), 4) : 0;
  // Workers only pay off with idle cores: on a saturated machine their start-up (each loads the schemas) is
  // pure overhead, so by default they are used for large logs only while the load leaves a core free.
  const idle = (loadavg()[0] ?? 0) < availableParallelism() - 0.5;
  const byDefault = total >= PARALLEL_THRESHOLD && idle ? available : 0;
  const workers = Math.min(options.workers ?? byDefault, available);
  const rangeBytes =
    options.rangeBytes ?? (workers > 0 ? Math.ceil(total / (workers * 4)) : Number.POSITIVE_INFINITY);
  const ranges = await plan(files, sizes, Math.max(1, rangeBytes));
  const tasks = ranges.map((r) => r.task);
  let results: RangeResult[];
  if (workers > 0) {
    results = await runInWorkers(tasks, workers);
  } else {
    results = [];
    for (const task of tasks) {
      const result = await verifyRange(task);
      results.push(result);
      if (result.problem !== undefined || result.fragment) break; // nothing after it can be reported
    }
  }
  const report = stitch(files, ranges, results);
  if (!report.ok || options.anchor === undefined) return report;
  const problem = await findAnchorProblem(dir, report.lastSeq, options.anchor);
  if (problem === undefined) return report;
  return { ok: false, ...problem, entries: report.entries };
}

function stitch(
  files: readonly DayFile[],
  ranges: readonly PlannedRange[],
  results: readonly RangeResult[],
): AuditVerifyReport {
  let cursor: ChainCursor = GENESIS;
  let entries = 0;
  let currentFile = -1;
  let line = 1;
  for (let r = 0; r < results.length; r += 1) {
    const range = ranges[r] as PlannedRange;
    const result = results[r] as RangeResult;
    const file = files[range.file] as DayFile;
    if (range.file !== currentFile) {
      currentFile = range.file;
      line = 1;
    }
    const fail = (at: number, reason: string): AuditVerifyFailure => {
      let text = reason;
      if (at === 1 && range.file > 0) {
        const previous = (files[range.file - 1] as DayFile).name;
        text = `chain broken between ${previous} and ${file.name} (a day file or entries between them may be missing): ${reason}`;
      } else if (at === 1 && cursor.seq === 0) {
        text = `the log does not start at seq 1 with the genesis hash (earlier files missing?): ${reason}`;
      }
      return { ok: false, file: file.name, line: at, reason: text, entries };
    };
    if (result.first !== undefined) {
      const problem = linkProblem(result.first.seq, result.first.prevHash, cursor);
      if (problem !== undefined) return fail(line, problem);
    }
    if (result.problem !== undefined) {
      entries += result.problem.index;
      return fail(line + result.problem.index, result.problem.reason);
    }
    entries += result.entries;
    line += result.entries;
    if (result.last !== undefined) cursor = result.last;
    if (result.fragment) {
      return {
        ok: false,
        file: file.name,
        line,
        reason:
          range.file === files.length - 1
            ? 'incomplete last line (a torn write; opening the log with AuditLogger quarantines it)'
            : 'incomplete last line in a day file that is not the newest',
        entries,
      };
    }
  }
  return { ok: true, entries, files: files.map((f) => f.name), lastSeq: cursor.seq, lastHash: cursor.hash };
}
