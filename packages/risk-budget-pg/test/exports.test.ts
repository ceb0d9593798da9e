import { expect, it } from 'vitest';

it('exports exactly the reviewed public API (a change here needs a changeset)', async () => {
  const api = await import('../src/index.js');
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "PgAuditMirror",
      "PgRiskBudget",
      "RiskBudgetPgError",
      "SCHEMA",
      "SCHEMA_VERSION",
      "auditLineOf",
      "channelOf",
      "mirrorLines",
      "verifyMirror",
    ]
  `);
});
