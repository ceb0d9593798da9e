import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readAuditLog, verifyAuditLog } from '@hl-bot/audit';
import { type AuditEntry, Decimal } from '@hl-bot/core-types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPaper, summaryRows } from '../src/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');
let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hl-paper-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function auditEntries(dir: string): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for await (const e of readAuditLog(dir)) out.push(e);
  return out;
}

describe('hl-paper run', () => {
  it('trades, shows risk rejections and leaves a verified audit log, a summary and a report', async () => {
    const result = await runPaper({ outDir: join(work, 'default'), bars: 1500 });
    expect(result.summary.trades.count).toBeGreaterThan(0);
    expect(result.summary.risk.rejections).toBeGreaterThan(0);
    expect(Object.keys(result.summary.risk.rejectionsByCode).length).toBeGreaterThan(0);
    const verification = await verifyAuditLog(result.auditDir);
    expect(verification.ok).toBe(true);
    const html = await readFile(result.reportPath, 'utf8');
    expect(html).toContain('id="equity-chart"');
    expect(html).not.toMatch(/<script[^>]+src=/); // self-contained, nothing fetched
  });

  it('sends only risk-approved orders to the exchange: every submission follows no rejection of itself', async () => {
    const result = await runPaper({ outDir: join(work, 'pipeline'), bars: 1500 });
    const log = await auditEntries(result.auditDir);
    const submitted = log.filter((e) => e.type === 'order_submitted');
    const rejected = log.filter((e) => e.type === 'risk_rejected');
    expect(submitted.length).toBe(result.summary.orders.submitted);
    expect(rejected.length).toBe(
      result.summary.risk.rejections - (result.summary.risk.rejectionsByCode.ENGINE_NOT_RUNNING ?? 0),
    );
    const rejectedIds = new Set(
      rejected.map((e) => (e.type === 'risk_rejected' ? e.order.clientOrderId : undefined)).filter(Boolean),
    );
    for (const s of submitted) {
      if (s.type === 'order_submitted') expect(rejectedIds.has(s.orderId)).toBe(false);
    }
    // Fills went through the position tracker: each one is in the log once.
    const fills = log.filter((e) => e.type === 'order_filled');
    expect(fills.length).toBe(result.summary.orders.fills);
  });

  it('gives a byte-identical summary.json for the same seed, config and data', async () => {
    const a = await runPaper({ outDir: join(work, 'det-a'), bars: 800, seed: 7 });
    const b = await runPaper({ outDir: join(work, 'det-b'), bars: 800, seed: 7 });
    const c = await runPaper({ outDir: join(work, 'det-c'), bars: 800, seed: 8 });
    const [ta, tb, tc] = await Promise.all([a, b, c].map((r) => readFile(r.summaryPath, 'utf8')));
    expect(ta).toBe(tb);
    expect(ta).not.toBe(tc);
  });

  it('takes risk limits from the config file, overridden by RISK_* variables', async () => {
    const config = join(work, 'risk.json');
    await writeFile(config, JSON.stringify({ maxOrderNotional: '5' }));
    const strict = await runPaper({
      outDir: join(work, 'strict'),
      bars: 600,
      configFile: config,
      strategy: 'trend',
    });
    expect(strict.summary.orders.submitted).toBe(0);
    expect(strict.summary.risk.rejectionsByCode.ORDER_NOTIONAL_EXCEEDED).toBeGreaterThan(0);
    expect(strict.summary.risk.config.maxOrderNotional).toBe('5');
    const relaxed = await runPaper({
      outDir: join(work, 'relaxed'),
      bars: 600,
      configFile: config,
      strategy: 'trend',
      env: { RISK_MAX_ORDER_NOTIONAL: '1000' },
    });
    expect(relaxed.summary.orders.submitted).toBeGreaterThan(0);
  });

  it('runs a user strategy module unchanged through the same pipeline', async () => {
    const file = join(work, 'buy-once.mjs');
    await writeFile(
      file,
      `export default {
        name: 'buy-once',
        bought: false,
        async onBar(bar, ctx) {
          if (this.bought) return;
          this.bought = true;
          await ctx.submitOrder({ symbol: bar.symbol, side: 'buy', orderType: 'market', quantity: '0.001' });
        },
      };`,
    );
    const result = await runPaper({
      outDir: join(work, 'user'),
      bars: 50,
      strategy: file,
      symbols: ['BTC-USD'],
    });
    expect(result.summary.run.strategy).toBe('buy-once');
    expect(result.summary.orders.fills).toBeGreaterThanOrEqual(1);
  });

  it('reads a CSV file of candles', async () => {
    const csv = join(work, 'candles.csv');
    const rows = ['timestamp,open,high,low,close,volume'];
    let price = 60000;
    for (let i = 0; i < 300; i++) {
      const next = price + Math.round(Math.sin(i / 9) * 120);
      rows.push(
        `${1_700_000_000 + i * 60},${price},${Math.max(price, next) + 15},${Math.min(price, next) - 15},${next},${5 + (i % 7)}`,
      );
      price = next;
    }
    await writeFile(csv, `${rows.join('\n')}\n`);
    const result = await runPaper({
      outDir: join(work, 'csv'),
      dataFile: csv,
      symbols: ['BTC-USD'],
      strategy: 'trend',
    });
    expect(result.summary.run.source).toBe('csv:candles.csv');
    expect(result.summary.run.symbols).toEqual(['BTC-USD']);
    expect(result.summary.run.barsPerSymbol).toEqual({ 'BTC-USD': 300 });
    expect(result.summary.run.startTime).toBe('2023-11-14T22:13:20.000Z');
  });
});

describe('hl-paper outputs', () => {
  it('writes every round trip to trades.csv and trades.json, and the report says where', async () => {
    const result = await runPaper({ outDir: join(work, 'trades-files'), bars: 1500 });
    const csv = (await readFile(result.tradesCsvPath, 'utf8')).trim().split('\n');
    const json = JSON.parse(await readFile(result.tradesJsonPath, 'utf8')) as Array<{ netPnl: string }>;
    expect(csv.length - 1).toBe(result.summary.trades.count);
    expect(json).toHaveLength(result.summary.trades.count);
    // Exact decimals: their sum is the summary's net P&L to the cent.
    const net = json.reduce((a, t) => a.plus(t.netPnl), new Decimal(0));
    expect(net.toFixed(2)).toBe(result.summary.trades.netPnl);
    const html = await readFile(result.reportPath, 'utf8');
    expect(html).toContain('<code>trades.csv</code>');
    expect(result.summary.trades.files).toEqual({ csv: 'trades.csv', json: 'trades.json' });
  });

  it('says bars per symbol and in total, and states how Sharpe and Sortino are annualised', async () => {
    const result = await runPaper({ outDir: join(work, 'bars'), bars: 300, interval: '1h' });
    expect(result.summary.run.barsPerSymbol).toEqual({ 'BTC-USD': 300, 'ETH-USD': 300 });
    expect(result.summary.run.totalBars).toBe(600);
    const rows = Object.fromEntries(summaryRows(result.summary));
    expect(rows.data).toContain('300 bars per symbol (600 in total)');
    expect(result.summary.performance.annualisation).toContain('sqrt(8760 bars per year)');
    expect(result.summary.exposure.unit).toContain('USD');
    expect(rows['max / avg exposure']).toMatch(/ USD$/);
  });

  it('reports orders the venue refused, with their reasons, in the summary, the terminal and the report', async () => {
    const file = join(work, 'dust.mjs');
    // 0.00001 BTC is far below the venue's minimum order value; risk has no minimum, so it approves.
    await writeFile(
      file,
      `export default { name: 'dust', async onBar(bar, ctx) {
        await ctx.submitOrder({ symbol: bar.symbol, side: 'buy', orderType: 'market', quantity: '0.00001' });
      } };`,
    );
    const result = await runPaper({
      outDir: join(work, 'dust'),
      bars: 30,
      strategy: file,
      symbols: ['BTC-USD'],
    });
    expect(result.summary.orders.venueRefusals).toBeGreaterThan(0);
    const [code] = Object.keys(result.summary.orders.venueRefusalsByCode);
    expect(code).toBe('MIN_NOTIONAL');
    expect(result.venueRefusalReasons[0]?.reason).toContain('minimum value');
    const html = await readFile(result.reportPath, 'utf8');
    expect(html).toContain('id="venue-refusals"');
    expect(html).toContain('minimum value');
    const r = spawnSync(
      process.execPath,
      [
        cli,
        'run',
        '--bars',
        '30',
        '--strategy',
        file,
        '--symbols',
        'BTC-USD',
        '--out',
        join(work, 'dust-cli'),
      ],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/venue refusals\s+\d+ \(MIN_NOTIONAL x\d+\)/);
    expect(r.stdout).toContain('MIN_NOTIONAL: Order must have minimum value');
  });
});

describe('hl-paper CLI', () => {
  it('prints help with examples and exits 0', () => {
    const r = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('showcase');
  });

  it('exits 2 on a usage error', () => {
    const r = spawnSync(process.execPath, [cli, 'run', '--bars', 'many'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--bars');
  });

  it('runs with no arguments, printing trades, a rejection and the report path', () => {
    const r = spawnSync(process.execPath, [cli, 'run', '--bars', '800', '--out', join(work, 'cli')], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/trades\s+\d+/);
    expect(r.stdout).toMatch(/risk rejections\s+[1-9]/);
    expect(r.stdout).toContain(join(work, 'cli', 'report.html'));
  });
});
