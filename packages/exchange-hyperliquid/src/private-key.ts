import { inspect } from 'node:util';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { SigningError } from './errors.js';

/** A lowercase `0x`-prefixed 20-byte hex address. */
export type Address = `0x${string}`;

// Key bytes live here, not on the object, so no inspection, JSON.stringify, spread or structuredClone of
// a signer can reach them.
const secrets = new WeakMap<PrivateKeySigner, Uint8Array>();

const KEY_HEX = /^(0x)?[0-9a-fA-F]{64}$/;

/**
 * Holds a secp256k1 private key without exposing it: `util.inspect`, `JSON.stringify`, `String()` and
 * errors only ever show the derived address.
 *
 * @throws {SigningError} `HL_SIGNING_FAILED` when the key is not 32 bytes of hex in the curve's range
 *   (the message does not repeat the key).
 * @example
 * const signer = new PrivateKeySigner(process.env.HL_PRIVATE_KEY ?? '');
 * signer.address; // '0x…'
 */
export class PrivateKeySigner {
  readonly address: Address;

  constructor(privateKey: string | Uint8Array) {
    let bytes: Uint8Array;
    if (typeof privateKey === 'string') {
      if (!KEY_HEX.test(privateKey)) {
        throw new SigningError('private key must be 32 bytes of hex (64 hex digits, optional 0x prefix)');
      }
      const hex = privateKey.startsWith('0x') ? privateKey.slice(2) : privateKey;
      bytes = new Uint8Array(32);
      for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    } else {
      if (!(privateKey instanceof Uint8Array) || privateKey.length !== 32) {
        throw new SigningError('private key must be 32 bytes');
      }
      bytes = Uint8Array.from(privateKey);
    }
    if (!secp256k1.utils.isValidSecretKey(bytes)) {
      throw new SigningError('private key is outside the secp256k1 range');
    }
    secrets.set(this, bytes);
    this.address = publicKeyToAddress(secp256k1.getPublicKey(bytes, false));
    Object.freeze(this);
  }

  /**
   * Signs a 32-byte digest as is (no pre-hash), returning Ethereum-style `{ r, s, v }` with v in {27, 28}.
   * @throws {SigningError} when the digest is not 32 bytes.
   */
  signDigest(digest: Uint8Array): Signature {
    const key = secrets.get(this);
    if (key === undefined) throw new SigningError('signer has no key');
    if (digest.length !== 32) throw new SigningError(`digest must be 32 bytes, got ${digest.length}`);
    const sig = secp256k1.sign(digest, key, { prehash: false, format: 'recovered' });
    return {
      r: `0x${bytesToHex(sig.subarray(1, 33))}`,
      s: `0x${bytesToHex(sig.subarray(33, 65))}`,
      v: 27 + (sig[0] ?? 0),
    };
  }

  toJSON(): { address: Address } {
    return { address: this.address };
  }

  toString(): string {
    return `PrivateKeySigner(${this.address})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** An ECDSA signature as Hyperliquid's `/exchange` expects it. */
export interface Signature {
  r: `0x${string}`;
  s: `0x${string}`;
  v: number;
}

/** Ethereum address of an uncompressed (65-byte) or compressed (33-byte) public key, lowercase. */
export function publicKeyToAddress(publicKey: Uint8Array): Address {
  const uncompressed =
    publicKey.length === 65 ? publicKey : secp256k1.Point.fromBytes(publicKey).toBytes(false);
  return `0x${bytesToHex(keccak_256(uncompressed.subarray(1)).subarray(12))}`;
}

/** Turns a key or a signer into a signer; a signer passes through. */
export function toSigner(key: string | Uint8Array | PrivateKeySigner): PrivateKeySigner {
  return key instanceof PrivateKeySigner ? key : new PrivateKeySigner(key);
}
