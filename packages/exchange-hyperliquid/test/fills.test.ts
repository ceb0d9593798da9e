import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { FillDeduper, toFill, toOrderUpdate } from '../src/fills.js';
import { UserFillSchema, WsOrderUpdatesSchema } from '../src/info-schemas.js';
import { fill } from './helpers/fake-venue.js';

const T0 = 1_700_000_000_000;
const parse = (raw: Record<string, unknown>) => UserFillSchema.parse(raw);

describe('fill deduplication', () => {
  test.prop([
    fc.array(
      fc.array(fc.record({ tid: fc.integer({ min: 0, max: 40 }), dt: fc.integer({ min: -20, max: 40 }) }), {
        maxLength: 15,
      }),
      {
        maxLength: 12,
      },
    ),
  ])(
    'delivers every fill at or after `since` exactly once, however batches repeat and overlap',
    (batches) => {
      const dedup = new FillDeduper({ since: T0 });
      const delivered: string[] = [];
      const expected = new Set<string>();
      for (const batch of batches) {
        // The same tid always has the same time, as on the venue.
        const fills = batch.map((b) => parse(fill({ tid: b.tid, time: T0 + ((b.tid * 7) % 60) - 20 })));
        for (const f of fills) if (f.time >= T0) expected.add(`${f.coin}:${f.tid}:${f.oid}`);
        const fresh = dedup.accept(fills);
        expect(fresh.map((f) => f.time)).toEqual([...fresh.map((f) => f.time)].sort((a, b) => a - b));
        delivered.push(...fresh.map((f) => `${f.coin}:${f.tid}:${f.oid}`));
      }
      expect(delivered.length).toBe(new Set(delivered).size);
      expect(new Set(delivered)).toEqual(expected);
    },
  );

  it('never lets a pruned old fill through again', () => {
    const dedup = new FillDeduper({ since: 0, retentionMs: 1000, maxEntries: 2 });
    expect(dedup.accept([parse(fill({ tid: 1, time: T0 }))])).toHaveLength(1);
    expect(
      dedup.accept([parse(fill({ tid: 2, time: T0 + 5000 })), parse(fill({ tid: 3, time: T0 + 6000 }))]),
    ).toHaveLength(2);
    expect(dedup.accept([parse(fill({ tid: 1, time: T0 }))])).toHaveLength(0);
  });

  it('keeps the two sides of a self-trade (same tid, different oid) as two fills', () => {
    const dedup = new FillDeduper({ since: 0 });
    const fresh = dedup.accept([
      parse(fill({ tid: 9, time: T0, oid: 1 })),
      parse(fill({ tid: 9, time: T0, oid: 2, side: 'A' })),
    ]);
    expect(fresh).toHaveLength(2);
  });
});

describe('conversions', () => {
  it('maps a venue fill to the project Fill with fee, closed PnL, liquidity and cloid', () => {
    const f = toFill(
      parse(
        fill({
          tid: 4,
          time: T0,
          side: 'A',
          crossed: false,
          fee: '-0.01',
          closedPnl: '12.5',
          cloid: '0x0000000000000000000000000000000a',
        }),
      ),
    );
    expect(f).toMatchObject({
      id: 'BTC:4:1004',
      side: 'sell',
      liquidity: 'maker',
      symbol: 'BTC-USD',
      feeCurrency: 'USDC',
      clientOrderId: '0x0000000000000000000000000000000a',
    });
    expect(f.fee.toFixed()).toBe('-0.01');
    expect(f.closedPnl?.toFixed()).toBe('12.5');
  });

  it('maps order update statuses: open with fills is partially filled, cancels and rejects carry the venue status', () => {
    const [open, cancelled, rejected] = WsOrderUpdatesSchema.parse([
      {
        order: { coin: 'BTC', side: 'B', limitPx: '1', sz: '1', oid: 1, timestamp: T0, origSz: '3' },
        status: 'open',
        statusTimestamp: T0,
      },
      {
        order: { coin: 'BTC', side: 'B', limitPx: '1', sz: '1', oid: 2, timestamp: T0, origSz: '1' },
        status: 'reduceOnlyCanceled',
        statusTimestamp: T0,
      },
      {
        order: { coin: 'BTC', side: 'B', limitPx: '1', sz: '1', oid: 3, timestamp: T0, origSz: '1' },
        status: 'minTradeNtlRejected',
        statusTimestamp: T0,
      },
    ]);
    expect(toOrderUpdate(open as never)).toMatchObject({ status: 'partially_filled' });
    expect(toOrderUpdate(open as never)?.filledQuantity.toFixed()).toBe('2');
    expect(toOrderUpdate(cancelled as never)).toMatchObject({
      status: 'cancelled',
      reason: 'reduceOnlyCanceled',
    });
    expect(toOrderUpdate(rejected as never)).toMatchObject({
      status: 'rejected',
      reason: 'minTradeNtlRejected',
    });
  });
});
