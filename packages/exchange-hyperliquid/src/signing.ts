// Over 400 lines on purpose: the whole signing stack in one reviewable file (msgpack encoding as the
// Python SDK writes it, the L1 action hash and phantom agent, the hand-written EIP-712 of both fixed
// domains, and the user-signed type table); the official vectors and the differential tests check it as one.
import { Encoder } from '@msgpack/msgpack';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { SigningError } from './errors.js';
import {
  type Address,
  type PrivateKeySigner,
  publicKeyToAddress,
  type Signature,
  toSigner,
} from './private-key.js';

/** A private key as hex, raw bytes, or a PrivateKeySigner (preferred: it never shows the key). */
export type PrivateKeyInput = string | Uint8Array | PrivateKeySigner;

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const MAX_U64 = (1n << 64n) - 1n;

// One encoder, reused: its buffer grows once and stays. `ignoreUndefined` drops absent optional keys,
// which is what Python's SDK does by never adding them.
const encoder = new Encoder({ ignoreUndefined: true });

function checkMsgpackValue(value: unknown, path: string): void {
  switch (typeof value) {
    case 'number':
      // A float or an unsafe integer would be encoded as float64; Hyperliquid actions never carry one and
      // Python's msgpack would encode the integer as uint64, so the hash would differ: refuse.
      if (!Number.isSafeInteger(value)) {
        throw new SigningError(
          `${path} must be a safe integer (decimals go on the wire as strings), got ${value}`,
        );
      }
      return;
    case 'string':
    case 'boolean':
    case 'undefined':
      return;
    case 'object':
      if (value === null) return;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) checkMsgpackValue(value[i], `${path}[${i}]`);
        return;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) {
        throw new SigningError(`${path} must be a plain object, array, string, boolean, integer or null`);
      }
      for (const [k, v] of Object.entries(value)) checkMsgpackValue(v, `${path}.${k}`);
      return;
    default:
      throw new SigningError(`${path} has unsupported type ${typeof value}`);
  }
}

/**
 * msgpack bytes of an action exactly as Hyperliquid (and Python's `msgpack.packb`) encode it: keys in
 * insertion order, minimal-width integers, str types for strings, undefined keys dropped.
 *
 * @throws {SigningError} for floats, unsafe integers, bigints, class instances.
 * @example
 * encodeAction({ type: 'cancel', cancels: [{ a: 0, o: 1 }] });
 */
export function encodeAction(action: unknown): Uint8Array {
  checkMsgpackValue(action, 'action');
  return encoder.encode(action);
}

function u64(value: number | bigint, what: string): bigint {
  const b = typeof value === 'bigint' ? value : Number.isSafeInteger(value) ? BigInt(value) : -1n;
  if (b < 0n || b > MAX_U64)
    throw new SigningError(`${what} must be an unsigned 64-bit integer, got ${value}`);
  return b;
}

function addressBytes(address: string, what: string): Uint8Array {
  if (!ADDRESS.test(address)) throw new SigningError(`${what} must be a 0x-prefixed 20-byte hex address`);
  const out = new Uint8Array(20);
  for (let i = 0; i < 20; i++) out[i] = Number.parseInt(address.slice(2 + i * 2, 4 + i * 2), 16);
  return out;
}

export interface L1ActionHashInput {
  action: unknown;
  nonce: number | bigint;
  vaultAddress?: string | null | undefined;
  expiresAfter?: number | bigint | null | undefined;
}

/**
 * The `connectionId` of an L1 action:
 * `keccak256(msgpack(action) ‖ u64be(nonce) ‖ (vault ? 0x01 ‖ vault : 0x00) ‖ (expiresAfter ? 0x00 ‖ u64be : ∅))`.
 *
 * @throws {SigningError} for an unencodable action, a nonce outside u64 or a malformed vault address.
 * @example
 * bytesToHex(actionHash({ action: { type: 'noop' }, nonce: 1700000000000 }));
 */
export function actionHash(input: L1ActionHashInput): Uint8Array {
  const packed = encodeAction(input.action);
  const nonce = u64(input.nonce, 'nonce');
  const vault = input.vaultAddress == null ? undefined : addressBytes(input.vaultAddress, 'vaultAddress');
  const expires = input.expiresAfter == null ? undefined : u64(input.expiresAfter, 'expiresAfter');
  const size = packed.length + 8 + (vault === undefined ? 1 : 21) + (expires === undefined ? 0 : 9);
  const data = new Uint8Array(size);
  const view = new DataView(data.buffer);
  data.set(packed, 0);
  let pos = packed.length;
  view.setBigUint64(pos, nonce);
  pos += 8;
  if (vault === undefined) {
    data[pos++] = 0;
  } else {
    data[pos++] = 1;
    data.set(vault, pos);
    pos += 20;
  }
  if (expires !== undefined) {
    data[pos++] = 0;
    view.setBigUint64(pos, expires);
  }
  return keccak_256(data);
}

// ---- EIP-712 ------------------------------------------------------------------------------------------

/** An EIP-712 struct member. Only the types Hyperliquid uses are supported. */
export interface TypedField {
  name: string;
  type: 'string' | 'address' | 'bool' | 'bytes32' | 'uint64' | 'uint256';
}

const ZERO_ADDRESS = '0x0000000000000000000000000000000000000000';
const EIP712_DOMAIN_TYPEHASH = keccak_256(
  utf8ToBytes('EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)'),
);

function word(value: bigint): Uint8Array {
  const out = new Uint8Array(32);
  new DataView(out.buffer).setBigUint64(24, value & MAX_U64);
  let rest = value >> 64n;
  for (let i = 16; i >= 0 && rest > 0n; i -= 8) {
    new DataView(out.buffer).setBigUint64(i, rest & MAX_U64);
    rest >>= 64n;
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

function domainSeparator(name: string, chainId: bigint): Uint8Array {
  const verifying = new Uint8Array(32);
  verifying.set(addressBytes(ZERO_ADDRESS, 'verifyingContract'), 12);
  return keccak_256(
    concat([
      EIP712_DOMAIN_TYPEHASH,
      keccak_256(utf8ToBytes(name)),
      keccak_256(utf8ToBytes('1')),
      word(chainId),
      verifying,
    ]),
  );
}

function encodeField(field: TypedField, value: unknown): Uint8Array {
  switch (field.type) {
    case 'string':
      if (typeof value !== 'string') throw new SigningError(`${field.name} must be a string`);
      return keccak_256(utf8ToBytes(value));
    case 'address': {
      if (typeof value !== 'string') throw new SigningError(`${field.name} must be an address`);
      const out = new Uint8Array(32);
      out.set(addressBytes(value, field.name), 12);
      return out;
    }
    case 'bool':
      if (typeof value !== 'boolean') throw new SigningError(`${field.name} must be a boolean`);
      return word(value ? 1n : 0n);
    case 'bytes32':
      if (!(value instanceof Uint8Array) || value.length !== 32) {
        throw new SigningError(`${field.name} must be 32 bytes`);
      }
      return value;
    case 'uint64':
    case 'uint256': {
      if (typeof value !== 'number' && typeof value !== 'bigint') {
        throw new SigningError(`${field.name} must be an integer`);
      }
      const b = u64(value, field.name);
      return word(b);
    }
  }
}

function typedDataDigest(
  domain: Uint8Array,
  primaryType: string,
  fields: readonly TypedField[],
  message: Record<string, unknown>,
): Uint8Array {
  const typeString = `${primaryType}(${fields.map((f) => `${f.type} ${f.name}`).join(',')})`;
  const structHash = keccak_256(
    concat([keccak_256(utf8ToBytes(typeString)), ...fields.map((f) => encodeField(f, message[f.name]))]),
  );
  return keccak_256(concat([Uint8Array.of(0x19, 0x01), domain, structHash]));
}

// L1 actions always use the same domain and struct: precompute everything but the connection id.
const L1_DOMAIN = domainSeparator('Exchange', 1337n);
const AGENT_TYPEHASH = keccak_256(utf8ToBytes('Agent(string source,bytes32 connectionId)'));
const SOURCE_HASH = { a: keccak_256(utf8ToBytes('a')), b: keccak_256(utf8ToBytes('b')) };
const EIP712_PREFIX = Uint8Array.of(0x19, 0x01);

/** The EIP-712 digest an L1 action's signer signs (phantom agent `{source, connectionId}`). */
export function l1ActionDigest(connectionId: Uint8Array, isMainnet: boolean): Uint8Array {
  const buf = new Uint8Array(96);
  buf.set(AGENT_TYPEHASH, 0);
  buf.set(isMainnet ? SOURCE_HASH.a : SOURCE_HASH.b, 32);
  buf.set(connectionId, 64);
  const structHash = keccak_256(buf);
  const outer = new Uint8Array(66);
  outer.set(EIP712_PREFIX, 0);
  outer.set(L1_DOMAIN, 2);
  outer.set(structHash, 34);
  return keccak_256(outer);
}

export interface SignL1ActionInput extends L1ActionHashInput {
  privateKey: PrivateKeyInput;
  /** Mainnet signs with source `"a"`, testnet with `"b"`. */
  isMainnet: boolean;
}

/**
 * Signs an L1 action (order, cancel, modify, updateLeverage, scheduleCancel, noop, …).
 *
 * @throws {SigningError} for a bad key (the message never repeats it), action, nonce or vault address.
 * @example
 * const sig = signL1Action({ privateKey, isMainnet: true, nonce: 1700000000000, action: {
 *   type: 'order', orders: [{ a: 0, b: true, p: '30000', s: '0.1', r: false, t: { limit: { tif: 'Gtc' } } }],
 *   grouping: 'na' } });
 */
export function signL1Action(input: SignL1ActionInput): Signature {
  const signer = toSigner(input.privateKey);
  return signer.signDigest(l1ActionDigest(actionHash(input), input.isMainnet));
}

function parseSignature(signature: Signature): Uint8Array {
  const r = BigInt(signature.r);
  const s = BigInt(signature.s);
  if (signature.v !== 27 && signature.v !== 28) throw new SigningError(`signature v must be 27 or 28`);
  const out = new Uint8Array(65);
  out[0] = signature.v - 27;
  out.set(word(r), 1);
  out.set(word(s), 33);
  if (r >> 256n !== 0n || s >> 256n !== 0n)
    throw new SigningError('signature r or s is longer than 32 bytes');
  return out;
}

function recoverDigest(digest: Uint8Array, signature: Signature): Address {
  try {
    const pub = secp256k1.recoverPublicKey(parseSignature(signature), digest, { prehash: false });
    return publicKeyToAddress(pub);
  } catch (error) {
    if (error instanceof SigningError) throw error;
    throw new SigningError('signature does not recover to a public key', { cause: error });
  }
}

/**
 * The address that signed an L1 action: what a Hyperliquid-compatible server checks against its
 * registered users and agents. Accepts both padded and unpadded r/s hex.
 *
 * @throws {SigningError} for a malformed signature or action.
 * @example
 * recoverL1ActionSigner({ action, nonce, signature, isMainnet: true }) === agentAddress;
 */
export function recoverL1ActionSigner(
  input: L1ActionHashInput & { signature: Signature; isMainnet: boolean },
): Address {
  return recoverDigest(l1ActionDigest(actionHash(input), input.isMainnet), input.signature);
}

// ---- user-signed actions ------------------------------------------------------------------------------

/** EIP-712 field lists of user-signed actions, after `hyperliquidChain` (key order matters). */
export const USER_SIGNED_TYPES = {
  usdSend: {
    primaryType: 'HyperliquidTransaction:UsdSend',
    fields: [
      { name: 'hyperliquidChain', type: 'string' },
      { name: 'destination', type: 'string' },
      { name: 'amount', type: 'string' },
      { name: 'time', type: 'uint64' },
    ],
  },
  withdraw3: {
    primaryType: 'HyperliquidTransaction:Withdraw',
    fields: [
      { name: 'hyperliquidChain', type: 'string' },
      { name: 'destination', type: 'string' },
      { name: 'amount', type: 'string' },
      { name: 'time', type: 'uint64' },
    ],
  },
  spotSend: {
    primaryType: 'HyperliquidTransaction:SpotSend',
    fields: [
      { name: 'hyperliquidChain', type: 'string' },
      { name: 'destination', type: 'string' },
      { name: 'token', type: 'string' },
      { name: 'amount', type: 'string' },
      { name: 'time', type: 'uint64' },
    ],
  },
  usdClassTransfer: {
    primaryType: 'HyperliquidTransaction:UsdClassTransfer',
    fields: [
      { name: 'hyperliquidChain', type: 'string' },
      { name: 'amount', type: 'string' },
      { name: 'toPerp', type: 'bool' },
      { name: 'nonce', type: 'uint64' },
    ],
  },
  approveAgent: {
    primaryType: 'HyperliquidTransaction:ApproveAgent',
    fields: [
      { name: 'hyperliquidChain', type: 'string' },
      { name: 'agentAddress', type: 'address' },
      { name: 'agentName', type: 'string' },
      { name: 'nonce', type: 'uint64' },
    ],
  },
  approveBuilderFee: {
    primaryType: 'HyperliquidTransaction:ApproveBuilderFee',
    fields: [
      { name: 'hyperliquidChain', type: 'string' },
      { name: 'maxFeeRate', type: 'string' },
      { name: 'builder', type: 'address' },
      { name: 'nonce', type: 'uint64' },
    ],
  },
} as const satisfies Record<string, { primaryType: string; fields: readonly TypedField[] }>;

export type UserSignedActionType = keyof typeof USER_SIGNED_TYPES;

/** A user-signed action: `type`, `signatureChainId` (hex), `hyperliquidChain` and the type's fields. */
export type UserSignedAction = {
  type: UserSignedActionType;
  signatureChainId: `0x${string}`;
  hyperliquidChain: 'Mainnet' | 'Testnet';
} & Record<string, unknown>;

function userSignedDigest(action: UserSignedAction): Uint8Array {
  const spec = USER_SIGNED_TYPES[action.type];
  if (spec === undefined)
    throw new SigningError(`unsupported user-signed action type ${String(action.type)}`);
  if (!/^0x[0-9a-fA-F]{1,16}$/.test(action.signatureChainId)) {
    throw new SigningError('signatureChainId must be a hex chain id such as 0x66eee');
  }
  const message: Record<string, unknown> =
    action.type === 'approveAgent' && (action.agentName === undefined || action.agentName === null)
      ? { ...action, agentName: '' }
      : action;
  return typedDataDigest(
    domainSeparator('HyperliquidSignTransaction', BigInt(action.signatureChainId)),
    spec.primaryType,
    spec.fields,
    message,
  );
}

/**
 * Signs a user-signed action (usdSend, withdraw3, spotSend, usdClassTransfer, approveAgent,
 * approveBuilderFee) with the account's own key. Its `time`/`nonce` must equal the envelope nonce.
 *
 * @throws {SigningError} for an unknown type, a bad chain id, a missing field or a bad key.
 * @example
 * const action = buildUsdSendAction({ destination, amount: '1', time: Date.now(), isMainnet: false });
 * const sig = signUserSignedAction({ privateKey, action });
 */
export function signUserSignedAction(input: {
  privateKey: PrivateKeyInput;
  action: UserSignedAction;
}): Signature {
  const signer = toSigner(input.privateKey);
  return signer.signDigest(userSignedDigest(input.action));
}

/** The address that signed a user-signed action. @throws {SigningError} for malformed input. */
export function recoverUserSignedActionSigner(input: {
  action: UserSignedAction;
  signature: Signature;
}): Address {
  return recoverDigest(userSignedDigest(input.action), input.signature);
}

/** Default `signatureChainId` (Arbitrum Sepolia, as the Python SDK uses); any chain id is accepted. */
export const DEFAULT_SIGNATURE_CHAIN_ID = '0x66eee';

function lowerAddress(address: string, what: string): Address {
  addressBytes(address, what);
  return address.toLowerCase() as Address;
}

/**
 * A `usdSend` action (perp USDC to another address) in canonical key order.
 * @throws {SigningError} for a malformed destination.
 */
export function buildUsdSendAction(input: {
  destination: string;
  amount: string;
  time: number;
  isMainnet: boolean;
  signatureChainId?: `0x${string}`;
}): UserSignedAction {
  return {
    type: 'usdSend',
    signatureChainId: input.signatureChainId ?? DEFAULT_SIGNATURE_CHAIN_ID,
    hyperliquidChain: input.isMainnet ? 'Mainnet' : 'Testnet',
    destination: lowerAddress(input.destination, 'destination'),
    amount: input.amount,
    time: input.time,
  };
}

/**
 * A `withdraw3` action (USDC to Arbitrum) in canonical key order.
 * @throws {SigningError} for a malformed destination.
 */
export function buildWithdrawAction(input: {
  destination: string;
  amount: string;
  time: number;
  isMainnet: boolean;
  signatureChainId?: `0x${string}`;
}): UserSignedAction {
  return {
    type: 'withdraw3',
    signatureChainId: input.signatureChainId ?? DEFAULT_SIGNATURE_CHAIN_ID,
    hyperliquidChain: input.isMainnet ? 'Mainnet' : 'Testnet',
    destination: lowerAddress(input.destination, 'destination'),
    amount: input.amount,
    time: input.time,
  };
}

/** Hex of bytes with `0x`. */
export function toHex(bytes: Uint8Array): `0x${string}` {
  return `0x${bytesToHex(bytes)}`;
}
