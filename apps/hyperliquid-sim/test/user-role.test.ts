import { proveKeyCanTrade } from '@hl-bot/exchange-hyperliquid';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HyperliquidSim } from '../src/index.js';
import {
  AGENT,
  AGENT_KEY,
  clientFor,
  MASTER,
  MASTER_KEY,
  post,
  STRANGER,
  STRANGER_KEY,
  startSim,
} from './helpers.js';

let sim: HyperliquidSim;
beforeEach(async () => {
  sim = await startSim();
});
afterEach(async () => {
  await sim.close();
});

const info = async (body: Record<string, unknown>) => (await post(sim, '/info', body)).body;

describe('userRole and extraAgents answer from the accounts and agents hl-sim holds', () => {
  it('a master is a user, its approved agent an agent of it, any other address missing', async () => {
    expect(await info({ type: 'userRole', user: MASTER })).toEqual({ role: 'user' });
    expect(await info({ type: 'userRole', user: AGENT.toUpperCase().replace('0X', '0x') })).toEqual({
      role: 'agent',
      data: { user: MASTER.toLowerCase() },
    });
    expect(await info({ type: 'userRole', user: STRANGER })).toEqual({ role: 'missing' });
    expect(await info({ type: 'extraAgents', user: MASTER })).toEqual([]);
    expect((await post(sim, '/info', { type: 'userRole', user: 'nobody' })).status).toBe(422);
  });

  it("proves the bot's key: the agent and the master pass, a stranger does not until it is approved", async () => {
    const prove = (key: string) => {
      const client = clientFor(sim, { privateKey: key, testnet: true });
      return proveKeyCanTrade({
        source: client,
        key: client.signerAddress as string,
        account: client.account as string,
        network: 'testnet',
        now: Date.now(),
      });
    };
    await expect(prove(AGENT_KEY)).resolves.toMatchObject({ kind: 'agent' });
    await expect(prove(MASTER_KEY)).resolves.toMatchObject({ kind: 'account' });
    await expect(prove(STRANGER_KEY)).rejects.toMatchObject({
      code: 'HL_KEY_NOT_AGENT',
      message: `key ${STRANGER.toLowerCase()} is not an approved agent of ${MASTER.toLowerCase()} on testnet (the venue does not know the key)`,
    });
    expect((await post(sim, '/sim/accounts', { agent: STRANGER, master: MASTER })).status).toBe(200);
    await expect(prove(STRANGER_KEY)).resolves.toMatchObject({ kind: 'agent' });
  });
});
