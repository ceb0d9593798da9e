import { type AuditEventInput, ManualClock } from '@hl-bot/core-types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HyperliquidClient, type LedgerChange } from '../src/index.js';
import { LedgerUpdatesResponseSchema, ledgerChange } from '../src/ledger.js';
import { eventually, FakeVenue, META } from './helpers/fake-venue.js';
import { fixture } from './helpers/fixtures.js';

const KEY = '0x0123456789012345678901234567890123456789012345678901234567890123';
// The account of the SDK's recording.
const RECORDED = '0x2ba553d9f990a3b66b03b2dc0d030dfc1c061036';

describe('non-funding ledger updates', () => {
  it('reads the venue recording and signs every change from the account’s side', () => {
    const updates = LedgerUpdatesResponseSchema.parse(
      fixture('pysdk/test_user_non_funding_ledger_updates_without_end_time').response,
    );
    // A standard account (the recording is from 2024, before unified accounts): equity is the perp value.
    const changes = updates.map((u) => ledgerChange(u, RECORDED, 'standard'));
    expect(changes.map((c) => [c.kind, c.amount.toFixed(), c.nonCash])).toEqual([
      ['deposit', '2703997.4500000002', false],
      // 12 USDC moved from perp to spot: out of the equity risk sees.
      ['accountClassTransfer', '-12', false],
      // 10.5 of those USDC then sent from spot to another address: spot only, already counted above.
      ['spotTransfer', '0', true],
      ['accountClassTransfer', '-2684105.0099999998', false],
      ['deposit', '1099994.98', false],
    ]);
    expect(new Set(changes.map((c) => c.id)).size).toBe(changes.length);
    // Unified: the spot USDC balance is the collateral, so the send and its 1.0 fee leave it. Whether a
    // spot-perp class transfer moves that one balance is not known: reported, never guessed.
    const unified = updates.map((u) => ledgerChange(u, RECORDED, 'unified'));
    expect(unified.map((c) => [c.kind, c.amount.toFixed(), c.nonCash, c.known])).toEqual([
      ['deposit', '2703997.4500000002', false, true],
      ['accountClassTransfer', '0', true, false],
      ['spotTransfer', '-11.5', false, true],
      ['accountClassTransfer', '0', true, false],
      ['deposit', '1099994.98', false, true],
    ]);
    expect(ledgerChange(updates[1] as never, RECORDED, undefined)).toMatchObject({
      nonCash: true,
      known: false,
    });
  });

  it('never books a spot token send at its usdcValue: $42.7M of HYPE, UBTC and UETH move no collateral', () => {
    const updates = LedgerUpdatesResponseSchema.parse(
      fixture('pysdk/hist_test_user_non_funding_ledger_updates_without_end_time_cf3854ef').response,
    );
    const sends = updates.filter((u) => u.delta.type === 'spotTransfer');
    expect(sends).toHaveLength(31);
    // Every update of the recording is read, none of an unknown kind (staking HYPE moves no collateral).
    const all = updates.map((u) => ledgerChange(u, RECORDED, 'standard'));
    expect(all.filter((c) => !c.known)).toEqual([]);
    // Read as a unified account, only its 76 spot-perp class transfers cannot be valued.
    const unknownUnified = updates.map((u) => ledgerChange(u, RECORDED, 'unified')).filter((c) => !c.known);
    expect(new Set(unknownUnified.map((c) => c.kind))).toEqual(new Set(['accountClassTransfer']));
    expect(unknownUnified).toHaveLength(76);
    expect(all.find((c) => c.kind === 'cStakingTransfer')).toMatchObject({ nonCash: true });
    const total = (mode: 'standard' | 'unified' | 'portfolioMargin') =>
      sends
        .map((u) => ledgerChange(u, RECORDED, mode))
        .filter((c) => !c.nonCash)
        .map((c) => c.amount.toFixed());
    // Standard: spot is not collateral at all.
    expect(total('standard')).toEqual([]);
    // Unified and portfolio margin: 10.5 USDC sent plus its 1.0 fee, and the 1.0 USDC fee of a UETH send.
    expect(total('unified')).toEqual(['-11.5', '-1']);
    expect(total('portfolioMargin')).toEqual(['-11.5', '-1']);
    // Before the mode is read, a send cannot be valued: no cash, and flagged so it is reported.
    expect(ledgerChange(sends[0] as never, RECORDED, undefined)).toMatchObject({
      nonCash: true,
      known: false,
    });
  });

  it('knows withdrawals, transfers in and out, vaults and liquidations, and flags unknown kinds', () => {
    const me = '0x1111111111111111111111111111111111111111';
    const other = '0x2222222222222222222222222222222222222222';
    const at = (delta: Record<string, unknown>) =>
      ledgerChange({ time: 1, hash: '0x1', delta: delta as never }, me, 'unified');
    expect(at({ type: 'withdraw', usdc: '100.0', nonce: 1, fee: '1.0' }).amount.toFixed()).toBe('-101');
    expect(
      at({ type: 'internalTransfer', usdc: 50, user: other, destination: me, fee: 1 }).amount.toFixed(),
    ).toBe('50');
    expect(
      at({ type: 'internalTransfer', usdc: 50, user: me, destination: other, fee: 1 }).amount.toFixed(),
    ).toBe('-51');
    expect(at({ type: 'vaultDeposit', vault: other, usdc: 20 }).amount.toFixed()).toBe('-20');
    expect(
      at({ type: 'liquidation', accountValue: 5, leverageType: 'Cross', liquidatedPositions: [] }),
    ).toMatchObject({
      nonCash: true,
      known: true,
    });
    expect(at({ type: 'somethingNew', usdc: 5 })).toMatchObject({ nonCash: true, known: false });
    // A known kind without the amount it is about is unreadable, never a zero that looks read.
    expect(() => at({ type: 'deposit' })).toThrow(/ledger update deposit has no usdc/);
    expect(() => at({ type: 'withdraw', usdc: { v: 1 }, fee: '1' })).toThrow(/has no usdc/);
    expect(() => at({ type: 'spotTransfer', token: 'USDC', user: me, destination: other })).toThrow(
      /spotTransfer has no amount/,
    );
    // An absent fee is no fee.
    expect(at({ type: 'withdraw', usdc: '10' }).amount.toFixed()).toBe('-10');
    expect(at({ type: 'somethingNew' }).amount.isZero()).toBe(true);
  });
});

describe('the ledger stream', () => {
  let venue: FakeVenue;
  beforeEach(async () => {
    venue = await FakeVenue.start();
    venue.info = (b) => {
      if (b.type === 'meta') return { json: META };
      if (b.type === 'perpDexs') return { json: [null] };
      if (b.type === 'userAbstraction') return { json: 'disabled' };
      if (b.type === 'userFillsByTime') return { json: [] };
      return { status: 500, text: 'unexpected' };
    };
  });
  afterEach(async () => {
    await venue.stop();
  });

  const ME = '0x1111111111111111111111111111111111111111';

  /** A started client on the fake venue, with what it audits, delivers and reports. */
  async function startClient(
    opts: {
      walletAddress?: string;
      clock?: ManualClock;
      onAudit?: (e: AuditEventInput) => Promise<void>;
    } = {},
  ) {
    const audit: AuditEventInput[] = [];
    const seen: LedgerChange[] = [];
    const errors: string[] = [];
    const client = new HyperliquidClient({
      privateKey: KEY,
      walletAddress: opts.walletAddress ?? ME,
      baseUrl: venue.url,
      wsUrl: venue.wsUrl,
      clock: opts.clock ?? new ManualClock(1_000),
      fillsSince: 0,
      auditLogger: {
        append: async (e) => {
          audit.push(e);
          await opts.onAudit?.(e);
          return e as never;
        },
      },
    });
    client.onLedgerUpdate((c) => seen.push(c));
    client.onError((e) => errors.push(e.message));
    await client.start({ timeoutMs: 5000 });
    return { client, audit, seen, errors };
  }

  const ledgerSubscribed = () =>
    eventually(
      () =>
        venue.wsMessages.some(
          (m) =>
            (m as { subscription?: { type?: string } }).subscription?.type === 'userNonFundingLedgerUpdates',
        ),
      'the ledger subscription',
    );

  it('subscribes, audits each change once as ledger_update, then delivers it', async () => {
    const { client, audit, seen } = await startClient();
    try {
      await ledgerSubscribed();
      const data = {
        user: ME,
        nonFundingLedgerUpdates: [
          { time: 5_000, hash: '0xaa', delta: { type: 'withdraw', usdc: '250.0', nonce: 7, fee: '1.0' } },
        ],
      };
      venue.push('userNonFundingLedgerUpdates', { ...data, isSnapshot: true });
      venue.push('userNonFundingLedgerUpdates', data);
      await eventually(() => seen.length >= 1, 'the ledger change');
      await new Promise((r) => setTimeout(r, 50));
      expect(seen.map((c) => [c.kind, c.amount.toFixed()])).toEqual([['withdraw', '-251']]);
      expect(audit.filter((e) => e.type === 'ledger_update')).toEqual([
        expect.objectContaining({
          type: 'ledger_update',
          kind: 'withdraw',
          ledgerId: '5000:0xaa:withdraw',
          time: 5_000,
        }),
      ]);
    } finally {
      client.close();
    }
  });

  it('one unreadable update is reported and does not drop the deposits and withdrawals next to it', async () => {
    const { client, seen, errors } = await startClient();
    try {
      await ledgerSubscribed();
      venue.push('userNonFundingLedgerUpdates', {
        user: ME,
        nonFundingLedgerUpdates: [
          { time: 5_000, hash: '0xa1', delta: { type: 'deposit', usdc: '1000.0' } },
          { time: 'soon', hash: '0xa2', delta: { type: 'deposit', usdc: '5.0' } },
          { time: 7_000, hash: '0xa3', delta: { type: 'withdraw', usdc: '400.0', nonce: 1, fee: '1.0' } },
        ],
      });
      await eventually(() => seen.length >= 2 && errors.length >= 1, 'two changes and one error');
      expect(seen.map((c) => [c.kind, c.amount.toFixed()])).toEqual([
        ['deposit', '1000'],
        ['withdraw', '-401'],
      ]);
      expect(errors).toEqual([
        expect.stringMatching(/userNonFundingLedgerUpdates update is unreadable; dropped/),
      ]);
    } finally {
      client.close();
    }
  });

  it('values a spot send in the mode read at start: a unified account’s USDC send leaves its collateral', async () => {
    const info = venue.info;
    venue.info = (b) => (b.type === 'userAbstraction' ? { json: 'unifiedAccount' } : info(b));
    const { client, seen } = await startClient();
    try {
      await ledgerSubscribed();
      const send = (time: number, token: string, amount: string, usdcValue: string) => ({
        time,
        hash: `0x${time}`,
        delta: { type: 'spotTransfer', token, amount, usdcValue, user: ME, destination: '0x22', fee: '0.0' },
      });
      venue.push('userNonFundingLedgerUpdates', {
        user: ME,
        nonFundingLedgerUpdates: [send(5_000, 'USDC', '25.0', '25.0'), send(6_000, 'UETH', '2.0', '7400.0')],
      });
      await eventually(() => seen.length >= 2, 'both changes');
      expect(seen.map((c) => [c.kind, c.amount.toFixed(), c.nonCash, c.known])).toEqual([
        ['spotTransfer', '-25', false, true],
        ['spotTransfer', '0', true, true],
      ]);
    } finally {
      client.close();
    }
  });

  it('syncLedger delivers what the venue recorded but did not push, before it resolves, and only once', async () => {
    // The SDK's recording of a real account, answered over REST; the stream pushes nothing.
    const recorded = fixture('pysdk/test_user_non_funding_ledger_updates_without_end_time').response as {
      time: number;
    }[];
    const answer = [...recorded, { time: 'later', hash: '0xbad', delta: { type: 'deposit' } }];
    const info = venue.info;
    venue.info = (b) => (b.type === 'userNonFundingLedgerUpdates' ? { json: answer } : info(b));
    const clock = new ManualClock(1_600_000_000_000);
    const { client, audit, seen, errors } = await startClient({ walletAddress: RECORDED, clock });
    try {
      await client.syncLedger();
      // Delivered, each audited first, by the time the sync resolves: no waiting on anything else.
      expect(seen.map((c) => [c.kind, c.amount.toFixed()])).toEqual([
        ['deposit', '2703997.4500000002'],
        ['accountClassTransfer', '-12'],
        ['spotTransfer', '0'],
        ['accountClassTransfer', '-2684105.0099999998'],
        ['deposit', '1099994.98'],
      ]);
      expect(audit.filter((e) => e.type === 'ledger_update')).toHaveLength(5);
      expect(errors).toEqual([
        expect.stringMatching(/^REST userNonFundingLedgerUpdates update is unreadable; dropped/),
      ]);

      // Again later: read from the previous sync less five minutes; nothing is delivered or reported twice,
      // and the stream's push of one of them afterwards is not delivered either.
      clock.advance(3_600_000);
      await client.syncLedger();
      venue.push('userNonFundingLedgerUpdates', {
        user: RECORDED,
        nonFundingLedgerUpdates: recorded.slice(0, 1),
      });
      await new Promise((r) => setTimeout(r, 100));
      expect(seen).toHaveLength(5);
      expect(errors).toHaveLength(1);
      const starts = venue.requestsOf('/info', 'userNonFundingLedgerUpdates').map((r) => r.body.startTime);
      expect(starts).toEqual([0, 1_600_000_000_000 - 300_000]);
    } finally {
      client.close();
    }
  });

  it('syncLedger rejects when the venue cannot answer, and delivers nothing', async () => {
    const info = venue.info;
    venue.info = (b) => (b.type === 'userNonFundingLedgerUpdates' ? { json: { error: 'no' } } : info(b));
    const { client, seen } = await startClient({ walletAddress: RECORDED });
    try {
      await expect(client.syncLedger()).rejects.toThrow();
      expect(seen).toEqual([]);
    } finally {
      client.close();
    }
  });

  it('syncLedger waits for a change the stream brought whose audit record is still being written', async () => {
    const update = {
      time: 5_000,
      hash: '0xb1',
      delta: { type: 'withdraw', usdc: '900.0', nonce: 3, fee: '1.0' },
    };
    const info = venue.info;
    venue.info = (b) => (b.type === 'userNonFundingLedgerUpdates' ? { json: [update] } : info(b));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let held = false;
    const { client, seen } = await startClient({
      onAudit: async (e) => {
        if (e.type === 'ledger_update') {
          held = true;
          await gate;
        }
      },
    });
    try {
      await ledgerSubscribed();
      venue.push('userNonFundingLedgerUpdates', { user: ME, nonFundingLedgerUpdates: [update] });
      await eventually(() => held, 'the stream’s change to be in its audit write');
      // A sync beside it finds the change already seen: it must still wait until the change is delivered,
      // or an account read handed over after it would beat the withdrawal to risk.
      let synced = false;
      const sync = client.syncLedger().then(() => {
        synced = true;
      });
      await new Promise((r) => setTimeout(r, 150));
      expect(synced).toBe(false);
      release();
      await sync;
      expect(seen.map((c) => [c.kind, c.amount.toFixed()])).toEqual([['withdraw', '-901']]);
    } finally {
      client.close();
    }
  });
});
