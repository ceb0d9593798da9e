import { ZERO } from '@hl-bot/core-types';
import { describe, expect, inject, it } from 'vitest';
import { PgRiskBudget, type RiskBudgetPgError } from '../src/index.js';
import { newAccount, sql } from './helpers.js';

const url = inject('pgUrl');
const VENUE = '0x00000000000000000000000000000000000000aa';

async function open(account: string, botId: string, leaseMs = 3000): Promise<PgRiskBudget> {
  return PgRiskBudget.open({ url, account, botId, caps: { leaseMs }, timeoutMs: 5000 });
}

async function refusal(p: Promise<unknown>): Promise<RiskBudgetPgError> {
  return p.then(
    () => {
      throw new Error('the claim was accepted');
    },
    (error: RiskBudgetPgError) => error,
  );
}

describe('symbol ownership of bots sharing one venue account', () => {
  it('refuses a symbol another bot of the venue account trades, naming that bot', async () => {
    const account = newAccount();
    const a = await open(account, `${VENUE}/alpha`);
    const b = await open(account, `${VENUE}/beta`);
    try {
      await a.claimSymbols({ venueAccount: VENUE, cloidTag: '0000000a', symbols: ['BTC', 'ETH'] });
      const error = await refusal(
        b.claimSymbols({ venueAccount: VENUE, cloidTag: '0000000b', symbols: ['SOL', 'ETH'] }),
      );
      expect(error.code).toBe('RISK_BUDGET_SYMBOL_OWNED');
      expect(error.message).toContain(`ETH on venue account ${VENUE} is traded by bot ${VENUE}/alpha`);
      expect(error.details.owner).toBe(`${VENUE}/alpha`);
      // Refused as a whole: nothing of the claim was registered.
      expect((await a.peers(VENUE)).map((p) => p.botId)).toEqual([]);
      await b.claimSymbols({ venueAccount: VENUE, cloidTag: '0000000b', symbols: ['SOL'] });
      expect(await a.peers(VENUE)).toEqual([
        { botId: `${VENUE}/beta`, account, cloidTag: '0000000b', symbols: ['SOL'], live: true },
      ]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('is exclusive across budget accounts too: one venue account, one owner per symbol', async () => {
    const a = await open(newAccount(), `${VENUE}/gamma`);
    const b = await open(newAccount(), `${VENUE}/delta`);
    try {
      await a.claimSymbols({ venueAccount: VENUE, cloidTag: '0000000c', symbols: ['DOGE'] });
      expect(
        (await refusal(b.claimSymbols({ venueAccount: VENUE, cloidTag: '0000000d', symbols: ['DOGE'] })))
          .code,
      ).toBe('RISK_BUDGET_SYMBOL_OWNED');
      expect(
        (await refusal(b.claimSymbols({ venueAccount: VENUE, cloidTag: '0000000c', symbols: ['XRP'] }))).code,
      ).toBe('RISK_BUDGET_TAG_TAKEN');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('two bots claiming one symbol at once: exactly one gets it', async () => {
    const account = newAccount();
    const bots = await Promise.all([0, 1, 2, 3].map((i) => open(account, `${VENUE}/race-${i}`)));
    try {
      const results = await Promise.allSettled(
        bots.map((b, i) =>
          b.claimSymbols({ venueAccount: VENUE, cloidTag: `1000000${i}`, symbols: ['AVAX'] }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    } finally {
      await Promise.all(bots.map((b) => b.close()));
    }
  });

  it('a clean idle stop releases the symbols; a dead bot keeps them until its lease is cleared', async () => {
    const account = newAccount();
    const a = await open(account, `${VENUE}/eps`);
    await a.claimSymbols({ venueAccount: VENUE, cloidTag: '0000000e', symbols: ['LINK'] });
    await a.close();
    const b = await open(account, `${VENUE}/zeta`, 200);
    await b.claimSymbols({ venueAccount: VENUE, cloidTag: '0000000f', symbols: ['LINK'] });
    // b dies holding a live order: its lease expires but still counts, and so does its claim.
    expect(b.tryTake('o-1', { exposure: ZERO, positions: 0, orders: 1 }).ok).toBe(true);
    await b.flush();
    await sql(
      url,
      "UPDATE hl_risk.leases SET expires_at = now() - interval '10 seconds' WHERE account = $1 AND bot_id = $2",
      [account, `${VENUE}/zeta`],
    );
    const c = await open(account, `${VENUE}/eta`);
    try {
      const error = await refusal(
        c.claimSymbols({ venueAccount: VENUE, cloidTag: '00000010', symbols: ['LINK'] }),
      );
      expect(error.code).toBe('RISK_BUDGET_SYMBOL_OWNED');
      expect(error.message).toContain('whose lease expired');
      const dead = (await c.deadLeases()).find((d) => d.botId === `${VENUE}/zeta`);
      expect(dead).toMatchObject({ venueAccount: VENUE, cloidTag: '0000000f', liveOrders: 1 });
      expect(await c.clearDeadLease(`${VENUE}/zeta`)).toBe(true);
      await c.claimSymbols({ venueAccount: VENUE, cloidTag: '00000010', symbols: ['LINK'] });
    } finally {
      await Promise.all([b.close(), c.close()]);
    }
  });
  it('a bot whose lease another bot cleared while it was slow to renew registers its symbols and tag again', async () => {
    const account = newAccount();
    const errors: RiskBudgetPgError[] = [];
    const a = await PgRiskBudget.open({
      url,
      account,
      botId: `${VENUE}/theta`,
      caps: { leaseMs: 3000 },
      timeoutMs: 5000,
      onError: (e) => errors.push(e),
    });
    const c = await open(account, `${VENUE}/iota`);
    try {
      await a.claimSymbols({ venueAccount: VENUE, cloidTag: '00000011', symbols: ['AVAX'] });
      // a stalls past its lease: c, reconciling, sees it dead with nothing open and clears it (and with it
      // the claims, ON DELETE CASCADE): for a moment c would count a's orders and fills as nobody's.
      await sql(
        url,
        "UPDATE hl_risk.leases SET expires_at = now() - interval '10 seconds' WHERE bot_id = $1",
        [`${VENUE}/theta`],
      );
      expect(await c.clearDeadLease(`${VENUE}/theta`)).toBe(true);
      expect(await c.peers(VENUE)).toEqual([]);
      // a's next renewal creates its lease again, and its claim with it.
      await a.renew();
      expect(await c.peers(VENUE)).toEqual([
        { botId: `${VENUE}/theta`, account, cloidTag: '00000011', symbols: ['AVAX'], live: true },
      ]);
      expect(errors).toEqual([]);
      // Meanwhile taken by another bot: the claim cannot come back, and a is told (never silently).
      await sql(
        url,
        "UPDATE hl_risk.leases SET expires_at = now() - interval '10 seconds' WHERE bot_id = $1",
        [`${VENUE}/theta`],
      );
      expect(await c.clearDeadLease(`${VENUE}/theta`)).toBe(true);
      await c.claimSymbols({ venueAccount: VENUE, cloidTag: '00000012', symbols: ['AVAX'] });
      await a.renew();
      expect(errors.map((e) => e.code)).toEqual(['RISK_BUDGET_SYMBOL_OWNED']);
      expect(await c.peers(VENUE)).toEqual([]);
    } finally {
      await Promise.all([a.close(), c.close()]);
    }
  });
});
