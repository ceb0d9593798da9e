import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLogger } from '../src/index.js';
import { dayFiles, distCli, orderSubmitted, runNode, tempDir } from './helpers.js';

const cli = (...args: string[]) => runNode([distCli, ...args]);
const verifyStdin = (input: string) => runNode([distCli, 'verify', '-'], { input });

describe('hl-audit CLI', () => {
  it('prints usage for --help with exit 0, and exits 2 on usage errors', async () => {
    const help = await cli('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('hl-audit verify DIR');
    const usageErrors = [
      [],
      ['bogus'],
      ['verify'],
      ['verify', '/nonexistent-dir-xyz'],
      ['tail', '.', '-n', 'x'],
      ['show', '.', '--type', 'nope'],
      ['verify', '.', '--json'],
      ['verify', '-', '--anchor', 'x'],
      ['--what'],
    ];
    const results = await Promise.all(usageErrors.map((args) => cli(...args)));
    results.forEach((result, i) => {
      expect({ args: usageErrors[i], code: result.code }).toEqual({ args: usageErrors[i], code: 2 });
      expect(result.stderr).toContain('hl-audit:');
    });
  });

  it('demo writes a trading day through the real logger and verifies it (exit 0)', async () => {
    const dir = await tempDir();
    const demo = await cli('demo', dir);
    expect(demo.stderr).toBe('');
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/wrote \d+ events/);
    expect(demo.stdout).toMatch(/OK: \d+ entries/);
    for (const type of [
      'order_submitted',
      'order_filled',
      'position_closed',
      'risk_rejected',
      'circuit_breaker_tripped',
      'circuit_breaker_reset',
    ]) {
      expect(demo.stdout).toContain(type);
    }

    const verify = await cli('verify', dir);
    expect(verify.code).toBe(0);

    const tail = await cli('tail', dir, '-n', '3');
    expect(tail.code).toBe(0);
    expect(tail.stdout.trim().split('\n')).toHaveLength(3);
    expect(tail.stdout).toContain('session_stopped');

    const fills = await cli('show', dir, '--type', 'order_filled', '--json');
    expect(fills.code).toBe(0);
    const lines = fills.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.type === 'order_filled')).toBe(true);

    const none = await cli('show', dir, '--since', '2999-01-01T00:00:00Z');
    expect(none.code).toBe(0);
    expect(none.stdout).toBe('');
  });

  it('verify - checks audit lines from stdin (a copy from another store) with the same chain rule', async () => {
    const dir = await tempDir();
    const logger = await AuditLogger.open(dir, { durability: 'none' });
    for (let i = 0; i < 8; i++) await logger.append(orderSubmitted(i));
    await logger.close();
    const lines: string[] = [];
    for (const file of await dayFiles(dir))
      lines.push(...(await readFile(join(dir, file), 'utf8')).trim().split('\n'));
    const missing = [...lines.slice(0, 4), ...lines.slice(5)];
    const edited = lines.map((l, i) => (i === 2 ? l.replace('"seq":3', '"seq":3,"x":1') : l));
    const [whole, gap, tampered] = await Promise.all([
      verifyStdin(`${lines.join('\n')}\n`),
      verifyStdin(missing.join('\n')),
      verifyStdin(edited.join('\n')),
    ]);
    expect(whole.code).toBe(0);
    expect(whole.stdout).toContain(
      `OK: ${lines.length} entries from stdin (seq 1..${lines.length}), chain intact`,
    );
    expect(gap.code).toBe(1);
    expect(gap.stdout).toContain('FAILED: stdin:5: seq 6 where 5 was expected');
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain('FAILED: stdin:3:');
  });

  it('verify exits 1 and names file and line when a line was edited; show exits 1 too', async () => {
    const dir = await tempDir();
    expect((await cli('demo', dir)).code).toBe(0);
    const [first] = await dayFiles(dir);
    if (first === undefined) throw new Error('no day file');
    const path = join(dir, first);
    await chmod(path, 0o600);
    const text = await readFile(path, 'utf8');
    await writeFile(path, text.replace('"dayStartEquity":"10000"', '"dayStartEquity":"99999"'));
    const verify = await cli('verify', dir);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain(`FAILED: ${first}:2:`);
    const show = await cli('show', dir);
    expect(show.code).toBe(1);
    expect(show.stderr).toContain('AUDIT_CORRUPT');
  });
});
