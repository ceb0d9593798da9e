import { readFileSync } from 'node:fs';
import type { LedgerChange } from '@hl-bot/exchange-hyperliquid';
import { afterEach, describe, expect, it } from 'vitest';
import type { HyperliquidSim } from '../src/index.js';
import { clientFor, eventually, MASTER, post, startSim } from './helpers.js';

// The official SDK's recording of a real account's ledger: the shapes the sim's updates must have.
const RECORDED = JSON.parse(
  readFileSync(
    new URL(
      '../../../packages/exchange-hyperliquid/test/fixtures/hyperliquid/pysdk/hist_test_user_non_funding_ledger_updates_without_end_time_cf3854ef.json',
      import.meta.url,
    ),
    'utf8',
  ),
).response as Array<{ time: number; hash: string; delta: Record<string, unknown> }>;
const recorded = (type: string) => RECORDED.find((u) => u.delta.type === type);

let sim: HyperliquidSim | undefined;
afterEach(async () => {
  await sim?.close();
});

describe('deposits and withdrawals on hl-sim (/sim/ledger)', () => {
  it('move the account and stream the venue’s ledger updates, which the client signs from the account side', async () => {
    sim = await startSim();
    const client = clientFor(sim);
    const changes: LedgerChange[] = [];
    client.onLedgerUpdate((c) => changes.push(c));
    await client.start();
    try {
      const before = (await client.clearinghouseState()).marginSummary.accountValue;
      const withdrawn = await post(sim, '/sim/ledger', { user: MASTER, type: 'withdraw', usdc: '3000' });
      expect(withdrawn.status).toBe(200);
      await post(sim, '/sim/ledger', { user: MASTER, type: 'deposit', usdc: '500.5' });
      await eventually(() => changes.length === 2, 'both ledger changes on the stream');
      expect(changes.map((c) => [c.kind, c.amount.toFixed(), c.nonCash])).toEqual([
        ['withdraw', '-3001', false],
        ['deposit', '500.5', false],
      ]);
      const after = (await client.clearinghouseState()).marginSummary.accountValue;
      expect(before.minus(after).toFixed()).toBe('2500.5');
      // The same keys as the venue's own updates, and the same answer over HTTP.
      const updates = await client.userNonFundingLedgerUpdates({ startTime: 0 });
      expect(updates.map((u) => Object.keys(u.delta).sort())).toEqual([
        Object.keys(recorded('withdraw')?.delta ?? {}).sort(),
        Object.keys(recorded('deposit')?.delta ?? {}).sort(),
      ]);
      expect(updates.every((u) => /^0x[0-9a-f]{64}$/.test(u.hash))).toBe(true);
    } finally {
      client.close();
    }
  });

  it('holds an update back from the stream with stream:false; the client gets it from syncLedger, once', async () => {
    sim = await startSim();
    const client = clientFor(sim);
    const changes: LedgerChange[] = [];
    client.onLedgerUpdate((c) => changes.push(c));
    await client.start();
    try {
      await post(sim, '/sim/ledger', { user: MASTER, type: 'withdraw', usdc: '700', stream: false });
      await new Promise((r) => setTimeout(r, 300));
      expect(changes).toEqual([]);
      await client.syncLedger();
      expect(changes.map((c) => [c.kind, c.amount.toFixed()])).toEqual([['withdraw', '-701']]);
      await client.syncLedger();
      expect(changes).toHaveLength(1);
    } finally {
      client.close();
    }
  });

  it('refuses a withdrawal of more than the free margin, an unknown account and an unknown type', async () => {
    sim = await startSim();
    expect((await post(sim, '/sim/ledger', { user: MASTER, type: 'withdraw', usdc: '20000' })).status).toBe(
      400,
    );
    expect(
      (await post(sim, '/sim/ledger', { user: `0x${'99'.repeat(20)}`, type: 'deposit', usdc: '1' })).status,
    ).toBe(400);
    expect((await post(sim, '/sim/ledger', { user: MASTER, type: 'send', usdc: '1' })).status).toBe(400);
    expect((await post(sim, '/sim/ledger', { user: MASTER, type: 'deposit', usdc: '-1' })).status).toBe(400);
    expect(
      (await post(sim, '/sim/ledger', { user: MASTER, type: 'deposit', usdc: '1', stream: 'no' })).status,
    ).toBe(400);
  });
});
