import { randomBytes } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

const CLOID = /^0x[0-9a-fA-F]{32}$/;

/** True for a Hyperliquid client order id (`0x` + 32 hex digits). */
export function isCloid(value: string): boolean {
  return CLOID.test(value);
}

const TAG = /^[0-9a-f]{8}$/;

/** True for a cloid tag: 8 lowercase hex digits (4 bytes). */
export function isCloidTag(value: string): boolean {
  return TAG.test(value);
}

/**
 * The cloid for a client order id: a valid cloid is lowercased and kept; any other string maps to the
 * first 16 bytes of its keccak256, so the same id always yields the same cloid (a retry finds its order).
 * With a `tag` (8 hex digits, see `OrderScope`), the cloid is the tag followed by the first 12 bytes of
 * the hash: the venue reports the cloid back on open orders and fills, so the tag names the bot that
 * placed the order.
 *
 * @example
 * toCloid('my-order-1'); // '0x…' (32 hex digits, stable)
 * toCloid('my-order-1', '0a1b2c3d'); // '0x0a1b2c3d…'
 */
export function toCloid(clientOrderId: string, tag?: string): string {
  if (isCloid(clientOrderId)) return clientOrderId.toLowerCase();
  const hash = keccak_256(utf8ToBytes(clientOrderId));
  if (tag === undefined) return `0x${bytesToHex(hash.subarray(0, 16))}`;
  return `0x${tag}${bytesToHex(hash.subarray(0, 12))}`;
}

/** The tag a cloid starts with (its first 4 bytes), lowercased; undefined for anything but a cloid. */
export function cloidTagOf(cloid: string | null | undefined): string | undefined {
  return cloid != null && isCloid(cloid) ? cloid.slice(2, 10).toLowerCase() : undefined;
}

/** A fresh random cloid. */
export function randomCloid(): string {
  return `0x${randomBytes(16).toString('hex')}`;
}
