import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AuditLogger, verifyAuditLog } from '../src/index.js';
import { distIndexUrl, readAll, tempDir } from './helpers.js';

describe('durability across SIGKILL', () => {
  it('keeps every append a killed process saw resolve, and the directory verifies after reopening', async () => {
    const dir = await tempDir();
    // Eight concurrent writers so that group commits of several entries are in flight when the kill lands.
    const script = `
      import { AuditLogger } from ${JSON.stringify(distIndexUrl)};
      const audit = await AuditLogger.open(${JSON.stringify(dir)}, { durability: 'group' });
      let i = 0;
      const writer = async () => {
        for (;;) {
          const n = i++;
          const entry = await audit.append({ type: 'note', message: 'tick ' + n });
          process.stdout.write(entry.seq + '\\n');
        }
      };
      for (let w = 0; w < 8; w++) void writer();
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_c, s) => resolve(s)));
    const reported300 = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`child reported too little: ${stdout.length} ${stderr}`)),
        60_000,
      );
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        // More than 300 complete lines: split() also yields the unfinished text after the last newline.
        if (stdout.split('\n').length > 301) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    try {
      await reported300;
    } finally {
      child.kill('SIGKILL'); // also when the child failed to report: never leave it running
    }
    expect(await exited).toBe('SIGKILL');
    const reported = stdout
      .split('\n')
      .filter((l) => /^\d+$/.test(l))
      .map(Number);
    expect(reported.length).toBeGreaterThan(300);

    // Reopening takes over the dead process's lock (noting it) and repairs a torn tail if there is one.
    const audit = await AuditLogger.open(dir);
    await audit.close();
    const entries = await readAll(dir);
    const present = new Set(entries.map((e) => e.seq));
    const missing = reported.filter((seq) => !present.has(seq));
    expect(missing).toEqual([]);
    expect(entries.some((e) => e.type === 'note' && e.message.includes('stale audit lock'))).toBe(true);
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true });
  });
});
