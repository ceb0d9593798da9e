import { fc, test } from '@fast-check/vitest';
import { ExchangeClient } from '@nktkas/hyperliquid';
import { createL1ActionHash } from '@nktkas/hyperliquid/signing';
import { privateKeyToAccount } from 'viem/accounts';
import { describe, expect } from 'vitest';
import { PrivateKeySigner } from '../src/index.js';
import { toHex } from '../src/signing.js';
import {
  actionHash,
  buildCancelAction,
  buildCancelByCloidAction,
  buildModifyAction,
  buildOrderAction,
  buildScheduleCancelAction,
  buildUpdateLeverageAction,
  buildUsdSendAction,
  buildWithdrawAction,
  orderWire,
  recoverL1ActionSigner,
  recoverUserSignedActionSigner,
  signL1Action,
  signUserSignedAction,
  toWireDecimal,
} from '../src/wire.js';

/**
 * Differential tests against @nktkas/hyperliquid 0.32.2 (an independent implementation: its own msgpack
 * encoder from @std/msgpack, viem for EIP-712 and ECDSA). Its ExchangeClient runs with a capturing
 * transport, so the comparison covers its canonical key order, number formatting and envelope too.
 */

interface Captured {
  action: Record<string, unknown>;
  nonce: number;
  signature: { r: string; s: string; v: number };
  vaultAddress?: string;
  expiresAfter?: number;
}

function nktkasClient(opts: {
  key: `0x${string}`;
  nonce: number;
  isTestnet: boolean;
  vaultAddress?: `0x${string}` | undefined;
  expiresAfter?: number | undefined;
}) {
  const captured: Captured[] = [];
  const transport = {
    isTestnet: opts.isTestnet,
    async request(_endpoint: string, payload: unknown): Promise<never> {
      const body = payload as Captured;
      captured.push(body);
      const type = body.action.type;
      const n = Array.isArray(body.action.orders)
        ? body.action.orders.length
        : Array.isArray(body.action.cancels)
          ? body.action.cancels.length
          : 0;
      if (type === 'order') {
        return {
          status: 'ok',
          response: { type: 'order', data: { statuses: Array(n).fill({ resting: { oid: 1 } }) } },
        } as never;
      }
      if (type === 'cancel' || type === 'cancelByCloid') {
        return {
          status: 'ok',
          response: { type: 'cancel', data: { statuses: Array(n).fill('success') } },
        } as never;
      }
      return { status: 'ok', response: { type: 'default' } } as never;
    },
  };
  const client = new ExchangeClient({
    transport,
    wallet: privateKeyToAccount(opts.key),
    nonceManager: () => opts.nonce,
    signatureChainId: '0x66eee',
    ...(opts.vaultAddress === undefined ? {} : { defaultVaultAddress: opts.vaultAddress }),
    ...(opts.expiresAfter === undefined ? {} : { defaultExpiresAfter: opts.expiresAfter }),
  });
  return { client, captured };
}

const hex = (bytes: number) =>
  fc
    .uint8Array({ minLength: bytes, maxLength: bytes })
    .map((b) => `0x${Buffer.from(b).toString('hex')}` as `0x${string}`);
const privateKeyArb = hex(32).filter((k) => {
  try {
    new PrivateKeySigner(k);
    return true;
  } catch {
    return false;
  }
});
const addressArb = hex(20);
const cloidArb = hex(16);
// Decimals with optional trailing zeros: both sides must canonicalise them before signing.
const decimalArb = fc
  .tuple(
    fc.bigInt({ min: 1n, max: 10n ** 12n }),
    fc.integer({ min: 0, max: 8 }),
    fc.integer({ min: 0, max: 3 }),
  )
  .map(([mantissa, scale, zeros]) => {
    const s = mantissa.toString().padStart(scale + 1, '0');
    const plain = scale === 0 ? s : `${s.slice(0, -scale)}.${s.slice(-scale)}`;
    return zeros > 0 ? `${plain.includes('.') ? plain : `${plain}.`}${'0'.repeat(zeros)}` : plain;
  });
const nonceArb = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
const envelopeArb = fc.record({
  key: privateKeyArb,
  nonce: nonceArb,
  isTestnet: fc.boolean(),
  vaultAddress: fc.option(addressArb, { nil: undefined }),
  expiresAfter: fc.option(nonceArb, { nil: undefined }),
});

const orderTypeArb = fc.oneof(
  fc.record({ limit: fc.record({ tif: fc.constantFrom('Gtc' as const, 'Ioc' as const, 'Alo' as const) }) }),
  fc.record({
    trigger: fc.record({
      isMarket: fc.boolean(),
      triggerPx: decimalArb,
      tpsl: fc.constantFrom('tp' as const, 'sl' as const),
    }),
  }),
);
const orderArb = fc.record({
  asset: fc.integer({ min: 0, max: 200_000 }),
  isBuy: fc.boolean(),
  price: decimalArb,
  size: decimalArb,
  reduceOnly: fc.boolean(),
  orderType: orderTypeArb,
  cloid: fc.option(cloidArb, { nil: undefined }),
});
type OrderArb = typeof orderArb extends fc.Arbitrary<infer T> ? T : never;

function ours(o: OrderArb) {
  return orderWire({
    asset: o.asset,
    isBuy: o.isBuy,
    price: toWireDecimal(o.price),
    size: toWireDecimal(o.size),
    reduceOnly: o.reduceOnly,
    orderType:
      'limit' in o.orderType
        ? o.orderType
        : { trigger: { ...o.orderType.trigger, triggerPx: toWireDecimal(o.orderType.trigger.triggerPx) } },
    cloid: o.cloid,
  });
}

// nktkas receives the same order with its keys in a scrambled order; its schema must restore the
// canonical order, as ours does by construction.
function theirs(o: OrderArb) {
  const t =
    'limit' in o.orderType
      ? o.orderType
      : {
          trigger: {
            tpsl: o.orderType.trigger.tpsl,
            triggerPx: o.orderType.trigger.triggerPx,
            isMarket: o.orderType.trigger.isMarket,
          },
        };
  return {
    ...(o.cloid === undefined ? {} : { c: o.cloid }),
    t,
    r: o.reduceOnly,
    s: o.size,
    p: o.price,
    b: o.isBuy,
    a: o.asset,
  };
}

async function compareL1(
  env: {
    key: `0x${string}`;
    nonce: number;
    isTestnet: boolean;
    vaultAddress?: `0x${string}` | undefined;
    expiresAfter?: number | undefined;
  },
  run: (client: ExchangeClient) => Promise<unknown>,
  action: unknown,
) {
  const { client, captured } = nktkasClient(env);
  await run(client);
  const theirsBody = captured[0];
  if (theirsBody === undefined) throw new Error('nktkas sent nothing');
  // Same wire action, key order included (JSON.stringify preserves insertion order).
  expect(JSON.stringify(action)).toBe(JSON.stringify(theirsBody.action));
  const hashInput = {
    action,
    nonce: env.nonce,
    vaultAddress: env.vaultAddress,
    expiresAfter: env.expiresAfter,
  };
  expect(toHex(actionHash(hashInput))).toBe(
    createL1ActionHash({
      action: theirsBody.action,
      nonce: env.nonce,
      ...(env.vaultAddress === undefined ? {} : { vaultAddress: env.vaultAddress }),
      ...(env.expiresAfter === undefined ? {} : { expiresAfter: env.expiresAfter }),
    }),
  );
  const sig = signL1Action({ ...hashInput, privateKey: env.key, isMainnet: !env.isTestnet });
  expect(BigInt(sig.r)).toBe(BigInt(theirsBody.signature.r));
  expect(BigInt(sig.s)).toBe(BigInt(theirsBody.signature.s));
  expect(sig.v).toBe(theirsBody.signature.v);
  const signer = new PrivateKeySigner(env.key);
  expect(
    recoverL1ActionSigner({
      ...hashInput,
      signature: theirsBody.signature as never,
      isMainnet: !env.isTestnet,
    }),
  ).toBe(signer.address);
}

const RUNS = { numRuns: 30 };

describe('L1 actions sign and encode exactly like @nktkas/hyperliquid', () => {
  test.prop(
    [
      envelopeArb,
      fc.array(orderArb, { minLength: 1, maxLength: 4 }),
      fc.constantFrom('na' as const, 'normalTpsl' as const, 'positionTpsl' as const),
    ],
    RUNS,
  )('random order batches give the same action bytes, hash and signature', async (env, orders, grouping) => {
    const action = buildOrderAction(orders.map(ours), grouping);
    await compareL1(env, (c) => c.order({ orders: orders.map(theirs) as never, grouping }), action);
  });

  test.prop(
    [
      envelopeArb,
      fc.array(fc.record({ asset: fc.integer({ min: 0, max: 200_000 }), oid: nonceArb }), {
        minLength: 1,
        maxLength: 5,
      }),
    ],
    RUNS,
  )('random cancels give the same signature', async (env, cancels) => {
    await compareL1(
      env,
      (c) => c.cancel({ cancels: cancels.map((x) => ({ o: x.oid, a: x.asset })) }),
      buildCancelAction(cancels),
    );
  });

  test.prop(
    [
      envelopeArb,
      fc.array(fc.record({ asset: fc.integer({ min: 0, max: 200_000 }), cloid: cloidArb }), {
        minLength: 1,
        maxLength: 5,
      }),
    ],
    RUNS,
  )('random cancels by cloid give the same signature', async (env, cancels) => {
    await compareL1(
      env,
      (c) => c.cancelByCloid({ cancels: cancels.map((x) => ({ cloid: x.cloid, asset: x.asset })) }),
      buildCancelByCloidAction(cancels),
    );
  });

  test.prop([envelopeArb, fc.oneof(nonceArb, cloidArb), orderArb], RUNS)(
    'random modifies give the same signature',
    async (env, oid, order) => {
      await compareL1(
        env,
        (c) => c.modify({ order: theirs(order) as never, oid }),
        buildModifyAction(oid, ours(order)),
      );
    },
  );

  test.prop(
    [envelopeArb, fc.integer({ min: 0, max: 200_000 }), fc.boolean(), fc.integer({ min: 1, max: 100 })],
    RUNS,
  )('leverage updates give the same signature', async (env, asset, isCross, leverage) => {
    await compareL1(
      env,
      (c) => c.updateLeverage({ leverage, isCross, asset }),
      buildUpdateLeverageAction(asset, isCross, leverage),
    );
  });

  test.prop([envelopeArb, fc.option(nonceArb, { nil: undefined })], RUNS)(
    'scheduleCancel with and without a time gives the same signature',
    async (env, time) => {
      await compareL1(
        env,
        (c) => c.scheduleCancel(time === undefined ? {} : { time }),
        buildScheduleCancelAction(time),
      );
    },
  );
});

describe('user-signed actions sign exactly like @nktkas/hyperliquid', () => {
  const userArb = fc.record({
    key: privateKeyArb,
    nonce: nonceArb,
    isTestnet: fc.boolean(),
    destination: addressArb,
    amount: decimalArb,
  });

  test.prop([userArb], { numRuns: 25 })('usdSend', async (u) => {
    const { client, captured } = nktkasClient(u);
    await client.usdSend({ destination: u.destination, amount: u.amount });
    const body = captured[0];
    if (body === undefined) throw new Error('nktkas sent nothing');
    const action = buildUsdSendAction({
      destination: u.destination,
      amount: toWireDecimal(u.amount),
      time: u.nonce,
      isMainnet: !u.isTestnet,
    });
    expect(JSON.stringify(action)).toBe(JSON.stringify(body.action));
    const sig = signUserSignedAction({ privateKey: u.key, action });
    expect([BigInt(sig.r), BigInt(sig.s), sig.v]).toEqual([
      BigInt(body.signature.r),
      BigInt(body.signature.s),
      body.signature.v,
    ]);
    expect(recoverUserSignedActionSigner({ action, signature: sig })).toBe(
      new PrivateKeySigner(u.key).address,
    );
  });

  test.prop([userArb], { numRuns: 25 })('withdraw3', async (u) => {
    const { client, captured } = nktkasClient(u);
    await client.withdraw3({ destination: u.destination, amount: u.amount });
    const body = captured[0];
    if (body === undefined) throw new Error('nktkas sent nothing');
    const action = buildWithdrawAction({
      destination: u.destination,
      amount: toWireDecimal(u.amount),
      time: u.nonce,
      isMainnet: !u.isTestnet,
    });
    expect(JSON.stringify(action)).toBe(JSON.stringify(body.action));
    const sig = signUserSignedAction({ privateKey: u.key, action });
    expect([BigInt(sig.r), BigInt(sig.s), sig.v]).toEqual([
      BigInt(body.signature.r),
      BigInt(body.signature.s),
      body.signature.v,
    ]);
  });
});
