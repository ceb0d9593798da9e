import { Decimal, OrderRequest, parseValidated } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { AuditLogger } from '../src/index.js';
import { readAll, tempDir } from './helpers.js';

const order = {
  symbol: 'BTC-USD',
  side: 'buy',
  orderType: 'limit',
  quantity: '0.01',
  price: '50000.5',
} as const;

describe('validate once: an event of already validated parts is not parsed again', () => {
  it('appends an event composed of a marked order as it is, and the line reads back the same', async () => {
    const dir = await tempDir();
    const audit = await AuditLogger.open(dir, { durability: 'none' });
    const marked = parseValidated(OrderRequest, order, 'order');
    const entry = await audit.append({ type: 'order_submitted', orderId: 'o1', order: marked });
    // The entry holds the very order the boundary parsed: no second parse built another one.
    expect((entry as { order: unknown }).order).toBe(marked);
    const plain = await audit.append({ type: 'order_submitted', orderId: 'o2', order });
    await audit.close();
    const [first, second] = await readAll(dir);
    expect(first).toMatchObject({ orderId: 'o1', order: { quantity: new Decimal('0.01') } });
    expect(second).toMatchObject({ orderId: 'o2', order: { quantity: new Decimal('0.01') } });
    expect((plain as { order: unknown }).order).not.toBe(order);
  });

  it('fully parses an unmarked, hand-made order, however it was built', async () => {
    const dir = await tempDir();
    const audit = await AuditLogger.open(dir, { durability: 'none' });
    // Parsed by the schema but not at a boundary (no mark), then broken: it must be caught.
    const handMade = { ...OrderRequest.parse(order), quantity: new Decimal('-1') };
    await expect(
      audit.append({ type: 'order_submitted', orderId: 'o1', order: handMade }),
    ).rejects.toMatchObject({
      code: 'AUDIT_INVALID_EVENT',
      field: 'order.quantity',
    });
    // A marked part does not vouch for the rest of the event.
    const marked = parseValidated(OrderRequest, order, 'order');
    await expect(
      audit.append({ type: 'order_submitted', orderId: '', order: marked } as never),
    ).rejects.toMatchObject({ code: 'AUDIT_INVALID_EVENT', field: 'orderId' });
    await expect(
      audit.append({ type: 'order_submitted', orderId: 'o1', order: marked, extra: 1 } as never),
    ).rejects.toMatchObject({ code: 'AUDIT_INVALID_EVENT' });
    expect(audit.lastSeq).toBe(0);
    await audit.close();
  });
});
