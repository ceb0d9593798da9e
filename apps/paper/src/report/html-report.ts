import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ClosedPosition } from '@hl-bot/core-types';
import type { EquityChartPoint, MonthlyReturn } from './equity-recorder.js';
import { readableReason, type SymbolStats } from './trader-stats.js';

/** A (possibly merged) candle for the price chart; display values only. */
export interface PricePoint {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

export interface RejectionRow {
  time: number;
  symbol: string;
  side: string;
  quantity: string;
  price: string | undefined;
  code: string;
  reason: string;
}

export interface ReportInput {
  title: string;
  /** Already formatted summary rows: label and value. */
  summaryRows: ReadonlyArray<readonly [string, string]>;
  /** Already bounded (see EquityRecorder). */
  equity: readonly EquityChartPoint[];
  /** Already bounded per symbol (see Downsampler). */
  prices: ReadonlyMap<string, readonly PricePoint[]>;
  trades: readonly ClosedPosition[];
  rejections: readonly RejectionRow[];
  rejectionsByCode: Readonly<Record<string, number>>;
  /** Orders the venue refused after risk approved them (first rows) and their count by code. */
  venueRefusals?: readonly RejectionRow[];
  venueRefusalsByCode?: Readonly<Record<string, number>>;
  breakerTrips?: ReadonlyArray<{ time: number; reason: string; cancelledOrders: number }>;
  openPositions?: ReadonlyArray<{
    symbol: string;
    side: string;
    quantity: string;
    entryPrice: string;
    markPrice: string | null;
    unrealizedPnl: string | null;
  }>;
  monthlyReturns?: readonly MonthlyReturn[];
  bySymbol?: readonly SymbolStats[];
  /** Quote currency of every amount (`USD`). */
  currency?: string;
}

const MAX_POINTS = 4000;
const MAX_TABLE_ROWS = 1000;

/** Keeps at most `max` points: every k-th point plus the last, so the report stays small for long runs. */
function thin<T>(points: readonly T[], max = MAX_POINTS): T[] {
  if (points.length <= max) return [...points];
  const step = Math.ceil(points.length / max);
  const out: T[] = [];
  for (let i = 0; i < points.length; i += step) {
    const p = points[i];
    if (p !== undefined) out.push(p);
  }
  const last = points[points.length - 1];
  if (last !== undefined && out[out.length - 1] !== last) out.push(last);
  return out;
}

/** Says when a table shows fewer rows than there are. */
function truncationNote(shown: number, total: number, what: string): string {
  return total > shown
    ? `<p class="truncated">Showing the first ${shown} of ${total} ${what}; summary.json counts all of them by code and the audit log holds every one.</p>`
    : `<p>All ${total} ${what} shown.</p>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** Inline SVG scatter of MAE (x) against MFE (y) per trade, drawn at build time so it needs no script. */
function maeMfeScatter(trades: readonly ClosedPosition[]): string {
  const width = 560;
  const height = 320;
  const pad = 48;
  if (trades.length === 0) {
    return `<svg id="mae-mfe" width="${width}" height="${height}" role="img" aria-label="MAE/MFE scatter"><text x="${pad}" y="${height / 2}">no closed trades</text></svg>`;
  }
  const xs = trades.map((t) => Number(t.maxAdverseExcursion.toString()));
  const ys = trades.map((t) => Number(t.maxFavorableExcursion.toString()));
  const minX = Math.min(...xs, 0);
  const maxY = Math.max(...ys, 0) || 1;
  const spanX = -minX || 1;
  const sx = (x: number) => pad + ((x - minX) / spanX) * (width - 2 * pad);
  const sy = (y: number) => height - pad - (y / maxY) * (height - 2 * pad);
  const dots = trades
    .map((t, i) => {
      const win = t.netRealizedPnl.gt(0);
      const x = sx(xs[i] ?? 0).toFixed(1);
      const y = sy(ys[i] ?? 0).toFixed(1);
      return `<circle class="trade-dot" cx="${x}" cy="${y}" r="4" fill="${win ? '#26a69a' : '#ef5350'}"><title>${escapeHtml(`${t.symbol} ${t.side} net ${t.netRealizedPnl.toFixed(2)} MAE ${t.maxAdverseExcursion.toFixed(2)} MFE ${t.maxFavorableExcursion.toFixed(2)}`)}</title></circle>`;
    })
    .join('');
  return `<svg id="mae-mfe" width="${width}" height="${height}" role="img" aria-label="MAE/MFE scatter">
<line x1="${pad}" y1="${height - pad}" x2="${width - pad}" y2="${height - pad}" stroke="#888"/>
<line x1="${width - pad}" y1="${pad}" x2="${width - pad}" y2="${height - pad}" stroke="#888"/>
<text x="${width / 2}" y="${height - 10}" text-anchor="middle" font-size="12">MAE (worst unrealized, quote) ${minX.toFixed(2)} … 0</text>
<text x="14" y="${height / 2}" font-size="12" transform="rotate(-90 14 ${height / 2})" text-anchor="middle">MFE (best unrealized) 0 … ${maxY.toFixed(2)}</text>
${dots}</svg>`;
}

function loadChartsLibrary(): string {
  const require = createRequire(import.meta.url);
  // The package only exports its ESM entry; the standalone IIFE build sits next to its package.json.
  const root = dirname(require.resolve('lightweight-charts/package.json'));
  return readFileSync(join(root, 'dist', 'lightweight-charts.standalone.production.js'), 'utf8');
}

// Every chart opens on the whole run at any width: the series are reduced to about two points per pixel
// of the chart (each bucket keeps its lowest and highest value, candles their true high and low), and the
// bar spacing may shrink as far as needed. Dense markers drop their text (the trades table has it).
const CLIENT_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var LW = window.LightweightCharts;
  var base = { height: 300, layout: { background: { color: '#ffffff' }, textColor: '#222' },
    timeScale: { timeVisible: true, secondsVisible: false, minBarSpacing: 0.001, rightOffset: 0, fixLeftEdge: true, fixRightEdge: true },
    rightPriceScale: { borderVisible: false } };
  function widthOf(el) { return Math.max(300, el.clientWidth || 900); }
  function reduceLine(points, width) {
    var buckets = Math.max(1, Math.floor(width));
    if (points.length <= 2 * buckets) return points;
    var size = Math.ceil(points.length / buckets), out = [];
    for (var i = 0; i < points.length; i += size) {
      var lo = points[i], hi = points[i];
      for (var j = i; j < Math.min(points.length, i + size); j++) {
        if (points[j].value < lo.value) lo = points[j];
        if (points[j].value > hi.value) hi = points[j];
      }
      if (lo === hi) out.push(lo); else if (lo.time < hi.time) { out.push(lo); out.push(hi); } else { out.push(hi); out.push(lo); }
    }
    var last = points[points.length - 1];
    if (out[out.length - 1].time !== last.time) out.push(last);
    return out;
  }
  function reduceCandles(candles, width) {
    var buckets = Math.max(1, Math.floor(width));
    if (candles.length <= 2 * buckets) return candles;
    var size = Math.ceil(candles.length / (2 * buckets)), out = [];
    for (var i = 0; i < candles.length; i += size) {
      var c = { time: candles[i].time, open: candles[i].open, high: candles[i].high, low: candles[i].low, close: candles[i].close };
      for (var j = i + 1; j < Math.min(candles.length, i + size); j++) {
        if (candles[j].high > c.high) c.high = candles[j].high;
        if (candles[j].low < c.low) c.low = candles[j].low;
        c.close = candles[j].close;
      }
      out.push(c);
    }
    return out;
  }
  function snapTo(times, t) {
    var lo = 0, hi = times.length - 1;
    while (lo < hi) { var mid = (lo + hi + 1) >> 1; if (times[mid] <= t) lo = mid; else hi = mid - 1; }
    return times[lo];
  }
  var charts = {};
  var ranges = {};
  var spans = {};
  function span(id, points) { if (points.length > 0) spans[id] = { first: points[0].time, last: points[points.length - 1].time }; }
  function make(id) {
    var el = document.getElementById(id);
    var chart = LW.createChart(el, Object.assign({ width: widthOf(el) }, base));
    charts[id] = chart;
    return chart;
  }
  var drawn = {};
  var equityEl = document.getElementById('equity-chart');
  var equity = make('equity-chart');
  var eq = reduceLine(data.equity, widthOf(equityEl));
  equity.addSeries(LW.LineSeries, { color: '#2962ff', lineWidth: 2, title: 'equity' }).setData(eq);
  if (data.benchmark.length > 0) {
    equity.addSeries(LW.LineSeries, { color: '#8d6e63', lineWidth: 1, lineStyle: 2, title: 'buy and hold' }).setData(reduceLine(data.benchmark, widthOf(equityEl)));
  }
  drawn['equity-chart'] = eq.length;
  span('equity-chart', data.equity);
  var dd = make('drawdown-chart');
  var ddData = reduceLine(data.drawdown, widthOf(document.getElementById('drawdown-chart')));
  dd.addSeries(LW.AreaSeries, { lineColor: '#ef5350', topColor: 'rgba(239,83,80,0.05)', bottomColor: 'rgba(239,83,80,0.4)', title: 'drawdown' }).setData(ddData);
  drawn['drawdown-chart'] = ddData.length;
  span('drawdown-chart', data.drawdown);
  var markerText = {};
  data.symbols.forEach(function (s, i) {
    var id = 'price-chart-' + i;
    var el = document.getElementById(id);
    var chart = make(id);
    var candles = reduceCandles(s.candles, widthOf(el));
    var series = chart.addSeries(LW.CandlestickSeries, { upColor: '#26a69a', downColor: '#ef5350', borderVisible: false, wickUpColor: '#26a69a', wickDownColor: '#ef5350' });
    series.setData(candles);
    var times = candles.map(function (c) { return c.time; });
    // More than one marker per ~40 px would overlap into a band: markers only, details in the trades table.
    var dense = s.markers.length > widthOf(el) / 40;
    var markers = s.markers.map(function (m) {
      return { time: snapTo(times, m.time), position: m.position, color: m.color, shape: m.shape, text: dense ? '' : m.text };
    });
    LW.createSeriesMarkers(series, markers);
    markerText[id] = markers.filter(function (m) { return m.text !== ''; }).length;
    drawn[id] = candles.length;
    span(id, s.candles);
  });
  Object.keys(charts).forEach(function (id) {
    var chart = charts[id], el = document.getElementById(id);
    chart.timeScale().fitContent();
    window.addEventListener('resize', function () { chart.applyOptions({ width: widthOf(el) }); chart.timeScale().fitContent(); });
  });
  requestAnimationFrame(function () {
    requestAnimationFrame(function () {
      Object.keys(charts).forEach(function (id) { ranges[id] = charts[id].timeScale().getVisibleRange(); });
      window.__reportRanges = ranges;
      window.__reportSpans = spans;
      window.__reportMarkerText = markerText;
      window.__reportDrawn = drawn;
      window.__reportReady = true;
    });
  });
})();
`;

/** Builds a self-contained, offline report.html: no CDN, no network, the chart library inlined. */
export function renderHtmlReport(input: ReportInput): string {
  const equity = input.equity.map((p) => ({ time: Math.floor(p.time / 1000), value: p.equity }));
  const benchmark = input.equity
    .filter((p) => p.benchmark !== undefined)
    .map((p) => ({
      time: Math.floor(p.time / 1000),
      value: Math.round((p.benchmark as number) * 100) / 100,
    }));
  const drawdown = input.equity.map((p) => ({ time: Math.floor(p.time / 1000), value: p.drawdown }));
  const symbols = [...input.prices.entries()].map(([symbol, points]) => {
    const candles = points.map((c) => ({
      time: Math.floor(c.time / 1000),
      open: c.open,
      high: c.high,
      low: c.low,
      close: c.close,
    }));
    const firstTime = candles[0]?.time ?? 0;
    const snap = (t: number) => {
      // Markers must sit on a candle time; use the bucket that contains the trade.
      let lo = 0;
      let hi = candles.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((candles[mid]?.time ?? 0) <= t) lo = mid;
        else hi = mid - 1;
      }
      return candles[lo]?.time ?? firstTime;
    };
    const markers = thin(
      input.trades.filter((t) => t.symbol === symbol),
      1000,
    )
      .flatMap((t) => [
        {
          time: snap(Math.floor(t.openedAt / 1000)),
          position: t.side === 'long' ? 'belowBar' : 'aboveBar',
          color: t.side === 'long' ? '#2962ff' : '#ff9800',
          shape: t.side === 'long' ? 'arrowUp' : 'arrowDown',
          text: `${t.side === 'long' ? 'L' : 'S'} @${t.entryPrice.toSignificantDigits(6).toString()}`,
        },
        {
          time: snap(Math.floor(t.closedAt / 1000)),
          position: t.side === 'long' ? 'aboveBar' : 'belowBar',
          color: t.netRealizedPnl.gt(0) ? '#26a69a' : '#ef5350',
          shape: 'circle',
          text: `x ${t.netRealizedPnl.toFixed(2)}`,
        },
      ])
      .sort((a, b) => a.time - b.time);
    return { symbol, candles, markers };
  });
  const dataJson = JSON.stringify({ equity, benchmark, drawdown, symbols }).replace(/</g, '\\u003c');

  const summary = input.summaryRows
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('');
  const tradeRows = input.trades
    .slice(0, MAX_TABLE_ROWS)
    .map(
      (t, i) =>
        `<tr id="trade-${i + 1}"><td>${i + 1}</td><td>${escapeHtml(t.symbol)}</td><td>${t.side}</td><td>${iso(t.openedAt)}</td><td>${iso(t.closedAt)}</td><td>${t.peakQuantity.toString()}</td><td>${t.entryPrice.toSignificantDigits(8).toString()}</td><td>${t.exitPrice.toSignificantDigits(8).toString()}</td><td class="num">${t.realizedPnl.toFixed(2)}</td><td class="num">${t.fees.toFixed(2)}</td><td class="num">${t.funding.toFixed(2)}</td><td class="num ${t.netRealizedPnl.gt(0) ? 'win' : 'loss'}">${t.netRealizedPnl.toFixed(2)}</td><td class="num">${t.maxAdverseExcursion.toFixed(2)}</td><td class="num">${t.maxFavorableExcursion.toFixed(2)}</td></tr>`,
    )
    .join('');
  const moreTrades = `<p id="trades-note">${
    input.trades.length > MAX_TABLE_ROWS
      ? `Showing the first ${MAX_TABLE_ROWS} of ${input.trades.length} trades. `
      : `All ${input.trades.length} trades shown. `
  }Every round trip is in <code>trades.csv</code> and <code>trades.json</code> next to this report.</p>`;
  const byCode = Object.entries(input.rejectionsByCode)
    .map(([code, n]) => `<tr><td><code>${escapeHtml(code)}</code></td><td class="num">${n}</td></tr>`)
    .join('');
  const rejectionRows = input.rejections
    .slice(0, MAX_TABLE_ROWS)
    .map(
      (r) =>
        `<tr><td>${iso(r.time)}</td><td>${escapeHtml(r.symbol)}</td><td>${escapeHtml(r.side)}</td><td>${escapeHtml(r.quantity)}</td><td>${escapeHtml(r.price ?? 'market')}</td><td><code>${escapeHtml(r.code)}</code></td><td>${escapeHtml(readableReason(r.reason))}</td></tr>`,
    )
    .join('');
  const totalRejections = Object.values(input.rejectionsByCode).reduce((a, n) => a + n, 0);
  const rejectionsNote = truncationNote(
    Math.min(input.rejections.length, MAX_TABLE_ROWS),
    totalRejections,
    'risk rejections',
  );
  const venueRows = (input.venueRefusals ?? [])
    .slice(0, MAX_TABLE_ROWS)
    .map(
      (r) =>
        `<tr><td>${iso(r.time)}</td><td>${escapeHtml(r.symbol)}</td><td>${escapeHtml(r.side)}</td><td>${escapeHtml(r.quantity)}</td><td>${escapeHtml(r.price ?? 'market')}</td><td><code>${escapeHtml(r.code)}</code></td><td>${escapeHtml(readableReason(r.reason))}</td></tr>`,
    )
    .join('');
  const venueTotal = Object.values(input.venueRefusalsByCode ?? {}).reduce((a, n) => a + n, 0);
  const venueByCode = Object.entries(input.venueRefusalsByCode ?? {})
    .map(([code, n]) => `<tr><td><code>${escapeHtml(code)}</code></td><td class="num">${n}</td></tr>`)
    .join('');
  const venueNote =
    venueTotal === 0
      ? '<p>The venue refused no order.</p>'
      : truncationNote(
          Math.min((input.venueRefusals ?? []).length, MAX_TABLE_ROWS),
          venueTotal,
          'venue refusals',
        );
  const cur = escapeHtml(input.currency ?? 'USD');
  const tripRows = (input.breakerTrips ?? [])
    .slice(0, MAX_TABLE_ROWS)
    .map(
      (t) =>
        `<tr><td>${iso(t.time)}</td><td>${escapeHtml(readableReason(t.reason))}</td><td class="num">${t.cancelledOrders}</td></tr>`,
    )
    .join('');
  const tripNote =
    (input.breakerTrips ?? []).length === 0
      ? '<p>The circuit breaker never tripped.</p>'
      : truncationNote(
          Math.min((input.breakerTrips ?? []).length, MAX_TABLE_ROWS),
          (input.breakerTrips ?? []).length,
          'breaker trips',
        );
  const openRows = (input.openPositions ?? [])
    .map(
      (p) =>
        `<tr><td>${escapeHtml(p.symbol)}</td><td>${escapeHtml(p.side)}</td><td class="num">${escapeHtml(p.quantity)}</td><td class="num">${escapeHtml(p.entryPrice)}</td><td class="num">${escapeHtml(p.markPrice ?? '-')}</td><td class="num">${escapeHtml(p.unrealizedPnl ?? '-')}</td></tr>`,
    )
    .join('');
  const openNote =
    (input.openPositions ?? []).length === 0
      ? '<p>No position was open at the end of the run.</p>'
      : '<p>Valued at the last mark; included in the final equity.</p>';
  const monthRows = (input.monthlyReturns ?? [])
    .map(
      (m) =>
        `<tr><td>${escapeHtml(m.month)}</td><td class="num ${m.return >= 0 ? 'win' : 'loss'}">${(m.return * 100).toFixed(2)}%</td><td class="num">${m.endEquity.toFixed(2)}</td></tr>`,
    )
    .join('');
  const symbolRows = (input.bySymbol ?? [])
    .map(
      (x) =>
        `<tr><td>${escapeHtml(x.symbol)}</td><td class="num">${x.trades}</td><td class="num">${x.trades === 0 ? '0.0' : ((x.wins / x.trades) * 100).toFixed(1)}%</td><td class="num ${x.netPnl > 0 ? 'win' : 'loss'}">${x.netPnl.toFixed(2)}</td><td class="num">${x.fees.toFixed(2)}</td><td class="num">${x.bestTrade.toFixed(2)}</td><td class="num">${x.worstTrade.toFixed(2)}</td></tr>`,
    )
    .join('');
  const priceDivs = symbols
    .map((s, i) => `<h3>${escapeHtml(s.symbol)}</h3><div class="chart" id="price-chart-${i}"></div>`)
    .join('');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.title)}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1100px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
th, td { border: 1px solid #e3e3e3; padding: 3px 8px; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.win { color: #1b7f5b; } .loss { color: #c62828; }
.chart { width: 100%; height: 300px; }
.summary th { background: #f6f6f6; font-weight: 600; }
footer { margin-top: 40px; color: #777; font-size: 12px; }
</style>
</head>
<body>
<h1>${escapeHtml(input.title)}</h1>
<h2>Summary</h2>
<table class="summary">${summary}</table>
<h2>Equity</h2>
<p>Equity (${cur}) and, dashed, buy and hold: the start balance split equally over the run's symbols at their first close.</p>
<div class="chart" id="equity-chart"></div>
<h2>Drawdown</h2>
<div class="chart" id="drawdown-chart"></div>
<h2>Price, entries and exits</h2>
${priceDivs}
<h2>MAE / MFE per trade</h2>
${maeMfeScatter(input.trades)}
<h2>Per symbol</h2>
<table id="by-symbol"><thead><tr><th>symbol</th><th>trades</th><th>win rate</th><th>net (${cur})</th><th>fees</th><th>best</th><th>worst</th></tr></thead><tbody>${symbolRows}</tbody></table>
<h2>Monthly returns</h2>
<table id="monthly-returns"><thead><tr><th>month (UTC)</th><th>return</th><th>equity at end (${cur})</th></tr></thead><tbody>${monthRows}</tbody></table>
<h2>Trades</h2>
<table id="trades"><thead><tr><th>#</th><th>symbol</th><th>side</th><th>opened</th><th>closed</th><th>peak qty</th><th>entry</th><th>exit</th><th>gross</th><th>fees</th><th>funding</th><th>net</th><th>MAE</th><th>MFE</th></tr></thead><tbody>${tradeRows}</tbody></table>
${moreTrades}
<h2>Risk rejections</h2>
<table id="rejections-by-code"><thead><tr><th>code</th><th>count</th></tr></thead><tbody>${byCode}</tbody></table>
<table id="rejections"><thead><tr><th>time</th><th>symbol</th><th>side</th><th>qty</th><th>price</th><th>code</th><th>reason</th></tr></thead><tbody>${rejectionRows}</tbody></table>
${rejectionsNote}
<h2>Venue refusals</h2>
<p>Orders risk approved and the simulated venue refused (minimum notional, size precision, margin...).</p>
<table id="venue-refusals-by-code"><thead><tr><th>code</th><th>count</th></tr></thead><tbody>${venueByCode}</tbody></table>
<table id="venue-refusals"><thead><tr><th>time</th><th>symbol</th><th>side</th><th>qty</th><th>price</th><th>code</th><th>reason</th></tr></thead><tbody>${venueRows}</tbody></table>
${venueNote}
<h2>Circuit breaker trips</h2>
<table id="breaker-trips"><thead><tr><th>time</th><th>reason</th><th>orders cancelled</th></tr></thead><tbody>${tripRows}</tbody></table>
${tripNote}
<h2>Open positions at the end</h2>
<table id="open-positions"><thead><tr><th>symbol</th><th>side</th><th>quantity</th><th>entry</th><th>mark</th><th>unrealized (${cur})</th></tr></thead><tbody>${openRows}</tbody></table>
${openNote}
<footer>Generated by hl-paper. Charts by TradingView Lightweight Charts™ (Apache-2.0, Copyright TradingView, Inc.), inlined so this report works offline.</footer>
<script>
/* TradingView Lightweight Charts™ — Apache License 2.0 — Copyright (c) 2025 TradingView, Inc. https://www.tradingview.com/ */
${loadChartsLibrary()}
</script>
<script type="application/json" id="report-data">${dataJson}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}
