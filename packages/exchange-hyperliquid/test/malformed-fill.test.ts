import { type AuditEventInput, type Fill, ManualClock } from '@hl-bot/core-types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HyperliquidClient } from '../src/index.js';
import { eventually, FakeVenue, fill, META } from './helpers/fake-venue.js';

const KEY = '0x0123456789012345678901234567890123456789012345678901234567890123';
const ACCOUNT = '0x1111111111111111111111111111111111111111';
const T0 = 1_700_000_000_000;

let venue: FakeVenue;
let c: HyperliquidClient;
let restFills: Array<Record<string, unknown>>;
let fills: Fill[];
let errors: Error[];
let faults: Error[];
let audit: AuditEventInput[];

beforeEach(async () => {
  venue = await FakeVenue.start();
  restFills = [];
  fills = [];
  errors = [];
  faults = [];
  audit = [];
  venue.info = (b) => {
    if (b.type === 'meta') return { json: META };
    if (b.type === 'perpDexs') return { json: [null] };
    if (b.type === 'userAbstraction') return { json: 'disabled' };
    if (b.type === 'userFillsByTime') {
      return { json: restFills.filter((f) => (f.time as number) >= (b.startTime as number)) };
    }
    return { status: 500, text: 'unexpected' };
  };
  c = new HyperliquidClient({
    privateKey: KEY,
    walletAddress: ACCOUNT,
    baseUrl: venue.url,
    wsUrl: venue.wsUrl,
    clock: new ManualClock(T0),
    sleep: async () => {},
    fillsSince: T0,
    auditLogger: {
      append: async (e) => {
        audit.push(e);
        return e as never;
      },
    },
    ws: { pingIntervalMs: 40, pongTimeoutMs: 150, reconnectDelayMs: 10, maxReconnectDelayMs: 40 },
  });
  c.onFill((f) => fills.push(f));
  c.onError((e) => errors.push(e));
  c.onFault((e) => faults.push(e));
});

afterEach(async () => {
  c.close();
  await venue.stop();
});

describe('one malformed fill in a userFills message', () => {
  it.each([
    ['a price beyond the decimal limits', { px: '1e999999' }],
    ['a size that is not a number', { sz: 'lots' }],
    ['no trade id', { tid: undefined }],
    ['a time a venue cannot send', { time: 9e15 }],
  ])(
    'with %s: the good fills are delivered, the bad one is audited and fetched again',
    async (_label, patch) => {
      await c.loadAssets();
      await c.start();
      await c.settled();
      const good1 = fill({ tid: 1, time: T0 + 1 });
      const bad = { ...fill({ tid: 2, time: T0 + 2 }), ...patch };
      const good3 = fill({ tid: 3, time: T0 + 3 });
      // Over REST the venue answers the fill well formed.
      restFills = [good1, fill({ tid: 2, time: T0 + 2 }), good3];
      venue.push('userFills', { user: ACCOUNT, fills: [good1, bad, good3] });
      await eventually(() => fills.length === 3, 'the good fills and the refetched one');
      await c.settled();
      expect(fills.map((f) => f.id)).toEqual(['BTC:1:1001', 'BTC:3:1003', 'BTC:2:1002']);
      expect(errors.some((e) => /fill that cannot be read/.test(e.message))).toBe(true);
      // A fault is what makes a TradingEngine trip the breaker (fail closed) until an operator resets.
      expect(faults).toHaveLength(1);
      const audited = audit.filter((e) => e.type === 'error');
      expect(audited.some((e) => /websocket fill/.test((e as { message: string }).message))).toBe(true);
      // The backfill started no later than the bad fill's time.
      const starts = venue.requestsOf('/info', 'userFillsByTime').map((r) => r.body.startTime as number);
      expect(Math.max(...starts)).toBeLessThanOrEqual(T0 + 2);
    },
  );
});
