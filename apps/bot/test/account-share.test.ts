import { Decimal } from '@hl-bot/core-types';
import type { ClearinghouseStateResponse } from '@hl-bot/exchange-hyperliquid';
import { nullAuditSink, PositionTracker } from '@hl-bot/positions';
import type { PgRiskBudget } from '@hl-bot/risk-budget-pg';
import { describe, expect, it } from 'vitest';
import { comparePositions } from '../src/reconcile.js';
import { AccountShare, cloidTagOfBot, refreshPeers } from '../src/run/account-share.js';

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

describe('re-reading the other bots of the account', () => {
  const beta = {
    botId: `${VENUE}/beta`,
    account: 'desk',
    cloidTag: betaTag,
    symbols: ['ETH-USD'],
    live: true,
  };
  /** A budget whose registry read fails `failures` times (a busy database timing out), then answers. */
  function flakyBudget(failures: number) {
    let calls = 0;
    const budget = {
      claimSymbols: async () => undefined,
      peers: async () => {
        calls++;
        if (calls <= failures) throw new Error(`query timeout (read ${calls})`);
        return [beta];
      },
    } as unknown as PgRiskBudget;
    return { budget, calls: () => calls };
  }

  it('tries again after a failed read, so a bot that registered meanwhile is known, and reports each failure', async () => {
    const share = new AccountShare(`${VENUE}/alpha`, ['BTC-USD']);
    const { budget, calls } = flakyBudget(3);
    // The first read (at claim) fails too: the claim itself refuses, as before.
    await expect(share.claim(budget, VENUE)).rejects.toThrow(/query timeout/);
    const failures: number[] = [];
    const ok = await refreshPeers(share, budget, { backoffMs: 1, onFailure: (_e, n) => failures.push(n) });
    expect(ok).toBe(true);
    expect(failures).toEqual([1, 2]);
    expect(calls()).toBe(4);
    expect(share.attribute({ cloid: cloid(betaTag), symbol: 'SOL-USD' })).toEqual({
      kind: 'peer',
      botId: beta.botId,
    });
    expect(share.attributeSymbol('ETH-USD')).toEqual({ kind: 'peer', botId: beta.botId });
  });

  it('keeps the last list when every attempt fails: an unknown tag stays nobody’s, never this bot’s', async () => {
    const share = new AccountShare(`${VENUE}/alpha`, ['BTC-USD']);
    const { budget: good } = flakyBudget(0);
    await share.claim(good, VENUE);
    const { budget: down, calls } = flakyBudget(Number.POSITIVE_INFINITY);
    const failures: unknown[] = [];
    expect(
      await refreshPeers(share, down, { attempts: 3, backoffMs: 1, onFailure: (e) => failures.push(e) }),
    ).toBe(false);
    expect(calls()).toBe(3);
    expect(failures).toHaveLength(3);
    expect(share.peers.map((p) => p.botId)).toEqual([beta.botId]);
    expect(share.attribute({ cloid: cloid('12345678'), symbol: 'SOL-USD' })).toEqual({ kind: 'unowned' });
  });
});
