import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuditEntry, Decimal } from '@hl-bot/core-types';
import { HyperliquidClient, PrivateKeySigner } from '@hl-bot/exchange-hyperliquid';
import { mirrorLines, PgRiskBudget, verifyMirror } from '@hl-bot/risk-budget-pg';
import { startEmbeddedPg, type TestPg } from '@hl-bot/test-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReconcileReport } from '../src/bot.js';
import {
  auditEntries,
  botStatus,
  controlOf,
  eventually,
  GATED_STRATEGY,
  health,
  type RunningBot,
  type RunningSim,
  runCli,
  spawnBot,
  startSim,
  writeConfig,
} from './live-harness.js';

// Eight bots, each on its own venue account (a team's sub-accounts), one hl-sim and one PostgreSQL: the
// shared budget is the only thing that stops them, so the account-wide cap holds or this test fails.
// Beside them, two bots on ONE venue account (each with its own API wallet and symbol, a budget account of
// their own): neither may cancel, book or flag the other's orders, fills or positions.
const BOTS = 8;
const QTY = '0.01';
const keys = Array.from({ length: BOTS }, (_, i) => `0x${(i + 0x21).toString(16).repeat(32)}`);
const wallets = keys.map((k) => new PrivateKeySigner(k).address);
const STRATEGY = join(import.meta.dirname, 'fixtures', 'cap-strategy.mjs');
const SHARE_STRATEGY = join(import.meta.dirname, 'fixtures', 'share-strategy.mjs');
const DESK_KEY = `0x${'71'.repeat(32)}`;
const DESK = new PrivateKeySigner(DESK_KEY).address.toLowerCase();
/** The bots on the one desk account: their API wallet, symbol and order size (about $60 each). */
const desk = [
  { name: 'alpha', key: `0x${'72'.repeat(32)}`, symbol: 'BTC-USD', qty: '0.001' },
  { name: 'beta', key: `0x${'73'.repeat(32)}`, symbol: 'ETH-USD', qty: '0.02' },
].map((b) => ({ ...b, botId: `${DESK}/${b.name}`, agent: new PrivateKeySigner(b.key).address }));
/** Leased in halves: room for each bot's bid, position and next order (each slice 200), never more. */
const DESK_CAP = 400;
const deskDirs: string[] = [];
const deskBots: RunningBot[] = [];

/** Per-bot limits far above the shared caps: only the shared budget may stop these bots. */
const LOOSE_LOCAL_RISK = {
  maxPriceDeviation: '0.1',
  maxOpenOrders: 50,
  maxOrderNotional: '1000000',
  maxOrderNotionalPercent: '1',
  maxPositionSizeUsd: '1000000',
  maxPositionSizePercent: '1',
  maxTotalExposure: '1000000',
  maxExposurePercent: '1',
  maxLeverage: '100',
};

function deskConfig(dir: string, name: string, symbol: string, strategy = SHARE_STRATEGY): string {
  return writeConfig(dir, sim, {
    walletAddress: DESK,
    symbols: [symbol],
    strategy,
    reconcileIntervalMs: 1000,
    risk: LOOSE_LOCAL_RISK,
    sharedRisk: {
      account: 'desk',
      botId: `${DESK}/${name}`,
      caps: { maxExposure: DESK_CAP, slice: '0.5', leaseMs: 1200 },
      timeoutMs: 300,
    },
  });
}

/** Waits for a spawned bot to answer its health check; fails at once, with its output, if it exits. */
async function started(bot: RunningBot, dir: string, what: string, timeoutMs: number): Promise<void> {
  await eventually(
    async () => {
      if (bot.proc.exitCode !== null) throw new Error(`${what}: exited: ${bot.output.join('').slice(-2000)}`);
      return (await health(dir))?.code === 200;
    },
    what,
    timeoutMs,
  );
}

/** Gross notional of the desk account on hl-sim's ledger: every position at the mid, every resting order. */
async function deskExposure(): Promise<number> {
  const [state, orders, mids] = await Promise.all([
    info<{ assetPositions: { position: { coin: string; szi: string } }[] }>({
      type: 'clearinghouseState',
      user: DESK,
    }),
    info<{ limitPx: string; sz: string }[]>({ type: 'openOrders', user: DESK }),
    info<Record<string, string>>({ type: 'allMids' }),
  ]);
  const positions = state.assetPositions.reduce(
    (sum, ap) => sum + Math.abs(Number(ap.position.szi)) * Number(mids[ap.position.coin]),
    0,
  );
  return positions + orders.reduce((sum, o) => sum + Number(o.sz) * Number(o.limitPx), 0);
}

let pg: TestPg;
let sim: RunningSim;
let root: string;
let cap: number;
const bots: RunningBot[] = [];
let victim = -1;
const dirs: string[] = [];

async function info<T>(body: Record<string, unknown>): Promise<T> {
  const res = await fetch(`${sim.url}/info`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return (await res.json()) as T;
}

/** Σ size × limit price of every resting order on the eight accounts, as hl-sim's books hold them. */
async function restingNotional(): Promise<{ total: number; perBot: number[] }> {
  const perBot = await Promise.all(
    wallets.map(async (user) => {
      const orders = await info<{ limitPx: string; sz: string }[]>({ type: 'openOrders', user });
      return orders.reduce((sum, o) => sum + Number(o.sz) * Number(o.limitPx), 0);
    }),
  );
  return { total: perBot.reduce((a, b) => a + b, 0), perBot };
}

function has(entries: AuditEntry[], test: (e: AuditEntry) => boolean): boolean {
  return entries.some(test);
}

const note = (text: string) => (e: AuditEntry) => e.type === 'note' && e.message.includes(text);

beforeAll(async () => {
  [pg, sim] = await Promise.all([
    startEmbeddedPg(),
    startSim([
      ...wallets.map((w) => `--account=${w}:100000`),
      `--account=${DESK}:100000`,
      ...desk.map((b) => `--agent=${b.agent}:${DESK}`),
      '--symbols=BTC,ETH,SOL',
    ]),
  ]);
  const mids = await info<Record<string, string>>({ type: 'allMids' });
  // Room for about ten of the bots' orders in total, against up to 2 × 8 asking at once.
  cap = Math.round(10 * Number(QTY) * Number(mids.BTC));
  root = mkdtempSync(join(tmpdir(), 'hl-shared-risk-'));
  for (let i = 0; i < BOTS; i++) {
    const dir = join(root, `bot-${i}`);
    dirs.push(dir);
    const config = writeConfig(dir, sim, {
      walletAddress: wallets[i],
      strategy: STRATEGY,
      reconcileIntervalMs: 60_000,
      risk: LOOSE_LOCAL_RISK,
      sharedRisk: {
        account: 'team',
        botId: `${wallets[i]}/bot-${i}`,
        caps: { maxExposure: cap, slice: '0.25', leaseMs: 1200 },
        timeoutMs: 300,
      },
    });
    bots.push(
      spawnBot(config, dir, {
        HL_PRIVATE_KEY: keys[i] as string,
        HL_SHARED_RISK_URL: pg.url,
        ORDER_QTY: QTY,
      }),
    );
  }
  for (const b of desk) {
    const dir = join(root, `desk-${b.name}`);
    deskDirs.push(dir);
    deskBots.push(
      spawnBot(deskConfig(dir, b.name, b.symbol), dir, {
        HL_PRIVATE_KEY: b.key,
        HL_SHARED_RISK_URL: pg.url,
        ORDER_QTY: b.qty,
      }),
    );
  }
  const t0 = Date.now();
  await eventually(
    async () => {
      if ([...bots, ...deskBots].some((b) => b.proc.exitCode !== null)) throw new Error('a bot exited');
      return (await Promise.all([...dirs, ...deskDirs].map((d) => health(d)))).every((h) => h?.code === 200);
    },
    'every bot to be ready',
    45_000,
  ).catch(async (error: unknown) => {
    const all = [...bots, ...deskBots];
    const states = await Promise.all([...dirs, ...deskDirs].map((d) => health(d)));
    const stuck = all.find((_, i) => states[i]?.code !== 200) ?? all[0];
    throw new Error(`${(error as Error).message}\n${stuck?.output.join('').slice(-3000)}`);
  });
  console.log(`${BOTS} bots ready in ${Date.now() - t0} ms`);
}, 90_000);

afterAll(async () => {
  for (const b of [...bots, ...deskBots]) if (b.proc.exitCode === null) b.proc.kill('SIGKILL');
  await Promise.all([...bots, ...deskBots].map((b) => b.exited));
  await Promise.all([sim?.stop(), pg?.destroy()]);
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
});

describe('eight hl-bot processes sharing one risk budget on PostgreSQL', () => {
  it('never put more than the shared cap on the accounts, however they race for it', async () => {
    let peak = 0;
    await eventually(
      async () => {
        const { total } = await restingNotional();
        peak = Math.max(peak, total);
        expect(total).toBeLessThanOrEqual(cap);
        const logs = await Promise.all(dirs.map((d) => auditEntries(d)));
        const refused = logs.filter((l) =>
          has(l, (e) => e.type === 'risk_rejected' && e.code === 'SHARED_BUDGET_EXCEEDED'),
        ).length;
        // Racing at the cap: it binds (bots were refused by the shared budget) and is mostly used.
        return peak >= cap * 0.5 && refused >= 2;
      },
      'the bots to reach the shared cap',
      25_000,
    );
  }, 30_000);

  it('two bots on one venue account: neither cancels, books or flags the other, and their shared cap holds', async () => {
    const fills = (l: AuditEntry[]) =>
      l.flatMap((e) => (e.type === 'order_filled' ? [{ id: e.fill.id, symbol: e.fill.symbol }] : []));
    const foreign = (l: AuditEntry[]) => l.flatMap((e) => (e.type === 'foreign_fill' ? [e] : []));
    let peak = 0;
    let logs: AuditEntry[][] = [];
    let seen: unknown;
    await eventually(
      async () => {
        peak = Math.max(peak, await deskExposure());
        expect(peak).toBeLessThanOrEqual(DESK_CAP);
        logs = await Promise.all(deskDirs.map((d) => auditEntries(d)));
        const [a, b] = logs as [AuditEntry[], AuditEntry[]];
        const aFills = new Set(fills(a).map((f) => f.id));
        const bFills = new Set(fills(b).map((f) => f.id));
        seen = {
          fills: [aFills.size, bFills.size],
          foreign: [foreign(a).length, foreign(b).length],
          types: logs.map((l) => [...new Set(l.map((e) => e.type))].join(',')),
          errors: logs.map((l) =>
            l.filter((e) => e.type === 'error' || e.type === 'risk_rejected').slice(-3),
          ),
        };
        // Each bot saw the other's fills as foreign (and only those), once each, after the other booked them.
        return (
          aFills.size >= 2 &&
          bFills.size >= 2 &&
          foreign(a).length >= 2 &&
          foreign(b).length >= 2 &&
          foreign(a).every((f) => bFills.has(f.fillId)) &&
          foreign(b).every((f) => aFills.has(f.fillId))
        );
      },
      'both desk bots to trade and see the other trade',
      15_000,
    ).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}: ${JSON.stringify(seen)}`);
    });
    const [a, b] = logs as [AuditEntry[], AuditEntry[]];
    expect(new Set(fills(a).map((f) => f.symbol))).toEqual(new Set(['BTC-USD']));
    expect(new Set(fills(b).map((f) => f.symbol))).toEqual(new Set(['ETH-USD']));
    expect(new Set(foreign(a).map((f) => `${f.symbol} ${f.owner}`))).toEqual(
      new Set([`ETH-USD ${DESK}/beta`]),
    );
    expect(new Set(foreign(b).map((f) => `${f.symbol} ${f.owner}`))).toEqual(
      new Set([`BTC-USD ${DESK}/alpha`]),
    );
    // Counted too: the metric names the bot whose fill it was.
    for (const [i, other] of [
      [0, 'beta'],
      [1, 'alpha'],
    ] as const) {
      const control = controlOf(deskDirs[i] as string);
      const metrics = await (await fetch(`${control?.url}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`hl_bot_foreign_fills_total\\{owner="${DESK}/${other}"\\} [1-9]`));
    }
    for (const l of logs) {
      const ids = foreign(l).map((f) => f.fillId);
      expect(new Set(ids).size).toBe(ids.length);
      // No order of the other bot taken for unknown (that path audits, then cancels), no position drift.
      expect(l.filter((e) => e.type === 'reconciliation_mismatch')).toEqual([]);
      expect(l.filter((e) => e.type === 'circuit_breaker_tripped')).toEqual([]);
    }
    // Their reconciliation sees the other bot's orders on the account and leaves them alone.
    await eventually(
      async () => {
        const reports = await Promise.all(
          deskDirs.map(async (d) => (await botStatus(d))?.lastReconciliation as ReconcileReport | null),
        );
        return reports.every(
          (r) =>
            r !== null &&
            r !== undefined &&
            r.mismatches.length === 0 &&
            r.unknownVenueOrders.length === 0 &&
            (r.sharedAccount?.peerOrders ?? 0) >= 1,
        );
      },
      'a reconciliation of each desk bot that lists the other bot’s orders',
      5_000,
    );
    // The shared budget counted both bots of the account: its cap held on hl-sim's ledger throughout.
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(DESK_CAP);
  }, 25_000);

  it('a bot configured with a symbol another bot of the account trades is refused at start, naming it', async () => {
    const dir = join(root, 'desk-gamma');
    const gamma = spawnBot(deskConfig(dir, 'gamma', 'BTC-USD'), dir, {
      HL_PRIVATE_KEY: desk[0]?.key as string,
      HL_SHARED_RISK_URL: pg.url,
    });
    expect(await gamma.exited).toBe(1);
    const out = gamma.output.join('');
    expect(out).toContain('RISK_BUDGET_SYMBOL_OWNED');
    expect(out).toContain(`BTC-USD on venue account ${DESK} is traded by bot ${DESK}/alpha`);
    // It never reached the venue: alpha still trades, its orders untouched.
    expect((await health(deskDirs[0] as string))?.code).toBe(200);
    expect(has(await auditEntries(dir), (e) => e.type === 'order_submitted')).toBe(false);
  }, 20_000);

  it('an order nobody claims on a symbol no bot trades: every bot counts it and audits it once, none cancels it', async () => {
    // Placed by hand with the account's own key, without a cloid: no bot's, on SOL, which no bot trades.
    const manual = new HyperliquidClient({
      privateKey: DESK_KEY,
      baseUrl: sim.url,
      wsUrl: sim.wsUrl,
      testnet: true,
      rateLimit: { weightPerMinute: 1_000_000 },
    });
    const mids = await info<Record<string, string>>({ type: 'allMids' });
    const price = (Number(mids.SOL) * 0.97).toFixed(1);
    const ack = await manual.placeOrder({
      symbol: 'SOL-USD',
      side: 'buy',
      orderType: 'limit',
      price: new Decimal(price),
      quantity: new Decimal('1'),
      reduceOnly: false,
      timeInForce: 'GTC',
    });
    const unowned = (l: AuditEntry[]) =>
      l.filter(
        (e) =>
          e.type === 'reconciliation_mismatch' &&
          e.symbol === 'SOL-USD' &&
          e.local === 'no bot of the account trades this symbol',
      );
    const reports = () =>
      Promise.all(
        deskDirs.map(async (d) => (await botStatus(d))?.lastReconciliation as ReconcileReport | null),
      );
    let first: number[] = [];
    await eventually(
      async () => {
        const r = await reports();
        first = r.map((x) => x?.time ?? Number.NaN);
        return r.every((x) => x?.sharedAccount?.unownedOrders.includes(ack.orderId) === true);
      },
      'every desk bot to count the unowned order',
      5_000,
    );
    // One more reconciliation each still counts it: audited once each (not at every reconciliation).
    await eventually(
      async () =>
        (await reports()).every(
          (x, i) =>
            x !== null &&
            x.time > (first[i] ?? 0) &&
            x.sharedAccount?.unownedOrders.includes(ack.orderId) === true,
        ),
      'a second reconciliation of each desk bot',
      5_000,
    );
    for (const l of await Promise.all(deskDirs.map((d) => auditEntries(d))))
      expect(unowned(l)).toHaveLength(1);
    const open = await info<{ oid: number }[]>({ type: 'openOrders', user: DESK });
    expect(open.map((o) => String(o.oid))).toContain(ack.orderId);
    await manual.cancelOrder('SOL-USD', ack.orderId);
    manual.close();
  }, 20_000);

  it('a bot of the shared account restarted keeps its symbols and audits none of the other bot’s fills twice', async () => {
    const dir = deskDirs[0] as string;
    const first = deskBots[0] as RunningBot;
    first.proc.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    const again = spawnBot(deskConfig(dir, 'alpha', 'BTC-USD'), dir, {
      HL_PRIVATE_KEY: desk[0]?.key as string,
      HL_SHARED_RISK_URL: pg.url,
      ORDER_QTY: desk[0]?.qty as string,
    });
    deskBots[0] = again;
    await started(again, dir, 'alpha to start again', 15_000);
    // The backfill after the restart delivers beta's recent fills again: each is still audited once.
    const before = (await auditEntries(dir)).filter((e) => e.type === 'session_started').length;
    await eventually(
      async () => {
        const r = (await botStatus(dir))?.lastReconciliation as ReconcileReport | null | undefined;
        return r !== null && r !== undefined && (r.sharedAccount?.peerOrders ?? 0) >= 1;
      },
      'a reconciliation of the restarted bot that lists the other bot’s orders',
      5_000,
    );
    const log = await auditEntries(dir);
    expect(before).toBe(2);
    const ids = log.flatMap((e) => (e.type === 'foreign_fill' ? [e.fillId] : []));
    expect(new Set(ids).size).toBe(ids.length);
    expect(log.filter((e) => e.type === 'reconciliation_mismatch' && e.symbol !== 'SOL-USD')).toEqual([]);
  }, 30_000);

  it('a bot killed with SIGKILL keeps its live orders counted: the cap still holds with them on the book', async () => {
    // The victim: a bot (not the one the kill test uses) with orders resting right now.
    let perBot: number[] = [];
    await eventually(
      async () => {
        perBot = (await restingNotional()).perBot;
        return perBot.slice(1).some((n) => n > 0);
      },
      'a bot with resting orders',
      10_000,
    );
    victim = perBot.indexOf(Math.max(...perBot.slice(1)), 1);
    const proc = bots[victim] as RunningBot;
    proc.proc.kill('SIGKILL');
    await proc.exited;
    const onBook = (await restingNotional()).perBot[victim] ?? 0;
    expect(onBook).toBeGreaterThan(0);
    const budget = await PgRiskBudget.open({
      url: pg.url,
      account: 'team',
      botId: 'observer',
      timeoutMs: 5000,
      // Lists leases as soon as they expire (the bots themselves wait 5 s before clearing one).
      deadLeaseGraceMs: 0,
    });
    try {
      // Past its lease time (1.2 s): its unused slice is free, what it had live is not.
      const until = Date.now() + 2000;
      while (Date.now() < until) {
        expect((await restingNotional()).total).toBeLessThanOrEqual(cap);
        await new Promise((r) => setTimeout(r, 100));
      }
      const dead = (await budget.deadLeases()).find((d) => d.botId.endsWith(`/bot-${victim}`));
      expect(dead?.liveOrders).toBeGreaterThan(0);
      expect(dead?.usedExposure.toNumber()).toBeGreaterThanOrEqual(onBook);
    } finally {
      await budget.close();
    }
  }, 30_000);

  it('a PostgreSQL restart makes every bot fail closed, then resume', async () => {
    const live = dirs.filter((_, i) => i !== victim);
    await pg.stop();
    await eventually(
      async () =>
        (await Promise.all(live.map((d) => auditEntries(d)))).every((l) =>
          has(l, note('shared risk budget unavailable')),
        ),
      'every bot to see the budget unavailable',
      10_000,
    );
    expect((await restingNotional()).total).toBeLessThanOrEqual(cap);
    await pg.start();
    await eventually(
      async () =>
        (await Promise.all(live.map((d) => auditEntries(d)))).every((l) =>
          has(l, note('shared risk budget available again')),
        ),
      'every bot to resume',
      10_000,
    );
  }, 30_000);

  it('hl-bot kill on one bot halts all of them within a second, each cancelling its orders', async () => {
    const live = dirs.filter((_, i) => i !== victim);
    const kill = await runCli(['kill', '--state-dir', live[0] as string, '--reason', 'team stop']);
    expect(kill.code).toBe(0);
    let trips: number[] = [];
    await eventually(
      async () => {
        const logs = await Promise.all(live.map((d) => auditEntries(d)));
        trips = logs.map((l) => l.find((e) => e.type === 'circuit_breaker_tripped')?.timestamp ?? Number.NaN);
        return trips.every((t) => Number.isFinite(t));
      },
      'every bot to trip',
      5_000,
    );
    // From the trip in the killed bot to the last bot's own trip (each audited with its time).
    const spread = Math.max(...trips) - (trips[0] as number);
    expect(spread).toBeLessThan(1000);
    await eventually(
      async () => (await restingNotional()).perBot.every((n, i) => i === victim || n === 0),
      'every live bot to cancel its orders',
      5_000,
    );
    const logs = await Promise.all(live.slice(1).map((d) => auditEntries(d)));
    for (const l of logs)
      expect(
        has(
          l,
          (e) => e.type === 'circuit_breaker_tripped' && e.reason.startsWith('shared breaker: kill switch'),
        ),
      ).toBe(true);
    console.log(`kill reached all ${live.length} live bots within ${spread} ms`);
  }, 20_000);

  it("every bot's audit log is mirrored to PostgreSQL line for line, through the outage, and verifies from the table", async () => {
    const live = bots.map((b, i) => ({ b, i })).filter(({ i }) => i !== victim);
    for (const { b } of live) b.proc.kill('SIGTERM');
    expect(await Promise.all(live.map(({ b }) => b.exited))).toEqual(live.map(() => 0));
    for (const { i } of live) {
      const botId = `${wallets[i]}/bot-${i}`;
      const local = auditFileLines(join(dirs[i] as string, 'audit'));
      const mirrored: string[] = [];
      for await (const line of mirrorLines(pg.url, 'team', botId)) mirrored.push(line);
      expect(mirrored).toEqual(local);
      expect(await verifyMirror(pg.url, 'team', botId)).toEqual({
        ok: true,
        entries: local.length,
        firstSeq: 1,
        lastSeq: local.length,
      });
    }
  }, 20_000);

  it('a bot stalled past its lease loses its symbol to a bot that took it meanwhile: awake again, it trips the account and sends nothing', async () => {
    const deltaDir = join(root, 'desk-delta');
    const epsilonDir = join(root, 'desk-epsilon');
    const gate = join(deltaDir, 'gate');
    // Delta trades SOL on the desk account; its strategy orders only once the gate file exists.
    const delta = spawnBot(deskConfig(deltaDir, 'delta', 'SOL-USD', GATED_STRATEGY), deltaDir, {
      HL_PRIVATE_KEY: desk[0]?.key as string,
      HL_SHARED_RISK_URL: pg.url,
      GATE_FILE: gate,
    });
    let epsilon: RunningBot | undefined;
    try {
      await started(delta, deltaDir, 'delta to start', 20_000);
      // Stalled (a GC pause, a frozen VM): its lease runs out, and with no order and no position behind it
      // the other desk bots' reconciliation clears it, which frees SOL for another bot of the account.
      // Frozen inside its renewal transaction (one every 400 ms here), it would hold the account's row lock:
      // PostgreSQL then ends its session after twice the budget's round-trip bound, so the clear still comes.
      const cleared = note(`cleared the lease of dead bot ${DESK}/delta`);
      delta.proc.kill('SIGSTOP');
      await eventually(
        async () => (await Promise.all(deskDirs.map((d) => auditEntries(d)))).some((l) => has(l, cleared)),
        'a desk bot to clear the stalled bot’s lease',
        15_000,
      );
      epsilon = spawnBot(deskConfig(epsilonDir, 'epsilon', 'SOL-USD', GATED_STRATEGY), epsilonDir, {
        HL_PRIVATE_KEY: desk[1]?.key as string,
        HL_SHARED_RISK_URL: pg.url,
      });
      await started(epsilon, epsilonDir, 'epsilon to start', 20_000);
      // Awake again, delta's renewal finds SOL claimed by epsilon: two bots must never share one net
      // position, so delta trips its breaker and audits why.
      delta.proc.kill('SIGCONT');
      const lost = (e: AuditEntry) =>
        e.type === 'circuit_breaker_tripped' && e.reason.includes('symbol claim lost');
      await eventually(
        async () => has(await auditEntries(deltaDir), lost),
        'the stalled bot to trip on its lost claim',
        10_000,
      );
      // Its strategy now asks to trade SOL on every bar: risk refuses each order, none reaches the venue.
      writeFileSync(gate, '');
      await eventually(
        async () =>
          (await auditEntries(deltaDir)).filter(
            (e) => e.type === 'risk_rejected' && e.code === 'CIRCUIT_BREAKER_TRIPPED',
          ).length >= 2,
        'the tripped bot to refuse its strategy’s orders',
        10_000,
      );
      const log = await auditEntries(deltaDir);
      expect(log.filter((e) => e.type === 'order_submitted')).toEqual([]);
      // The trip is the account's (the shared breaker, as for any trip): every desk bot halts with the reason,
      // the one that holds SOL now included, until an operator looks. Nobody trades SOL twice meanwhile.
      // Each bot hears it by NOTIFY, or at its next renewal when it missed that: asynchronously, so waited for.
      const tripsOf = () =>
        Promise.all(
          [epsilonDir, ...deskDirs].map(async (d) =>
            (await auditEntries(d)).flatMap((e) => (e.type === 'circuit_breaker_tripped' ? [e.reason] : [])),
          ),
        );
      await eventually(
        async () => (await tripsOf()).every((r) => r.length > 0),
        'every desk bot to halt',
        5_000,
      );
      const reasons = await tripsOf();
      for (const r of reasons) {
        expect(r).toHaveLength(1);
        expect(r[0]).toMatch(
          /^shared breaker: shared account: symbol claim lost \(SOL-USD .* is traded by bot .*\/epsilon/,
        );
      }
    } finally {
      if (delta.proc.exitCode === null) {
        delta.proc.kill('SIGCONT');
        delta.proc.kill('SIGKILL');
      }
      if (epsilon !== undefined && epsilon.proc.exitCode === null) epsilon.proc.kill('SIGKILL');
      await Promise.all([delta.exited, epsilon?.exited]);
    }
  }, 60_000);
});

function auditFileLines(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /^audit-.*\.jsonl$/.test(f))
    .sort()
    .flatMap((f) =>
      readFileSync(join(dir, f), 'utf8')
        .split('\n')
        .filter((l) => l.length > 0),
    );
}
