import { signL1Action } from '@hl-bot/exchange-hyperliquid/wire';
import { afterAll, beforeAll, bench, describe } from 'vitest';
import type { HyperliquidSim } from '../src/index.js';
import { AGENT_KEY, startSim } from './helpers.js';

let sim: HyperliquidSim;
let nonce = Date.now();
beforeAll(async () => {
  sim = await startSim();
});
afterAll(async () => {
  await sim.close();
});

async function exchange(action: Record<string, unknown>): Promise<unknown> {
  nonce += 1;
  const signature = signL1Action({ privateKey: AGENT_KEY, action, nonce, isMainnet: true });
  const res = await fetch(`${sim.url}/exchange`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ action, nonce, signature }),
  });
  return res.json();
}

describe('hl-sim', () => {
  bench('signed order + cancel over HTTP (sign, recover, nonce, match, ledger)', async () => {
    const placed = (await exchange({
      type: 'order',
      orders: [{ a: 0, b: true, p: '50000', s: '0.01', r: false, t: { limit: { tif: 'Gtc' } } }],
      grouping: 'na',
    })) as { response: { data: { statuses: Array<{ resting: { oid: number } }> } } };
    const oid = placed.response.data.statuses[0]?.resting.oid ?? 0;
    await exchange({ type: 'cancel', cancels: [{ a: 0, o: oid }] });
  });

  bench('info allMids over HTTP', async () => {
    await (await fetch(`${sim.url}/info`, { method: 'POST', body: '{"type":"allMids"}' })).json();
  });

  bench('one bar step (3 coins, 1 account)', async () => {
    await sim.step(1);
  });
});
