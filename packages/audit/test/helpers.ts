import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AuditEntry, AuditEventInput } from '@hl-bot/core-types';
import { afterEach } from 'vitest';
import { readAuditLog } from '../src/index.js';

const dirs: string[] = [];

export const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
/** URL of the built package entry, for child processes. */
export const distIndexUrl = pathToFileURL(join(packageRoot, 'dist/index.js')).href;
export const distCli = join(packageRoot, 'dist/cli.js');

/** A fresh temp directory, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hl-audit-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

export function orderSubmitted(i: number, timestamp?: number | string | Date): AuditEventInput {
  return {
    type: 'order_submitted',
    orderId: `o${i}`,
    order: { symbol: 'BTC-USD', side: 'buy', orderType: 'limit', quantity: '0.01', price: '50000.5' },
    ...(timestamp === undefined ? {} : { timestamp }),
  };
}

export async function readAll(dir: string): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  for await (const entry of readAuditLog(dir)) entries.push(entry);
  return entries;
}

export async function dayFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => /^audit-\d{4}-\d{2}-\d{2}\.jsonl$/.test(n)).sort();
}

/** The lines of a day file, without the final empty string. */
export async function fileLines(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  return text.split('\n').slice(0, -1);
}

export async function writeLines(path: string, lines: string[]): Promise<void> {
  await writeFile(path, lines.map((l) => `${l}\n`).join(''));
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs node with a script (or file) and collects its output. */
export function runNode(
  args: string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
