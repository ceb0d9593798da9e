import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Decimal } from '@hl-bot/core-types';
import pg from 'pg';
import { type AccountCaps, PgRiskBudget } from '../src/index.js';

export const unitNeed = (exposure: number | string) => ({
  exposure: new Decimal(exposure),
  positions: 0,
  orders: 1,
});

/** Every test runs in an account of its own, so tests share one server without seeing each other. */
export function newAccount(): string {
  return `t-${randomUUID().slice(0, 12)}`;
}

export async function openBots(
  url: string,
  account: string,
  n: number,
  caps: AccountCaps,
): Promise<PgRiskBudget[]> {
  const bots: PgRiskBudget[] = [];
  for (let i = 0; i < n; i++)
    bots.push(await PgRiskBudget.open({ url, account, botId: `bot-${i}`, caps, timeoutMs: 5000 }));
  return bots;
}

/** Σ over every lease as the grant rule counts it: live leases their slice, expired ones what they used. */
export async function countedExposure(url: string, account: string): Promise<Decimal> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ sum: string | null }>(
      `SELECT sum(CASE WHEN expires_at > now() THEN exposure ELSE used_exposure END)::text AS sum
       FROM hl_risk.leases WHERE account = $1`,
      [account],
    );
    return new Decimal(r.rows[0]?.sum ?? 0);
  } finally {
    await client.end();
  }
}

export async function sql<T extends pg.QueryResultRow>(
  url: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Polls `check` until it is true or `ms` pass; returns whether it became true. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

const BOT = fileURLToPath(new URL('./fixtures/bot.mjs', import.meta.url));
const bots = new Set<ChildProcess>();

/** Starts fixtures/bot.mjs in `hold` or `idle` mode and resolves once it printed "ready". */
export function startBot(
  url: string,
  account: string,
  botId: string,
  mode: 'hold' | 'idle',
  unit: number,
  timeoutMs = 5000,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BOT, url, account, botId, mode, String(unit), String(timeoutMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  bots.add(child);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${botId} did not get ready`)), 15_000);
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`${botId} exited with ${code}`)));
  });
}

/** SIGKILLs every bot `startBot` started (afterAll). */
export function killBots(): void {
  for (const c of bots) c.kill('SIGKILL');
  bots.clear();
}
