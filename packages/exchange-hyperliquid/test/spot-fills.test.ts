import { AuditEvent, type AuditEventInput, type Fill, ManualClock } from '@hl-bot/core-types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HyperliquidClient } from '../src/index.js';
import { SpotMetaResponseSchema, spotPairNames } from '../src/spot.js';
import { eventually, FakeVenue, META } from './helpers/fake-venue.js';
import { fixture } from './helpers/fixtures.js';

const KEY = '0x0123456789012345678901234567890123456789012345678901234567890123';
const ACCOUNT = '0x1111111111111111111111111111111111111111';

describe('spot metadata', () => {
  it('names every spot pair of the venue example by its base and quote token (@1 is HFUN/USDC)', () => {
    const names = spotPairNames(SpotMetaResponseSchema.parse(fixture('docs/spotMeta_53').response));
    expect([...names]).toEqual([
      ['PURR/USDC', 'PURR/USDC'],
      ['@1', 'HFUN/USDC'],
    ]);
  });
});

describe('spot fills', () => {
  let venue: FakeVenue;
  let spotMetaReads = 0;
  beforeEach(async () => {
    venue = await FakeVenue.start();
    spotMetaReads = 0;
    venue.info = (b) => {
      if (b.type === 'meta') return { json: META };
      if (b.type === 'perpDexs') return { json: [null] };
      if (b.type === 'userAbstraction') return { json: 'disabled' };
      if (b.type === 'userFillsByTime') return { json: [] };
      if (b.type === 'spotMeta') {
        spotMetaReads += 1;
        return { json: fixture('docs/spotMeta_53').response };
      }
      return { status: 500, text: 'unexpected' };
    };
  });
  afterEach(async () => {
    await venue.stop();
  });

  it('books each spot fill the venue reports as a typed spot_fill, never as a perp fill', async () => {
    const audit: AuditEventInput[] = [];
    const client = new HyperliquidClient({
      privateKey: KEY,
      walletAddress: ACCOUNT,
      baseUrl: venue.url,
      wsUrl: venue.wsUrl,
      clock: new ManualClock(1_000),
      fillsSince: 0,
      auditLogger: {
        // The shared schema, as the audit logger checks it.
        append: async (e) => {
          audit.push(AuditEvent.parse(e));
          return e as never;
        },
      },
    });
    const fills: Fill[] = [];
    client.onFill((f) => fills.push(f));
    await client.start({ timeoutMs: 5000 });
    try {
      await eventually(
        () =>
          venue.wsMessages.some(
            (m) => (m as { subscription?: { type?: string } }).subscription?.type === 'userFills',
          ),
        'the fills subscription',
      );
      // The venue's own spot fill (docs userFills example), and the same on the two pairs spotMeta names.
      const [, , spot] = fixture('docs/userFills_3').response as Array<Record<string, unknown>>;
      venue.push('userFills', {
        user: ACCOUNT,
        fills: [spot, { ...spot, coin: '@1', tid: 1, side: 'B' }, { ...spot, coin: 'PURR/USDC', tid: 2 }],
      });
      await eventually(() => audit.filter((e) => e.type === 'spot_fill').length === 3, 'three spot fills');
      const spotFills = audit.filter((e) => e.type === 'spot_fill');
      // In the client's delivery order (time, then trade id); @107 is not in this spotMeta: no pair name.
      expect(spotFills.map((e) => [e.coin, 'pair' in e ? e.pair : undefined, e.side])).toEqual([
        ['@1', 'HFUN/USDC', 'buy'],
        ['PURR/USDC', 'PURR/USDC', 'sell'],
        ['@107', undefined, 'sell'],
      ]);
      const venueFill = spotFills[2] as Record<string, unknown>;
      expect(venueFill).toMatchObject({ fillId: expect.stringContaining('@107:'), feeToken: 'USDC' });
      expect(String(venueFill.quantity)).toBe('43.84');
      expect(String(venueFill.startPosition)).toBe('10659.65434798');
      expect(fills).toEqual([]);
      expect(audit.some((e) => e.type === 'note')).toBe(false);
      expect(spotMetaReads).toBe(1);
    } finally {
      client.close();
    }
  });
});
