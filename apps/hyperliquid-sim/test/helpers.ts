import {
  HyperliquidClient,
  type HyperliquidClientOptions,
  PrivateKeySigner,
} from '@hl-bot/exchange-hyperliquid';
import { type HyperliquidSim, type HyperliquidSimOptions, startHyperliquidSim } from '../src/index.js';

export const MASTER_KEY = `0x${'11'.repeat(32)}`;
export const AGENT_KEY = `0x${'22'.repeat(32)}`;
export const STRANGER_KEY = `0x${'33'.repeat(32)}`;
export const MASTER = new PrivateKeySigner(MASTER_KEY).address;
export const AGENT = new PrivateKeySigner(AGENT_KEY).address;
export const STRANGER = new PrivateKeySigner(STRANGER_KEY).address;

/** A simulator with one master (10000 USDC) and its agent, bars stepped by hand, BTC starting at 60000. */
export function startSim(over: HyperliquidSimOptions = {}): Promise<HyperliquidSim> {
  return startHyperliquidSim({
    manualBars: true,
    accounts: [{ address: MASTER, balance: '10000' }],
    agents: [{ agent: AGENT, master: MASTER }],
    startPrices: { BTC: '60000', ETH: '3000', SOL: '150' },
    ...over,
  });
}

/** The bot's client, signing with the agent key for the master account, tuned for fast tests. */
export function clientFor(sim: HyperliquidSim, over: HyperliquidClientOptions = {}): HyperliquidClient {
  return new HyperliquidClient({
    privateKey: AGENT_KEY,
    walletAddress: MASTER,
    baseUrl: sim.url,
    wsUrl: sim.wsUrl,
    fillsSince: 0,
    retry: { maxRetries: 6, baseDelayMs: 20, maxDelayMs: 200 },
    // The sim does not enforce the venue's IP weights; the client's own bucket would only slow tests down.
    // Workaround (exchange-hyperliquid): the client fixes expiresAfter before its bucket may wait, so a
    // throttled order can arrive already expired (client.ts #submitSafely -> sendAction).
    rateLimit: { weightPerMinute: 1_000_000 },
    orderExpiryMs: 1000,
    orderSettleMs: 100,
    ws: { reconnectDelayMs: 30, maxReconnectDelayMs: 200 },
    ...over,
  });
}

/** Polls until `check` holds (asynchronous socket effects), failing after `timeoutMs`. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 8000,
): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function post(
  sim: HyperliquidSim,
  path: string,
  body: unknown,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain-text answers (4xx/5xx) stay text
  }
  return { status: res.status, body: parsed };
}
