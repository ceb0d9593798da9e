import { expect, it } from 'vitest';

it('the ./wire subpath exports exactly the reviewed wire API (a change here needs a changeset)', async () => {
  const api = await import('../src/wire.js');
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "ExchangeRequestSchema",
      "ExchangeResponseSchema",
      "MAIN_DEX",
      "actionHash",
      "buildBatchModifyAction",
      "buildCancelAction",
      "buildCancelByCloidAction",
      "buildModifyAction",
      "buildNoopAction",
      "buildOrderAction",
      "buildScheduleCancelAction",
      "buildUpdateLeverageAction",
      "buildUsdSendAction",
      "buildWithdrawAction",
      "canonicalizeL1Action",
      "dexAssetId",
      "dexOfCoin",
      "formatPrice",
      "formatSize",
      "isCloid",
      "orderWire",
      "randomCloid",
      "recoverL1ActionSigner",
      "recoverUserSignedActionSigner",
      "signL1Action",
      "signUserSignedAction",
      "toCloid",
      "toWireDecimal",
    ]
  `);
});

it('the main entry and ./wire share no value: each name has one public home', async () => {
  const main = new Set(Object.keys(await import('../src/index.js')));
  const wire = Object.keys(await import('../src/wire.js'));
  expect(wire.filter((name) => main.has(name))).toEqual([]);
});
