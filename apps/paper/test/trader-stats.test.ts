import { type ClosedPosition, Decimal } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { EquityRecorder } from '../src/report/equity-recorder.js';
import { formatDuration, readableReason, traderStats, tradesCsv } from '../src/report/trader-stats.js';

const H = 3_600_000;
function trade(symbol: string, side: 'long' | 'short', net: number, hours: number, at = 0): ClosedPosition {
  const d = (x: number | string) => new Decimal(x);
  return {
    symbol,
    side,
    quantity: d(1),
    peakQuantity: d(1),
    entryPrice: d(100),
    exitPrice: d(100 + net),
    realizedPnl: d(net + 1),
    fees: d(1),
    funding: d(0),
    netRealizedPnl: d(net),
    maxAdverseExcursion: d(-5),
    maxFavorableExcursion: d(5),
    openedAt: at,
    closedAt: at + hours * H,
    durationMs: hours * H,
    fillCount: 2,
  };
}

describe('trader statistics (plain numbers: they are statistics, not booked money)', () => {
  const trades = [
    trade('BTC-USD', 'long', 30, 2),
    trade('BTC-USD', 'long', -10, 1),
    trade('ETH-USD', 'short', -10, 3),
    trade('ETH-USD', 'short', -5, 10),
    trade('BTC-USD', 'short', 20, 4),
  ];
  const s = traderStats(trades);

  it('profit factor is gross profit over gross loss; expectancy the average net per trade', () => {
    expect(s.profitFactor).toBeCloseTo(50 / 25, 10);
    expect(s.expectancy).toBeCloseTo(25 / 5, 10);
    expect(s.averageWin).toBeCloseTo(25, 10);
    expect(s.averageLoss).toBeCloseTo(-25 / 3, 10);
  });

  it('measures average and longest trade duration and the longest losing streak', () => {
    expect(s.averageDurationMs).toBe(4 * H);
    expect(s.longestDurationMs).toBe(10 * H);
    expect(s.maxConsecutiveLosses).toBe(3);
    expect(formatDuration(s.longestDurationMs)).toBe('10h 0m');
    expect(formatDuration(26 * H + 5 * 60_000)).toBe('1d 2h 5m');
  });

  it('splits long from short and groups by symbol', () => {
    expect(s.long).toEqual({ trades: 2, wins: 1, netPnl: 20 });
    expect(s.short).toEqual({ trades: 3, wins: 1, netPnl: 5 });
    expect(s.bySymbol.map((x) => [x.symbol, x.trades, x.netPnl])).toEqual([
      ['BTC-USD', 3, 40],
      ['ETH-USD', 2, -15],
    ]);
  });

  it('has no profit factor without a losing trade', () => {
    expect(traderStats([trade('BTC-USD', 'long', 1, 1)]).profitFactor).toBeNull();
  });

  it('writes every round trip to CSV with exact decimals and ISO times', () => {
    const csv = tradesCsv(trades).trim().split('\n');
    expect(csv).toHaveLength(1 + trades.length);
    expect(csv[0]).toContain('netPnl');
    expect(csv[1]).toContain('1970-01-01T00:00:00.000Z');
  });

  it('makes reasons readable: epoch milliseconds become ISO times, long decimals are rounded', () => {
    expect(readableReason('stale: markTime=1704067200000 price=0.12345678901234')).toBe(
      'stale: markTime=2024-01-01T00:00:00Z price=0.123457',
    );
  });
});

describe('monthly returns', () => {
  it('gives each UTC month its return against the end of the month before (the start balance first)', () => {
    const r = new EquityRecorder();
    const jan = Date.UTC(2024, 0, 1);
    const feb = Date.UTC(2024, 1, 1);
    const mar = Date.UTC(2024, 2, 1);
    r.add(jan, new Decimal(10000), new Decimal(0));
    r.add(jan + 10 * 24 * H, new Decimal(8000), new Decimal(0)); // -20% in January
    r.add(feb + H, new Decimal(8800), new Decimal(0));
    r.add(mar - H, new Decimal(8800), new Decimal(0)); // +10% in February
    r.add(mar + H, new Decimal(8360), new Decimal(0)); // -5% in March so far
    const months = r.monthlyReturns(10000);
    expect(months.map((m) => m.month)).toEqual(['2024-01', '2024-02', '2024-03']);
    expect(months.map((m) => Number(m.return.toFixed(6)))).toEqual([-0.2, 0.1, -0.05]);
  });
});
