/// <reference lib="dom" />
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPaper } from '../src/index.js';

const CHROMIUM = '/usr/bin/chromium';
const here = dirname(fileURLToPath(import.meta.url));
const outputDir = join(here, '..', 'test-output');
// CI installs Debian's chromium; on a machine without it this test is skipped (and says so), never faked.
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && process.env.CI === 'true') throw new Error(`${CHROMIUM} is required in CI`);

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'hl-paper-report-'));
  await mkdir(outputDir, { recursive: true });
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

async function openReport(path: string, width: number) {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(path).href);
  await page.waitForFunction(() => (window as unknown as { __reportReady?: boolean }).__reportReady === true);
  return { browser, page, errors };
}

describe.skipIf(!haveBrowser)('report.html of a long run in a real browser', () => {
  it('opens every chart on the whole run, first bar to last, at 900 px and wider; dense markers carry no text', async () => {
    // 15,000 five-minute bars (52 days): far more bars than any chart has pixels.
    const result = await runPaper({ outDir: join(work, 'long'), bars: 15_000, symbols: ['BTC-USD'] });
    for (const width of [900, 1400, 1920]) {
      const { browser, page, errors } = await openReport(result.reportPath, width);
      try {
        const { ranges, spans, markerText } = await page.evaluate(() => {
          const w = window as unknown as {
            __reportRanges: Record<string, { from: number; to: number } | null>;
            __reportSpans: Record<string, { first: number; last: number }>;
            __reportMarkerText: Record<string, number>;
          };
          return { ranges: w.__reportRanges, spans: w.__reportSpans, markerText: w.__reportMarkerText };
        });
        expect(Object.keys(ranges).sort()).toEqual(['drawdown-chart', 'equity-chart', 'price-chart-0']);
        for (const [id, range] of Object.entries(ranges)) {
          expect(range, `${id} at ${width}px`).not.toBeNull();
          const span = spans[id] as { first: number; last: number };
          // The visible range covers the first bar; the last shown point is the last bar or the start of the
          // bucket that holds it (a bucket is at most 1/1000 of the run here).
          expect(range?.from, `${id} at ${width}px`).toBeLessThanOrEqual(span.first);
          expect(range?.to, `${id} at ${width}px`).toBeGreaterThanOrEqual(
            span.last - (span.last - span.first) / 400,
          );
        }
        expect(result.summary.trades.count).toBeGreaterThan(width / 40);
        expect(markerText['price-chart-0']).toBe(0);
        expect(errors).toEqual([]);
        if (width === 900)
          await page.screenshot({ path: join(outputDir, 'report-long-900.png'), fullPage: false });
      } finally {
        await browser.close();
      }
    }
  });

  it('shows per-symbol, monthly, breaker-trip and open-position tables, and says when a table is cut', async () => {
    const result = await runPaper({ outDir: join(work, 'tables'), bars: 1500 });
    const { browser, page } = await openReport(result.reportPath, 1200);
    try {
      expect(await page.locator('#by-symbol tbody tr').count()).toBe(result.summary.trades.bySymbol.length);
      expect(await page.locator('#monthly-returns tbody tr').count()).toBe(
        result.summary.monthlyReturns.length,
      );
      expect(await page.locator('#breaker-trips tbody tr').count()).toBe(
        result.summary.risk.breakerTrips.length,
      );
      expect(await page.locator('#open-positions').count()).toBe(1);
      expect(await page.locator('#trades-note').textContent()).toContain('trades.csv');
      const reasons = await page.locator('#rejections tbody td:last-child').allTextContents();
      for (const reason of reasons) {
        expect(reason).not.toMatch(/\b1\d{12}\b/); // no epoch milliseconds
        expect(reason).not.toMatch(/\d\.\d{7,}/); // no 14-decimal numbers
      }
      const summary = await page.locator('table.summary').textContent();
      expect(summary).toContain('profit factor');
      expect(summary).toContain('max consecutive losses');
      expect(summary).toContain('Sharpe / Sortino (annualised)');
    } finally {
      await browser.close();
    }
  });
});

describe.skipIf(!haveBrowser)('report.html in a real browser', () => {
  it('renders every chart offline without console errors', async () => {
    const result = await runPaper({ outDir: join(work, 'run'), bars: 1500 });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) requests.push(r.url());
      });
      await page.goto(pathToFileURL(result.reportPath).href);
      await page.waitForFunction(
        () => (window as unknown as { __reportReady?: boolean }).__reportReady === true,
      );
      const drawn = await page.evaluate(
        () => (window as unknown as { __reportDrawn: Record<string, number> }).__reportDrawn,
      );
      expect(drawn['equity-chart']).toBeGreaterThan(0);
      expect(drawn['drawdown-chart']).toBeGreaterThan(0);
      expect(drawn['price-chart-0']).toBeGreaterThan(0);
      expect(drawn['price-chart-1']).toBeGreaterThan(0);
      // Each chart container holds a canvas with a real size: the library drew into it.
      for (const id of ['equity-chart', 'drawdown-chart', 'price-chart-0', 'price-chart-1']) {
        const size = await page.evaluate((chartId) => {
          const canvas = document.querySelector(`#${chartId} canvas`) as HTMLCanvasElement | null;
          return canvas === null ? 0 : canvas.width * canvas.height;
        }, id);
        expect(size, id).toBeGreaterThan(0);
      }
      expect(await page.locator('#mae-mfe circle.trade-dot').count()).toBe(result.summary.trades.count);
      expect(await page.locator('#trades tbody tr').count()).toBe(
        Math.min(result.summary.trades.count, 1000),
      );
      expect(await page.locator('#rejections tbody tr').count()).toBeGreaterThan(0);
      await page.screenshot({ path: join(outputDir, 'report.png'), fullPage: true });
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
