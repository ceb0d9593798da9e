import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditLogger } from '@hl-bot/audit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');
let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hl-paper-out-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Name and content hash of every file under a directory. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(dir)).sort()) {
    out[name] = createHash('sha256')
      .update(await readFile(join(dir, name)))
      .digest('hex');
  }
  return out;
}

/** Another process (as a running bot would) holding the audit lock of DIR/audit until it is killed. */
async function holdLog(dir: string): Promise<ChildProcess> {
  const script = `
    import { AuditLogger } from '@hl-bot/audit';
    const audit = await AuditLogger.open(${JSON.stringify(join(dir, 'audit'))}, { durability: 'fsync' });
    await audit.append({ type: 'session_started', app: 'hl-bot', mode: 'live' });
    await audit.append({ type: 'circuit_breaker_tripped', reason: 'operator', trippedAt: Date.now(), cooldownUntil: Date.now() + 60000 });
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: join(here, '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`log holder exited ${code}`)));
  });
  return child;
}

function paper(out: string) {
  return spawnSync(process.execPath, [cli, 'run', '--bars', '100', '--out', out], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('hl-paper run --out never deletes or changes an audit log it did not write', () => {
  it('refuses a directory whose audit log is locked by a running process, and leaves it byte for byte', async () => {
    const dir = join(work, 'running-bot');
    const holder = await holdLog(dir);
    try {
      const before = await snapshot(join(dir, 'audit'));
      const r = paper(dir);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain('locked by a running process');
      expect(r.stderr).toContain(String(holder.pid));
      expect(await snapshot(join(dir, 'audit'))).toEqual(before);
    } finally {
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
    }
  });

  it("refuses a directory holding another program's log even when nothing holds it", async () => {
    const dir = join(work, 'bot-state');
    await mkdir(dir, { recursive: true });
    const audit = await AuditLogger.open(join(dir, 'audit'));
    await audit.append({ type: 'session_started', app: 'hl-bot', mode: 'live' });
    await audit.close();
    const before = await snapshot(join(dir, 'audit'));
    const r = paper(dir);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain('hl-paper did not write');
    expect(await snapshot(join(dir, 'audit'))).toEqual(before);
  });

  it('replaces the log of an earlier hl-paper run in the same directory', async () => {
    const dir = join(work, 'rerun');
    expect(paper(dir).status).toBe(0);
    const first = await snapshot(join(dir, 'audit'));
    const r = paper(dir);
    expect(r.status, r.stderr).toBe(0);
    // A fresh log, not the first run's entries replayed into the second.
    expect(Object.keys(await snapshot(join(dir, 'audit')))).toEqual(Object.keys(first));
  });
});
