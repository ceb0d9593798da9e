import { startEmbeddedPg, type TestPg } from '@hl-bot/test-pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgRiskBudget } from '../src/index.js';
import { unitNeed, waitFor } from './helpers.js';

// This test stops and restarts the server, so it always runs on one of its own.
let server: TestPg;
beforeAll(async () => {
  server = await startEmbeddedPg();
});
afterAll(async () => {
  await server?.destroy();
});

describe('the database goes away mid-run', () => {
  it('every take fails closed while it is down, flush refuses, and the budget resumes when it is back', async () => {
    const errors: string[] = [];
    const open = (botId: string) =>
      PgRiskBudget.open({
        url: server.url,
        account: 'outage',
        botId,
        caps: { maxExposure: 1000, leaseMs: 900, slice: '0.5' },
        timeoutMs: 1000,
        onError: (e) => errors.push(e.code),
      });
    const a = await open('a');
    const b = await open('b');
    try {
      expect(a.tryTake('a1', unitNeed(100)).ok).toBe(true);
      expect(b.tryTake('b1', unitNeed(100)).ok).toBe(true);
      // Before an order goes to the venue, the database knows it may be live.
      await a.flush();
      await b.flush();
      await server.stop();
      expect(await waitFor(() => !a.state.available && !b.state.available, 2000)).toBe(true);
      expect(a.tryTake('a2', unitNeed(1))).toMatchObject({ ok: false, code: 'BUDGET_UNAVAILABLE' });
      expect(b.tryTake('b2', unitNeed(1))).toMatchObject({ ok: false, code: 'BUDGET_UNAVAILABLE' });
      a.give('a1');
      await expect(a.flush()).rejects.toMatchObject({ code: 'RISK_BUDGET_UNAVAILABLE' });
      expect(errors).toContain('RISK_BUDGET_UNAVAILABLE');

      await server.start();
      expect(await waitFor(() => a.state.available && b.state.available, 8000)).toBe(true);
      expect(a.tryTake('a3', unitNeed(100)).ok).toBe(true);
      await a.flush();
      // Re-synced: what was given back while the database was down is what it now records.
      await b.trip('after the outage');
      expect(await waitFor(() => a.state.tradingState === 'HALTED', 1000)).toBe(true);
    } finally {
      await a.close();
      await b.close();
    }
  }, 40_000);
});
