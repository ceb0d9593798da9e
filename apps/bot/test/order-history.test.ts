import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogger } from '@hl-bot/audit';
import { type AuditEventInput, ManualClock } from '@hl-bot/core-types';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readOrderHistory } from '../src/order-history.js';

const work = mkdtempSync(join(tmpdir(), 'hl-bot-history-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const IDS = ['bot-a-1', 'bot-a-2', 'bot-a-3', 'bot-b-1'];
const order = (quantity: string) =>
  ({ symbol: 'BTC-USD', side: 'buy', orderType: 'market', quantity }) as const;

type Op =
  | { k: 'submit'; id: string; qty: string }
  | { k: 'accept'; id: string; status: 'resting' | 'filled' | 'partially_filled' }
  | { k: 'reject'; id: string }
  | { k: 'cancel'; id: string }
  | { k: 'fill'; id: string; qty: string }
  | { k: 'session' }
  | { k: 'note' }
  | { k: 'checkpoint' };

const id = fc.constantFrom(...IDS);
const qty = fc.constantFrom('0.001', '0.002', '0.003');
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ k: fc.constant('submit' as const), id, qty }),
  fc.record({
    k: fc.constant('accept' as const),
    id,
    status: fc.constantFrom('resting', 'filled', 'partially_filled'),
  }),
  fc.record({ k: fc.constant('reject' as const), id }),
  fc.record({ k: fc.constant('cancel' as const), id }),
  fc.record({ k: fc.constant('fill' as const), id, qty }),
  fc.constant({ k: 'session' as const }),
  fc.constant({ k: 'note' as const }),
  fc.constant({ k: 'checkpoint' as const }),
);
// Steps up to a day apart, so the 3-day fill-history horizon is crossed in some runs.
const step = fc.integer({ min: 1, max: 86_400_000 });

let fillSeq = 0;
function event(o: Exclude<Op, { k: 'checkpoint' }>, now: number): AuditEventInput {
  switch (o.k) {
    case 'submit':
      return { type: 'order_submitted', orderId: o.id, order: order(o.qty) };
    case 'accept':
      return { type: 'order_accepted', orderId: o.id, symbol: 'BTC-USD', status: o.status };
    case 'reject':
      return { type: 'order_rejected', orderId: o.id, order: order('0.001'), reason: 'refused' };
    case 'cancel':
      return { type: 'order_cancelled', orderId: o.id, symbol: 'BTC-USD' };
    case 'fill':
      fillSeq += 1;
      return {
        type: 'order_filled',
        fill: {
          id: `f-${fillSeq}`,
          orderId: 'v-1',
          clientOrderId: o.id,
          symbol: 'BTC-USD',
          side: 'buy',
          quantity: o.qty,
          price: '100',
          fee: '0',
          timestamp: now,
        },
      };
    case 'session':
      return { type: 'session_started', app: 'hl-bot', mode: 'testnet' };
    case 'note':
      return { type: 'note', message: 'unrelated' };
  }
}

/** Writes the run to a fresh log, with the bot's checkpoint wherever the run has one (or nowhere). */
async function write(dir: string, run: Array<[Op, number]>, checkpoints: boolean): Promise<AuditLogger> {
  const clock = new ManualClock('2026-01-05T00:00:00Z');
  const audit = await AuditLogger.open(dir, { clock, durability: 'none' });
  for (const [o, dt] of run) {
    clock.advance(dt);
    if (o.k === 'checkpoint') {
      if (checkpoints) expect(await (await readOrderHistory(audit)).checkpoint()).toBe(true);
      continue;
    }
    await audit.append(event(o, clock.now()));
  }
  await audit.flush();
  return audit;
}

let runs = 0;
describe('the order history read at start', () => {
  it('is the same from the newest checkpoint plus the entries after it as from the whole log (fast-check, real files)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(op, step), { minLength: 1, maxLength: 40 }), async (run) => {
        runs += 1;
        const whole = await write(join(work, `whole-${runs}`), run, false);
        const cut = await write(join(work, `cut-${runs}`), run, true);
        try {
          const a = await readOrderHistory(whole);
          const b = await readOrderHistory(cut);
          expect({ fillsSince: b.fillsSince, unresolved: [...b.unresolved].sort() }).toEqual({
            fillsSince: a.fillsSince,
            unresolved: [...a.unresolved].sort(),
          });
          const last = run.map(([o]) => o.k).lastIndexOf('checkpoint');
          if (last >= 0) {
            // Only what follows the newest checkpoint is read.
            const after = run.slice(last + 1).filter(([o]) => o.k !== 'note' && o.k !== 'checkpoint').length;
            expect(b.entriesRead).toBe(after);
            expect(b.fromCheckpoint).toBeDefined();
          } else expect(b.fromCheckpoint).toBeUndefined();
        } finally {
          await whole.close();
          await cut.close();
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it('backfills from the submission of an unresolved order when no fill was logged, and from the last fill otherwise', async () => {
    const clock = new ManualClock('2026-01-05T00:00:00Z');
    const audit = await AuditLogger.open(join(work, 'example'), { clock, durability: 'none' });
    try {
      await audit.append({ type: 'session_started', app: 'hl-bot', mode: 'testnet' });
      const start = clock.now();
      clock.advance(60_000);
      expect((await readOrderHistory(audit)).fillsSince).toBe(start);
      await audit.append({ type: 'order_submitted', orderId: 'bot-1', order: order('0.002') });
      const sent = clock.now();
      expect(await (await readOrderHistory(audit)).checkpoint()).toBe(true);
      clock.advance(60_000);
      await audit.append(event({ k: 'fill', id: 'bot-1', qty: '0.001' }, clock.now()));
      const history = await readOrderHistory(audit);
      expect(history).toMatchObject({ fillsSince: sent, unresolved: ['bot-1'], entriesRead: 1 });
      // Something appended after the read: a checkpoint now would claim it, so none is written.
      await audit.append({ type: 'note', message: 'kill file found: halting' });
      expect(await history.checkpoint()).toBe(false);
    } finally {
      await audit.close();
    }
  });
});

describe('fills of other bots on a shared account', () => {
  it('are known after a restart, through a checkpoint too, so each is audited once', async () => {
    const dir = join(work, 'foreign');
    const clock = new ManualClock(1_700_000_000_000);
    const foreign = (fillId: string, time: number): AuditEventInput => ({
      type: 'foreign_fill',
      fillId,
      symbol: 'ETH-USD',
      side: 'buy',
      quantity: '1',
      price: '3000',
      owner: '0x00000000000000000000000000000000000000aa/other',
      time,
    });
    let audit = await AuditLogger.open(dir, { clock });
    await audit.append({ type: 'session_started', app: 'hl-bot', mode: 'testnet' });
    await audit.append(foreign('f-1', clock.now() + 1));
    await audit.close();
    audit = await AuditLogger.open(dir, { clock });
    const first = await readOrderHistory(audit);
    expect([...first.foreignFillIds]).toEqual(['f-1']);
    expect(await first.checkpoint()).toBe(true);
    await audit.append(foreign('f-2', clock.now() + 2));
    await audit.close();
    audit = await AuditLogger.open(dir, { clock });
    const second = await readOrderHistory(audit);
    // One from the checkpoint, one read after it; neither moves the backfill (they are not this bot's).
    expect([...second.foreignFillIds].sort()).toEqual(['f-1', 'f-2']);
    expect(second.fillsSince).toBe(first.fillsSince);
    await audit.close();
  });
});
