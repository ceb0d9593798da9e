import { expect, it } from 'vitest';

it('exports exactly the reviewed public API (a change here needs a changeset)', async () => {
  const api = await import('../src/index.js');
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "BUILT_IN_STRATEGIES",
      "EngineError",
      "EngineErrorCode",
      "MovingAverage",
      "TradingEngine",
      "loadStrategy",
      "meanReversion",
      "quantityFor",
      "remainingOrder",
      "riskShowcase",
      "roundPrice",
      "trendFollower",
    ]
  `);
});
