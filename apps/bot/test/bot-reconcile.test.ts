import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuditEntry, type Decimal, OrderRequest } from '@hl-bot/core-types';
import { afterAll, describe, expect, it } from 'vitest';
import {
  auditEntries,
  botStatus,
  eventually,
  GATED_STRATEGY,
  health,
  ledgerPositions,
  MASTER,
  masterClient,
  type RunningSim,
  readClient,
  runCli,
  setFaults,
  spawnBot,
  startSim,
  venuePositions,
  writeConfig,
} from './live-harness.js';

const work = mkdtempSync(join(tmpdir(), 'hl-bot-reconcile-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const count = (entries: AuditEntry[], type: string) => entries.filter((e) => e.type === type).length;
const orderMismatches = (entries: AuditEntry[]) =>
  entries.filter((e) => e.type === 'reconciliation_mismatch' && e.local === 'no such order');

/** A resting bid 3% under the market, placed on the bot's account by someone else (the master key). */
async function foreignBid(sim: RunningSim, symbol = 'BTC-USD', quantity = '0.001'): Promise<string> {
  const master = masterClient(sim);
  try {
    const mid: Decimal = (await master.getMarketPrice(symbol)).price;
    const price = mid
      .times('0.97')
      .toSignificantDigits(5)
      .toDecimalPlaces(symbol === 'BTC-USD' ? 0 : 2);
    const ack = await master.placeOrder(
      OrderRequest.parse({ symbol, side: 'buy', orderType: 'limit', price: price.toString(), quantity }),
    );
    expect(ack.status).toBe('resting');
    return ack.orderId;
  } finally {
    master.close();
  }
}

const venueOrderIds = async (sim: RunningSim) =>
  (await readClient(sim).getOpenOrders()).map((o) => o.orderId);

describe('reconciliation of open orders (built bot against hl-sim)', () => {
  it('a venue order the bot did not send is audited as a mismatch and cancelled', async () => {
    const sim = await startSim();
    const stateDir = join(work, 'unknown-cancelled');
    try {
      // The gated strategy without a gate never trades: every order at the venue is someone else's.
      const bot = spawnBot(writeConfig(stateDir, sim, { strategy: GATED_STRATEGY }), stateDir);
      await eventually(async () => (await health(stateDir))?.code === 200, 'the bot ready', 30_000);
      const oid = await foreignBid(sim);
      expect(await venueOrderIds(sim)).toEqual([oid]);
      await eventually(async () => orderMismatches(await auditEntries(stateDir)).length > 0, 'a mismatch');
      const [mismatch] = orderMismatches(await auditEntries(stateDir));
      expect(mismatch).toMatchObject({ symbol: 'BTC-USD', action: 'none' });
      expect(mismatch?.type === 'reconciliation_mismatch' && mismatch.venue).toContain(`(venue ${oid})`);
      await eventually(async () => (await venueOrderIds(sim)).length === 0, 'the order cancelled');
      await eventually(async () => count(await auditEntries(stateDir), 'order_cancelled') === 1, 'audited');
      expect(count(await auditEntries(stateDir), 'order_submitted')).toBe(0);
      bot.proc.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
    } finally {
      await sim.stop();
    }
  }, 60_000);

  it('with --adopt-venue-state it is kept and counts in risk at once: the next order finds the open-order limit used', async () => {
    const sim = await startSim();
    const stateDir = join(work, 'unknown-adopted');
    try {
      // One open order allowed: the strategy's market orders pass until the adopted order takes the slot.
      const config = writeConfig(stateDir, sim, { risk: { maxOpenOrders: 1 } });
      const bot = spawnBot(config, stateDir, {}, ['--adopt-venue-state']);
      await eventually(
        async () => count(await auditEntries(stateDir), 'order_filled') >= 2,
        'two fills',
        30_000,
      );
      const rejectedForSlots = (entries: AuditEntry[]) =>
        entries.filter((e) => e.type === 'risk_rejected' && e.code === 'MAX_OPEN_ORDERS_EXCEEDED');
      expect(rejectedForSlots(await auditEntries(stateDir))).toEqual([]);
      const oid = await foreignBid(sim);
      await eventually(async () => orderMismatches(await auditEntries(stateDir)).length > 0, 'a mismatch');
      const [mismatch] = orderMismatches(await auditEntries(stateDir));
      expect(mismatch).toMatchObject({ action: 'adopted_venue_state' });
      await eventually(
        async () => rejectedForSlots(await auditEntries(stateDir)).length >= 2,
        'orders refused for the adopted slot',
      );
      const entries = await auditEntries(stateDir);
      const after = (e: AuditEntry) => e.seq > (mismatch?.seq ?? 0);
      expect(rejectedForSlots(entries).every(after)).toBe(true);
      // Later reconciliations know the order: one mismatch, and it still rests at the venue.
      await new Promise((r) => setTimeout(r, 4500)); // two more reconciliations (every 2 s)
      expect(orderMismatches(await auditEntries(stateDir))).toHaveLength(1);
      expect(await venueOrderIds(sim)).toContain(oid);
      bot.proc.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
    } finally {
      await sim.stop();
    }
  }, 90_000);
});

describe('a venue the bot cannot reach', () => {
  it('three failed reconciliations in a row trip the breaker; /health is degraded until the cancel retry clears the venue', async () => {
    const sim = await startSim();
    const stateDir = join(work, 'unreachable');
    try {
      const bot = spawnBot(writeConfig(stateDir, sim), stateDir, { REST_LIMITS: '1' });
      await eventually(async () => (await venueOrderIds(sim)).length > 0, 'a resting order', 30_000);
      expect((await health(stateDir))?.code).toBe(200);
      await setFaults(sim, { fail5xxEvery: 1 });
      await eventually(
        async () => count(await auditEntries(stateDir), 'circuit_breaker_tripped') >= 1,
        'the breaker',
        40_000,
      );
      const entries = await auditEntries(stateDir);
      const trip = entries.find((e) => e.type === 'circuit_breaker_tripped');
      expect(trip?.type === 'circuit_breaker_tripped' && trip.reason).toContain(
        'reconciliation failed 3 times in a row (limit 3)',
      );
      const failures = entries.filter(
        (e) => e.type === 'error' && e.message.startsWith('reconciliation (periodic) failed'),
      );
      expect(failures.slice(0, 3).map((e) => e.type === 'error' && e.message.slice(0, 45))).toEqual([
        'reconciliation (periodic) failed 1 time(s) in',
        'reconciliation (periodic) failed 2 time(s) in',
        'reconciliation (periodic) failed 3 time(s) in',
      ]);
      // The cancel on halt could not reach the venue: orders may be live, and the bot says so.
      await eventually(async () => (await health(stateDir))?.code === 503, '/health degraded', 20_000);
      expect((await health(stateDir))?.body).toMatchObject({ status: 'degraded', ordersMayBeLive: true });
      expect(await botStatus(stateDir)).toMatchObject({ ordersMayBeLive: true, tradingState: 'HALTED' });
      await setFaults(sim, {});
      await eventually(async () => (await health(stateDir))?.code === 200, '/health after the retry', 30_000);
      expect((await health(stateDir))?.body).toMatchObject({ status: 'halted' });
      expect(await venueOrderIds(sim)).toEqual([]);
      bot.proc.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
    } finally {
      await sim.stop();
    }
  }, 120_000);
});

describe('a symbol the bot is not configured for', () => {
  it('a position and an open order in it are booked, shown by status, counted in exposure and reconciliation, never traded', async () => {
    const sim = await startSim(['--symbols', 'BTC,SOL']);
    const stateDir = join(work, 'other-symbol');
    try {
      const solMid = (await readClient(sim).getMarketPrice('SOL-USD')).price;
      // Total exposure capped at 1000 USD; someone else's SOL buy of ~1500 USD on the account takes it all.
      const solQuantity = (1500 / Number(solMid.toString())).toFixed(2);
      const config = writeConfig(stateDir, sim, { risk: { maxTotalExposure: '1000' } });
      const bot = spawnBot(config, stateDir);
      await eventually(
        async () => count(await auditEntries(stateDir), 'order_filled') >= 2,
        'two fills',
        30_000,
      );
      const master = masterClient(sim);
      try {
        await master.placeOrder(
          OrderRequest.parse({ symbol: 'SOL-USD', side: 'buy', orderType: 'market', quantity: solQuantity }),
        );
      } finally {
        master.close();
      }
      const solFill = (entries: AuditEntry[]) =>
        entries.find((e) => e.type === 'order_filled' && e.fill.symbol === 'SOL-USD');
      await eventually(
        async () => solFill(await auditEntries(stateDir)) !== undefined,
        'the SOL fill booked',
      );
      await eventually(async () => {
        const s = (await botStatus(stateDir)) as { positions?: Array<{ symbol: string; quantity: string }> };
        return s.positions?.some((p) => p.symbol === 'SOL-USD' && p.quantity === solQuantity) === true;
      }, 'status showing the SOL position');
      const fillSeq = solFill(await auditEntries(stateDir))?.seq ?? 0;
      await eventually(
        async () =>
          (await auditEntries(stateDir)).some(
            (e) => e.type === 'risk_rejected' && e.code === 'EXPOSURE_EXCEEDED' && e.seq > fillSeq,
          ),
        'a BTC order refused for the exposure SOL takes',
      );
      const oid = await foreignBid(sim, 'SOL-USD', solQuantity);
      await eventually(async () => {
        const s = (await botStatus(stateDir)) as { lastReconciliation?: { unknownVenueOrders: string[] } };
        return (s.lastReconciliation?.unknownVenueOrders.length ?? 0) > 0;
      }, 'status showing the unknown SOL order');
      await eventually(async () => !(await venueOrderIds(sim)).includes(oid), 'the SOL order cancelled');
      // Reconciled, not drifted: no position mismatch, no breaker.
      const entries = await auditEntries(stateDir);
      expect(
        entries.filter((e) => e.type === 'reconciliation_mismatch' && e.local !== 'no such order'),
      ).toEqual([]);
      expect(count(entries, 'circuit_breaker_tripped')).toBe(0);
      expect(
        entries.filter(
          (e) => (e.type === 'order_submitted' || e.type === 'risk_rejected') && e.order.symbol !== 'BTC-USD',
        ),
      ).toEqual([]);
      bot.proc.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
      expect(await ledgerPositions(stateDir)).toEqual(await venuePositions(sim));
      const s = await runCli(['status', '--state-dir', stateDir, '--json']);
      expect(JSON.parse(s.out).positions).toContainEqual(expect.objectContaining({ symbol: 'SOL-USD' }));
    } finally {
      await sim.stop();
    }
  }, 120_000);
});

describe('a position on a HIP-3 dex', () => {
  it('is reconciled against that dex’s state: no mismatch, no breaker, the position shown and equal to the venue', async () => {
    const sim = await startSim(['--symbols', 'BTC', '--hip3-dex', 'xyz:SILVER']);
    const stateDir = join(work, 'hip3');
    try {
      const config = writeConfig(stateDir, sim);
      const bot = spawnBot(config, stateDir);
      await eventually(async () => (await health(stateDir))?.code === 200, 'the bot ready', 30_000);
      const master = masterClient(sim);
      try {
        const mid = (await master.getMarketPrice('xyz:SILVER-USD')).price;
        const quantity = (200 / Number(mid.toString())).toFixed(1);
        await master.placeOrder(
          OrderRequest.parse({ symbol: 'xyz:SILVER-USD', side: 'buy', orderType: 'market', quantity }),
        );
      } finally {
        master.close();
      }
      const silverFill = (entries: AuditEntry[]) =>
        entries.find((e) => e.type === 'order_filled' && e.fill.symbol === 'xyz:SILVER-USD');
      await eventually(
        async () => silverFill(await auditEntries(stateDir)) !== undefined,
        'the xyz:SILVER fill booked',
      );
      const filledAt = silverFill(await auditEntries(stateDir))?.timestamp ?? 0;
      // A periodic reconciliation (every 2 s here) that began after the fill was booked: on the first dex's
      // state alone the position is missing at the venue, a mismatch that trips the breaker.
      await eventually(
        async () => {
          const s = (await botStatus(stateDir)) as { lastReconciliation?: { time: number } | null };
          return (s.lastReconciliation?.time ?? 0) > filledAt + 2_500;
        },
        'a reconciliation after the fill',
        30_000,
      );
      const s = (await botStatus(stateDir)) as {
        lastReconciliation: { mismatches: unknown[] };
        positions: Array<{ symbol: string }>;
      };
      expect(s.lastReconciliation.mismatches).toEqual([]);
      expect(s.positions).toContainEqual(expect.objectContaining({ symbol: 'xyz:SILVER-USD' }));
      const entries = await auditEntries(stateDir);
      expect(
        entries.filter((e) => e.type === 'reconciliation_mismatch' && e.local !== 'no such order'),
      ).toEqual([]);
      expect(count(entries, 'circuit_breaker_tripped')).toBe(0);
      bot.proc.kill('SIGTERM');
      expect(await bot.exited).toBe(0);
      const xyz = await readClient(sim).clearinghouseState(MASTER, 'xyz');
      const venueSilver = xyz.assetPositions.find((ap) => ap.position.coin === 'xyz:SILVER')?.position.szi;
      expect(venueSilver?.isZero()).toBe(false);
      expect((await ledgerPositions(stateDir))['xyz:SILVER-USD']).toBe(venueSilver?.toString());
    } finally {
      await sim.stop();
    }
  }, 120_000);
});
