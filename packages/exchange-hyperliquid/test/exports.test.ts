import { expect, it } from 'vitest';

it('exports exactly the reviewed public API (a change here needs a changeset)', async () => {
  const api = await import('../src/index.js');
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "AccountModeError",
      "ActionCapError",
      "HyperliquidActionError",
      "HyperliquidClient",
      "HyperliquidClientError",
      "HyperliquidHttpError",
      "HyperliquidResponseError",
      "KeyAuthorityError",
      "MAINNET_API_URL",
      "MAINNET_WS_URL",
      "OrderStateUnknownError",
      "PrivateKeySigner",
      "SigningError",
      "TESTNET_API_URL",
      "TESTNET_WS_URL",
      "UnknownAssetError",
      "UnrepresentableNumberError",
      "cloidTagOf",
      "coinToSymbol",
      "proveKeyCanTrade",
      "symbolToCoin",
    ]
  `);
});
