import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditLogger } from '@hl-bot/audit';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { PgAuditMirror } from '../src/index.js';
import { newAccount } from './helpers.js';

const url = inject('pgUrl');
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
// hl-audit's own verifier, as an operator runs it: the built CLI of @hl-bot/audit.
const AUDIT_CLI = join(dirname(createRequire(import.meta.url).resolve('@hl-bot/audit')), 'cli.js');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string>, input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, HL_SHARED_RISK_URL: '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

async function mirroredLog(account: string, botId: string, n: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hl-mirror-cli-'));
  dirs.push(dir);
  const mirror = new PgAuditMirror({ url, account, botId });
  const logger = await AuditLogger.open(dir, { durability: 'none' });
  const sink = mirror.wrap(logger);
  for (let i = 0; i < n; i++) await sink.append({ type: 'note', message: `entry ${i}` });
  await logger.close();
  await mirror.flush();
  await mirror.close();
}

describe('hl-audit-pg', () => {
  it('verifies a mirrored chain, and its lines verify with hl-audit verify - as the local log does (tampering: audit-mirror.test.ts)', async () => {
    const account = newAccount();
    await mirroredLog(account, 'trend', 12);
    const env = { HL_SHARED_RISK_URL: url };
    const [verify, lines] = await Promise.all([
      run([CLI, 'verify', '--account', account, '--bot', 'trend'], env),
      run([CLI, 'lines', '--account', account, '--bot', 'trend'], env),
    ]);
    expect(verify).toMatchObject({ code: 0 });
    expect(verify.stdout).toContain(`OK: 12 mirrored entries of ${account}/trend (seq 1..12), chain intact`);
    expect(lines.stdout.trim().split('\n')).toHaveLength(12);
    const piped = await run([AUDIT_CLI, 'verify', '-'], {}, lines.stdout);
    expect(piped.stdout).toContain('OK: 12 entries from stdin (seq 1..12), chain intact');
  });

  it('takes the URL only from the environment or a file, and never prints its password', async () => {
    const noUrl = await run([CLI, 'verify', '--account', 'a', '--bot', 'b'], {});
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain('set HL_SHARED_RISK_URL');
    // A server that is not there: the error names the failure, not the secret.
    const secret = 's3cr3t-pw';
    const down = await run([CLI, 'verify', '--account', 'a', '--bot', 'b'], {
      HL_SHARED_RISK_URL: `postgres://hl:${secret}@127.0.0.1:1/x`,
    });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/hl-audit-pg: .*ECONNREFUSED/);
    expect(down.stdout + down.stderr).not.toContain(secret);
  });
});
