import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditLogger, readAuditLog } from '@hl-bot/audit';
import { ManualClock } from '@hl-bot/core-types';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { PositionRecoveryError, PositionTracker } from '../src/index.js';
import { type ScenarioStep, scenario } from './fixtures/scenario.js';
import { ledgerView, MemorySink } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hl-positions-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function apply(tracker: PositionTracker, step: ScenarioStep): Promise<void> {
  if (step.kind === 'fill') await tracker.updateFromFill(step.fill);
  else if (step.kind === 'mark') {
    tracker.updateMarketPrice(step.symbol, step.price, step.time);
    await tracker.flush();
  } else if (tracker.getPosition(step.symbol) !== undefined) {
    await tracker.applyFunding(step.symbol, step.amount, step.time, step.fundingId);
  }
}

describe('recovery from a real audit log', () => {
  it('rebuilds the exact open and closed positions, fill ids, funding and MAE/MFE from the directory', async () => {
    const steps = scenario(300);
    const audit = await AuditLogger.open(dir, {
      durability: 'none',
      clock: new ManualClock(1_767_225_600_000),
    });
    const live = new PositionTracker(audit);
    for (const step of steps) await apply(live, step);
    await audit.close();
    expect(live.getClosedPositions().length).toBeGreaterThan(5);
    expect(live.getAllPositions().length).toBeGreaterThan(0);

    const recovered = await PositionTracker.recover(dir, { durability: 'none' });
    try {
      expect(ledgerView(recovered)).toEqual(ledgerView(live));
      for (const f of steps.flatMap((s) => (s.kind === 'fill' ? [s.fill] : []))) {
        expect(recovered.hasProcessedFill(f.id)).toBe(true);
      }
      // an exchange re-sending everything after a reconnect books nothing new
      for (const step of steps) if (step.kind === 'fill') await recovered.updateFromFill(step.fill);
      // funding ids survive too
      for (const step of steps) if (step.kind === 'funding') await apply(recovered, step);
      expect(ledgerView(recovered)).toEqual(ledgerView(live));
    } finally {
      await recovered.close();
    }
  });

  it('recovers through an AuditLogger it is given and keeps appending to it', async () => {
    const audit = await AuditLogger.open(dir, { durability: 'none' });
    const live = new PositionTracker(audit);
    for (const step of scenario(80, 3)) await apply(live, step);
    const recovered = await PositionTracker.recover(audit);
    expect(ledgerView(recovered)).toEqual(ledgerView(live));
    await recovered.updateFromFill({
      id: 'after',
      orderId: 'o',
      symbol: 'ADA-USD',
      side: 'buy',
      quantity: '5',
      price: '1',
    });
    await audit.close();
    const types: string[] = [];
    for await (const e of readAuditLog(dir)) types.push(e.type);
    expect(types).toContain('position_excursion');
    expect(types.filter((t) => t === 'position_updated').length).toBeGreaterThan(0);
    expect(types.at(-1)).toBe('position_updated');
    const again = await PositionTracker.recover(dir, { durability: 'none' });
    expect(again.getPosition('ADA-USD')?.quantity.toString()).toBe('5');
    await again.close();
  });

  it('recovering an empty directory gives an empty tracker that writes to it', async () => {
    const t = await PositionTracker.recover(join(dir, 'fresh'), { durability: 'none' });
    expect(t.getAllPositions()).toEqual([]);
    expect(t.processedFillCount).toBe(0);
    await t.updateFromFill({
      id: 'a',
      orderId: 'o',
      symbol: 'BTC-USD',
      side: 'buy',
      quantity: '1',
      price: '1',
    });
    await t.close();
    const again = await PositionTracker.recover(join(dir, 'fresh'), { durability: 'none' });
    expect(again.hasProcessedFill('a')).toBe(true);
    await again.close();
  });

  it('refuses to start when a recorded fill no longer applies (e.g. the symbol is now configured as spot)', async () => {
    const audit = await AuditLogger.open(dir, { durability: 'none' });
    const live = new PositionTracker(audit);
    await live.updateFromFill({
      id: 'a',
      orderId: 'o',
      symbol: 'PURR-USDC',
      side: 'buy',
      quantity: '1',
      price: '1',
    });
    await audit.close();
    const error = await PositionTracker.recover(dir, {
      durability: 'none',
      spotSymbols: ['PURR-USDC'],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PositionRecoveryError);
    expect((error as PositionRecoveryError).code).toBe('POSITION_RECOVERY_FAILED');
    // the directory lock was released: a correct recovery still works
    const ok = await PositionTracker.recover(dir, { durability: 'none' });
    expect(ok.getPosition('PURR-USDC')?.marketKind).toBe('perp');
    await ok.close();
  });

  it('refuses to start from a log whose recorded excursions do not replay', async () => {
    const sink = new MemorySink();
    const t = new PositionTracker(sink);
    await t.updateFromFill({
      id: 'a',
      orderId: 'o',
      symbol: 'BTC-USD',
      side: 'buy',
      quantity: '1',
      price: '100',
      timestamp: 1,
    });
    t.updateMarketPrice('BTC-USD', '90', 2);
    await t.flush();
    const tampered = sink.entries.map((e) =>
      e.type === 'position_excursion' ? { ...e, maxAdverseExcursion: e.maxAdverseExcursion.plus(1) } : e,
    );
    await expect(new PositionTracker(new MemorySink()).replay(tampered)).rejects.toThrow(
      PositionRecoveryError,
    );
  });
});

describe('crash between fills', () => {
  it.each(['serial', 'burst'])(
    'a process killed mid-stream (%s fills) is rebuilt from its audit directory to a state the live tracker had',
    async (mode) => {
      const total = 3000;
      const steps = scenario(total, 11);
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(here, 'kill-child.ts'), dir, String(total), '11', mode],
        {
          cwd: join(here, '..'),
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let confirmed = -1;
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString();
      });
      const killAt = 120;
      const exited = new Promise<NodeJS.Signals | number | null>((resolve) => {
        child.on('exit', (code, signal) => resolve(signal ?? code));
      });
      let buffered = '';
      child.stdout.on('data', (b: Buffer) => {
        buffered += b.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) {
          const m = /^step (\d+)$/.exec(line);
          if (m) confirmed = Number(m[1]);
          if (confirmed >= killAt && child.exitCode === null && !child.killed) child.kill('SIGKILL');
        }
      });
      const how = await exited;
      expect(how, stderr).toBe('SIGKILL');
      expect(confirmed).toBeGreaterThanOrEqual(killAt);
      expect(confirmed).toBeLessThan(total - 1);
      expect((await readdir(dir)).some((f) => f.endsWith('.jsonl'))).toBe(true);

      const recovered = await PositionTracker.recover(dir, { durability: 'none' });
      onTestFinished(() => recovered.close());
      const view = ledgerView(recovered);
      // Every step the child confirmed is in the log; steps after it may or may not have reached it.
      const reference = new PositionTracker(new MemorySink());
      let match = -1;
      for (const [i, step] of steps.entries()) {
        await apply(reference, step);
        if (i >= confirmed && JSON.stringify(ledgerView(reference)) === JSON.stringify(view)) {
          match = i;
          break;
        }
      }
      expect(
        match,
        'recovered state equals the live state after some step at or after the last confirmed one',
      ).toBeGreaterThanOrEqual(confirmed);

      // restart: the exchange re-sends every old fill, then the session goes on; the end state is the
      // uninterrupted session's
      for (const step of steps.slice(0, match + 1)) if (step.kind === 'fill') await apply(recovered, step);
      expect(ledgerView(recovered)).toEqual(view);
      for (const step of steps.slice(match + 1)) await apply(recovered, step);
      const full = new PositionTracker(new MemorySink());
      for (const step of steps) await apply(full, step);
      expect(ledgerView(recovered)).toEqual(ledgerView(full));
    },
    60_000,
  );
});
