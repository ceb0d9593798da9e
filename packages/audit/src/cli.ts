import { existsSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  AUDIT_EVENT_TYPES,
  type AuditEntry,
  type AuditEventType,
  HlBotError,
  ManualClock,
} from '@hl-bot/core-types';
import { type AuditAnchor, formatAuditAnchor, readAuditAnchor, writeAuditAnchor } from './anchor.js';
import { AuditLogger } from './audit-logger.js';
import { type ChainCursor, checkLink } from './chain.js';
import { toEntry } from './codec.js';
import { createAuditAnchor } from './create-anchor.js';
import { writeDemoDay } from './demo.js';
import { describeEntry } from './describe-entry.js';
import { AuditCorruptError } from './errors.js';
import { type LineTail, lineAt, readLineBatches } from './line-reader.js';
import { listDayFiles } from './log-files.js';
import { readAuditLog } from './read-audit-log.js';
import { verifyAuditLog } from './verify-audit-log.js';
import { verifyLines } from './verify-lines.js';

const USAGE = `hl-audit: inspect and verify an hl-bot audit log directory

Usage:
  hl-audit verify DIR [--anchor FILE|SEQ:HASH|HASH]
                                          verify every line, the hash chain and seq continuity; with
                                          --anchor, also that the log still reaches the anchored entry
                                          and holds the anchored hash there
  hl-audit verify -                       verify audit lines read from stdin (another store's copy, e.g.
                                          the PostgreSQL mirror: hl-audit-pg lines ... | hl-audit verify -)
  hl-audit anchor DIR [--out FILE]        verify, then print the anchor (last seq and hash) as JSON;
                                          --out also writes it to FILE (keep it outside DIR)
  hl-audit tail DIR [-n N] [--follow] [--json]
                                          print the last N entries (default 10); --follow waits for more
  hl-audit show DIR [--type T]... [--since TIME] [--until TIME] [--json]
                                          print entries, filtered by type and time (ISO or epoch ms)
  hl-audit demo DIR                       write a short demo trading day with the real logger, then verify
  hl-audit --help

Exit codes: 0 ok, 1 verification failed or the log is corrupt, 2 usage error.`;

class UsageError extends Error {}

const out = (text: string) => process.stdout.write(`${text}\n`);
const err = (text: string) => process.stderr.write(`${text}\n`);

function parseTime(text: string, flag: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isSafeInteger(ms)) throw new UsageError(`${flag}: not an ISO time or epoch ms: ${text}`);
  return ms;
}

function requireDir(positionals: string[], command: string): string {
  const dir = positionals[1];
  if (dir === undefined) throw new UsageError(`${command} needs a DIR`);
  if (positionals.length > 2) throw new UsageError(`unexpected argument ${positionals[2]}`);
  return dir;
}

function requireExistingDir(positionals: string[], command: string): string {
  const dir = requireDir(positionals, command);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir} is not a directory`);
  return dir;
}

function render(entry: AuditEntry, json: boolean): string {
  return json ? JSON.stringify(entry) : describeEntry(entry);
}

async function verify(dir: string, anchorSource?: string): Promise<number> {
  const started = performance.now();
  let anchor: AuditAnchor | undefined;
  if (anchorSource !== undefined) {
    try {
      anchor = await readAuditAnchor(anchorSource);
    } catch (error) {
      throw new UsageError(`--anchor: ${(error as Error).message}`);
    }
  }
  const report = await verifyAuditLog(dir, anchor === undefined ? {} : { anchor });
  const ms = (performance.now() - started).toFixed(0);
  if (report.ok) {
    out(`OK: ${report.entries} entries in ${report.files.length} day file(s), chain intact (${ms} ms)`);
    out(`last seq ${report.lastSeq}, last hash ${report.lastHash}`);
    if (anchor !== undefined) {
      out(`anchor ${anchor.seq === undefined ? '' : `seq ${anchor.seq} `}hash ${anchor.hash}: held`);
    }
    return 0;
  }
  out(`FAILED: ${report.file}:${report.line}: ${report.reason}`);
  out(`${report.entries} entries verified before the problem`);
  return 1;
}

async function verifyStdin(): Promise<number> {
  const { createInterface } = await import('node:readline');
  const report = await verifyLines(
    createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY }),
  );
  if (report.ok) {
    const range = report.firstSeq === undefined ? '' : ` (seq ${report.firstSeq}..${report.lastSeq})`;
    out(`OK: ${report.entries} entries from stdin${range}, chain intact`);
    if (report.lastHash !== undefined) out(`last seq ${report.lastSeq}, last hash ${report.lastHash}`);
    return 0;
  }
  out(`FAILED: stdin:${report.problem?.line}: ${report.problem?.reason}`);
  out(`${report.entries} entries verified before the problem`);
  return 1;
}

async function anchorCommand(dir: string, outFile: string | undefined): Promise<number> {
  const anchor = await createAuditAnchor(dir);
  if (outFile !== undefined) {
    if (isInside(resolve(dir), resolve(outFile))) {
      throw new UsageError(
        '--out: keep the anchor outside the log directory (it would be rewritten with it)',
      );
    }
    await writeAuditAnchor(outFile, anchor);
    err(`anchor written to ${outFile}`);
  }
  out(formatAuditAnchor(anchor));
  return 0;
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

async function show(dir: string, values: Record<string, unknown>): Promise<number> {
  const typeValues = (values.type as string[] | undefined) ?? [];
  const types = typeValues.flatMap((t) => t.split(',')).filter((t) => t !== '');
  for (const t of types) {
    if (!(AUDIT_EVENT_TYPES as readonly string[]).includes(t))
      throw new UsageError(`unknown event type ${t}`);
  }
  const filter = {
    ...(types.length > 0 ? { types: types as AuditEventType[] } : {}),
    ...(values.since === undefined ? {} : { since: parseTime(values.since as string, '--since') }),
    ...(values.until === undefined ? {} : { until: parseTime(values.until as string, '--until') }),
  };
  const json = values.json === true;
  let count = 0;
  for await (const entry of readAuditLog(dir, filter)) {
    out(render(entry, json));
    count += 1;
  }
  if (!json) err(`${count} entries`);
  return 0;
}

async function tail(dir: string, values: Record<string, unknown>): Promise<number> {
  const nText = (values.n as string | undefined) ?? '10';
  if (!/^\d+$/.test(nText)) throw new UsageError(`-n: not a count: ${nText}`);
  const n = Number(nText);
  const json = values.json === true;
  const ring: AuditEntry[] = [];
  // Positions to continue from when following: the newest file read and where its complete lines end.
  let cursor: ChainCursor | undefined;
  let fileName: string | undefined;
  let offset = 0;
  let line = 1;
  const readFrom = async (emit: (e: AuditEntry) => void): Promise<void> => {
    const files = await listDayFiles(dir);
    for (const file of files) {
      if (fileName !== undefined && file.name < fileName) continue;
      if (file.name !== fileName) {
        fileName = file.name;
        offset = 0;
        line = 1;
      }
      const end: { value?: LineTail } = {};
      for await (const batch of readLineBatches(file.path, end, offset, line)) {
        for (let i = 0; i < batch.ends.length; i += 1) {
          const decoded = checkLink(lineAt(batch, i), cursor);
          if (typeof decoded === 'string')
            throw new AuditCorruptError(file.name, batch.firstLine + i, decoded);
          const entry = toEntry(decoded);
          if (typeof entry === 'string') throw new AuditCorruptError(file.name, batch.firstLine + i, entry);
          cursor = { seq: decoded.seq, hash: decoded.hash };
          emit(entry);
        }
      }
      if (end.value !== undefined) {
        offset = end.value.offset;
        line = end.value.line;
      }
    }
  };
  await readFrom((entry) => {
    ring.push(entry);
    if (ring.length > n) ring.shift();
  });
  for (const entry of ring) out(render(entry, json));
  if (values.follow !== true) return 0;
  const stop = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  while (!stopped) {
    await Promise.race([stop, new Promise((resolve) => setTimeout(resolve, 250))]);
    if (stopped) break;
    await readFrom((entry) => out(render(entry, json)));
  }
  return 0;
}

async function demo(dir: string): Promise<number> {
  // The demo day starts 8 hours ago so that its events end around now.
  const clock = new ManualClock(Date.now() - 8 * 3_600_000);
  const audit = await AuditLogger.open(dir, { clock, durability: 'group' });
  let count: number;
  try {
    count = await writeDemoDay(audit, clock);
  } finally {
    await audit.close();
  }
  out(`wrote ${count} events to ${audit.dir} (last seq ${audit.lastSeq})`);
  const counts = new Map<string, number>();
  for await (const entry of readAuditLog(dir)) counts.set(entry.type, (counts.get(entry.type) ?? 0) + 1);
  for (const [type, c] of [...counts].sort((a, b) => b[1] - a[1])) out(`  ${type.padEnd(26)} ${c}`);
  return verify(dir);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      follow: { type: 'boolean', short: 'f' },
      n: { type: 'string', short: 'n' },
      type: { type: 'string', short: 't', multiple: true },
      since: { type: 'string' },
      until: { type: 'string' },
      json: { type: 'boolean' },
      anchor: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const command = positionals[0];
  if (values.help === true || command === 'help') {
    out(USAGE);
    return 0;
  }
  const allowed: Record<string, readonly string[]> = {
    verify: ['anchor'],
    anchor: ['out'],
    demo: [],
    tail: ['n', 'follow', 'json'],
    show: ['type', 'since', 'until', 'json'],
  };
  if (command === undefined) throw new UsageError('missing command');
  const flags = allowed[command];
  if (flags === undefined) throw new UsageError(`unknown command ${command}`);
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && !flags.includes(key))
      throw new UsageError(`${command} does not take --${key}`);
  }
  switch (command) {
    case 'verify':
      if (positionals[1] === '-' && positionals.length === 2) {
        if (values.anchor !== undefined) throw new UsageError('verify - does not take --anchor');
        return verifyStdin();
      }
      return verify(requireExistingDir(positionals, command), values.anchor);
    case 'anchor':
      return anchorCommand(requireExistingDir(positionals, command), values.out);
    case 'tail':
      return tail(requireExistingDir(positionals, command), values);
    case 'show':
      return show(requireExistingDir(positionals, command), values);
    default:
      return demo(requireDir(positionals, command));
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      err(`hl-audit: ${(error as Error).message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (HlBotError.is(error)) {
      err(`hl-audit: ${error.code}: ${error.message}`);
      process.exitCode = 1;
    } else {
      err(`hl-audit: ${(error as Error).stack ?? String(error)}`);
      process.exitCode = 1;
    }
  },
);
