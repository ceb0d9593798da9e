import { spawn } from 'node:child_process';
import { appendFile, chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditLogger, readAuditLog, readCheckpoints, verifyAuditLog } from '@hl-bot/audit';
import { ManualClock } from '@hl-bot/core-types';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { CompactIdSet, PositionTracker } from '../src/index.js';
import { type ScenarioStep, scenario } from './fixtures/scenario.js';
import { MemorySink } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
let dir: string;
const DAY = 86_400_000;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hl-positions-ckpt-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function apply(tracker: PositionTracker, step: ScenarioStep): Promise<void> {
  if (step.kind === 'fill') await tracker.updateFromFill(step.fill);
  else if (step.kind === 'mark') await tracker.updateMarketPrice(step.symbol, step.price, step.time);
  else if (tracker.getPosition(step.symbol) !== undefined) {
    await tracker.applyFunding(step.symbol, step.amount, step.time, step.fundingId);
  }
}

/** What a restart restores, with closed round trips as count and totals (their list stays in the log). */
function restartView(t: PositionTracker): unknown {
  return {
    open: t
      .getAllPositions()
      .map((p) => ({
        symbol: p.symbol,
        marketKind: p.marketKind,
        signedQuantity: p.signedQuantity.toString(),
        costBasis: p.costBasis.toString(),
        realizedPnl: p.realizedPnl.toString(),
        fees: p.fees.toString(),
        funding: p.funding.toString(),
        mae: p.maxAdverseExcursion.toString(),
        mfe: p.maxFavorableExcursion.toString(),
        openedAt: p.openedAt,
        updatedAt: p.updatedAt,
        fillCount: p.fillCount,
        peakQuantity: p.peakQuantity.toString(),
        entryQuantity: p.entryQuantity.toString(),
        exitNotional: p.exitNotional.toString(),
        lastFillPrice: p.lastFillPrice.toString(),
      }))
      .sort((a, b) => a.symbol.localeCompare(b.symbol)),
    closedCount: t.closedPositionCount,
    fills: t.processedFillCount,
    lastFillTime: t.lastFillTime,
    realized: t.getTotalRealizedPnl().toString(),
    fees: t.getTotalFees().toString(),
    funding: t.getTotalFunding().toString(),
    net: t.getTotalNetRealizedPnl().toString(),
  };
}

/** Writes `steps` through a real logger, one day of the clock per `perDay` steps, with `hook` in between. */
async function writeLog(
  steps: ScenarioStep[],
  hook: (i: number, tracker: PositionTracker, audit: AuditLogger) => Promise<void>,
  perDay = 250,
): Promise<unknown> {
  const clock = new ManualClock(1_767_225_600_000);
  const audit = await AuditLogger.open(dir, { clock });
  const live = new PositionTracker(audit, { clock, checkpointEvery: false });
  for (const [i, step] of steps.entries()) {
    if (i > 0 && i % perDay === 0) clock.advance(DAY);
    await hook(i, live, audit);
    await apply(live, step);
  }
  const view = restartView(live);
  await audit.close();
  return view;
}

async function recover(
  options: Parameters<typeof PositionTracker.recover>[1] = {},
): Promise<PositionTracker> {
  const tracker = await PositionTracker.recover(dir, { durability: 'none', ...options });
  onTestFinished(() => tracker.close());
  return tracker;
}

describe('restart from a checkpoint', () => {
  it('replays only the entries after the latest checkpoint and reaches the state a full replay reaches', async () => {
    const steps = scenario(1000, 3);
    const live = await writeLog(steps, async (i, tracker) => {
      if (i === 400 || i === 700) await tracker.checkpoint();
    });
    const checkpoint = await PositionTracker.loadCheckpoint(dir, {
      onWarning: (m) => expect.fail(`unexpected warning: ${m}`),
    });
    expect(checkpoint?.coversSeq).toBeGreaterThan(0);
    const fromCheckpoint = await recover({ onWarning: (m) => expect.fail(m) });
    expect(restartView(fromCheckpoint)).toEqual(live);
    await fromCheckpoint.close();
    const full = await recover({ checkpoint: null });
    expect(restartView(full)).toEqual(live);
    // The recovered tracker goes on from there like the live one.
    expect(fromCheckpoint.lastFillTime).toBe((live as { lastFillTime: number }).lastFillTime);
  });

  it('does not read the history the checkpoint covers (an edited old day file stops only a full replay and verify)', async () => {
    const steps = scenario(900, 5);
    const live = await writeLog(steps, async (i, tracker) => {
      if (i === 800) await tracker.checkpoint();
    });
    const [oldest] = (await readdir(dir)).filter((f) => f.endsWith('.jsonl')).sort();
    const path = join(dir, oldest as string);
    const text = await readFile(path, 'utf8');
    await chmod(path, 0o600);
    await writeFile(path, text.replace('"side":"buy"', '"side":"sell"'));
    const fromCheckpoint = await recover();
    expect(restartView(fromCheckpoint)).toEqual(live);
    await fromCheckpoint.close();
    await expect(PositionTracker.recover(dir, { checkpoint: null })).rejects.toMatchObject({
      code: 'AUDIT_CORRUPT',
    });
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: false });
  });

  it('ignores a checkpoint that does not verify, with a warning, and uses the older one', async () => {
    const steps = scenario(600, 9);
    const live = await writeLog(steps, async (i, tracker, audit) => {
      if (i === 200) await tracker.checkpoint();
      // A checkpoint whose state is not a tracker state (a writer bug): it must never be trusted.
      if (i === 400) await audit.appendCheckpoint('positions', '{"v":1,"positions":"not a list"}');
    });
    const warnings: string[] = [];
    const tracker = await recover({ onWarning: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/ignoring the positions checkpoint .*does not parse/);
    expect(restartView(tracker)).toEqual(live);
  });

  it('falls back to a full replay, with a warning, when no checkpoint verifies; without one, silently', async () => {
    const steps = scenario(300, 4);
    const live = await writeLog(steps, async (i, _tracker, audit) => {
      if (i === 100) await audit.appendCheckpoint('positions', 'garbage');
    });
    const warnings: string[] = [];
    expect(restartView(await recover({ onWarning: (m) => warnings.push(m) }))).toEqual(live);
    expect(warnings).toHaveLength(1);
    await rm(dir, { recursive: true, force: true });
    const none = await writeLog(steps, async () => {});
    const quiet: string[] = [];
    expect(restartView(await recover({ onWarning: (m) => quiet.push(m) }))).toEqual(none);
    expect(quiet).toEqual([]);
  });

  it('a checkpoint followed by a torn tail: the torn line is quarantined and the intact tail replayed', async () => {
    const steps = scenario(500, 6);
    const live = await writeLog(
      steps,
      async (i, tracker) => {
        if (i === 300) await tracker.checkpoint();
      },
      10_000,
    );
    const [file] = (await readdir(dir)).filter((f) => f.endsWith('.jsonl'));
    await appendFile(
      join(dir, file as string),
      '{"timestamp":"2026-01-01T00:10:00.000000Z","type":"order_fil',
    );
    const tracker = await recover({ onWarning: (m) => expect.fail(m) });
    expect(restartView(tracker)).toEqual(live);
    expect((await readdir(dir)).some((f) => f.includes('quarantine'))).toBe(true);
  });

  it('a checkpoint torn while it was written (the process died in it) is ignored; the older one is used', async () => {
    const steps = scenario(400, 8);
    const live = await writeLog(
      steps,
      async (i, tracker) => {
        if (i === 150) await tracker.checkpoint();
      },
      10_000,
    );
    const [file] = (await readdir(dir)).filter((f) => f.endsWith('.jsonl'));
    // The head of a checkpoint line without the rest of it.
    await appendFile(
      join(dir, file as string),
      '{"timestamp":"2026-01-01T00:10:00.000000Z","type":"checkpoint","component":"positions","part":0,"parts":1,"coversSeq":',
    );
    const tracker = await recover({ onWarning: (m) => expect.fail(m) });
    expect(restartView(tracker)).toEqual(live);
  });
});

/** The positions checkpoints in the log, newest first, as the JSON their parts hold. */
async function positionCheckpoints(): Promise<Array<Record<string, unknown> & { ids: IdsField }>> {
  const out: Array<Record<string, unknown> & { ids: IdsField }> = [];
  for await (const c of readCheckpoints(dir, 'positions')) if (c.ok) out.push(JSON.parse(c.data));
  return out;
}

interface IdsField {
  n: number;
  fillTotal: number;
  fundingTotal: number;
  prev: { file: string; offset: number; seq: number; lastHash: string } | null;
}

describe('checkpoints linked by their ids (a restart does not read all ids from every checkpoint)', () => {
  it('each checkpoint holds only the ids since the one it links to; a restart follows the links to the live state', async () => {
    const steps = scenario(1200, 21);
    const live = await writeLog(steps, async (i, tracker) => {
      if (i > 0 && i % 60 === 0) await tracker.checkpoint();
    });
    const found = await positionCheckpoints();
    expect(found).toHaveLength(19);
    // Numbered 0..18 from the first one, which alone holds every id up to it.
    expect(found.map((c) => c.ids.n)).toEqual([...Array(19).keys()].reverse());
    expect(found.at(-1)?.ids.prev).toBeNull();
    const newest = found[0] as (typeof found)[number];
    const own = CompactIdSet.parse(newest.fillIds as string).size;
    // It covers all but the last 60 steps.
    expect(newest.ids.fillTotal).toBeLessThanOrEqual((live as { fills: number }).fills);
    expect(newest.ids.fillTotal).toBeGreaterThan((live as { fills: number }).fills - 60);
    // Checkpoint 18 holds the ids since checkpoint 16 (18 - lowbit(18)): about two intervals, not all.
    expect(own).toBeGreaterThan(0);
    expect(own).toBeLessThan(newest.ids.fillTotal / 4);
    const sum = found.reduce((n, c) => n + CompactIdSet.parse(c.fillIds as string).size, 0);
    // Each id is in about log2(19) checkpoints, not in each of them.
    expect(sum).toBeLessThan(newest.ids.fillTotal * 6);
    const tracker = await recover({ onWarning: (m) => expect.fail(m) });
    expect(restartView(tracker)).toEqual(live);
    expect(tracker.hasProcessedFill(steps.find((s) => s.kind === 'fill')?.fill.id as string)).toBe(true);
  });

  it('the first checkpoint after a restart holds every id again, and the chain goes on from it', async () => {
    const steps = scenario(600, 22);
    await writeLog(steps.slice(0, 300), async (i, tracker) => {
      if (i === 100 || i === 200) await tracker.checkpoint();
    });
    const clock = new ManualClock(1_767_225_600_000 + 2 * DAY);
    const tracker = await PositionTracker.recover(dir, { clock, checkpointEvery: false });
    for (const step of steps.slice(300)) await apply(tracker, step);
    await tracker.checkpoint();
    await tracker.checkpoint();
    const view = restartView(tracker);
    await tracker.close();
    const found = await positionCheckpoints();
    expect(found.map((c) => c.ids.n)).toEqual([1, 0, 1, 0]);
    expect(CompactIdSet.parse(found[1]?.fillIds as string).size).toBe(found[1]?.ids.fillTotal);
    expect(restartView(await recover({ onWarning: (m) => expect.fail(m) }))).toEqual(view);
  });

  it('a checkpoint whose link does not lead to the checkpoint it names is ignored with a warning', async () => {
    const steps = scenario(700, 23);
    let forged: Array<(c: Record<string, unknown> & { ids: IdsField }) => void> = [
      (c) => {
        (c.ids.prev as { lastHash: string }).lastHash = 'f'.repeat(64);
      },
      (c) => {
        (c.ids.prev as { offset: number }).offset += 1;
      },
      (c) => {
        c.ids.fillTotal += 1;
      },
      (c) => {
        (c.ids.prev as { file: string }).file = '../../etc/passwd';
      },
    ];
    let real: string | undefined;
    const live = await writeLog(steps, async (i, tracker, audit) => {
      if (i === 100 || i === 200) await tracker.checkpoint();
      if (i >= 300 && i < 700 && i % 100 === 0) {
        // A copy of the last real checkpoint with its link or totals changed (a writer bug).
        if (real === undefined) real = JSON.stringify((await positionCheckpoints())[0]);
        const latest = JSON.parse(real) as Record<string, unknown> & { ids: IdsField };
        const edit = forged.shift();
        if (edit !== undefined) {
          edit(latest);
          await audit.appendCheckpoint('positions', JSON.stringify(latest));
        }
      }
    });
    expect(forged).toEqual([]);
    forged = [];
    const warnings: string[] = [];
    const tracker = await recover({ onWarning: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(4);
    for (const w of warnings) expect(w).toMatch(/ignoring the positions checkpoint .*does not parse/);
    const all = warnings.join('\n');
    expect(all).toMatch(/hash differs/);
    expect(all).toMatch(/not valid JSON/);
    expect(all).toMatch(/fill ids, not/);
    expect(all).toMatch(/link to it is malformed/);
    expect(restartView(tracker)).toEqual(live);
  });

  it('a linked checkpoint lost with a torn tail cannot be used: the restart replays from an older whole one', async () => {
    const steps = scenario(500, 24);
    const live = await writeLog(
      steps,
      async (i, tracker) => {
        if (i === 100 || i === 200) await tracker.checkpoint();
      },
      10_000,
    );
    // A checkpoint that links to one that is not in the log (cut off by a crash and a restore, say).
    const [latest] = await positionCheckpoints();
    expect(latest?.ids.n).toBe(1);
    const audit = await AuditLogger.open(dir, { durability: 'none' });
    (latest?.ids.prev as { seq: number }).seq = 999_999;
    await audit.appendCheckpoint('positions', JSON.stringify(latest));
    await audit.close();
    const warnings: string[] = [];
    const tracker = await recover({ onWarning: (m) => warnings.push(m) });
    expect(warnings).toHaveLength(1);
    expect(restartView(tracker)).toEqual(live);
  });
});

describe('SIGKILL while checkpoints are written', () => {
  it('a process killed among frequent checkpoints restarts to a state the live tracker had', async () => {
    const total = 3000;
    const steps = scenario(total, 12);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(here, 'kill-child.ts'), dir, String(total), '12', 'burst', 'checkpoints'],
      { cwd: join(here, '..'), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let confirmed = -1;
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    const killAt = 400;
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
    expect(confirmed).toBeLessThan(total - 1);
    let checkpoints = 0;
    const warnings: string[] = [];
    const recovered = await recover({ onWarning: (m) => warnings.push(m) });
    for await (const e of readAuditLog(dir, { types: ['checkpoint'] }))
      if (e.type === 'checkpoint') checkpoints += 1;
    expect(checkpoints).toBeGreaterThan(10);
    // Frequent checkpoints form a chain: the one used links to older ones for most of its ids.
    const used = await PositionTracker.loadCheckpoint(dir, { onWarning: () => undefined });
    expect(used?.state.ids.n).toBeGreaterThan(0);
    const view = restartView(recovered);
    await recovered.close();
    const full = await PositionTracker.recover(dir, { durability: 'none', checkpoint: null });
    expect(restartView(full)).toEqual(view);
    await full.close();
    const reference = new PositionTracker(new MemorySink());
    let match = -1;
    for (const [i, step] of steps.entries()) {
      await apply(reference, step);
      if (i >= confirmed && JSON.stringify(restartView(reference)) === JSON.stringify(view)) {
        match = i;
        break;
      }
    }
    expect(
      match,
      'recovered state equals the live state after some step at or after the last confirmed one',
    ).toBeGreaterThanOrEqual(confirmed);
  });
});
