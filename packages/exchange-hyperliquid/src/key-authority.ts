import { HlBotError, type HlBotErrorOptions } from '@hl-bot/core-types';
import { z } from 'zod';

const Address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/)
  .transform((a) => a.toLowerCase() as `0x${string}`);

/**
 * `{"type":"userRole","user":…}` as the venue documents it (info endpoint, "Query a user's role"): an
 * account (`user`), an API wallet (`agent`, with the account it signs for), a vault, a sub-account (with its
 * master), or an address the venue does not know (`missing`).
 */
export const UserRoleResponseSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('missing') }).passthrough(),
  z.object({ role: z.literal('user') }).passthrough(),
  z.object({ role: z.literal('vault') }).passthrough(),
  z.object({ role: z.literal('agent'), data: z.object({ user: Address }).passthrough() }).passthrough(),
  z
    .object({ role: z.literal('subAccount'), data: z.object({ master: Address }).passthrough() })
    .passthrough(),
]);
export type UserRole = z.output<typeof UserRoleResponseSchema>;

/** `{"type":"extraAgents","user":…}`: the account's named API wallets and when each approval ends. */
export const ExtraAgentsResponseSchema = z.array(
  z
    .object({
      name: z.string(),
      address: Address,
      validUntil: z.number().int().nonnegative(),
    })
    .passthrough(),
);
export type ExtraAgents = z.output<typeof ExtraAgentsResponseSchema>;

export type KeyAuthorityCode =
  | 'HL_KEY_NOT_AGENT'
  | 'HL_KEY_AGENT_EXPIRED'
  | 'HL_ACCOUNT_UNKNOWN'
  | 'HL_ACCOUNT_NOT_SIGNABLE';

/**
 * The signing key cannot trade the account on this network: orders it signs would be refused (or, worse,
 * signed for another account). A start-up error; the message names the key, the account and the cause.
 */
export class KeyAuthorityError extends HlBotError {
  constructor(code: KeyAuthorityCode, message: string, options: HlBotErrorOptions = {}) {
    super(code, message, options);
    this.name = 'KeyAuthorityError';
  }
}

/** What the venue said the key is to the account. */
export interface KeyAuthority {
  kind: 'account' | 'agent';
  /** The address the key signs as (the agent wallet, or the account itself). */
  key: `0x${string}`;
  account: `0x${string}`;
  /** When a named agent's approval ends (ms); undefined for the account key and unnamed agents. */
  validUntil: number | undefined;
}

/** The two info reads the proof needs (a `HyperliquidClient` has both). */
export interface KeyAuthoritySource {
  userRole(user: string): Promise<UserRole>;
  extraAgents(user: string): Promise<ExtraAgents>;
}

/**
 * Proves, with the venue's own answers, that `key` may sign orders for `account` on `network`: it is the
 * account itself (role `user`), or an API wallet the venue lists as an agent of it. A named agent whose
 * approval has ended is refused too (`extraAgents` carries the end), so an expiry is found at start and
 * not at the first order.
 * @throws {KeyAuthorityError} naming the cause; {HyperliquidHttpError} {HyperliquidResponseError} when the
 *   venue cannot be asked (the caller must not trade then either).
 */
export async function proveKeyCanTrade(input: {
  source: KeyAuthoritySource;
  key: string;
  account: string;
  network: 'mainnet' | 'testnet';
  now: number;
}): Promise<KeyAuthority> {
  const key = Address.parse(input.key);
  const account = Address.parse(input.account);
  const { network, source } = input;
  if (key === account) {
    const role = await source.userRole(account);
    switch (role.role) {
      case 'user':
        return { kind: 'account', key, account, validUntil: undefined };
      case 'missing':
        throw new KeyAuthorityError(
          'HL_ACCOUNT_UNKNOWN',
          `account ${account} does not exist on ${network} (never funded, or the wrong network)`,
        );
      case 'agent':
        throw new KeyAuthorityError(
          'HL_ACCOUNT_NOT_SIGNABLE',
          `key ${key} is an agent wallet of ${role.data.user} on ${network}, not an account: set walletAddress to ${role.data.user}`,
        );
      default:
        throw new KeyAuthorityError(
          'HL_ACCOUNT_NOT_SIGNABLE',
          `account ${account} is a ${role.role} on ${network}: it has no key of its own and the bot does not trade it`,
        );
    }
  }
  const role = await source.userRole(key);
  if (role.role !== 'agent' || role.data.user !== account) {
    const cause =
      role.role === 'agent'
        ? `it is an agent of ${role.data.user}`
        : role.role === 'missing'
          ? 'the venue does not know the key'
          : `it is a ${role.role} of its own`;
    throw new KeyAuthorityError(
      'HL_KEY_NOT_AGENT',
      `key ${key} is not an approved agent of ${account} on ${network} (${cause})`,
    );
  }
  const named = (await source.extraAgents(account)).find((a) => a.address === key);
  if (named !== undefined && named.validUntil <= input.now) {
    throw new KeyAuthorityError(
      'HL_KEY_AGENT_EXPIRED',
      `key ${key} was an agent of ${account} on ${network} ("${named.name}"), approved until ${new Date(named.validUntil).toISOString()}: approve it again`,
    );
  }
  return { kind: 'agent', key, account, validUntil: named?.validUntil };
}
