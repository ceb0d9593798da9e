import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogger, readAuditLog } from '@hl-bot/audit';
import type { AuditEntry, OrderRequestInput } from '@hl-bot/core-types';
import { TradingEngine } from '@hl-bot/engine';
import { HyperliquidClient } from '@hl-bot/exchange-hyperliquid';
import { PositionTracker } from '@hl-bot/positions';
import { RiskConfig, RiskManager } from '@hl-bot/risk';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AGENT_KEY, eventually, MASTER, masterClient, type RunningSim, startSim } from './live-harness.js';

const work = mkdtempSync(join(tmpdir(), 'hl-bot-wiring-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The bot's live wiring, without the bot: one audit log shared by the engine, risk, positions and client. */
async function wire(sim: RunningSim, name: string, referencePrices: readonly string[] = []) {
  const dir = join(work, name);
  const audit = await AuditLogger.open(dir, { durability: 'group' });
  const risk = new RiskManager({
    config: RiskConfig.from({ maxOrdersPerSecond: 20, maxOrdersPerMinute: 200, maxMarketPriceAgeMs: 5000 }),
    auditLogger: audit,
  });
  const tracker = new PositionTracker(audit);
  const client = new HyperliquidClient({
    privateKey: AGENT_KEY,
    walletAddress: MASTER,
    baseUrl: sim.url,
    wsUrl: sim.wsUrl,
    testnet: true,
    auditLogger: audit,
    fillsSince: Date.now(),
    rateLimit: { weightPerMinute: 1_000_000 },
    orderSettleMs: 100,
    retry: { baseDelayMs: 20 },
    ws: { reconnectDelayMs: 30, maxReconnectDelayMs: 200 },
    referencePrices,
  });
  const engine = new TradingEngine({ exchange: client, risk, tracker, audit, clientOrderIdPrefix: 'wire' });
  const entries = async (): Promise<AuditEntry[]> => {
    await audit.flush();
    const out: AuditEntry[] = [];
    for await (const e of readAuditLog(dir)) out.push(e);
    return out;
  };
  const close = async () => {
    await engine.stop('test over');
    client.close();
    await audit.close();
  };
  return { audit, risk, client, engine, entries, close };
}

const perOrder = (entries: AuditEntry[], type: AuditEntry['type']) => {
  const out = new Map<string, number>();
  for (const e of entries) {
    if (e.type !== type || !('orderId' in e) || e.orderId === undefined) continue;
    out.set(e.orderId, (out.get(e.orderId) ?? 0) + 1);
  }
  return out;
};

let sim: RunningSim | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

describe('the live wiring against a real hl-sim process', () => {
  it('one order_submitted and one order_accepted or order_rejected per order, one order_cancelled per cancel, with the WebSocket on', async () => {
    sim = await startSim();
    const w = await wire(sim, 'counts');
    try {
      await w.engine.start();
      await w.client.start();
      await w.client.settled();
      const mid = (await w.client.getMarketPrice('BTC-USD')).price;
      await w.engine.refreshAccount();
      const bid = mid.times('0.97').toSignificantDigits(5).toDecimalPlaces(0).toString();
      const crossing = mid.times('1.01').toSignificantDigits(5).toDecimalPlaces(0).toString();
      const orders: OrderRequestInput[] = [
        { symbol: 'BTC-USD', side: 'buy', orderType: 'market', quantity: '0.001' },
        { symbol: 'BTC-USD', side: 'sell', orderType: 'market', quantity: '0.001' },
        { symbol: 'BTC-USD', side: 'buy', orderType: 'market', quantity: '0.002' },
        { symbol: 'BTC-USD', side: 'buy', orderType: 'limit', price: bid, quantity: '0.001' },
        { symbol: 'BTC-USD', side: 'buy', orderType: 'limit', price: bid, quantity: '0.001' },
        { symbol: 'BTC-USD', side: 'buy', orderType: 'limit', price: bid, quantity: '0.001' },
        // Refused by the venue (a post-only bid above the market would cross), not by risk.
        {
          symbol: 'BTC-USD',
          side: 'buy',
          orderType: 'limit',
          price: crossing,
          quantity: '0.001',
          timeInForce: 'post-only',
        },
      ];
      const results = [];
      for (const o of orders) results.push(await w.engine.submitOrder(o));
      expect(results.map((r) => r.status)).toEqual([
        'submitted',
        'submitted',
        'submitted',
        'submitted',
        'submitted',
        'submitted',
        'failed',
      ]);
      const resting = results.slice(3, 6).map((r) => (r.status === 'submitted' ? r.clientOrderId : ''));
      for (const id of resting) expect(await w.engine.cancelOrder('BTC-USD', id)).toBe(true);
      await eventually(async () => (await w.client.getOpenOrders()).length === 0, 'the venue empty');
      await w.client.settled();
      await w.engine.idle();
      // Let the venue's order updates and fills of all of it arrive over the socket, then count.
      await new Promise((r) => setTimeout(r, 1500));
      await w.engine.idle();
      const entries = await w.entries();
      const submitted = perOrder(entries, 'order_submitted');
      const accepted = perOrder(entries, 'order_accepted');
      const rejected = perOrder(entries, 'order_rejected');
      const cancelled = perOrder(entries, 'order_cancelled');
      expect(submitted.size).toBe(orders.length);
      for (const [id, n] of submitted) {
        expect({ id, submitted: n }).toEqual({ id, submitted: 1 });
        expect({ id, verdicts: (accepted.get(id) ?? 0) + (rejected.get(id) ?? 0) }).toEqual({
          id,
          verdicts: 1,
        });
      }
      const refused = results[6];
      expect([...rejected.keys()]).toEqual([refused?.status === 'failed' ? refused.clientOrderId : 'none']);
      expect([...cancelled.entries()].sort()).toEqual(resting.map((id) => [id, 1]).sort());
      expect(w.engine.workingOrders()).toEqual([]);
    } finally {
      await w.close();
    }
  }, 60_000);

  it("the venue's mark and oracle stream from hl-sim through the client and the engine into risk", async () => {
    sim = await startSim();
    const w = await wire(sim, 'references', ['BTC-USD']);
    const setCtx = async (ctx: Record<string, string>) => {
      const res = await fetch(`${sim?.url}/sim/asset-ctx`, {
        method: 'POST',
        body: JSON.stringify({ coin: 'BTC', ...ctx }),
      });
      expect(res.status).toBe(200);
    };
    let last: { mark: string; oracle: string } | undefined;
    w.client.onReferencePrice((r) => {
      last = { mark: r.markPrice.toFixed(), oracle: r.oraclePrice.toFixed() };
    });
    w.risk.expectReferencePrices(['BTC-USD']);
    try {
      await w.engine.start();
      await w.client.start();
      await w.client.settled();
      await w.engine.refreshAccount();
      const mid = (await w.client.getMarketPrice('BTC-USD')).price;
      const far = mid.times('0.9').toDecimalPlaces(0).toString();
      await setCtx({ markPx: far, oraclePx: far });
      await eventually(() => last?.oracle === far, 'the streamed oracle');
      await w.engine.idle();
      const bid = mid.times('0.99').toSignificantDigits(5).toDecimalPlaces(0).toString();
      const order = {
        symbol: 'BTC-USD',
        side: 'buy' as const,
        orderType: 'limit' as const,
        price: bid,
        quantity: '0.001',
      };
      const refused = await w.engine.submitOrder(order);
      expect(refused.status).toBe('rejected');
      const reasons = refused.status === 'rejected' ? refused.failures.map((f) => f.message) : [];
      expect(reasons.filter((m) => m.startsWith('PRICE_DEVIATION_EXCEEDED'))).toEqual([
        expect.stringContaining(`venueMark=${far}`),
        expect.stringContaining(`oracle=${far}`),
      ]);
      await setCtx({});
      await eventually(() => last !== undefined && last.oracle !== far, 'the oracle back at the mid');
      await w.engine.idle();
      expect((await w.engine.submitOrder(order)).status).toBe('submitted');
    } finally {
      await w.close();
    }
  }, 60_000);

  it('an order the engine has as working but the venue no longer lists is settled through its order status', async () => {
    sim = await startSim();
    const w = await wire(sim, 'missing');
    try {
      // No stream: the engine does not hear of the cancel below, as after a lost socket.
      await w.engine.start();
      await w.engine.refreshAccount();
      const mid = (await w.client.getMarketPrice('BTC-USD')).price;
      // Without the price stream, the mark comes from the venue's REST mid.
      w.risk.updateMarketPrice('BTC-USD', mid);
      const bid = mid.times('0.97').toSignificantDigits(5).toDecimalPlaces(0).toString();
      const r = await w.engine.submitOrder({
        symbol: 'BTC-USD',
        side: 'buy',
        orderType: 'limit',
        price: bid,
        quantity: '0.001',
      });
      expect(r.status).toBe('submitted');
      const id = r.status === 'submitted' ? r.clientOrderId : '';
      expect(w.engine.workingOrders().map((o) => o.clientOrderId)).toEqual([id]);
      const master = masterClient(sim);
      try {
        const [open] = await master.getOpenOrders();
        expect(await master.cancelOrder('BTC-USD', open?.orderId ?? '')).toBe(true);
      } finally {
        master.close();
      }
      const report = await w.engine.reconcileOrders(await w.client.getOpenOrders());
      expect(report).toMatchObject({ missingAtVenue: [id], unknownAtVenue: [], stillUnknown: 0 });
      expect(w.engine.workingOrders()).toEqual([]);
      expect(w.risk.reservations().filter((x) => x.id === id || x.clientOrderId === id)).toEqual([]);
      const cancels = (await w.entries()).filter((e) => e.type === 'order_cancelled');
      expect(cancels).toMatchObject([{ orderId: id }]);
    } finally {
      await w.close();
    }
  }, 60_000);
});
