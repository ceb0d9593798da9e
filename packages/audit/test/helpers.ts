import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEventInput } from '@hl-bot/core-types';
import { afterEach } from 'vitest';

const dirs: string[] = [];

/** A fresh temp directory, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hl-audit-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

export function orderSubmitted(i: number, timestamp?: number): AuditEventInput {
  return {
    type: 'order_submitted',
    orderId: `o${i}`,
    order: { symbol: 'BTC-USD', side: 'buy', orderType: 'limit', quantity: '0.01', price: '50000.5' },
    ...(timestamp === undefined ? {} : { timestamp }),
  };
}
