import { describe, expect, it } from 'vitest';
import { PrivateKeySigner, recoverL1ActionSigner, signL1Action } from '../src/index.js';

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
