import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AuditEntry } from '@hl-bot/core-types';
import { Decimal } from '@hl-bot/core-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditEntries,
  botStatus,
  controlOf,
  eventually,
  ledgerPositions,
  type RunningSim,
  runCli,
  spawnBot,
  startSim,
  venuePositions,
  writeConfig,
} from './live-harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const PAIRED = join(here, 'fixtures', 'paired-strategy.mjs');
const work = mkdtempSync(join(tmpdir(), 'hl-bot-strategies-'));

interface StrategyStatus {
  name: string;
  symbols: string[];
  positions: number;
  exposure: string;
  ordersSubmitted: number;
  ordersRejected: number;
}

/** The one strategy form of the harness's config is dropped: these configs list `strategies`. */
function strategiesConfig(dir: string, sim: RunningSim, extra: Record<string, unknown>): string {
  return writeConfig(dir, sim, { symbols: undefined, strategy: undefined, ...extra });
}

function fills(entries: AuditEntry[], symbol: string): number {
  return entries.filter((e) => e.type === 'order_filled' && e.fill.symbol === symbol).length;
}

function rejections(entries: AuditEntry[], code: string) {
  return entries.flatMap((e) => (e.type === 'risk_rejected' && e.code === code ? [e] : []));
}

describe('several strategies in one bot', () => {
  let sim: RunningSim;
  beforeAll(async () => {
    sim = await startSim(['--symbols', 'BTC,ETH']);
  });
  afterAll(async () => {
    await sim?.stop();
  });

  it('two strategies trade their own symbols through one risk manager and one audit log; status and metrics show each and the total; an order on the other’s symbol and one over a strategy limit are refused, audited with the strategy’s name', async () => {
    const stateDir = join(work, 'two');
    const config = strategiesConfig(stateDir, sim, {
      strategies: [
        { name: 'alpha', strategy: PAIRED, symbols: ['BTC-USD'], limits: { maxOrderNotional: '30' } },
        { name: 'beta', strategy: PAIRED, symbols: ['ETH-USD'] },
      ],
    });
    const bot = spawnBot(config, stateDir, { POACH_SYMBOL: 'ETH-USD' });
    try {
      await eventually(
        async () => {
          const e = await auditEntries(stateDir);
          return (
            fills(e, 'BTC-USD') >= 1 &&
            fills(e, 'ETH-USD') >= 1 &&
            rejections(e, 'STRATEGY_SYMBOL_NOT_OWNED').length >= 1 &&
            rejections(e, 'STRATEGY_ORDER_NOTIONAL').length >= 1
          );
        },
        'fills in both symbols and both kinds of refusal',
        30_000,
      );
      const entries = await auditEntries(stateDir);
      const poached = rejections(entries, 'STRATEGY_SYMBOL_NOT_OWNED');
      for (const r of poached) {
        expect(r.order.symbol).toBe('ETH-USD');
        expect(r.failures[0]?.details).toMatchObject({ strategy: 'alpha', symbol: 'ETH-USD', owner: 'beta' });
        expect(r.reason).toContain('alpha');
      }
      for (const r of rejections(entries, 'STRATEGY_ORDER_NOTIONAL')) {
        expect(r.order.symbol).toBe('BTC-USD');
        expect(r.failures[0]?.details).toMatchObject({ strategy: 'alpha', limit: '30' });
        expect(new Decimal(r.failures[0]?.details.notional ?? '0').gt(30)).toBe(true);
      }
      // Refused before the engine: no refused order was sent, and every order sent was within alpha's limit.
      for (const e of entries) {
        if (e.type !== 'order_submitted' || e.order.symbol !== 'BTC-USD') continue;
        expect(e.order.quantity.times(e.order.price ?? 0).lte(30)).toBe(true);
      }

      const status = (await botStatus(stateDir)) as Record<string, unknown>;
      const strategies = status.strategies as StrategyStatus[];
      expect(strategies.map((s) => [s.name, s.symbols])).toEqual([
        ['alpha', ['BTC-USD']],
        ['beta', ['ETH-USD']],
      ]);
      const [alpha, beta] = strategies as [StrategyStatus, StrategyStatus];
      expect(alpha.ordersSubmitted).toBeGreaterThanOrEqual(1);
      expect(beta.ordersSubmitted).toBeGreaterThanOrEqual(1);
      expect(alpha.ordersRejected).toBeGreaterThanOrEqual(poached.length);
      expect(beta.ordersRejected).toBe(0);
      // The totals are the account's: with no other symbol held, they are the strategies' sum.
      expect(new Decimal(alpha.exposure).plus(beta.exposure).eq(status.exposure as string)).toBe(true);
      expect(alpha.positions + beta.positions).toBe((status.positions as unknown[]).length);

      const control = controlOf(stateDir);
      const metrics = await (await fetch(`${control?.url}/metrics`)).text();
      for (const name of ['alpha', 'beta'])
        expect(metrics).toMatch(
          new RegExp(`hl_bot_strategy_orders_submitted_total\\{strategy="${name}"\\} [1-9]`),
        );
      expect(metrics).toMatch(
        /hl_bot_strategy_rejections_total\{strategy="alpha",code="STRATEGY_SYMBOL_NOT_OWNED"\} [1-9]/,
      );
      expect(metrics).toMatch(/hl_bot_strategy_exposure\{strategy="beta"\} /);
      expect(metrics).toMatch(/^hl_bot_exposure \d/m);

      const text = (await runCli(['status', '--state-dir', stateDir])).out;
      expect(text).toMatch(/^strategies +2$/m);
      expect(text).toMatch(/^ {2}alpha +strategy=\S+ symbols=BTC-USD positions=\d/m);
      expect(text).toMatch(/^ {2}beta +strategy=\S+ symbols=ETH-USD positions=\d/m);
    } finally {
      bot.proc.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
    }
    const ledger = await ledgerPositions(stateDir);
    expect(ledger).toEqual(await venuePositions(sim));

    // With no bot running, `status --config` still shows each strategy's part, from the audit log.
    const cli = await runCli(['status', '--config', config, '--state-dir', stateDir, '--json']);
    expect(cli.code, cli.out).toBe(0);
    const offline = JSON.parse(cli.out) as {
      running: boolean;
      positions: Array<{ symbol: string; quantity: string; entryPrice: string }>;
      strategies: Array<{ name: string; symbols: string[]; positions: number; exposureAtEntry: string }>;
    };
    expect(offline.running).toBe(false);
    expect(offline.strategies.map((s) => [s.name, s.symbols])).toEqual([
      ['alpha', ['BTC-USD']],
      ['beta', ['ETH-USD']],
    ]);
    for (const s of offline.strategies) {
      const held = offline.positions.filter((p) => s.symbols.includes(p.symbol));
      expect(s.positions).toBe(held.length);
      const atEntry = held.reduce(
        (sum, p) => sum.plus(new Decimal(p.quantity).times(p.entryPrice)),
        new Decimal(0),
      );
      expect(new Decimal(s.exposureAtEntry).eq(atEntry)).toBe(true);
    }
    expect(offline.strategies.reduce((n, s) => n + s.positions, 0)).toBe(offline.positions.length);
  }, 60_000);

  it('refuses at start a config where two strategies trade one symbol that sharedSymbols does not list', async () => {
    const stateDir = join(work, 'overlap');
    const config = strategiesConfig(stateDir, sim, {
      strategies: [
        { name: 'alpha', strategy: PAIRED, symbols: ['BTC-USD'] },
        { name: 'beta', strategy: PAIRED, symbols: ['ETH-USD', 'BTC-USD'] },
      ],
    });
    const bot = spawnBot(config, stateDir);
    expect(await bot.exited).toBe(2);
    const out = bot.output.join('');
    expect(out).toContain('BTC-USD is traded by alpha and beta');
    expect(out).toContain('sharedSymbols');
    expect(existsSync(join(stateDir, 'audit'))).toBe(false);
  }, 20_000);
});
