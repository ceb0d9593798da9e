import {
  type AuditEntry,
  type AuditEventInput,
  type AuditSink,
  HlBotError,
  ManualClock,
} from '@hl-bot/core-types';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  InvalidFillError,
  InvalidFundingError,
  InvalidMarkPriceError,
  nullAuditSink,
  PositionAuditError,
  PositionNotOpenError,
  PositionTracker,
  PositionTrackerHaltedError,
} from '../src/index.js';
import { fill, ledgerView, MemorySink } from './helpers.js';

let sink: MemorySink;
let clock: ManualClock;
let tracker: PositionTracker;

beforeEach(() => {
  sink = new MemorySink();
  clock = new ManualClock(1_700_000_000_000);
  tracker = new PositionTracker(sink, { clock });
});

const s = (v: { toString(): string } | undefined) => v?.toString();

describe('invalid fills', () => {
  const good = () => ({
    id: 'x1',
    orderId: 'o1',
    symbol: 'BTC-USD',
    side: 'buy',
    quantity: '1',
    price: '100',
  });
  const cases: Array<[string, Record<string, unknown>]> = [
    ['zero size', { ...good(), quantity: '0' }],
    ['negative size', { ...good(), quantity: '-1' }],
    ['zero price', { ...good(), price: 0 }],
    ['negative price', { ...good(), price: '-100' }],
    ['NaN size', { ...good(), quantity: Number.NaN }],
    ['NaN price', { ...good(), price: 'NaN' }],
    ['Infinity price', { ...good(), price: Number.POSITIVE_INFINITY }],
    ['unknown side', { ...good(), side: 'long' }],
    ['missing id', { ...good(), id: undefined }],
    ['empty id', { ...good(), id: '' }],
    ['missing symbol', { ...good(), symbol: undefined }],
    ['NaN fee', { ...good(), fee: 'NaN' }],
    ['an unknown field', { ...good(), venueFlag: true }],
    [
      'a spot fee in a third currency',
      { ...good(), symbol: 'PURR-USDC', marketKind: 'spot', fee: '1', feeCurrency: 'HYPE' },
    ],
    [
      'a base-asset fee as large as the fill',
      { ...good(), symbol: 'PURR-USDC', marketKind: 'spot', fee: '1', feeCurrency: 'PURR' },
    ],
  ];

  it.each(cases)(
    'a fill with %s is refused with INVALID_FILL and changes no position',
    async (_name, bad) => {
      await tracker.updateFromFill(fill('buy', '1', '100', { fee: '0.1' }));
      const before = ledgerView(tracker);
      const error = await tracker.updateFromFill(bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidFillError);
      expect(HlBotError.is(error) && error.code).toBe('INVALID_FILL');
      expect(ledgerView(tracker)).toEqual(before);
      expect(tracker.hasProcessedFill('x1')).toBe(false);
      // the refusal itself is on the record: the ledger may now disagree with the venue
      expect(sink.ofType('error').at(-1)).toMatchObject({
        code: 'INVALID_FILL',
        source: '@hl-bot/positions',
      });
    },
  );

  it('a spot sell of more than is held is refused: a spot balance cannot go short', async () => {
    const spot = { symbol: 'PURR-USDC', marketKind: 'spot' as const };
    await expect(tracker.updateFromFill(fill('sell', '1', '0.2', spot))).rejects.toThrow(InvalidFillError);
    await tracker.updateFromFill(fill('buy', '10', '0.2', spot));
    await expect(tracker.updateFromFill(fill('sell', '10.5', '0.2', spot))).rejects.toThrow(
      /exceeds the 10 held/,
    );
    expect(s(tracker.getPosition('PURR-USDC')?.quantity)).toBe('10');
    expect(await tracker.updateFromFill(fill('sell', '10', '0.2', spot))).toBeUndefined();
  });

  it('a fill that contradicts the open position’s market kind is refused', async () => {
    await tracker.updateFromFill(fill('buy', '1', '100'));
    await expect(tracker.updateFromFill(fill('buy', '1', '100', { marketKind: 'spot' }))).rejects.toThrow(
      InvalidFillError,
    );
  });

  it('an invalid fill in a burst fails alone; the fills around it apply', async () => {
    const results = await Promise.allSettled([
      tracker.updateFromFill(fill('buy', '1', '100')),
      tracker.updateFromFill({ ...fill('buy', '1', '100'), price: '0' }),
      tracker.updateFromFill(fill('buy', '1', '100')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(s(tracker.getPosition('BTC-USD')?.quantity)).toBe('2');
  });
});

describe('idempotency', () => {
  it('a fill id already applied changes nothing and is audited as fill_duplicate', async () => {
    const f = fill('buy', '1', '100', { fee: '0.1' });
    const first = await tracker.updateFromFill(f);
    const before = ledgerView(tracker);
    const again = await tracker.updateFromFill(f);
    expect(again).toBe(first);
    expect(ledgerView(tracker)).toEqual(before);
    expect(sink.ofType('fill_duplicate')).toEqual([
      expect.objectContaining({ fillId: f.id, symbol: 'BTC-USD' }),
    ]);
    expect(sink.ofType('order_filled')).toHaveLength(1);
  });

  it('the same id twice in one burst is applied once', async () => {
    const f = fill('buy', '1', '100');
    await Promise.all([tracker.updateFromFill(f), tracker.updateFromFill({ ...f })]);
    expect(s(tracker.getPosition('BTC-USD')?.quantity)).toBe('1');
    expect(tracker.processedFillCount).toBe(1);
  });

  it('an exchange re-sending a batch of old fills after a reconnect changes nothing', async () => {
    const fills = [fill('buy', '1', '100'), fill('buy', '2', '101'), fill('sell', '1.5', '103')];
    for (const f of fills) await tracker.updateFromFill(f);
    const before = ledgerView(tracker);
    await Promise.all(fills.map((f) => tracker.updateFromFill(f)));
    expect(ledgerView(tracker)).toEqual(before);
    expect(sink.ofType('fill_duplicate')).toHaveLength(3);
  });
});

describe('audit before state', () => {
  class GatedSink implements AuditSink {
    readonly events: AuditEventInput[] = [];
    #release: Array<() => void> = [];
    append(event: AuditEventInput): Promise<AuditEntry> {
      this.events.push(event);
      return new Promise((resolve) => this.#release.push(() => resolve({} as AuditEntry)));
    }
    release(): void {
      for (const r of this.#release.splice(0)) r();
    }
  }

  it('a fill is not visible until its audit events are durable', async () => {
    const gated = new GatedSink();
    const t = new PositionTracker(gated);
    const f = fill('buy', '1', '100');
    const pending = t.updateFromFill(f);
    await new Promise((r) => setTimeout(r, 5));
    expect(gated.events.map((e) => e.type)).toEqual(['order_filled', 'position_updated']);
    expect(t.getPosition('BTC-USD')).toBeUndefined();
    expect(t.hasProcessedFill(f.id)).toBe(false);
    gated.release();
    await pending;
    expect(s(t.getPosition('BTC-USD')?.quantity)).toBe('1');
  });

  it('a mark is visible at once, without await; its excursion record follows and flush() waits for it', async () => {
    const gated = new GatedSink();
    const t = new PositionTracker(gated);
    const opened = t.updateFromFill(fill('buy', '1', '100'));
    await new Promise((r) => setTimeout(r, 1));
    gated.release();
    await opened;
    const marked = t.updateMarketPrice('BTC-USD', '90');
    // Seen at once, as RiskManager.updateMarketPrice is: a caller that does not await sees the new value.
    expect(s(marked?.unrealizedPnl)).toBe('-10');
    expect(s(t.getPosition('BTC-USD')?.unrealizedPnl)).toBe('-10');
    expect(s(t.getPosition('BTC-USD')?.maxAdverseExcursion)).toBe('-10');
    let durable = false;
    const flushed = t.flush().then(() => {
      durable = true;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(gated.events.at(-1)?.type).toBe('position_excursion');
    expect(durable).toBe(false);
    gated.release();
    await flushed;
    expect(durable).toBe(true);
  });

  it('a mark waits behind a fill of its symbol whose audit is in flight, in call order; other symbols and an idle tracker show it at once', async () => {
    const gated = new GatedSink();
    const t = new PositionTracker(gated);
    const settle = async (...pending: Array<Promise<unknown>>) => {
      let done = false;
      const all = Promise.all(pending).then(() => {
        done = true;
      });
      while (!done) {
        gated.release();
        await new Promise((r) => setTimeout(r, 1));
      }
      await all;
    };
    await settle(
      t.updateFromFill(fill('buy', '1', '100')),
      t.updateFromFill(fill('buy', '1', '10', { symbol: 'ETH-USD' })),
    );
    const second = t.updateFromFill(fill('buy', '1', '110'));
    await new Promise((r) => setTimeout(r, 1)); // its batch is appended, not yet durable
    // The BTC mark waits: what it returns is the position visible now (one lot, no mark).
    const visible = t.updateMarketPrice('BTC-USD', '90');
    expect(s(visible?.quantity)).toBe('1');
    expect(visible?.markPrice).toBeUndefined();
    // ETH has nothing in flight: its mark shows at once.
    expect(s(t.updateMarketPrice('ETH-USD', '12')?.unrealizedPnl)).toBe('2');
    // A fill queued behind the waiting mark comes after it.
    const third = t.updateFromFill(fill('buy', '1', '120'));
    await settle(second, third, t.flush());
    const btc = t.getPosition('BTC-USD');
    expect(s(btc?.quantity)).toBe('3');
    // The mark at 90 saw the two lots of the second fill (2 x 90 - 210), not one (-10) or three (-60).
    expect(s(btc?.maxAdverseExcursion)).toBe('-30');
    expect(s(btc?.maxFavorableExcursion)).toBe('30');
    // Idle again: a mark shows at once.
    expect(s(t.updateMarketPrice('BTC-USD', '100')?.unrealizedPnl)).toBe('-30');
    await settle(t.flush());
  });

  it('the spec example: a fill then a mark without await shows the $200 unrealized P&L', async () => {
    await tracker.updateFromFill(fill('buy', '0.1', '50000', { fee: '5' }));
    tracker.updateMarketPrice('BTC-USD', '52000');
    const position = tracker.getPosition('BTC-USD');
    expect(s(position?.unrealizedPnl)).toBe('200');
    expect(s(position?.maxFavorableExcursion)).toBe('200');
    await tracker.flush();
    expect(sink.entries.filter((e) => e.type === 'position_excursion')).toHaveLength(1);
  });

  it('a failed append leaves state unchanged, throws, and halts the tracker until recovery', async () => {
    await tracker.updateFromFill(fill('buy', '1', '100'));
    const before = ledgerView(tracker);
    sink.failNext = 1;
    const error = await tracker.updateFromFill(fill('buy', '1', '105')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PositionAuditError);
    expect((error as PositionAuditError).code).toBe('POSITION_AUDIT_FAILED');
    expect(ledgerView(tracker)).toEqual(before);
    expect(tracker.haltedBy).toBe(error);
    await expect(tracker.updateFromFill(fill('buy', '1', '100'))).rejects.toThrow(PositionTrackerHaltedError);
    expect(() => tracker.updateMarketPrice('BTC-USD', '50')).toThrow(PositionTrackerHaltedError);
    await expect(tracker.flush()).rejects.toThrow(PositionTrackerHaltedError);
    await expect(tracker.applyFunding('BTC-USD', '1', 1)).rejects.toThrow(PositionTrackerHaltedError);
    expect(ledgerView(tracker)).toEqual(before);
  });

  it('every operation of a burst whose group commit failed is rejected, and none is applied', async () => {
    sink.failAfter = 3;
    const results = await Promise.allSettled(
      [1, 2, 3, 4].map((i) => tracker.updateFromFill(fill('buy', '1', String(100 + i)))),
    );
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    expect(tracker.getAllPositions()).toHaveLength(0);
    expect(tracker.processedFillCount).toBe(0);
  });
});

describe('appends settling out of order', () => {
  /** A sink whose appends settle only when the test says, in any order. */
  class HeldSink implements AuditSink {
    readonly held: Array<{ event: AuditEventInput; resolve: () => void; reject: (e: Error) => void }> = [];
    append(event: AuditEventInput): Promise<AuditEntry> {
      return new Promise((resolve, reject) => {
        this.held.push({ event, resolve: () => resolve({} as AuditEntry), reject });
      });
    }
  }
  const settleSoon = () => new Promise((r) => setTimeout(r, 0));

  it('no fill of a batch resolves before the last of its appends, whichever settles last', async () => {
    const held = new HeldSink();
    const t = new PositionTracker(held);
    let resolved = 0;
    const all = [1, 2, 3].map((i) =>
      t.updateFromFill(fill('buy', '1', String(100 + i))).then((p) => {
        resolved += 1;
        return p;
      }),
    );
    await settleSoon();
    // three order_filled and one position_updated
    expect(held.held).toHaveLength(4);
    for (const h of held.held.slice(1)) h.resolve();
    await settleSoon();
    expect(resolved).toBe(0);
    expect(t.getAllPositions()).toHaveLength(0);
    held.held[0]?.resolve();
    const positions = await Promise.all(all);
    expect(resolved).toBe(3);
    expect(positions.map((p) => s(p?.signedQuantity))).toEqual(['1', '2', '3']);
  });

  it('a batch whose first append fails after the others succeeded is rejected whole, nothing applied', async () => {
    const held = new HeldSink();
    const t = new PositionTracker(held);
    const all = Promise.allSettled([1, 2, 3].map((i) => t.updateFromFill(fill('buy', '1', String(100 + i)))));
    await settleSoon();
    for (const h of held.held.slice(1)) h.resolve();
    await settleSoon();
    held.held[0]?.reject(new Error('disk full (test)'));
    const results = await all;
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(PositionAuditError);
    expect(t.getAllPositions()).toHaveLength(0);
    expect(t.processedFillCount).toBe(0);
    expect(t.haltedBy).toBeInstanceOf(PositionAuditError);
  });
});

describe('concurrency', () => {
  it('concurrent calls apply in call order, exactly as sequential calls would', async () => {
    const fills = Array.from({ length: 60 }, (_, i) =>
      fill(i % 3 === 0 ? 'sell' : 'buy', `${(i % 5) + 1}`, `${100 + (i % 7)}`, {
        symbol: i % 2 === 0 ? 'BTC-USD' : 'ETH-USD',
        fee: '0.01',
      }),
    );
    const sequential = new PositionTracker(new MemorySink());
    for (const f of fills) await sequential.updateFromFill(f);
    await Promise.all(fills.map((f) => tracker.updateFromFill(f)));
    expect(ledgerView(tracker)).toEqual(ledgerView(sequential));
  });

  it('a mark arriving while fills are in flight is applied after them, in order', async () => {
    const a = tracker.updateFromFill(fill('buy', '1', '100'));
    tracker.updateMarketPrice('BTC-USD', '90');
    await a;
    await tracker.flush();
    expect(s(tracker.getPosition('BTC-USD')?.maxAdverseExcursion)).toBe('-10');
  });
});

describe('marks, exposure and totals', () => {
  it('a mark for a flat symbol is ignored', async () => {
    expect(await tracker.updateMarketPrice('SOL-USD', '10')).toBeUndefined();
    expect(s(tracker.getTotalExposure())).toBe('0');
  });

  it('bad marks are refused synchronously with INVALID_MARK_PRICE', () => {
    expect(() => tracker.updateMarketPrice('BTC-USD', '0')).toThrow(InvalidMarkPriceError);
    expect(() => tracker.updateMarketPrice('BTC-USD', Number.NaN)).toThrow(InvalidMarkPriceError);
    expect(() => tracker.updateMarketPrice('BTC-USD', '-1')).toThrow(InvalidMarkPriceError);
    expect(() => tracker.updateMarketPrice('', '1')).toThrow(InvalidMarkPriceError);
    // The symbol rule is SymbolSchema's, for flat symbols too.
    expect(() => tracker.updateMarketPrice('BTC USD', '1')).toThrow(/invalid symbol/);
    expect(() => tracker.updateMarketPrice('B'.repeat(65), '1')).toThrow(InvalidMarkPriceError);
    expect(() => tracker.updateMarketPrice(7 as unknown as string, '1')).toThrow(InvalidMarkPriceError);
    expect(tracker.updateMarketPrice('B'.repeat(64), '1')).toBeUndefined();
  });

  it('without a fresh mark, exposure is the larger of entry and last fill price, never understated', async () => {
    await tracker.updateFromFill(fill('sell', '1', '100'));
    await tracker.updateFromFill(fill('sell', '1', '90'));
    // cost 190 vs 2 x 90 = 180
    expect(s(tracker.getTotalExposure())).toBe('190');
    await tracker.updateMarketPrice('BTC-USD', '120');
    expect(s(tracker.getTotalExposure())).toBe('240');
    // a newer fill price replaces the older mark
    await tracker.updateFromFill(fill('sell', '1', '130'));
    expect(s(tracker.getTotalExposure())).toBe('390');
  });

  it('totals equal the sums over open and closed positions after any mix of changes', async () => {
    await tracker.updateFromFill(fill('buy', '2', '100', { fee: '0.2' }));
    await tracker.updateFromFill(fill('sell', '3', '50', { symbol: 'ETH-USD', fee: '0.15' }));
    await tracker.updateMarketPrice('BTC-USD', '110');
    await tracker.updateMarketPrice('ETH-USD', '55');
    await tracker.updateFromFill(fill('sell', '1', '108', { fee: '0.1' }));
    await tracker.applyFunding('ETH-USD', '0.3', 5);
    const open = tracker.getAllPositions();
    const closed = tracker.getClosedPositions();
    const sum = (xs: Array<{ toString(): string }>) =>
      xs.reduce((a: number, x) => a + Number(x.toString()), 0);
    expect(Number(s(tracker.getTotalExposure()))).toBeCloseTo(sum(open.map((p) => p.exposure)), 12);
    expect(s(tracker.getTotalExposure())).toBe('273'); // BTC 1 x 108 (fill newer than mark) + ETH 3 x 55
    expect(s(tracker.getTotalUnrealizedPnl())).toBe('-7'); // BTC 108 - 100 = 8, ETH 3 x (50 - 55) = -15
    expect(s(tracker.getTotalRealizedPnl())).toBe('8');
    expect(s(tracker.getTotalFees())).toBe('0.45');
    expect(s(tracker.getTotalFunding())).toBe('0.3');
    expect(s(tracker.getTotalNetRealizedPnl())).toBe('7.85');
    expect(closed).toHaveLength(0);
  });

  it('toPosition gives the core-types PositionSnapshot risk checks take', async () => {
    await tracker.updateFromFill(fill('buy', '0.5', '200', { fee: '0.1' }));
    await tracker.updateMarketPrice('BTC-USD', '210');
    const snap = tracker.getPosition('BTC-USD')?.toPosition();
    expect(snap && Object.fromEntries(Object.entries(snap).map(([k, v]) => [k, String(v)]))).toEqual({
      symbol: 'BTC-USD',
      side: 'long',
      quantity: '0.5',
      signedQuantity: '0.5',
      entryPrice: '200',
      markPrice: '210',
      unrealizedPnl: '5',
      realizedPnl: '0',
      fees: '0.1',
      funding: '0',
      netRealizedPnl: '-0.1',
      maxAdverseExcursion: '0',
      maxFavorableExcursion: '5',
      openedAt: expect.any(String),
      updatedAt: expect.any(String),
      fillCount: '1',
      peakQuantity: '0.5',
    });
  });
});

describe('fills from the venue', () => {
  it('a missing timestamp is filled from the clock, and that is what the audit records', async () => {
    const f = fill('buy', '1', '100');
    delete (f as { timestamp?: unknown }).timestamp;
    const p = await tracker.updateFromFill(f);
    expect(p?.openedAt).toBe(clock.now());
    expect(sink.ofType('order_filled')[0]?.fill.timestamp).toBe(clock.now());
  });

  it('a venue closedPnl that differs from the tracker’s gross realized P&L is audited as pnl_mismatch', async () => {
    await tracker.updateFromFill(fill('buy', '1', '100'));
    const f = fill('sell', '1', '107', { closedPnl: '6.5' });
    await tracker.updateFromFill(f);
    expect(sink.ofType('pnl_mismatch')).toEqual([
      expect.objectContaining({ fillId: f.id, symbol: 'BTC-USD' }),
    ]);
    const [m] = sink.ofType('pnl_mismatch');
    expect([s(m?.venueClosedPnl), s(m?.trackerRealizedPnl)]).toEqual(['6.5', '7']);
    // the tracker's number stays
    expect(s(tracker.getClosedPositions()[0]?.realizedPnl)).toBe('7');
  });

  it('a venue startPosition that differs from the tracker’s position is audited as position_mismatch', async () => {
    await tracker.updateFromFill(fill('buy', '1', '100', { startPosition: '0' }));
    await tracker.updateFromFill(fill('buy', '1', '101', { startPosition: '1' }));
    expect(sink.ofType('position_mismatch')).toHaveLength(0);
    // The venue says the account held 3 before this sell; the tracker holds 2: a fill was missed.
    const f = fill('sell', '1', '102', { startPosition: '3' });
    await tracker.updateFromFill(f);
    const [m] = sink.ofType('position_mismatch');
    expect(m).toMatchObject({ fillId: f.id, symbol: 'BTC-USD' });
    expect([s(m?.venueStartPosition), s(m?.trackerPosition)]).toEqual(['3', '2']);
    // A short is negative on both sides.
    await tracker.updateFromFill(fill('sell', '2', '100', { symbol: 'ETH-USD', startPosition: '0' }));
    await tracker.updateFromFill(fill('buy', '1', '99', { symbol: 'ETH-USD', startPosition: '-2' }));
    expect(sink.ofType('position_mismatch')).toHaveLength(1);
  });

  it('a liquidation fill is audited as liquidation_fill and keeps the venue fields in order_filled', async () => {
    await tracker.updateFromFill(fill('buy', '1', '100'));
    const f = fill('sell', '1', '80', {
      dir: 'Liquidated Long',
      startPosition: '1',
      builderFee: '0.01',
      twapId: 7,
      liquidation: { liquidatedUser: '0xabc', markPx: '80.5', method: 'market' },
    });
    await tracker.updateFromFill(f);
    expect(sink.ofType('liquidation_fill')).toEqual([
      expect.objectContaining({ fillId: f.id, symbol: 'BTC-USD', method: 'market' }),
    ]);
    expect(s(sink.ofType('liquidation_fill')[0]?.markPrice)).toBe('80.5');
    const logged = sink.ofType('order_filled').at(-1)?.fill;
    expect(logged).toMatchObject({ dir: 'Liquidated Long', twapId: 7, liquidation: { method: 'market' } });
    expect([s(logged?.startPosition), s(logged?.builderFee)]).toEqual(['1', '0.01']);
  });

  it('a closedPnl tolerance absorbs the venue’s rounding', async () => {
    const t = new PositionTracker(sink, { closedPnlTolerance: '0.000001' });
    await t.updateFromFill(fill('buy', '3', '1', { symbol: 'X-USD' }));
    await t.updateFromFill(fill('buy', '3', '2', { symbol: 'X-USD' }));
    // entry 1.5; closes 1 at 1.6 -> 0.1
    await t.updateFromFill(fill('sell', '1', '1.6', { symbol: 'X-USD', closedPnl: '0.1000004' }));
    expect(sink.ofType('pnl_mismatch')).toHaveLength(0);
  });
});

describe('funding', () => {
  it('funding for a flat symbol is refused with POSITION_NOT_OPEN and audited', async () => {
    await expect(tracker.applyFunding('BTC-USD', '-1', 1)).rejects.toThrow(PositionNotOpenError);
    expect(sink.ofType('error').at(-1)).toMatchObject({ code: 'POSITION_NOT_OPEN' });
  });

  it('malformed funding is refused synchronously with INVALID_FUNDING', () => {
    expect(() => tracker.applyFunding('BTC-USD', 'abc', 1)).toThrow(InvalidFundingError);
    expect(() => tracker.applyFunding('BTC-USD', '1', -5)).toThrow(InvalidFundingError);
    expect(() => tracker.applyFunding('BTC\nUSD', '1', 1)).toThrow(/invalid symbol/);
    expect(() => tracker.applyFunding(null as unknown as string, '1', 1)).toThrow(InvalidFundingError);
  });
});

describe('nullAuditSink', () => {
  it('runs the same ledger without writing anything', async () => {
    const t = new PositionTracker(nullAuditSink);
    await t.updateFromFill(fill('buy', '1', '100'));
    expect(s(t.getPosition('BTC-USD')?.quantity)).toBe('1');
  });
});
