import { Decimal } from '@hl-bot/core-types';
import type { ClearinghouseStateResponse } from '@hl-bot/exchange-hyperliquid';
import { nullAuditSink, PositionTracker } from '@hl-bot/positions';
import { describe, expect, it } from 'vitest';
import { comparePositions } from '../src/reconcile.js';
import { AccountShare, cloidTagOfBot } from '../src/run/account-share.js';

const VENUE = '0x00000000000000000000000000000000000000aa';
const alpha = new AccountShare(`${VENUE}/alpha`, ['BTC-USD']);
const betaTag = cloidTagOfBot(`${VENUE}/beta`);
alpha.setPeers([
  { botId: `${VENUE}/beta`, account: 'desk', cloidTag: betaTag, symbols: ['ETH-USD'], live: true },
]);
const cloid = (tag: string) => `0x${tag}${'0'.repeat(24)}`;

describe('whose an order, fill or position on a shared venue account is', () => {
  it("a bot's tag names the bot on any symbol; without a known tag, the symbol's owner decides", () => {
    expect(alpha.attribute({ cloid: cloid(alpha.cloidTag), symbol: 'ETH-USD' })).toEqual({ kind: 'own' });
    expect(alpha.attribute({ cloid: cloid(betaTag), symbol: 'BTC-USD' })).toEqual({
      kind: 'peer',
      botId: `${VENUE}/beta`,
    });
    // A manual order (no cloid, or a tag no bot registered): the bot that trades the symbol handles it.
    expect(alpha.attribute({ cloid: undefined, symbol: 'BTC-USD' })).toEqual({ kind: 'own' });
    expect(alpha.attribute({ cloid: cloid('12345678'), symbol: 'ETH-USD' })).toEqual({
      kind: 'peer',
      botId: `${VENUE}/beta`,
    });
    expect(alpha.attribute({ cloid: undefined, symbol: 'SOL-USD' })).toEqual({ kind: 'unowned' });
    expect(alpha.owns({ cloid: cloid(betaTag), symbol: 'BTC-USD' })).toBe(false);
  });

  it('tags are stable per bot id and differ between bots', () => {
    expect(cloidTagOfBot(`${VENUE}/alpha`)).toBe(alpha.cloidTag);
    expect(alpha.cloidTag).toMatch(/^[0-9a-f]{8}$/);
    expect(betaTag).not.toBe(alpha.cloidTag);
  });

  it("reconciliation compares only the bot's own symbols: another bot's position is not drift", () => {
    const venue = {
      assetPositions: [
        { position: { coin: 'BTC', szi: new Decimal('0.001'), entryPx: new Decimal('60000') } },
        { position: { coin: 'ETH', szi: new Decimal('0.02'), entryPx: new Decimal('3000') } },
      ],
      time: Date.now(),
    } as unknown as ClearinghouseStateResponse;
    const tracker = new PositionTracker(nullAuditSink);
    const owns = (s: string) => alpha.attributeSymbol(s).kind === 'own';
    // Flat here: BTC (its own) differs, ETH (beta's) is not compared at all.
    expect(comparePositions(tracker, venue, new Map(), '', owns).map((m) => m.symbol)).toEqual(['BTC-USD']);
    // Without ownership every venue position is compared, as before.
    expect(comparePositions(tracker, venue).map((m) => m.symbol)).toEqual(['BTC-USD', 'ETH-USD']);
  });
});
