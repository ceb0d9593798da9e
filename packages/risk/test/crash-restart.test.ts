import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditLogger } from '@hl-bot/audit';
import { describe, expect, it } from 'vitest';
import { RiskCode, RiskConfig, RiskManager } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
// Node itself runs the child (tsx as a loader), so SIGKILL hits the process that holds the log, not a wrapper.
const root = resolve(here, '../../..');

function runUntilReady(dir: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'crash-child.fixture.ts'), dir], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) {
        // Crash: no close, no exit handlers.
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL' && out.startsWith('ready')) resolvePromise(out.trim());
      else reject(new Error(`child ended without ready (signal ${signal}): ${out}${err}`));
    });
  });
}

describe('crash and restart (real child process killed with SIGKILL)', () => {
  it('keeps the tripped breaker, the day-start equity and the loss streak after the process is killed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hl-risk-crash-'));
    try {
      expect(await runUntilReady(dir)).toBe('ready HALTED');
      const audit = await AuditLogger.open(dir, { durability: 'fsync' });
      const config = RiskConfig.from({ maxConsecutiveLosses: 3, maxDailyLoss: '1000' });
      const risk = await RiskManager.recover({ config, auditLogger: audit });
      expect(risk.state).toMatchObject({
        tradingState: 'HALTED',
        circuitBreakerTripped: true,
        circuitBreakerReason: 'consecutive losses: 3 >= 3',
        consecutiveLosses: 3,
      });
      expect(risk.state.dayStartEquity?.toString()).toBe('10000');
      expect(risk.state.dailyPnl.toString()).toBe('-300');
      expect(await risk.resetCircuitBreaker()).toBe(false);
      risk.updateMarketPrice('BTC-USD', '50000');
      const r = await risk.checkOrder({
        symbol: 'BTC-USD',
        side: 'buy',
        orderType: 'limit',
        quantity: '0.001',
        price: '50000',
      });
      expect(r.failures.map((f) => f.code)).toEqual([
        RiskCode.CIRCUIT_BREAKER_TRIPPED,
        RiskCode.ACCOUNT_STATE_MISSING,
      ]);
      await audit.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
