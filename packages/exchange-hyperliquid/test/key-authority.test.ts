import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HyperliquidClient, KeyAuthorityError, PrivateKeySigner, proveKeyCanTrade } from '../src/index.js';
import { ExtraAgentsResponseSchema, UserRoleResponseSchema } from '../src/key-authority.js';
import { FakeVenue } from './helpers/fake-venue.js';
import { fixture } from './helpers/fixtures.js';

const KEY = `0x${'42'.repeat(32)}`;
const SIGNER = new PrivateKeySigner(KEY).address;
const ACCOUNT = '0x1111111111111111111111111111111111111111';
const OTHER = '0x2222222222222222222222222222222222222222';

// The venue's own examples of every role; the docs write "0x..." where an address goes.
const withAddress = (response: unknown, address: string): unknown =>
  JSON.parse(JSON.stringify(response).replaceAll('0x...', address));
const ROLE_AGENT = fixture('docs/userRole_17').response;
const ROLE_VAULT = fixture('docs/userRole_18').response;
const ROLE_SUB = fixture('docs/userRole_19').response;
const ROLE_MISSING = fixture('docs/userRole_20').response;
// Recorded from the live API: two named agents of one account, with the end of each approval.
const EXTRA_AGENTS = fixture('pysdk/test_extra_agents').response as Array<{
  name: string;
  address: string;
  validUntil: number;
}>;

describe('the venue answers about who may sign', () => {
  it('every userRole example of the docs and the recording parse, with addresses lowercased', () => {
    const mixed = '0xABCDEFabcdef0123456789ABCDEFabcdef012345';
    expect(UserRoleResponseSchema.parse(withAddress(ROLE_AGENT, mixed))).toEqual({
      role: 'agent',
      data: { user: mixed.toLowerCase() },
    });
    expect(UserRoleResponseSchema.parse(withAddress(ROLE_SUB, OTHER))).toEqual({
      role: 'subAccount',
      data: { master: OTHER },
    });
    expect(UserRoleResponseSchema.parse(ROLE_VAULT)).toEqual({ role: 'vault' });
    expect(UserRoleResponseSchema.parse(ROLE_MISSING)).toEqual({ role: 'missing' });
    expect(UserRoleResponseSchema.parse(fixture('pysdk/test_user_role').response)).toEqual({ role: 'vault' });
    expect(ExtraAgentsResponseSchema.parse(EXTRA_AGENTS).map((a) => a.name)).toEqual(['ok', 'new']);
  });

  it('refuses a role it does not know, and an agent without the account it signs for', () => {
    expect(UserRoleResponseSchema.safeParse({ role: 'superUser' }).success).toBe(false);
    expect(UserRoleResponseSchema.safeParse({ role: 'agent' }).success).toBe(false);
    expect(UserRoleResponseSchema.safeParse(ROLE_AGENT).success).toBe(false); // "0x..." is no address
  });
});

describe('proveKeyCanTrade (the client against a real HTTP server on 127.0.0.1)', () => {
  let venue: FakeVenue;
  let roles: Record<string, unknown>;
  let extra: unknown[];

  beforeEach(async () => {
    venue = await FakeVenue.start();
    roles = {};
    extra = [];
    venue.info = (body) => {
      if (body.type === 'userRole') return { json: roles[String(body.user)] ?? ROLE_MISSING };
      if (body.type === 'extraAgents') return { json: extra };
      return { status: 500, text: `unexpected ${String(body.type)}` };
    };
  });
  afterEach(async () => {
    await venue.stop();
  });

  const prove = (account: string, now = 1_700_000_000_000) => {
    const client = new HyperliquidClient({
      privateKey: KEY,
      walletAddress: account,
      baseUrl: venue.url,
      wsUrl: venue.wsUrl,
      testnet: true,
      retry: { maxRetries: 0 },
    });
    return proveKeyCanTrade({
      source: client,
      key: client.signerAddress as string,
      account: client.account as string,
      network: 'testnet',
      now,
    });
  };

  it('accepts an agent the venue lists for the account', async () => {
    roles[SIGNER] = withAddress(ROLE_AGENT, ACCOUNT);
    await expect(prove(ACCOUNT)).resolves.toEqual({
      kind: 'agent',
      key: SIGNER,
      account: ACCOUNT,
      validUntil: undefined,
    });
    expect(venue.requests.map((r) => r.body)).toEqual([
      { type: 'userRole', user: SIGNER },
      { type: 'extraAgents', user: ACCOUNT },
    ]);
  });

  it('refuses a key the venue does not know, naming key, account and network', async () => {
    const error = await prove(ACCOUNT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyAuthorityError);
    expect(error).toMatchObject({
      code: 'HL_KEY_NOT_AGENT',
      message: `key ${SIGNER} is not an approved agent of ${ACCOUNT} on testnet (the venue does not know the key)`,
    });
  });

  it("refuses another account's agent, and an account key used for someone else", async () => {
    roles[SIGNER] = withAddress(ROLE_AGENT, OTHER);
    await expect(prove(ACCOUNT)).rejects.toMatchObject({
      code: 'HL_KEY_NOT_AGENT',
      message: `key ${SIGNER} is not an approved agent of ${ACCOUNT} on testnet (it is an agent of ${OTHER})`,
    });
    roles[SIGNER] = { role: 'user' };
    await expect(prove(ACCOUNT)).rejects.toMatchObject({
      code: 'HL_KEY_NOT_AGENT',
      message: `key ${SIGNER} is not an approved agent of ${ACCOUNT} on testnet (it is a user of its own)`,
    });
  });

  it('refuses a named agent whose approval has ended (the recorded extraAgents answer)', async () => {
    const named = EXTRA_AGENTS[0] as { address: string; validUntil: number };
    extra = EXTRA_AGENTS.map((a, i) => (i === 0 ? { ...a, address: SIGNER } : a));
    roles[SIGNER] = withAddress(ROLE_AGENT, ACCOUNT);
    await expect(prove(ACCOUNT, named.validUntil - 1)).resolves.toMatchObject({
      kind: 'agent',
      validUntil: named.validUntil,
    });
    await expect(prove(ACCOUNT, named.validUntil)).rejects.toMatchObject({
      code: 'HL_KEY_AGENT_EXPIRED',
      message: `key ${SIGNER} was an agent of ${ACCOUNT} on testnet ("ok"), approved until ${new Date(named.validUntil).toISOString()}: approve it again`,
    });
  });

  it('accepts the account key itself only for an account the venue knows as a user', async () => {
    roles[SIGNER] = { role: 'user' };
    await expect(prove(SIGNER)).resolves.toMatchObject({ kind: 'account', key: SIGNER, account: SIGNER });
    roles[SIGNER] = ROLE_MISSING;
    await expect(prove(SIGNER)).rejects.toMatchObject({
      code: 'HL_ACCOUNT_UNKNOWN',
      message: `account ${SIGNER} does not exist on testnet (never funded, or the wrong network)`,
    });
    roles[SIGNER] = withAddress(ROLE_AGENT, OTHER);
    await expect(prove(SIGNER)).rejects.toMatchObject({ code: 'HL_ACCOUNT_NOT_SIGNABLE' });
    roles[SIGNER] = ROLE_VAULT;
    await expect(prove(SIGNER)).rejects.toMatchObject({ code: 'HL_ACCOUNT_NOT_SIGNABLE' });
  });

  it('fails closed on an answer of an unknown shape (no proof, no trading)', async () => {
    roles[SIGNER] = { role: 'superUser' };
    await expect(prove(ACCOUNT)).rejects.toMatchObject({ code: 'HL_BAD_RESPONSE' });
  });
});
