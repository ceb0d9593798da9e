import { Decimal, HlBotError, ManualClock } from '@hl-bot/core-types';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { PositionTracker } from '../src/index.js';
import { fill, ledgerView, MemorySink } from './helpers.js';

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
        valueOf(): number {
          throw new Error('valueOf was called');
        },
      },
    ],
    [
      'a duck-typed fake Decimal',
      { toStringTag: '[object Decimal]', isFinite: () => true, gt: () => true, toString: () => '1' },
    ],
    ['a forged Decimal', Object.assign(Object.create(Decimal.prototype), { s: 1, e: 5, d: [1, 2, 3] })],
    ['a revoked proxy', revoked.proxy],
    ['a symbol', Symbol('x')],
    ['an absurd number string', '1e999999'],
    ['an absurd number', 1e300],
    ['NaN', Number.NaN],
  ];
}

const fillFields = ['id', 'orderId', 'symbol', 'side', 'quantity', 'price', 'fee', 'timestamp'] as const;

let sink: MemorySink;
let tracker: PositionTracker;

beforeEach(async () => {
  sink = new MemorySink();
  tracker = new PositionTracker(sink, { clock: new ManualClock(1_700_000_000_000) });
  await tracker.updateFromFill(fill('buy', '2', '100', { symbol: 'BTC-USD' }));
  tracker.updateMarketPrice('BTC-USD', '110');
  await tracker.flush();
});

/**
 * Runs `act`, which must fail with a typed project error (never a raw TypeError) and leave the ledger as it
 * was. A refused fill is audited as one `error` event (the tracker's documented contract); nothing else is
 * written.
 */
async function expectRefusedUnchanged(act: () => unknown, audited: 0 | 1 = 0): Promise<void> {
  const before = JSON.stringify(ledgerView(tracker));
  const entries = sink.entries.length;
  let caught: unknown;
  try {
    await act();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'a hostile input must be refused').toBeInstanceOf(HlBotError);
  expect((caught as HlBotError).code).toMatch(/^[A-Z_]+$/);
  await tracker.flush();
  expect(JSON.stringify(ledgerView(tracker))).toBe(before);
  const written = sink.entries.slice(entries);
  expect(written.map((e) => e.type)).toEqual(audited === 1 ? ['error'] : []);
}

describe('the tracker refuses hostile input with a typed error and keeps its ledger', () => {
  it('updateFromFill: any field of a fill replaced by a hostile value', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...fillFields),
        fc.integer({ min: 0, max: hostileValues().length - 1 }),
        async (field, which) => {
          const [, value] = hostileValues()[which] as [string, unknown];
          // Any string is a legitimate fill or order id, and this one is a well-formed symbol name.
          fc.pre(!(['id', 'orderId', 'symbol'].includes(field) && typeof value === 'string'));
          const bad = { ...fill('sell', '1', '105', { symbol: 'BTC-USD' }), [field]: value };
          await expectRefusedUnchanged(() => tracker.updateFromFill(bad), 1);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('updateFromFill: a hostile fill object itself', async () => {
    for (const [name, value] of hostileValues()) {
      await expectRefusedUnchanged(() => tracker.updateFromFill(value), 1).catch((error: unknown) => {
        throw new Error(`${name}: ${(error as Error).message}`);
      });
    }
  });

  it('updateMarketPrice and applyFunding: a hostile symbol, price, amount or time', async () => {
    for (const [name, value] of hostileValues()) {
      const calls: Array<[string, () => unknown]> = [
        ['mark symbol', () => tracker.updateMarketPrice(value as string, '111')],
        ['mark price', () => tracker.updateMarketPrice('BTC-USD', value as string)],
        ['mark time', () => tracker.updateMarketPrice('BTC-USD', '111', value as number)],
        ['funding symbol', () => tracker.applyFunding(value as string, '-1', 1_700_000_000_000)],
        ['funding amount', () => tracker.applyFunding('BTC-USD', value as string, 1_700_000_000_000)],
        ['funding time', () => tracker.applyFunding('BTC-USD', '-1', value as number)],
      ];
      for (const [what, call] of calls) {
        // A string may be a legitimate symbol name (a mark for a flat symbol is ignored, not refused).
        if (what.endsWith('symbol') && typeof value === 'string') continue;
        await expectRefusedUnchanged(call).catch((error: unknown) => {
          throw new Error(`${what} = ${name}: ${(error as Error).message}`);
        });
      }
    }
  });
});
