import { ManualClock } from '@hl-bot/core-types';
import { beforeEach, describe, expect, it } from 'vitest';
import { PositionTracker } from '../src/index.js';
import { d, fill, MemorySink } from './helpers.js';

// Every number below is derived by hand from the documented semantics, not read back from the code.

let sink: MemorySink;
let tracker: PositionTracker;

beforeEach(() => {
  sink = new MemorySink();
  tracker = new PositionTracker(sink, { clock: new ManualClock(0), spotSymbols: ['PURR-USDC'] });
});

const s = (v: { toString(): string } | undefined) => v?.toString();

describe('open', () => {
  it('a first buy opens a long at the fill price, with its fee already counted against net P&L', async () => {
    const p = await tracker.updateFromFill(fill('buy', '0.1', '50000', { fee: '5' }));
    expect(p?.side).toBe('long');
    expect(s(p?.quantity)).toBe('0.1');
    expect(s(p?.signedQuantity)).toBe('0.1');
    expect(s(p?.entryPrice)).toBe('50000');
    expect(s(p?.realizedPnl)).toBe('0');
    expect(s(p?.fees)).toBe('5');
    expect(s(p?.netRealizedPnl)).toBe('-5');
    expect(s(p?.unrealizedPnl)).toBe('0');
    expect(p?.fillCount).toBe(1);
    expect(s(p?.peakQuantity)).toBe('0.1');
    expect(s(p?.maxAdverseExcursion)).toBe('0');
    expect(s(p?.maxFavorableExcursion)).toBe('0');
    expect(p?.markPrice).toBeUndefined();
  });

  it('a mark values the position and raises MFE: 0.1 x (52000 - 50000) = 200', async () => {
    await tracker.updateFromFill(fill('buy', '0.1', '50000', { fee: '5' }));
    await tracker.updateMarketPrice('BTC-USD', '52000');
    const p = tracker.getPosition('BTC-USD');
    expect(s(p?.markPrice)).toBe('52000');
    expect(s(p?.unrealizedPnl)).toBe('200');
    expect(s(p?.maxFavorableExcursion)).toBe('200');
    expect(s(tracker.getTotalExposure())).toBe('5200');
    expect(s(tracker.getTotalUnrealizedPnl())).toBe('200');
  });

  it('a first sell opens a short with a negative signed quantity', async () => {
    const p = await tracker.updateFromFill(fill('sell', '2', '10', { fee: '0.02' }));
    expect(p?.side).toBe('short');
    expect(s(p?.quantity)).toBe('2');
    expect(s(p?.signedQuantity)).toBe('-2');
    expect(s(p?.entryPrice)).toBe('10');
    expect(p?.toPosition()).toMatchObject({ side: 'short', quantity: d(2), entryPrice: d(10) });
  });
});

describe('increase, decrease, close', () => {
  async function openAndAdd() {
    await tracker.updateFromFill(fill('buy', '1', '100', { fee: '0.1' }));
    return tracker.updateFromFill(fill('buy', '3', '104', { fee: '0.3' }));
  }

  it('adding averages the entry: (1 x 100 + 3 x 104) / 4 = 103', async () => {
    const p = await openAndAdd();
    expect(s(p?.quantity)).toBe('4');
    expect(s(p?.entryPrice)).toBe('103');
    expect(s(p?.fees)).toBe('0.4');
    expect(s(p?.peakQuantity)).toBe('4');
    expect(p?.fillCount).toBe(2);
    // the add happened at 104 with 1 held at 100: MFE 4
    expect(s(p?.maxFavorableExcursion)).toBe('4');
    expect(s(p?.unrealizedPnl)).toBe('4');
    // no mark yet: exposure = max(4 x 103, 4 x 104) = 416
    expect(s(tracker.getTotalExposure())).toBe('416');
  });

  it('a partial close realizes (110 - 103) x 1 = 7 at the fill price and keeps the entry', async () => {
    await openAndAdd();
    const p = await tracker.updateFromFill(fill('sell', '1', '110', { fee: '0.11', closedPnl: '7' }));
    expect(s(p?.quantity)).toBe('3');
    expect(s(p?.entryPrice)).toBe('103');
    expect(s(p?.realizedPnl)).toBe('7');
    expect(s(p?.fees)).toBe('0.51');
    expect(s(p?.netRealizedPnl)).toBe('6.49');
    // at 110 with 4 held: 4 x (110 - 103) = 28
    expect(s(p?.maxFavorableExcursion)).toBe('28');
    expect(sink.ofType('pnl_mismatch')).toHaveLength(0);
  });

  it('a full close moves the round trip to closed positions with averages, P&L, MAE/MFE and duration', async () => {
    await openAndAdd();
    await tracker.updateFromFill(fill('sell', '1', '110', { fee: '0.11' }));
    const last = fill('sell', '3', '100', { fee: '0.3', closedPnl: '-9' });
    const p = await tracker.updateFromFill(last);
    expect(p).toBeUndefined();
    expect(tracker.getPosition('BTC-USD')).toBeUndefined();
    expect(tracker.getAllPositions()).toHaveLength(0);
    const [c] = tracker.getClosedPositions();
    expect(c).toBeDefined();
    expect(c?.side).toBe('long');
    expect(s(c?.quantity)).toBe('4');
    expect(s(c?.peakQuantity)).toBe('4');
    expect(s(c?.entryPrice)).toBe('103');
    expect(s(c?.exitPrice)).toBe('102.5'); // (110 + 300) / 4
    expect(s(c?.realizedPnl)).toBe('-2'); // 7 + (300 - 309)
    expect(s(c?.fees)).toBe('0.81');
    expect(s(c?.netRealizedPnl)).toBe('-2.81'); // = sells 410 - buys 412 - fees 0.81
    expect(s(c?.maxAdverseExcursion)).toBe('-9'); // 3 x (100 - 103)
    expect(s(c?.maxFavorableExcursion)).toBe('28');
    expect(c?.fillCount).toBe(4);
    expect(c?.closedAt).toBe(last.timestamp);
    expect(c?.durationMs).toBe((last.timestamp as number) - (c?.openedAt ?? 0));
    expect(s(tracker.getTotalRealizedPnl())).toBe('-2');
    expect(s(tracker.getTotalNetRealizedPnl())).toBe('-2.81');
    expect(s(tracker.getTotalExposure())).toBe('0');
    expect(sink.ofType('position_closed')).toHaveLength(1);
    const updated = sink.ofType('position_updated').at(-1);
    expect(updated?.position).toBeUndefined();
  });

  it('a close then a reopen starts a fresh position: its own entry, fees, count and excursions', async () => {
    await tracker.updateFromFill(fill('buy', '1', '100'));
    await tracker.updateMarketPrice('BTC-USD', '80');
    await tracker.updateFromFill(fill('sell', '1', '120'));
    const reopen = fill('buy', '2', '90', { fee: '0.18' });
    const p = await tracker.updateFromFill(reopen);
    expect(s(p?.quantity)).toBe('2');
    expect(s(p?.entryPrice)).toBe('90');
    expect(s(p?.realizedPnl)).toBe('0');
    expect(s(p?.fees)).toBe('0.18');
    expect(p?.fillCount).toBe(1);
    expect(s(p?.maxAdverseExcursion)).toBe('0');
    expect(s(p?.maxFavorableExcursion)).toBe('0');
    expect(p?.openedAt).toBe(reopen.timestamp);
    expect(p?.markPrice).toBeUndefined();
    expect(tracker.getClosedPositions()).toHaveLength(1);
    expect(s(tracker.getClosedPositions()[0]?.maxAdverseExcursion)).toBe('-20');
  });

  it('a short profits when covered lower: short 2 @ 50, buy 2 @ 45 realizes 10', async () => {
    await tracker.updateFromFill(fill('sell', '2', '50'));
    await tracker.updateFromFill(fill('buy', '2', '45', { closedPnl: '10' }));
    expect(s(tracker.getClosedPositions()[0]?.realizedPnl)).toBe('10');
    expect(s(tracker.getClosedPositions()[0]?.side)).toBe('short');
    expect(sink.ofType('pnl_mismatch')).toHaveLength(0);
  });
});

describe('flips', () => {
  it('one fill larger than the position closes it and opens the other side, fee split pro rata', async () => {
    await tracker.updateFromFill(fill('buy', '2', '100', { fee: '0.2' }));
    const p = await tracker.updateFromFill(fill('sell', '5', '110', { fee: '1.5', closedPnl: '20' }));
    const [c] = tracker.getClosedPositions();
    expect(s(c?.realizedPnl)).toBe('20'); // 2 x (110 - 100)
    expect(s(c?.fees)).toBe('0.8'); // 0.2 + 1.5 x 2/5
    expect(s(c?.netRealizedPnl)).toBe('19.2');
    expect(s(c?.exitPrice)).toBe('110');
    expect(p?.side).toBe('short');
    expect(s(p?.quantity)).toBe('3');
    expect(s(p?.entryPrice)).toBe('110');
    expect(s(p?.fees)).toBe('0.9'); // 1.5 x 3/5
    expect(s(p?.realizedPnl)).toBe('0');
    expect(p?.fillCount).toBe(1);
    expect(sink.entries.map((e) => e.type)).toEqual([
      'order_filled',
      'position_updated',
      'order_filled',
      'position_closed',
      'position_updated',
    ]);
  });

  it('a flip fee that does not divide evenly keeps every cent: the opening leg gets the exact remainder', async () => {
    await tracker.updateFromFill(fill('sell', '1', '100'));
    const p = await tracker.updateFromFill(fill('buy', '3', '100', { fee: '1' }));
    const c = tracker.getClosedPositions()[0];
    expect(s(c?.fees)).toBe('0.333333333333333333');
    expect(s(p?.fees)).toBe('0.666666666666666667');
    expect(s(tracker.getTotalFees())).toBe('1');
  });

  it('a flip over two fills: a close, then an opposite open', async () => {
    await tracker.updateFromFill(fill('buy', '2', '100'));
    expect(await tracker.updateFromFill(fill('sell', '2', '95', { fee: '0.19' }))).toBeUndefined();
    const p = await tracker.updateFromFill(fill('sell', '1', '96', { fee: '0.096' }));
    expect(s(tracker.getClosedPositions()[0]?.netRealizedPnl)).toBe('-10.19');
    expect(s(p?.signedQuantity)).toBe('-1');
    expect(s(p?.entryPrice)).toBe('96');
    expect(s(p?.fees)).toBe('0.096');
  });
});

describe('fees', () => {
  it('a negative fee (maker rebate) is income', async () => {
    await tracker.updateFromFill(fill('buy', '1', '100', { fee: '-0.05', liquidity: 'maker' }));
    expect(s(tracker.getPosition('BTC-USD')?.netRealizedPnl)).toBe('0.05');
    await tracker.updateFromFill(fill('sell', '1', '100', { fee: '-0.05', liquidity: 'maker' }));
    const c = tracker.getClosedPositions()[0];
    expect(s(c?.realizedPnl)).toBe('0');
    expect(s(c?.fees)).toBe('-0.1');
    expect(s(c?.netRealizedPnl)).toBe('0.1');
  });

  it('on spot, a fee paid in the base asset reduces the quantity and counts at its quote value', async () => {
    const p = await tracker.updateFromFill(
      fill('buy', '100', '0.2', { symbol: 'PURR-USDC', fee: '0.1', feeCurrency: 'PURR' }),
    );
    expect(p?.marketKind).toBe('spot');
    expect(s(p?.quantity)).toBe('99.9');
    expect(s(p?.entryPrice)).toBe('0.2');
    expect(s(p?.fees)).toBe('0.02'); // 0.1 PURR x 0.2
    await tracker.updateFromFill(
      fill('sell', '99.9', '0.25', { symbol: 'PURR-USDC', fee: '0.024975', feeCurrency: 'USDC' }),
    );
    const c = tracker.getClosedPositions()[0];
    expect(s(c?.realizedPnl)).toBe('4.995'); // 99.9 x 0.25 - 19.98
    expect(s(c?.fees)).toBe('0.044975');
    // cash: -20 + 24.975 - 0.024975
    expect(s(c?.netRealizedPnl)).toBe('4.950025');
  });

  it('on perps the fee currency never changes the quantity', async () => {
    const p = await tracker.updateFromFill(fill('buy', '1', '100', { fee: '0.001', feeCurrency: 'BTC' }));
    expect(s(p?.quantity)).toBe('1');
    expect(s(p?.fees)).toBe('0.001');
  });

  it('a fill whose own marketKind is spot is treated as spot', async () => {
    const p = await tracker.updateFromFill(
      fill('buy', '10', '2', { symbol: 'HYPE-USDC', marketKind: 'spot', fee: '0.01', feeCurrency: 'HYPE' }),
    );
    expect(s(p?.quantity)).toBe('9.99');
    expect(s(p?.fees)).toBe('0.02');
  });
});

describe('MAE and MFE', () => {
  it('follow a price path of marks and fills on the open quantity, in quote currency', async () => {
    await tracker.updateFromFill(fill('buy', '2', '100'));
    const path: Array<[string, string, string]> = [
      ['101', '0', '2'],
      ['98', '-4', '2'],
      ['103', '-4', '6'],
      ['99', '-4', '6'],
    ];
    for (const [price, mae, mfe] of path) {
      await tracker.updateMarketPrice('BTC-USD', price);
      const p = tracker.getPosition('BTC-USD');
      expect([s(p?.maxAdverseExcursion), s(p?.maxFavorableExcursion)]).toEqual([mae, mfe]);
    }
    // a fill at 97 with 2 held at 100: -6
    let p = await tracker.updateFromFill(fill('buy', '1', '97'));
    expect(s(p?.maxAdverseExcursion)).toBe('-6');
    expect(s(p?.entryPrice)).toBe('99');
    await tracker.updateMarketPrice('BTC-USD', '95'); // 3 x (95 - 99) = -12
    await tracker.updateMarketPrice('BTC-USD', '104'); // 3 x (104 - 99) = 15
    p = tracker.getPosition('BTC-USD');
    expect([s(p?.maxAdverseExcursion), s(p?.maxFavorableExcursion)]).toEqual(['-12', '15']);
    await tracker.updateFromFill(fill('sell', '3', '102'));
    const c = tracker.getClosedPositions()[0];
    expect([s(c?.maxAdverseExcursion), s(c?.maxFavorableExcursion)]).toEqual(['-12', '15']);
    // only marks that made a new extreme were audited: 101, 98, 103, 95, 104
    expect(sink.ofType('position_excursion').map((e) => e.markPrice.toString())).toEqual([
      '101',
      '98',
      '103',
      '95',
      '104',
    ]);
  });

  it('for a short, a rising price is adverse', async () => {
    await tracker.updateFromFill(fill('sell', '1', '100'));
    await tracker.updateMarketPrice('BTC-USD', '105');
    await tracker.updateMarketPrice('BTC-USD', '90');
    const p = tracker.getPosition('BTC-USD');
    expect(s(p?.maxAdverseExcursion)).toBe('-5');
    expect(s(p?.maxFavorableExcursion)).toBe('10');
  });
});

describe('funding', () => {
  it('funding adds to the open position and to its net realized P&L', async () => {
    await tracker.updateFromFill(fill('buy', '1', '100', { fee: '0.1' }));
    const p = await tracker.applyFunding('BTC-USD', '-1.25', 3_600_000);
    expect(s(p.funding)).toBe('-1.25');
    expect(s(p.netRealizedPnl)).toBe('-1.35');
    await tracker.applyFunding('BTC-USD', '0.5', 7_200_000);
    await tracker.updateFromFill(fill('sell', '1', '100'));
    const c = tracker.getClosedPositions()[0];
    expect(s(c?.funding)).toBe('-0.75');
    expect(s(c?.netRealizedPnl)).toBe('-0.85');
    expect(sink.ofType('funding_applied')).toHaveLength(2);
  });

  it('a funding payment with an id already applied changes nothing', async () => {
    await tracker.updateFromFill(fill('buy', '1', '100'));
    await tracker.applyFunding('BTC-USD', '-1', 1, 'fund-1');
    await tracker.applyFunding('BTC-USD', '-1', 1, 'fund-1');
    expect(s(tracker.getPosition('BTC-USD')?.funding)).toBe('-1');
  });
});
