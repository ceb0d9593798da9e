import { randomBytes } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

const CLOID = /^0x[0-9a-fA-F]{32}$/;

/** True for a Hyperliquid client order id (`0x` + 32 hex digits). */
export function isCloid(value: string): boolean {
  return CLOID.test(value);
}

/**
 * The cloid for a client order id: a valid cloid is lowercased and kept; any other string maps to the
 * first 16 bytes of its keccak256, so the same id always yields the same cloid (a retry finds its order).
 *
 * @example
 * toCloid('my-order-1'); // '0x…' (32 hex digits, stable)
 */
export function toCloid(clientOrderId: string): string {
  if (isCloid(clientOrderId)) return clientOrderId.toLowerCase();
  return `0x${bytesToHex(keccak_256(utf8ToBytes(clientOrderId)).subarray(0, 16))}`;
}

/** A fresh random cloid. */
export function randomCloid(): string {
  return `0x${randomBytes(16).toString('hex')}`;
}
