import { expect, it } from 'vitest';

it('exports exactly the reviewed public API (a change here needs a changeset)', async () => {
  const api = await import('../src/index.js');
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "CompactIdSet",
      "InvalidFillError",
      "InvalidFundingError",
      "InvalidMarkPriceError",
      "MONEY_DECIMALS",
      "Position",
      "PositionAuditError",
      "PositionError",
      "PositionErrorCode",
      "PositionNotOpenError",
      "PositionRecoveryError",
      "PositionTracker",
      "PositionTrackerHaltedError",
      "nullAuditSink",
    ]
  `);
});
