import { type Fill, OrderRequest } from '@hl-bot/core-types';
import { HyperliquidHttpError } from '@hl-bot/exchange-hyperliquid';
import { nullAuditSink, PositionTracker } from '@hl-bot/positions';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HyperliquidSim } from '../src/index.js';
import { clientFor, eventually, MASTER, startSim } from './helpers.js';

let sim: HyperliquidSim | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const market = (side: 'buy' | 'sell', quantity = '0.001') =>
  OrderRequest.parse({ symbol: 'BTC-USD', side, orderType: 'market', quantity });
const limit = (side: 'buy' | 'sell', price: string, quantity = '0.01') =>
  OrderRequest.parse({ symbol: 'BTC-USD', side, orderType: 'limit', price, quantity });

/** A raw WebSocket subscriber that records every userFills message as the server sent it. */
async function rawFills(
  s: HyperliquidSim,
): Promise<{ messages: Array<{ isSnapshot?: boolean; fills: unknown[] }>; close(): void }> {
  const socket = new WebSocket(s.wsUrl);
  const messages: Array<{ isSnapshot?: boolean; fills: unknown[] }> = [];
  socket.on('message', (raw) => {
    const text = raw.toString();
    if (!text.startsWith('{')) return;
    const m = JSON.parse(text) as { channel: string; data: { isSnapshot?: boolean; fills: unknown[] } };
    if (m.channel === 'userFills') messages.push(m.data);
  });
  await new Promise((resolve) => socket.once('open', resolve));
  socket.send(JSON.stringify({ method: 'subscribe', subscription: { type: 'userFills', user: MASTER } }));
  await eventually(() => messages.length === 1, 'the snapshot');
  return { messages, close: () => socket.close() };
}

/** Feeds the client's fills into a PositionTracker and counts deliveries per fill id. */
function track(client: ReturnType<typeof clientFor>) {
  const tracker = new PositionTracker(nullAuditSink);
  const deliveries = new Map<string, number>();
  const pending: Promise<unknown>[] = [];
  client.onFill((f: Fill) => {
    deliveries.set(f.id, (deliveries.get(f.id) ?? 0) + 1);
    pending.push(tracker.updateFromFill(f));
  });
  return { tracker, deliveries, settle: () => Promise.all(pending) };
}

describe('WebSocket faults', () => {
  it('answers pings, sends the userFills snapshot first, and closes idle connections', async () => {
    sim = await startSim({ wsIdleMs: 300 });
    const client = clientFor(sim);
    await client.placeOrder(market('buy'));
    const raw = await rawFills(sim);
    expect(raw.messages[0]).toMatchObject({
      isSnapshot: true,
      fills: [expect.objectContaining({ coin: 'BTC' })],
    });
    const socket = new WebSocket(sim.wsUrl);
    const frames: string[] = [];
    socket.on('message', (m) => frames.push(m.toString()));
    await new Promise((r) => socket.once('open', r));
    socket.send(JSON.stringify({ method: 'ping' }));
    await eventually(() => frames.includes('{"channel":"pong"}'), 'a pong');
    expect(frames[0]).toBe('Websocket connection established.');
    const closed = new Promise<number>((r) => socket.once('close', (code) => r(code)));
    expect(await closed).toBe(1000);
    raw.close();
  });

  it('drops connections every N seconds; the client reconnects and backfills the fills it missed', async () => {
    sim = await startSim();
    const client = clientFor(sim);
    const { tracker, deliveries, settle } = track(client);
    await client.start();
    await client.placeOrder(limit('buy', '59000'));
    await client.placeOrder(limit('buy', '58500'));
    sim.setFaults({ dropWsEverySec: 0.25 });
    await eventually(() => sim !== undefined && sim.stats.wsDropped >= 1, 'a drop');
    // Fill while the client may be disconnected; each drop is followed by a reconnect and a REST backfill.
    await sim.pushBar({ coin: 'BTC', open: '59500', high: '59600', low: '58900', close: '59100' });
    await eventually(() => sim !== undefined && sim.stats.wsDropped >= 3, 'more drops');
    await sim.pushBar({ coin: 'BTC', open: '59100', high: '59200', low: '58400', close: '58600' });
    await eventually(() => deliveries.size === 2, 'both fills', 10_000);
    sim.setFaults({});
    await client.settled();
    await settle();
    expect([...deliveries.values()]).toEqual([1, 1]);
    expect(sim.stats.wsConnections).toBeGreaterThanOrEqual(3);
    const venue = (await client.clearinghouseState()).assetPositions[0]?.position.szi;
    expect(tracker.getPosition('BTC-USD')?.quantity.toFixed()).toBe(venue?.toFixed());
    expect(venue?.toFixed()).toBe('0.02');
    client.close();
  });

  it('sends every fill twice with --duplicate-fills and resends the snapshot, yet no fill is counted twice', async () => {
    sim = await startSim({ faults: { duplicateFills: true, resendFillsSnapshot: true } });
    const client = clientFor(sim);
    const { tracker, deliveries, settle } = track(client);
    await client.start();
    const raw = await rawFills(sim);
    await client.placeOrder(market('buy', '0.002'));
    await client.placeOrder(market('sell', '0.001'));
    await client.placeOrder(market('buy', '0.003'));
    // Each fill: streamed twice, then a snapshot with all fills so far.
    await eventually(() => raw.messages.length === 1 + 3 * 3, 'the duplicated stream');
    expect(raw.messages.slice(1).map((m) => [m.isSnapshot === true, m.fills.length])).toEqual([
      [false, 1],
      [false, 1],
      [true, 1],
      [false, 1],
      [false, 1],
      [true, 2],
      [false, 1],
      [false, 1],
      [true, 3],
    ]);
    await eventually(() => deliveries.size === 3, 'three fills');
    await client.settled();
    await settle();
    expect([...deliveries.values()]).toEqual([1, 1, 1]);
    expect(tracker.processedFillCount).toBe(3);
    expect(tracker.getPosition('BTC-USD')?.quantity.toFixed()).toBe('0.004');
    const venue = (await client.clearinghouseState()).assetPositions[0]?.position.szi.toFixed();
    expect(venue).toBe('0.004');
    raw.close();
    client.close();
  });
});

describe('HTTP faults', () => {
  it('answers 429 after N requests per window; the client retries reads and places an order exactly once', async () => {
    sim = await startSim();
    const client = clientFor(sim);
    await client.loadAssets();
    sim.setFaults({ rateLimitAfter: 2, rateLimitWindowMs: 150 });
    for (let i = 0; i < 6; i++) expect((await client.allMids()).BTC?.gt(0)).toBe(true);
    expect(sim.stats.rateLimited).toBeGreaterThan(0);
    const placed = await client.placeOrder(limit('buy', '59000')).catch((e: unknown) => e);
    const open = await client.openOrders();
    sim.setFaults({});
    // Whatever the 429s did to the submission, the venue holds at most one copy, and the ack agrees.
    expect(open.length).toBeLessThanOrEqual(1);
    if (open.length === 1) expect(placed).toMatchObject({ orderId: String(open[0]?.oid) });
    else expect(placed).toBeInstanceOf(Error);
  });

  it('answers 500 before executing every Nth request; the client retries reads and resends the order once', async () => {
    sim = await startSim();
    const client = clientFor(sim);
    await client.loadAssets();
    const before = sim.stats.apiRequests;
    // Every request fails: reads give up after their retries.
    sim.setFaults({ fail5xxEvery: 1 });
    await expect(client.allMids()).rejects.toBeInstanceOf(HyperliquidHttpError);
    // Every 3rd fails: requests 1 and 2 are reads, 3 is the order (not executed), 4 asks orderStatus
    // (unknown), 5 resends the same cloid with a new nonce, 6 (openOrders below) fails and is retried.
    sim.setFaults({ fail5xxEvery: 3 });
    await client.allMids();
    await client.allMids();
    const ack = await client.placeOrder(limit('buy', '59000'));
    sim.setFaults({});
    expect(sim.stats.failed5xx).toBeGreaterThanOrEqual(2);
    expect(sim.stats.apiRequests - before).toBeGreaterThan(4);
    const open = await client.openOrders();
    expect(open).toHaveLength(1);
    expect(ack).toMatchObject({ orderId: String(open[0]?.oid), status: 'resting' });
  });

  it('executes an order and then answers 5xx (--fail-5xx-phase after); the client finds it by cloid and never places it twice', async () => {
    sim = await startSim();
    const client = clientFor(sim);
    await client.loadAssets();
    sim.setFaults({ fail5xxEvery: 2, fail5xxPhase: 'after' });
    await client.allMids(); // request 1 passes
    const ack = await client.placeOrder(limit('buy', '59000')); // request 2 executes, then 502
    sim.setFaults({});
    const open = await client.openOrders();
    expect(open).toHaveLength(1);
    expect(ack).toMatchObject({ orderId: String(open[0]?.oid), status: 'resting' });
    expect(sim.stats.failed5xx).toBeGreaterThanOrEqual(1);
  });

  it('delays every answer by --latency-ms', async () => {
    sim = await startSim({ faults: { latencyMs: 400 } });
    const impatient = clientFor(sim, { requestTimeoutMs: 50, retry: { maxRetries: 0 } });
    await expect(impatient.meta()).rejects.toMatchObject({ code: 'HL_NETWORK_ERROR' });
    const patient = clientFor(sim, { requestTimeoutMs: 5000 });
    expect((await patient.meta()).universe).toHaveLength(3);
    const ack = await patient.placeOrder(limit('buy', '59000'));
    expect(ack.status).toBe('resting');
  });
});
