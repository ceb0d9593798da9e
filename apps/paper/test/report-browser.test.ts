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
