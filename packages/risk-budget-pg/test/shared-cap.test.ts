import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Decimal, ZERO } from '@hl-bot/core-types';
import fc from 'fast-check';
import { describe, expect, inject, it } from 'vitest';
import type { PgRiskBudget } from '../src/index.js';
import { countedExposure, newAccount, openBots, unitNeed } from './helpers.js';

const url = inject('pgUrl');
const BOT = fileURLToPath(new URL('./fixtures/bot.mjs', import.meta.url));

/** Takes `unit` until the account is full: renews when its slice runs out, stops after 3 empty renewals. */
async function race(bot: PgRiskBudget, unit: Decimal, onTake: () => Promise<void> | void): Promise<Decimal> {
  let taken = ZERO;
  let misses = 0;
  for (let i = 0; i < 20_000 && misses < 3; i++) {
    const r = bot.tryTake(`${bot.botId}-${i}`, { exposure: unit, positions: 0, orders: 1 });
    if (r.ok) {
      taken = taken.plus(unit);
      misses = 0;
      await onTake();
    } else {
      expect(r.code).toBe('BUDGET_EXPOSURE');
      misses += 1;
      await bot.renew();
    }
  }
  return taken;
}

describe('N bots racing at one shared exposure cap', () => {
  it('approve exactly the cap in total, never more, whatever the cap, slice and number of bots', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 1, max: 15 }).map((k) => k * 20),
        fc.constantFrom('0.1', '0.25', '0.5', '1'),
        async (n, cap, slice) => {
          const account = newAccount();
          const bots = await openBots(url, account, n, { maxExposure: cap, slice, leaseMs: 5000 });
          try {
            let checks = 0;
            const taken = await Promise.all(
              bots.map((bot) =>
                race(bot, new Decimal(1), async () => {
                  // Now and then, mid-race, the database's own sum of what it granted.
                  if (++checks % 25 === 0) expect((await countedExposure(url, account)).lte(cap)).toBe(true);
                }),
              ),
            );
            const total = taken.reduce((s, t) => s.plus(t), ZERO);
            expect(total.toNumber()).toBe(cap);
            expect((await countedExposure(url, account)).lte(cap)).toBe(true);
          } finally {
            await Promise.all(bots.map((b) => b.close()));
          }
        },
      ),
      { numRuns: 6 },
    );
  });

  it('never approve more than the cap when orders have random sizes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 20, maxLength: 60 }),
        fc.integer({ min: 2, max: 5 }),
        async (sizes, n) => {
          const account = newAccount();
          const cap = 1000;
          const bots = await openBots(url, account, n, { maxExposure: cap, slice: '0.3' });
          try {
            let total = ZERO;
            await Promise.all(
              bots.map(async (bot, b) => {
                for (let i = b; i < sizes.length; i += n) {
                  const size = new Decimal(sizes[i] ?? 1);
                  if (!bot.tryTake(`o${i}`, unitNeed(size.toString())).ok) {
                    await bot.renew();
                    if (!bot.tryTake(`o${i}`, unitNeed(size.toString())).ok) continue;
                  }
                  total = total.plus(size);
                  expect(total.lte(cap)).toBe(true);
                }
              }),
            );
            expect((await countedExposure(url, account)).lte(cap)).toBe(true);
          } finally {
            await Promise.all(bots.map((b) => b.close()));
          }
        },
      ),
      { numRuns: 5 },
    );
  });

  it('given back, a slice serves the other bots: an order that is rejected frees its exposure', async () => {
    const account = newAccount();
    const [a, b] = await openBots(url, account, 2, { maxExposure: 100, slice: 1 });
    if (a === undefined || b === undefined) throw new Error('two bots');
    try {
      expect(a.tryTake('a1', unitNeed(100))).toEqual({ ok: true });
      await b.renew();
      expect(b.tryTake('b1', unitNeed(1))).toMatchObject({ ok: false, code: 'BUDGET_EXPOSURE' });
      a.give('a1');
      await a.renew();
      // a keeps an unused slice while it lives: it hands it back by closing (or its lease expiring).
      await a.close();
      await b.renew();
      expect(b.tryTake('b1', unitNeed(100)).ok).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('across separate processes: 4 bot processes approve exactly the cap in total', async () => {
    const account = newAccount();
    const cap = 500;
    // The first bot creates the account with its caps; the processes find them there.
    const [creator] = await openBots(url, account, 1, { maxExposure: cap, slice: '0.2' });
    await creator?.close();
    const children: ChildProcess[] = [];
    try {
      const outputs = await Promise.all(
        [0, 1, 2, 3].map(async (i) => {
          const child = spawn(process.execPath, [BOT, url, account, `proc-${i}`, 'race', '5'], {
            stdio: ['pipe', 'pipe', 'inherit'],
          });
          children.push(child);
          let out = '';
          child.stdout?.on('data', (d: Buffer) => {
            out += d.toString();
          });
          // Started and leased: let it wait for the others before racing.
          await new Promise((r) => setTimeout(r, 100));
          return { child, result: () => out };
        }),
      );
      await new Promise((r) => setTimeout(r, 1500));
      for (const { child } of outputs) child.stdin?.write('go\n');
      const codes = await Promise.all(outputs.map(({ child }) => once(child, 'exit')));
      expect(codes.map(([code]) => code)).toEqual([0, 0, 0, 0]);
      const total = outputs
        .map(({ result }) => new Decimal((JSON.parse(result()) as { taken: string }).taken))
        .reduce((s, t) => s.plus(t), ZERO);
      expect(total.toNumber()).toBe(cap);
    } finally {
      for (const c of children) c.kill('SIGKILL');
    }
  }, 40_000);
});
