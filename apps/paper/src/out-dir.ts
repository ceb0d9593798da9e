import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PaperUsageError } from './options.js';

/** Written into every output directory hl-paper made; only a directory holding it is ever cleared. */
export const OUT_MARKER = '.hl-paper-out';
/** The audit package's directory lock (`pid\nhost\n`). */
const LOCK_FILE = 'audit.lock';

function listing(dir: string): string[] | undefined {
  try {
    return readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The pid holding the directory's audit lock, when that process is (or may be) still running. */
function liveLockHolder(auditDir: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(auditDir, LOCK_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const [pidText = '', host = ''] = text.split('\n');
  const pid = Number(pidText);
  // A lock from another host, or one we cannot read, may be live: never assume it is stale.
  if (!Number.isSafeInteger(pid) || pid <= 0 || host !== hostname()) return pidText || '?';
  try {
    process.kill(pid, 0);
    return String(pid);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? String(pid) : undefined;
  }
}

/** True when the log's first `session_started` is hl-paper's (a run from before the marker existed). */
function writtenByPaper(auditDir: string, files: readonly string[]): boolean {
  const first = files.filter((f) => /^audit-.*\.jsonl$/.test(f)).sort()[0];
  if (first === undefined) return false;
  try {
    const lines = readFileSync(join(auditDir, first), 'utf8').split('\n', 20);
    for (const line of lines) {
      const entry = JSON.parse(line) as { type?: unknown; app?: unknown };
      if (entry.type === 'session_started') return entry.app === 'hl-paper';
    }
    return false;
  } catch {
    return false;
  }
}

/**
 * Makes `outDir/audit` a fresh, empty log directory for this run without ever deleting or changing a log
 * hl-paper did not write: a directory with a live audit lock (a running bot or run) is refused, and so is an
 * audit log in a directory that does not carry hl-paper's marker (another program's log, a bot's state).
 * Only an earlier hl-paper run's log, no longer locked, is removed.
 *
 * @throws {PaperUsageError} code `PAPER_USAGE` naming the directory and the reason
 */
export async function prepareOutDir(outDir: string): Promise<string> {
  const auditDir = join(outDir, 'audit');
  const audit = listing(auditDir);
  if (audit !== undefined && audit.length > 0) {
    const holder = liveLockHolder(auditDir);
    if (holder !== undefined) {
      throw new PaperUsageError(
        `--out ${outDir}: ${auditDir} is locked by a running process (pid ${holder}); choose another --out directory`,
      );
    }
    if (!(listing(outDir) ?? []).includes(OUT_MARKER) && !writtenByPaper(auditDir, audit)) {
      throw new PaperUsageError(
        `--out ${outDir}: ${auditDir} holds an audit log hl-paper did not write; it is left untouched. Choose another --out directory`,
      );
    }
    // An earlier run's log: replaying it into this run would mix two runs.
    await rm(auditDir, { recursive: true, force: true });
  }
  await mkdir(auditDir, { recursive: true });
  await writeFile(join(outDir, OUT_MARKER), 'written by hl-paper: this directory holds paper-run output\n');
  return auditDir;
}
