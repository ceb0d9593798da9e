import { describe, expect, it } from 'vitest';
import { PrivateKeySigner } from '../src/index.js';
import { encodeAction } from '../src/signing.js';
import {
  canonicalizeL1Action,
  ExchangeRequestSchema,
  recoverL1ActionSigner,
  signL1Action,
} from '../src/wire.js';

// The Python SDK's test key; vectors cross-checked by four independent implementations (research note).
const KEY = '0x0123456789012345678901234567890123456789012345678901234567890123';
const ACTION = {
  type: 'order',
  orders: [{ a: 0, b: true, p: '30000', s: '0.1', r: false, t: { limit: { tif: 'Gtc' } } }],
  grouping: 'na',
};
const NONCE = 1_700_000_000_000;

describe('L1 action signatures match known answers', () => {
  it('signs a mainnet order like the Python SDK, nktkas, ccxt and viem do', () => {
    expect(signL1Action({ privateKey: KEY, action: ACTION, nonce: NONCE, isMainnet: true })).toEqual({
      r: '0x5e6ddaca9635219ab9f6193ee0a3cee9fd704689e2265305a5667f9eb7ca1a7b',
      s: '0x6993d8369b315c748b924d8f7d038fdf5a9cacf439de4bf1fa337cc1b583d50f',
      v: 27,
    });
  });

  it('signs the same order for testnet with the other phantom-agent source', () => {
    expect(signL1Action({ privateKey: KEY, action: ACTION, nonce: NONCE, isMainnet: false })).toEqual({
      r: '0x58400ee7ff594dc02ccfb9090cdb94b3bbff8a3b33ceaac80be1d2915f468a74',
      s: '0x6fc2c9e95c0a47bf6c3b0ddab6c4f3bd3b393f7baaf0754c9836af4ab850caa2',
      v: 28,
    });
  });

  it('includes the vault address and expiresAfter in the hash', () => {
    const sig = signL1Action({
      privateKey: KEY,
      action: ACTION,
      nonce: NONCE,
      isMainnet: true,
      vaultAddress: '0x1719884eb866cb12b2287399b15f7db5e7d775ea',
      expiresAfter: 1_700_000_060_000,
    });
    expect(sig).toEqual({
      r: '0xac3e0b73697e205ab0b5a7d8585b45750f7c8a02a55c62acdde3c40982aed1f0',
      s: '0x3af2a62562948fef9fd9a973fcef2fbbbb8a08323b22c7112805d294f94e1ec9',
      v: 27,
    });
  });

  it('recovers the signer address from an L1 signature', () => {
    const signer = new PrivateKeySigner(KEY);
    const signature = signL1Action({ privateKey: signer, action: ACTION, nonce: NONCE, isMainnet: true });
    expect(recoverL1ActionSigner({ action: ACTION, nonce: NONCE, signature, isMainnet: true })).toBe(
      signer.address,
    );
    expect(recoverL1ActionSigner({ action: ACTION, nonce: NONCE + 1, signature, isMainnet: true })).not.toBe(
      signer.address,
    );
  });
});

describe('server-side helpers', () => {
  it('canonicalizeL1Action restores the signed key order of a scrambled action', () => {
    const scrambled = {
      grouping: 'na',
      orders: [{ t: { limit: { tif: 'Gtc' } }, r: false, s: '0.1', p: '30000', b: true, a: 0 }],
      type: 'order',
    };
    const canonical = canonicalizeL1Action(scrambled);
    expect(JSON.stringify(canonical)).toBe(JSON.stringify(ACTION));
    const signature = signL1Action({ privateKey: KEY, action: ACTION, nonce: NONCE, isMainnet: true });
    expect(recoverL1ActionSigner({ action: canonical, nonce: NONCE, signature, isMainnet: true })).toBe(
      new PrivateKeySigner(KEY).address,
    );
  });

  it('ExchangeRequestSchema accepts a signed body and refuses a non-canonical price', () => {
    const signature = signL1Action({ privateKey: KEY, action: ACTION, nonce: NONCE, isMainnet: true });
    expect(ExchangeRequestSchema.safeParse({ action: ACTION, nonce: NONCE, signature }).success).toBe(true);
    const bad = { ...ACTION, orders: [{ ...ACTION.orders[0], p: '30000.0' }] };
    expect(ExchangeRequestSchema.safeParse({ action: bad, nonce: NONCE, signature }).success).toBe(false);
  });

  it('refuses to sign floats and unsafe integers, which would change the msgpack encoding', () => {
    expect(() =>
      signL1Action({ privateKey: KEY, action: { type: 'x', n: 1.5 }, nonce: NONCE, isMainnet: true }),
    ).toThrow(/safe integer/);
    expect(() =>
      signL1Action({ privateKey: KEY, action: { type: 'x', n: 2 ** 53 }, nonce: NONCE, isMainnet: true }),
    ).toThrow(/safe integer/);
  });

  it('encodes integers above 2^32 as msgpack uint64 like Python does', () => {
    expect(Buffer.from(encodeAction({ n: 100_000_000_000 })).toString('hex')).toBe(
      '81a16ecf000000174876e800',
    );
  });

  it('rejects malformed keys without repeating them', () => {
    const bad = `0x${'zz'.repeat(32)}`;
    expect(() => new PrivateKeySigner(bad)).toThrow(/private key must be 32 bytes/);
    try {
      new PrivateKeySigner(bad);
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('zz');
    }
  });
});
