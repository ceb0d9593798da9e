import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');
let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hl-paper-usage-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function run(...args: string[]) {
  return spawnSync(process.execPath, [cli, 'run', '--out', join(work, 'out'), ...args], {
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('hl-paper usage errors exit 2 with a message, before anything runs', () => {
  it.each([
    [['--balance', '0'], '--balance'],
    [['--balance', '-5'], '--balance'],
    [['--balance', 'lots'], '--balance'],
    [['--balance', '1e13'], '--balance'],
    [['--bars', '1000000000000'], '--bars'],
    [['--bars', '1e12'], '--bars'],
    [['--bars', '0'], '--bars'],
    [['--seed', '4294967296'], '--seed'],
    [['--interval', '7x'], '--interval'],
    [['--interval', '30d'], '--interval'],
    [['--symbols', 'BTC-USD,BTC-USD'], 'twice'],
    [['--symbols', 'not a symbol'], '--symbols'],
    [['--strategy', 'no-such-strategy'], '--strategy'],
    [['--config', '/nonexistent/risk.json'], '--config'],
    [['--data', '/nonexistent/candles.csv'], '--data'],
    [['--data', 'a.csv', '--synthetic'], 'exclude'],
    [['--frobnicate'], 'frobnicate'],
  ])('%j', (args, mention) => {
    const started = Date.now();
    const r = run(...args);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain(mention);
    expect(r.stdout).not.toContain('NaN');
    // Refused at once, never after a long run (a trillion bars used to hang).
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('exits 2 for a risk config that does not validate, naming the field', async () => {
    const file = join(work, 'bad-risk.json');
    await writeFile(file, JSON.stringify({ maxDailyLoss: '-1' }));
    const r = run('--config', file);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('maxDailyLoss');
  });

  it.each(['1d', '7d'])('runs on %s bars, the top of the documented interval range', (interval) => {
    // The derived mark age (two bars) must fit the risk config's bounds, or daily bars exit 2.
    const r = run('--interval', interval, '--bars', '60');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('hl-paper run finished');
  });

  it('documents the bounds in --help', () => {
    const r = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
    expect(r.stdout).toContain('1 to 1,000,000');
    expect(r.stdout).toContain('above 0 and at most 1,000,000,000,000');
  });
});
