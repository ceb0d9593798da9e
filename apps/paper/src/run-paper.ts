import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { AuditLogger, verifyAuditLog } from '@hl-bot/audit';
import { type ClosedPosition, type Decimal, HlBotError, ManualClock, toDecimal } from '@hl-bot/core-types';
import { type Strategy, TradingEngine } from '@hl-bot/engine';
import {
  type Candle,
  csvCandles,
  HYPERLIQUID_PERPS,
  hyperliquidCandles,
  type InstrumentConfigInput,
  intervalMs,
  type MarketDataSource,
  PaperExchange,
  syntheticMarket,
} from '@hl-bot/paper-exchange';
import { PositionTracker } from '@hl-bot/positions';
import { RiskConfig, RiskManager } from '@hl-bot/risk';
import { loadStrategy } from '@hl-bot/strategies';
import {
  checkBalance,
  checkInterval,
  checkSymbols,
  integerOption,
  PAPER_LIMITS,
  PaperUsageError,
} from './options.js';
import { prepareOutDir } from './out-dir.js';
import { Downsampler } from './report/downsampler.js';
import { EquityRecorder } from './report/equity-recorder.js';
import { type PricePoint, type RejectionRow, renderHtmlReport } from './report/html-report.js';
import { decimalToNumber } from './report/numbers.js';
import { buildSummary, type PaperSummary, summaryRows } from './report/summary.js';
import { readableReason, tradeRecords, traderStats, tradesCsv } from './report/trader-stats.js';

/** Options of one paper run; the CLI maps its flags onto these. */
export interface PaperRunOptions {
  /** Risk config JSON file (RiskConfig fields). */
  configFile?: string;
  /** Environment to read `RISK_*` from. Default: none. */
  env?: Readonly<Record<string, string | undefined>>;
  /** CSV (`timestamp,open,high,low,close,volume`) or Hyperliquid candleSnapshot JSON; synthetic when absent. */
  dataFile?: string;
  symbols?: readonly string[];
  /** Built-in strategy name, a module path, or a Strategy object. Default `showcase`. */
  strategy?: string | Strategy;
  /** Bars per symbol of the synthetic market (or at most this many from a file). */
  bars?: number;
  seed?: number;
  interval?: string;
  outDir: string;
  startBalance?: string;
  /** Reset a tripped breaker once its cooldown is over, as an operator would. Default true. */
  autoResetBreaker?: boolean;
  /** Audit durability. Default `none` (a simulation; the log is flushed and fsynced at the end). */
  durability?: 'fsync' | 'group' | 'none';
  /** Called with (bars done, total or undefined). */
  onProgress?: (done: number, total: number | undefined) => void;
}

export interface PaperRunResult {
  summary: PaperSummary;
  outDir: string;
  auditDir: string;
  summaryPath: string;
  reportPath: string;
  /** Every round trip, one row each. */
  tradesCsvPath: string;
  tradesJsonPath: string;
  /** One example reason per venue refusal code, for the terminal. */
  venueRefusalReasons: Array<{ code: string; reason: string }>;
}

function firstReasons(rows: readonly RejectionRow[]): Array<{ code: string; reason: string }> {
  const seen = new Map<string, string>();
  for (const r of rows) if (!seen.has(r.code)) seen.set(r.code, readableReason(r.reason));
  return [...seen].map(([code, reason]) => ({ code, reason }));
}

const DEFAULT_SYMBOLS = ['BTC-USD', 'ETH-USD'];
const MAX_REJECTION_ROWS = 1000;
const FALLBACK_INSTRUMENT: InstrumentConfigInput = { szDecimals: 3, maxLeverage: 10 };

async function* limit(source: MarketDataSource, symbols: ReadonlySet<string>, max: number | undefined) {
  const counts = new Map<string, number>();
  for await (const candle of source) {
    if (!symbols.has(candle.symbol)) continue;
    const n = (counts.get(candle.symbol) ?? 0) + 1;
    if (max !== undefined && n > max) continue;
    counts.set(candle.symbol, n);
    yield candle;
  }
}

function sourceFor(
  options: PaperRunOptions,
  symbols: readonly string[],
): { source: MarketDataSource; label: string } {
  const bars = options.bars;
  if (options.dataFile === undefined) {
    return {
      source: syntheticMarket({
        seed: options.seed ?? 42,
        symbols,
        interval: options.interval ?? '5m',
        bars: bars ?? 2000,
      }),
      label: 'synthetic',
    };
  }
  const symbol = symbols[0] ?? 'BTC-USD';
  const path = resolve(options.dataFile);
  const ext = extname(path).toLowerCase();
  const source = ext === '.json' ? hyperliquidCandles(path, { symbol }) : csvCandles(path, { symbol });
  return {
    source: limit(source, new Set([symbol]), bars),
    label: `${ext === '.json' ? 'hyperliquid-json' : 'csv'}:${basename(path)}`,
  };
}

/**
 * Risk limits from the config file and `RISK_*` variables, as in live trading. One paper-specific default:
 * a mark is only refreshed once per bar, so unless the user set `maxMarketPriceAgeMs`, it becomes two bar
 * intervals plus a second (synthetic data), or 6 hours (file data, whose interval is not known up front).
 * Live trading keeps the risk package's default.
 */
function paperRiskConfig(options: PaperRunOptions): RiskConfig {
  const config = RiskConfig.load({
    ...(options.configFile === undefined ? {} : { file: options.configFile }),
    // Only the environment the caller hands in: a paper run must not pick up the shell's RISK_* by accident.
    env: options.env ?? {},
  });
  const fromEnv = options.env?.RISK_MAX_MARKET_PRICE_AGE_MS !== undefined;
  let fromFile = false;
  if (options.configFile !== undefined) {
    const raw = JSON.parse(readFileSync(options.configFile, 'utf8')) as Record<string, unknown>;
    fromFile = raw.maxMarketPriceAgeMs !== undefined;
  }
  if (fromEnv || fromFile) return config;
  const barMs = options.dataFile === undefined ? intervalMs(options.interval ?? '5m') : 6 * 3_600_000;
  const age = options.dataFile === undefined ? 2 * barMs + 1_000 : barMs;
  return age > config.maxMarketPriceAgeMs ? config.with({ maxMarketPriceAgeMs: age }) : config;
}

/** Refuses options beyond their documented bounds before anything is written. */
function checkOptions(options: PaperRunOptions, symbols: readonly string[]): void {
  checkSymbols(symbols, options.dataFile !== undefined);
  const whole = (value: number | undefined, flag: string, min: number, max: number) => {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < min || value > max)) {
      integerOption(String(value), flag, min, max);
    }
  };
  whole(options.bars, '--bars', 1, PAPER_LIMITS.maxBars);
  whole(options.seed, '--seed', 0, PAPER_LIMITS.maxSeed);
  if (options.startBalance !== undefined) checkBalance(options.startBalance);
  if (options.interval !== undefined) checkInterval(options.interval);
  if (options.dataFile !== undefined && options.interval !== undefined) {
    throw new PaperUsageError('--interval applies to the synthetic market; a --data file has its own');
  }
}

/**
 * Runs a strategy through the live pipeline (TradingEngine: risk, exchange, positions, audit) against the
 * PaperExchange, then writes the audit log, `summary.json` and `report.html` to `outDir`.
 * Same options and data give a byte-identical summary.json.
 */
export async function runPaper(options: PaperRunOptions): Promise<PaperRunResult> {
  // A data file holds one symbol's candles: without --symbols it is read as BTC-USD, and nothing else runs.
  const symbols =
    options.symbols !== undefined && options.symbols.length > 0
      ? options.symbols
      : options.dataFile === undefined
        ? DEFAULT_SYMBOLS
        : DEFAULT_SYMBOLS.slice(0, 1);
  checkOptions(options, symbols);
  const outDir = resolve(options.outDir);
  // A fresh log per run, never at the cost of a log hl-paper did not write (a bot's, a running run's).
  const auditDir = await prepareOutDir(outDir);

  const config = paperRiskConfig(options);
  const startBalance = toDecimal(options.startBalance ?? '10000', 'startBalance');
  const instruments: Record<string, InstrumentConfigInput> = {};
  for (const s of symbols) instruments[s] = HYPERLIQUID_PERPS[s] ?? FALLBACK_INSTRUMENT;
  const sizeDecimals = (symbol: string) => (instruments[symbol] ?? FALLBACK_INSTRUMENT).szDecimals;

  const { source, label } = sourceFor(options, symbols);
  const clock = new ManualClock(0);
  const exchange = new PaperExchange({ startBalance, instruments, clock, seed: options.seed ?? 42 });
  const audit = await AuditLogger.open(auditDir, { clock, durability: options.durability ?? 'none' });

  const rejections: RejectionRow[] = [];
  const breakerTrips: Array<{ time: number; reason: string; cancelledOrders: number }> = [];
  const closed: ClosedPosition[] = [];
  const equity = new EquityRecorder();
  // The sampler owns both points (fresh literals pushed below, read once at the end): merged in place.
  const mergeCandles = (a: PricePoint, b: PricePoint): PricePoint => {
    a.high = Math.max(a.high, b.high);
    a.low = Math.min(a.low, b.low);
    a.close = b.close;
    return a;
  };
  const priceSamplers = new Map(symbols.map((s) => [s, new Downsampler<PricePoint>(4000, mergeCandles)]));
  const venueRefusals: RejectionRow[] = [];
  const venueRefusalsByCode: Record<string, number> = {};
  // Buy and hold: the start balance split equally over the symbols at their first close (a statistic).
  const firstClose = new Map<string, number>();
  const lastClose = new Map<string, number>();
  const lastCloseDecimal = new Map<string, Decimal>();
  const startValue = Number(options.startBalance ?? '10000');
  const benchmarkAt = (): number | undefined => {
    if (firstClose.size === 0) return undefined;
    let sum = 0;
    for (const [sym, first] of firstClose) sum += (lastClose.get(sym) ?? first) / first;
    return (startValue * sum) / firstClose.size;
  };
  let strategy: Strategy;
  let engine: TradingEngine | undefined;
  let firstTime: number | undefined;
  let lastTime = 0;
  let barsDone = 0;
  const barsBySymbol = new Map<string, number>(symbols.map((sym) => [sym, 0]));
  let interval: number | undefined;

  try {
    strategy =
      typeof options.strategy === 'object'
        ? options.strategy
        : await loadStrategy(options.strategy ?? 'showcase', { sizeDecimals });
    // The clock is simulated: a checkpoint every 10 minutes of it would be one after nearly every fill (a
    // day of bars passes in a fraction of a second). A run's log is written once and never resumed, so the
    // checkpoints only come by event count, as they would in a busy live process.
    const checkpointEvery = { ms: Number.POSITIVE_INFINITY };
    const tracker = new PositionTracker(audit, { clock, checkpointEvery });
    let risk: RiskManager | undefined;
    let started = false;
    let pendingTime: number | undefined;

    const sample = async (time: number) => {
      const account = await exchange.getAccountState();
      equity.add(time, account.equity, tracker.getTotalExposure(), benchmarkAt());
    };

    for await (const candle of source) {
      const bar: Candle = candle;
      if (firstTime === undefined) {
        firstTime = bar.openTime;
        clock.set(bar.openTime);
        risk = new RiskManager({ config, audit, initialBalance: startBalance, clock, checkpointEvery });
        await audit.append({ type: 'session_started', app: 'hl-paper', mode: 'paper' });
        engine = new TradingEngine({
          exchange,
          risk,
          tracker,
          audit,
          clock,
          clientOrderIdPrefix: 'paper',
          // The simulated account only changes with fills and funding, which mark it for a refresh anyway.
          accountRefreshMs: 6 * 3_600_000,
          observer: {
            onRejected: (order, result, time) =>
              // The report lists the first rejections; summary.json counts all of them by code.
              rejections.length < MAX_REJECTION_ROWS &&
              rejections.push({
                time,
                symbol: String(order.symbol),
                side: String(order.side),
                quantity: String(order.quantity),
                price: order.price === undefined ? undefined : String(order.price),
                code: result.code,
                reason: result.reason,
              }),
            onPositionClosed: (p) => closed.push(p),
            onFailed: (result) => {
              // The venue refused an order risk approved (minimum notional, size precision...).
              venueRefusalsByCode[result.code] = (venueRefusalsByCode[result.code] ?? 0) + 1;
              if (venueRefusals.length < MAX_REJECTION_ROWS) {
                venueRefusals.push({
                  time: clock.now(),
                  symbol: String(result.order.symbol),
                  side: String(result.order.side),
                  quantity: String(result.order.quantity),
                  price: result.order.price === undefined ? undefined : String(result.order.price),
                  code: result.code,
                  reason: result.reason,
                });
              }
            },
            onHalt: (reason, cancelledOrders) =>
              breakerTrips.push({ time: clock.now(), reason, cancelledOrders }),
          },
        });
      }
      if (pendingTime !== undefined && bar.openTime !== pendingTime) {
        await sample(lastTime);
        if (interval === undefined) interval = bar.openTime - pendingTime;
      }
      pendingTime = bar.openTime;
      if (engine === undefined || risk === undefined)
        throw new Error('unreachable: engine is created with the first bar');
      if (!started) {
        // Subscribed before the first bar, so the first price reaches risk and the tracker.
        await engine.start(strategy);
        started = true;
      }
      await exchange.onBar(bar);
      // HALTED exactly while the breaker is tripped; the full snapshot only then (it sums equity and exposure).
      if (options.autoResetBreaker !== false && risk.tradingState === 'HALTED') {
        const until = risk.state.cooldownUntil;
        if (until !== null && clock.now() >= until)
          await engine.resetCircuitBreaker('paper run: cooldown over');
      }
      await engine.onBar(bar);
      lastTime = bar.closeTime ?? bar.openTime;
      // Each price converted once: a synthetic bar opens at the previous close, and its high or low is often
      // the open or the close itself (the same Decimal).
      const previous = lastCloseDecimal.get(bar.symbol);
      const open =
        previous !== undefined && bar.open === previous
          ? (lastClose.get(bar.symbol) as number)
          : decimalToNumber(bar.open);
      const close = bar.close === bar.open ? open : decimalToNumber(bar.close);
      if (!firstClose.has(bar.symbol) && close > 0) firstClose.set(bar.symbol, close);
      lastClose.set(bar.symbol, close);
      lastCloseDecimal.set(bar.symbol, bar.close);
      priceSamplers.get(bar.symbol)?.push({
        time: bar.openTime,
        open,
        high: bar.high === bar.close ? close : bar.high === bar.open ? open : decimalToNumber(bar.high),
        low: bar.low === bar.close ? close : bar.low === bar.open ? open : decimalToNumber(bar.low),
        close,
      });
      barsDone += 1;
      barsBySymbol.set(bar.symbol, (barsBySymbol.get(bar.symbol) ?? 0) + 1);
      options.onProgress?.(
        barsDone,
        options.dataFile === undefined ? (options.bars ?? 2000) * symbols.length : undefined,
      );
    }
    if (engine === undefined || firstTime === undefined || risk === undefined) {
      throw new HlBotError(
        'NO_MARKET_DATA',
        'the market data source produced no candles for the chosen symbols',
      );
    }
    await sample(lastTime);
    // Flatten at the end so every trade is closed and counted; the venue pays the taker fee as usual.
    await engine.stop('paper run finished');
    await audit.append({ type: 'session_stopped', app: 'hl-paper', reason: 'run finished' });

    const finalAccount = await exchange.getAccountState();
    const summary = buildSummary({
      strategy: strategy.name,
      source: label,
      symbols,
      seed: options.seed ?? 42,
      barsPerSymbol: Object.fromEntries(barsBySymbol),
      intervalMs: interval ?? (options.interval !== undefined ? intervalMs(options.interval) : 0),
      startTime: firstTime,
      endTime: lastTime,
      startBalance,
      finalEquity: finalAccount.equity,
      equity,
      closed,
      openPositions: tracker.getAllPositions().map((p) => p.toPosition()),
      stats: engine.stats,
      breakerTrips,
      venueRefusalsByCode,
      monthlyReturns: equity.monthlyReturns(startValue),
      finalTradingState: risk.state.tradingState,
      riskConfig: config.toJSON(),
    });
    await audit.close();
    // In this thread: worker threads would each load their own heap and schemas at the end of the run,
    // which set the run's peak memory (+60–70 MB in an actively trading year) for about a second saved.
    const verification = await verifyAuditLog(auditDir, { workers: 0 });
    if (!verification.ok) {
      throw new HlBotError(
        'AUDIT_VERIFY_FAILED',
        `audit log of the run does not verify: ${JSON.stringify(verification)}`,
      );
    }

    const summaryPath = join(outDir, 'summary.json');
    await writeFile(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
    const reportPath = join(outDir, 'report.html');
    await writeFile(
      reportPath,
      renderHtmlReport({
        title: `hl-paper: ${strategy.name} on ${symbols.join(', ')} (${label})`,
        summaryRows: summaryRows(summary),
        equity: equity.chartPoints(),
        prices: new Map([...priceSamplers].map(([symbol, sampler]) => [symbol, sampler.values()])),
        trades: closed,
        rejections,
        rejectionsByCode: summary.risk.rejectionsByCode,
        venueRefusals,
        venueRefusalsByCode: summary.orders.venueRefusalsByCode,
        breakerTrips,
        openPositions: summary.result.openPositions,
        monthlyReturns: equity.monthlyReturns(startValue),
        bySymbol: traderStats(closed).bySymbol,
        currency: summary.result.currency,
      }),
    );
    const tradesCsvPath = join(outDir, 'trades.csv');
    const tradesJsonPath = join(outDir, 'trades.json');
    await writeFile(tradesCsvPath, tradesCsv(closed));
    await writeFile(tradesJsonPath, `${JSON.stringify(tradeRecords(closed), null, 2)}\n`);
    return {
      summary,
      outDir,
      auditDir,
      summaryPath,
      reportPath,
      tradesCsvPath,
      tradesJsonPath,
      venueRefusalReasons: firstReasons(venueRefusals),
    };
  } finally {
    await audit.close().catch(() => undefined);
  }
}
