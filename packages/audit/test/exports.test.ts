import { expect, it } from 'vitest';

it('exports exactly the reviewed public API (a change here needs a changeset)', async () => {
  const api = await import('../src/index.js');
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "AuditClosedError",
      "AuditCorruptError",
      "AuditFileReplacedError",
      "AuditLockError",
      "AuditLogger",
      "AuditValidationError",
      "AuditWriteError",
      "GENESIS_HASH",
      "LOCK_FILE",
      "createAuditAnchor",
      "dayFileName",
      "formatAuditAnchor",
      "parseAuditAnchor",
      "readAuditAnchor",
      "readAuditLog",
      "readCheckpointAt",
      "readCheckpoints",
      "readLatestCheckpoint",
      "verifyAuditLog",
      "writeAuditAnchor",
    ]
  `);
});
