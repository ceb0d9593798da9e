import { ExchangeClient } from '@nktkas/hyperliquid';
import { signL1Action as nkSignL1Action } from '@nktkas/hyperliquid/signing';
import { privateKeyToAccount } from 'viem/accounts';
import { bench, describe } from 'vitest';

// Long runs: the shared 2-core machine is noisy, and both sides must see the same conditions.
const OPTS = { time: 2000, warmupTime: 300 };

import { PrivateKeySigner } from '../src/index.js';
import { buildOrderAction, orderWire, signL1Action } from '../src/wire.js';

// Orders signed and encoded per second: ours against @nktkas/hyperliquid 0.32.2 (viem wallet), same run.
const KEY = '0x0123456789012345678901234567890123456789012345678901234567890123';
const signer = new PrivateKeySigner(KEY);
const wallet = privateKeyToAccount(KEY);
let nonce = 1_700_000_000_000;
const action = buildOrderAction([
  orderWire({
    asset: 0,
    isBuy: true,
    price: '60000',
    size: '0.01',
    reduceOnly: false,
    orderType: { limit: { tif: 'Gtc' } },
    cloid: '0x00000000000000000000000000000abc',
  }),
]);

let sink: unknown;
const nk = new ExchangeClient({
  transport: {
    isTestnet: false,
    async request(_endpoint: string, payload: unknown): Promise<never> {
      sink = JSON.stringify(payload);
      return {
        status: 'ok',
        response: { type: 'order', data: { statuses: [{ resting: { oid: 1 } }] } },
      } as never;
    },
  },
  wallet,
  nonceManager: () => nonce++,
});

describe('sign one order action (msgpack + keccak + EIP-712 + ECDSA)', () => {
  bench(
    'ours: signL1Action',
    () => {
      sink = signL1Action({ privateKey: signer, action, nonce: nonce++, isMainnet: true });
    },
    OPTS,
  );
  bench(
    '@nktkas/hyperliquid 0.32.2 + viem: signL1Action',
    async () => {
      sink = await nkSignL1Action({ wallet, action, nonce: nonce++ });
    },
    OPTS,
  );
});

describe('build, validate, sign and serialise one limit order request body', () => {
  bench(
    'ours: orderWire + buildOrderAction + signL1Action + JSON',
    () => {
      const a = buildOrderAction([
        orderWire({
          asset: 0,
          isBuy: true,
          price: '60000',
          size: '0.01',
          reduceOnly: false,
          orderType: { limit: { tif: 'Gtc' } },
          cloid: '0x00000000000000000000000000000abc',
        }),
      ]);
      const n = nonce++;
      const signature = signL1Action({ privateKey: signer, action: a, nonce: n, isMainnet: true });
      sink = JSON.stringify({ action: a, signature, nonce: n });
    },
    OPTS,
  );
  bench(
    '@nktkas/hyperliquid 0.32.2 + viem: ExchangeClient.order (capturing transport)',
    async () => {
      await nk.order({
        orders: [
          {
            a: 0,
            b: true,
            p: '60000',
            s: '0.01',
            r: false,
            t: { limit: { tif: 'Gtc' } },
            c: '0x00000000000000000000000000000abc',
          },
        ],
        grouping: 'na',
      });
    },
    OPTS,
  );
});

export { sink };
