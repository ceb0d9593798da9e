import { type AuditEventInput, ManualClock } from '@hl-bot/core-types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accountModeOf, UNIFIED_DAILY_ACTION_CAP, VENUE_ACCOUNT_MODES } from '../src/account-mode.js';
import { DailyActionCap } from '../src/action-cap.js';
import { HyperliquidClient } from '../src/index.js';
import { buildCancelAction, buildOrderAction, orderWire } from '../src/wire.js';
import { FakeVenue, META } from './helpers/fake-venue.js';
import { fixture } from './helpers/fixtures.js';

const KEY = '0x0123456789012345678901234567890123456789012345678901234567890123';
const ACCOUNT = '0x1111111111111111111111111111111111111111';
const T0 = 1_700_000_000_000;

let venue: FakeVenue;
let clock: ManualClock;
let audit: AuditEventInput[];
let mode: string;

// The docs' perp user state: one isolated ETH position with -0.0134 unrealized P&L, account value 13109.48.
const PERP = fixture('docs/clearinghouseState_38').response;
// The docs' spot state: 14.625485 USDC and 2000 PURR.
const SPOT = fixture('docs/spotClearinghouseState_55').response;

function client(): HyperliquidClient {
  return new HyperliquidClient({
    privateKey: KEY,
    walletAddress: ACCOUNT,
    baseUrl: venue.url,
    wsUrl: venue.wsUrl,
    clock,
    sleep: async (ms) => clock.advance(ms),
    auditLogger: {
      append: async (e) => {
        audit.push(e);
        return e as never;
      },
    },
  });
}

beforeEach(async () => {
  venue = await FakeVenue.start();
  clock = new ManualClock(T0);
  audit = [];
  mode = 'disabled';
  venue.info = (body) => {
    switch (body.type) {
      case 'userAbstraction':
        return { json: mode };
      case 'clearinghouseState':
        return { json: PERP };
      case 'spotClearinghouseState':
        return { json: SPOT };
      case 'meta':
        return { json: META };
      case 'perpDexs':
        return { json: [null] };
      default:
        return { status: 500, text: `unhandled ${String(body.type)}` };
    }
  };
});
afterEach(async () => {
  await venue.stop();
});

describe('account modes', () => {
  it('knows every mode the venue documents, and refuses the rest', () => {
    expect(VENUE_ACCOUNT_MODES).toEqual([
      'default',
      'disabled',
      'unifiedAccount',
      'portfolioMargin',
      'dexAbstraction',
    ]);
    expect(accountModeOf('default').kind).toBe('standard');
    expect(accountModeOf('disabled')).toEqual({
      venue: 'disabled',
      kind: 'standard',
      dailyActionCap: undefined,
    });
    expect(accountModeOf('unifiedAccount')).toEqual({
      venue: 'unifiedAccount',
      kind: 'unified',
      dailyActionCap: 50_000,
    });
    expect(accountModeOf('portfolioMargin').dailyActionCap).toBe(UNIFIED_DAILY_ACTION_CAP);
    expect(() => accountModeOf('dexAbstraction')).toThrow(
      expect.objectContaining({ code: 'HL_UNSUPPORTED_ACCOUNT_MODE' }),
    );
    expect(() => accountModeOf('hyperMode')).toThrow(
      expect.objectContaining({ code: 'HL_UNKNOWN_ACCOUNT_MODE', venueMode: 'hyperMode' }),
    );
  });

  it('measures a standard account from its perp state and audits the mode once', async () => {
    const c = client();
    const a = await c.getAccountState();
    expect(a.equity.toFixed()).toBe('13109.482328');
    expect(a.balance.toFixed()).toBe('13109.495728'); // account value minus the -0.0134 unrealized P&L
    expect(a.marginUsed.toFixed()).toBe('4.967826');
    await c.getAccountState();
    expect(venue.requestsOf('/info', 'spotClearinghouseState')).toHaveLength(0);
    expect(audit.filter((e) => e.type === 'account_mode')).toEqual([
      { type: 'account_mode', venueMode: 'disabled', kind: 'standard' },
    ]);
    expect(c.actionCap.cap).toBeUndefined();
  });

  it('measures a unified account from its spot USDC balance, not from the perp state', async () => {
    mode = 'unifiedAccount';
    const c = client();
    const a = await c.getAccountState();
    // Spot USDC total, plus the positions' unrealized P&L; PURR is not collateral that is valued here.
    expect(a.balance.toFixed()).toBe('14.625485');
    expect(a.equity.toFixed()).toBe('14.612085');
    // The larger of the spot hold (0) and the margin the perp dex reports.
    expect(a.marginUsed.toFixed()).toBe('4.967826');
    expect(venue.requestsOf('/info', 'userAbstraction')[0]?.body.user).toBe(ACCOUNT);
    expect(c.actionCap.cap).toBe(50_000);
  });

  it('re-reads the mode on account refreshes once it is older than its TTL, and audits a change', async () => {
    const c = client();
    await c.getAccountState();
    mode = 'portfolioMargin';
    // Within the TTL (60 s) the last read stands: userAbstraction weighs 20.
    expect((await c.getAccountState()).balance.toFixed()).toBe('13109.495728');
    expect(venue.requestsOf('/info', 'userAbstraction')).toHaveLength(1);
    clock.advance(60_000);
    const a = await c.getAccountState();
    expect(a.balance.toFixed()).toBe('14.625485');
    expect(audit.filter((e) => e.type === 'account_mode')).toEqual([
      { type: 'account_mode', venueMode: 'disabled', kind: 'standard' },
      { type: 'account_mode', venueMode: 'portfolioMargin', kind: 'portfolioMargin', previous: 'disabled' },
    ]);
    expect(venue.requestsOf('/info', 'userAbstraction')).toHaveLength(2);
  });

  it('refuses to start, and to measure, an account in a mode it does not know', async () => {
    mode = 'somethingNew';
    const c = client();
    await expect(c.start({ timeoutMs: 2000 })).rejects.toMatchObject({ code: 'HL_UNKNOWN_ACCOUNT_MODE' });
    expect(venue.connections).toBe(0);
    await expect(c.getAccountState()).rejects.toMatchObject({ code: 'HL_UNKNOWN_ACCOUNT_MODE' });
    expect(venue.requestsOf('/info', 'clearinghouseState')).toHaveLength(0);
    expect(audit.some((e) => e.type === 'error' && e.code === 'HL_UNKNOWN_ACCOUNT_MODE')).toBe(true);
  });

  it('refuses a non-string mode answer as a bad response', async () => {
    venue.info = () => ({ json: { mode: 'unifiedAccount' } });
    await expect(client().accountMode()).rejects.toMatchObject({ code: 'HL_BAD_RESPONSE' });
  });
});

describe('daily action cap of unified accounts', () => {
  const buy = (reduceOnly: boolean) =>
    buildOrderAction([
      orderWire({
        asset: 0,
        isBuy: true,
        price: '60000',
        size: '0.01',
        reduceOnly,
        orderType: { limit: { tif: 'Gtc' } },
      }),
    ]);

  it('counts batch members over a rolling day and keeps a reserve for cancels and reduce-only orders', () => {
    const cap = new DailyActionCap({ clock, reserve: 0.1 });
    cap.take(buy(false)); // no cap yet: a standard account is not limited
    cap.setCap(100);
    for (let i = 1; i < 90; i++) cap.take(buy(false));
    expect(cap.used()).toBe(90);
    expect(() => cap.take(buy(false))).toThrow(expect.objectContaining({ code: 'HL_ACTION_CAP_REACHED' }));
    cap.take(buy(true));
    cap.take(buildCancelAction(Array.from({ length: 9 }, (_, i) => ({ asset: 0, oid: i + 1 }))));
    expect(cap.used()).toBe(100);
    expect(() => cap.take(buy(true))).toThrow(expect.objectContaining({ code: 'HL_ACTION_CAP_REACHED' }));
    // A day after the first actions they no longer count.
    clock.advance(24 * 60 * 60 * 1000);
    expect(cap.used()).toBe(0);
    cap.take(buy(false));
  });

  it('stops a unified account client before it signs an action past the cap', async () => {
    mode = 'unifiedAccount';
    const c = client();
    await c.accountMode();
    let sent = 0;
    venue.exchange = () => {
      sent += 1;
      return { json: { status: 'ok', response: { type: 'default' } } };
    };
    c.actionCap.setCap(2);
    await c.sendAction(buy(false));
    await expect(c.sendAction(buy(false))).rejects.toMatchObject({ code: 'HL_ACTION_CAP_REACHED' });
    await c.sendAction(buy(true));
    expect(sent).toBe(2);
  });
});
