/**
 * A CommonJS consumer of the packed library tarballs: every package is packed exactly as it would be
 * published (`pnpm pack`), unpacked into a scratch node_modules next to its npm dependencies, and a `.cjs`
 * file `require()`s each one and uses it (an audit log written and verified through the worker, a risk
 * check, a position from a fill). Fails when a package cannot be required or its CommonJS build misbehaves.
 * Runs offline: npm dependencies are linked from the workspace install, not downloaded.
 */
import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const work = mkdtempSync(join(tmpdir(), 'hl-bot-cjs-'));
const modules = join(work, 'node_modules');
const packs = join(work, 'packs');
mkdirSync(modules, { recursive: true });
mkdirSync(packs, { recursive: true });

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} (in ${cwd}) failed: ${r.status ?? r.signal}\n${r.stdout}\n${r.stderr}`,
    );
  }
  return r.stdout;
}

// `pnpm test` runs under pnpm, so it is on PATH; outside it, use the pinned version through npx.
const pnpm =
  spawnSync('pnpm', ['--version'], { encoding: 'utf8' }).status === 0
    ? ['pnpm']
    : ['npx', '-y', 'pnpm@10.34.9'];

const linked = new Set<string>();
try {
  const names: string[] = [];
  for (const entry of readdirSync(join(root, 'packages'))) {
    const dir = join(root, 'packages', entry);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name: string;
      private?: boolean;
      dependencies?: Record<string, string>;
      exports?: Record<string, unknown>;
    };
    if (manifest.private === true) continue;
    names.push(manifest.name);
    // Declared subpaths (`./wire`) must work under require() as well as the main entry.
    for (const key of Object.keys(manifest.exports ?? {})) {
      if (key !== '.' && key !== './package.json') names.push(`${manifest.name}${key.slice(1)}`);
    }
    const out = run(pnpm[0] as string, [...pnpm.slice(1), 'pack', '--pack-destination', packs], dir);
    const tarball = out.trim().split('\n').pop()?.trim() ?? '';
    const target = join(modules, manifest.name);
    mkdirSync(target, { recursive: true });
    run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], root);
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      if (dep.startsWith('@hl-bot/') || linked.has(dep)) continue;
      linked.add(dep);
      const from = realpathSync(join(dir, 'node_modules', dep));
      mkdirSync(dirname(join(modules, dep)), { recursive: true });
      symlinkSync(from, join(modules, dep), 'dir');
    }
    const files = readdirSync(target);
    if (!files.includes('LICENSE')) throw new Error(`${manifest.name}: the packed tarball has no LICENSE`);
  }

  const consumer = join(work, 'consumer.cjs');
  writeFileSync(
    consumer,
    `'use strict';
const assert = require('node:assert/strict');
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const names = ${JSON.stringify(names)};
for (const name of names) {
  const mod = require(name);
  assert.ok(Object.keys(mod).length > 0, name + ' exports nothing under require()');
  if (name.split('/').length === 2) assert.equal(typeof require(name + '/package.json').version, 'string');
}
const { toDecimal, ManualClock } = require('@hl-bot/core-types');
const { AuditLogger, verifyAuditLog } = require('@hl-bot/audit');
const { RiskConfig, RiskManager } = require('@hl-bot/risk');
const { PositionTracker } = require('@hl-bot/positions');
(async () => {
  assert.equal(toDecimal('0.1').plus('0.2').toString(), '0.3');
  const dir = mkdtempSync(join(tmpdir(), 'hl-bot-cjs-audit-'));
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  const audit = await AuditLogger.open(dir, { clock });
  const risk = new RiskManager({ config: RiskConfig.from({ maxOrderNotional: '1000' }), audit, initialBalance: '10000', clock });
  risk.updateMarketPrice('BTC-USD', '50000');
  const result = await risk.checkOrder({ symbol: 'BTC-USD', side: 'buy', orderType: 'limit', quantity: '0.01', price: '50000' }, []);
  assert.equal(result.approved, true, JSON.stringify(result));
  const tracker = new PositionTracker(audit, { clock });
  const position = await tracker.updateFromFill({ id: 'f1', orderId: 'o1', symbol: 'BTC-USD', side: 'buy', quantity: '0.01', price: '50000', fee: '0.5' });
  assert.equal(position.quantity.toString(), '0.01');
  await audit.close();
  const verification = await verifyAuditLog(dir);
  assert.equal(verification.ok, true, JSON.stringify(verification));
  console.log('ok   require() of ' + names.join(', '));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
`,
  );
  const r = spawnSync(process.execPath, [consumer], { cwd: work, encoding: 'utf8', timeout: 60_000 });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  if (r.status !== 0) {
    console.error(`FAIL a CommonJS consumer of the packed packages (exit ${r.status ?? r.signal})`);
    process.exitCode = 1;
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
