import { join } from 'node:path';
import { Decimal, HlBotError, ManualClock } from '@hl-bot/core-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuditLogger } from '../src/index.js';
import { fileLines, orderSubmitted, tempDir } from './helpers.js';

/** Objects that are not what they claim (the same list as core-types' hostile-input tests). */
function hostileValues(): Array<[string, unknown]> {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  return [
    ['a null-prototype object', Object.create(null)],
    [
      'an object with a throwing toString',
      {
        toString(): string {
          throw new Error('toString was called');
        },
      },
    ],
    [
      'a duck-typed fake Decimal',
      { toStringTag: '[object Decimal]', isFinite: () => true, toString: () => '1' },
    ],
    ['a forged Decimal', Object.assign(Object.create(Decimal.prototype), { s: 1, e: 5, d: [1, 2, 3] })],
    ['a revoked proxy', revoked.proxy],
    ['a symbol', Symbol('x')],
    ['an absurd number string', '1e999999'],
    ['a megabyte of digits', '9'.repeat(1_000_000)],
  ];
}

const orderFields = ['symbol', 'side', 'orderType', 'quantity', 'price'] as const;

describe('append refuses hostile events with a typed error, writes nothing and stays usable', () => {
  it('any order field, or the event itself, replaced by a hostile value', async () => {
    const dir = await tempDir();
    const audit = await AuditLogger.open(dir, { clock: new ManualClock('2025-02-11T00:00:00.000Z') });
    const file = join(dir, 'audit-2025-02-11.jsonl');
    await audit.append(orderSubmitted(1));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<(typeof orderFields)[number] | 'event'>(...orderFields, 'event'),
        fc.integer({ min: 0, max: hostileValues().length - 1 }),
        async (field, which) => {
          const [, value] = hostileValues()[which] as [string, unknown];
          const good = orderSubmitted(2) as { order: Record<string, unknown> };
          // '1e999999' is a well-formed symbol name: only the numeric fields must refuse strings.
          fc.pre(!(field === 'symbol' && typeof value === 'string' && value.length < 100));
          const event = field === 'event' ? value : { ...good, order: { ...good.order, [field]: value } };
          const seq = audit.lastSeq;
          let caught: unknown;
          try {
            await audit.append(event as never);
          } catch (error) {
            caught = error;
          }
          expect(caught).toBeInstanceOf(HlBotError);
          expect((caught as HlBotError).code).toBe('AUDIT_INVALID_EVENT');
          expect(audit.lastSeq).toBe(seq);
        },
      ),
      { numRuns: 120 },
    );
    expect(await fileLines(file)).toHaveLength(1);
    const next = await audit.append(orderSubmitted(3));
    expect(next.seq).toBe(2);
    await audit.close();
  });
});
