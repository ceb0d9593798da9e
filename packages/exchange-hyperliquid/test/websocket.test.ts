import {
  type Fill,
  type FundingPayment,
  ManualClock,
  type MarketPrice,
  type OrderUpdate,
} from '@hl-bot/core-types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HyperliquidClient } from '../src/index.js';
import { HyperliquidWebSocket } from '../src/ws.js';
import { eventually, FakeVenue, fill, META } from './helpers/fake-venue.js';

const KEY = '0x0123456789012345678901234567890123456789012345678901234567890123';
const ACCOUNT = '0x1111111111111111111111111111111111111111';
const T0 = 1_700_000_000_000;

let venue: FakeVenue;
let c: HyperliquidClient;
let restFills: Array<Record<string, unknown>>;
let snapshotFills: Array<Record<string, unknown>>;
let fills: Fill[];

function subscribes(type: string): unknown[] {
  return venue.wsMessages.filter(
    (m) =>
      (m as { method?: string; subscription?: { type?: string } }).method === 'subscribe' &&
      (m as { subscription: { type: string } }).subscription.type === type,
  );
}

beforeEach(async () => {
  venue = await FakeVenue.start();
  restFills = [];
  snapshotFills = [];
  fills = [];
  venue.info = (b) => {
    if (b.type === 'meta') return { json: META };
    if (b.type === 'userAbstraction') return { json: 'disabled' };
    if (b.type === 'perpDexs') return { json: [null] };
    if (b.type === 'userFillsByTime') {
      return { json: restFills.filter((f) => (f.time as number) >= (b.startTime as number)) };
    }
    return { status: 500, text: 'unexpected' };
  };
  // Like the venue: the first userFills message after subscribing is a snapshot.
  venue.onWsConnection = (socket) => {
    socket.on('message', (raw) => {
      const m = JSON.parse(raw.toString()) as { method?: string; subscription?: { type?: string } };
      if (m.method === 'subscribe' && m.subscription?.type === 'userFills') {
        socket.send(
          JSON.stringify({
            channel: 'userFills',
            data: { user: ACCOUNT, isSnapshot: true, fills: snapshotFills },
          }),
        );
      }
    });
  };
  c = new HyperliquidClient({
    privateKey: KEY,
    walletAddress: ACCOUNT,
    baseUrl: venue.url,
    wsUrl: venue.wsUrl,
    clock: new ManualClock(T0),
    sleep: async () => {},
    fillsSince: T0,
    ws: { pingIntervalMs: 40, pongTimeoutMs: 150, reconnectDelayMs: 10, maxReconnectDelayMs: 40 },
  });
  c.onFill((f) => fills.push(f));
});

afterEach(async () => {
  c.close();
  await venue.stop();
});

describe('WebSocket streams', () => {
  it('subscribes to allMids, userFills and orderUpdates for the account and delivers typed events', async () => {
    const prices: MarketPrice[] = [];
    const updates: OrderUpdate[] = [];
    c.onPrice((p) => prices.push(p));
    c.onOrderUpdate((u) => updates.push(u));
    snapshotFills = [fill({ tid: 1, time: T0 - 5_000 }), fill({ tid: 2, time: T0 + 1 })];
    await c.start();
    await eventually(() => subscribes('orderUpdates').length === 1, 'subscriptions');
    expect(subscribes('userFills')).toEqual([
      { method: 'subscribe', subscription: { type: 'userFills', user: ACCOUNT } },
    ]);
    expect(subscribes('allMids')).toHaveLength(1);

    // Snapshot: history before fillsSince is only remembered, later fills are delivered.
    await eventually(() => fills.length === 1, 'snapshot fill');
    expect(fills[0]).toMatchObject({
      id: 'BTC:2:1002',
      orderId: '1002',
      symbol: 'BTC-USD',
      side: 'buy',
      liquidity: 'taker',
    });

    venue.push('userFills', {
      user: ACCOUNT,
      fills: [fill({ tid: 2, time: T0 + 1 }), fill({ tid: 3, time: T0 + 2, side: 'A' })],
    });
    venue.push('allMids', { mids: { BTC: '60000.5', '@107': '18.6' } });
    venue.push('orderUpdates', [
      {
        order: { coin: 'ETH', side: 'B', limitPx: '3000', sz: '0', oid: 55, timestamp: T0, origSz: '2' },
        status: 'filled',
        statusTimestamp: T0 + 3,
      },
    ]);
    await eventually(
      () => fills.length === 2 && prices.length === 1 && updates.length === 1,
      'stream events',
    );
    expect(fills.map((f) => f.id)).toEqual(['BTC:2:1002', 'BTC:3:1003']);
    expect(fills[1]?.side).toBe('sell');
    expect(prices[0]?.symbol).toBe('BTC-USD');
    expect(prices[0]?.price.toFixed()).toBe('60000.5');
    expect(updates[0]).toMatchObject({ orderId: '55', symbol: 'ETH-USD', status: 'filled' });
    expect(updates[0]?.filledQuantity.toFixed()).toBe('2');
  });

  it('delivers each funding payment once, signed from the account side, and skips history', async () => {
    const payments: FundingPayment[] = [];
    c.onFunding((p) => payments.push(p));
    await c.start();
    await eventually(() => subscribes('userFundings').length === 1, 'userFundings subscription');
    const old = {
      time: T0 - 3_600_000,
      coin: 'BTC',
      usdc: '-1',
      szi: '0.1',
      fundingRate: '0.0001',
      nSamples: null,
    };
    const paid = {
      time: T0 + 3_600_000,
      coin: 'BTC',
      usdc: '-0.6',
      szi: '0.1',
      fundingRate: '0.0001',
      nSamples: null,
    };
    const received = {
      time: T0 + 3_600_000,
      coin: 'ETH',
      usdc: '0.25',
      szi: '-1',
      fundingRate: '0.00008',
      nSamples: null,
    };
    venue.push('userFundings', { user: ACCOUNT, isSnapshot: true, fundings: [old, paid] });
    venue.push('userFundings', { user: ACCOUNT, fundings: [paid, received] });
    await eventually(() => payments.length === 2, 'funding payments');
    expect(payments.map((p) => [p.symbol, p.amount.toFixed(), p.positionSize?.toFixed()])).toEqual([
      ['BTC-USD', '-0.6', '0.1'],
      ['ETH-USD', '0.25', '-1'],
    ]);
  });

  it('one unreadable funding payment is reported and does not drop the good ones in its message', async () => {
    const payments: FundingPayment[] = [];
    const errors: string[] = [];
    c.onFunding((p) => payments.push(p));
    c.onError((e) => errors.push(e.message));
    await c.start();
    await eventually(() => subscribes('userFundings').length === 1, 'userFundings subscription');
    const at = T0 + 3_600_000;
    const pay = (coin: string, usdc: string) => ({
      time: at,
      coin,
      usdc,
      szi: '1',
      fundingRate: '0.0001',
      nSamples: null,
    });
    // The docs' own example writes " -3.625312" (a leading space): refused, as every malformed decimal is.
    venue.push('userFundings', {
      user: ACCOUNT,
      fundings: [pay('BTC', '-0.5'), pay('ETH', ' -3.625312'), { coin: 'SOL' }, pay('ETH', '0.25')],
    });
    await eventually(() => payments.length === 2 && errors.length === 2, 'the good payments and two errors');
    expect(payments.map((p) => [p.symbol, p.amount.toFixed()])).toEqual([
      ['BTC-USD', '-0.5'],
      ['ETH-USD', '0.25'],
    ]);
    expect(errors[0]).toMatch(/userFundings payment ETH at \d+ is unreadable; dropped/);
    expect(errors[1]).toMatch(/userFundings payment SOL at \? is unreadable/);
    // A resubscribe snapshot sends them again: reported once (each report counts as an error), and an
    // unreadable one from before the client's watermark is history it never applies: not reported.
    venue.push('userFundings', {
      user: ACCOUNT,
      isSnapshot: true,
      fundings: [pay('ETH', ' -3.625312'), { coin: 'SOL' }, { ...pay('BTC', 'x'), time: T0 - 3_600_000 }],
    });
    venue.push('userFundings', { user: ACCOUNT, fundings: [pay('SOL', '-0.1')] });
    await eventually(() => payments.length === 3, 'the next payment');
    expect(errors).toHaveLength(2);
  });

  it('pings before the idle timeout and keeps one connection while pongs arrive', async () => {
    await c.start();
    await eventually(
      () => venue.wsMessages.filter((m) => (m as { method?: string }).method === 'ping').length >= 3,
      'pings',
    );
    expect(venue.connections).toBe(1);
  });

  it('reconnects when pongs stop arriving', async () => {
    venue.answerPings = false;
    await c.start();
    await eventually(() => venue.connections >= 2, 'reconnect after a missing pong');
  });

  it('after a drop it reconnects, resubscribes and backfills missed fills over REST, counting none twice', async () => {
    snapshotFills = [fill({ tid: 2, time: T0 + 1 })];
    restFills = [fill({ tid: 2, time: T0 + 1 })];
    await c.start();
    await eventually(() => fills.length === 1, 'first fill');
    await c.settled();

    // While disconnected, fills 3 and 4 happen. The reconnect snapshot re-sends 2 and 3; REST has 2, 3, 4.
    restFills = [
      fill({ tid: 2, time: T0 + 1 }),
      fill({ tid: 3, time: T0 + 2 }),
      fill({ tid: 4, time: T0 + 3 }),
    ];
    snapshotFills = [fill({ tid: 2, time: T0 + 1 }), fill({ tid: 3, time: T0 + 2 })];
    venue.dropSockets();
    await eventually(() => venue.connections === 2 && subscribes('userFills').length === 2, 'resubscribe');
    await eventually(() => fills.length === 3, 'backfilled fills');
    await c.settled();
    // A re-sent streaming message after the reconnect changes nothing either.
    venue.push('userFills', {
      user: ACCOUNT,
      fills: [fill({ tid: 3, time: T0 + 2 }), fill({ tid: 4, time: T0 + 3 })],
    });
    venue.push('userFills', { user: ACCOUNT, fills: [fill({ tid: 5, time: T0 + 4 })] });
    await eventually(() => fills.length === 4, 'next streaming fill');
    expect(fills.map((f) => f.id)).toEqual(['BTC:2:1002', 'BTC:3:1003', 'BTC:4:1004', 'BTC:5:1005']);
    expect(subscribes('allMids')).toHaveLength(2);
    expect(subscribes('orderUpdates')).toHaveLength(2);
    // The REST backfill started from the newest fill seen, not from the beginning.
    const backfills = venue.requestsOf('/info', 'userFillsByTime').map((r) => r.body.startTime);
    expect(backfills.at(-1)).toBeGreaterThanOrEqual(T0 + 1);
    expect(backfills.every((s) => (s as number) >= T0)).toBe(true);
  });
});

describe('HyperliquidWebSocket on its own', () => {
  it('backs off with jitter between failed reconnects and sends unsubscribe for a removed subscription', async () => {
    const jitter: number[] = [];
    let closes = 0;
    const ws = new HyperliquidWebSocket({
      url: venue.wsUrl,
      reconnectDelayMs: 5,
      maxReconnectDelayMs: 20,
      random: () => {
        jitter.push(1);
        return 0.5;
      },
      onClose: ({ willReconnect }) => {
        closes += 1;
        expect(willReconnect).toBe(true);
      },
    });
    ws.subscribe({ type: 'allMids' });
    await ws.connect();
    ws.unsubscribe({ type: 'allMids' });
    await eventually(
      () => venue.wsMessages.some((m) => (m as { method?: string }).method === 'unsubscribe'),
      'unsubscribe',
    );
    // Every new connection is dropped at once: the client keeps retrying, drawing jitter each time.
    venue.onWsConnection = (socket) => socket.terminate();
    venue.dropSockets();
    await eventually(() => venue.connections >= 4, 'repeated reconnect attempts');
    expect(closes).toBeGreaterThanOrEqual(3);
    expect(jitter.length).toBeGreaterThanOrEqual(3);
    ws.close();
  });
});
