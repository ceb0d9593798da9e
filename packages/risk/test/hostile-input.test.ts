import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal, ValidationError } from '@hl-bot/core-types';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RiskConfig, RiskConfigError } from '../src/index.js';
import { codes, limitBuy, long, setup } from './helpers.js';

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
    ['an absurd number string', '1e999999'],
  ];
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hl-risk-hostile-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function configError(run: () => unknown): RiskConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof RiskConfigError) return error;
    throw error;
  }
  throw new Error('expected a RiskConfigError');
}

describe('risk config files and values', () => {
  it('refuses a file that sets a key twice, naming it (JSON.parse would keep the last silently)', async () => {
    const file = join(dir, 'risk.json');
    await writeFile(file, '{ "maxDailyLoss": "100", "maxPositions": 3, "maxDailyLoss": "100000" }');
    const error = configError(() => RiskConfig.fromFile(file));
    expect(error.field).toBe('maxDailyLoss');
    expect(error.message).toMatch(/"maxDailyLoss" twice/);
    // Equal keys in different objects, or inside strings, are not duplicates.
    await writeFile(file, '{ "maxDailyLoss": "100", "maxPositions": 3 }');
    expect(RiskConfig.fromFile(file).maxDailyLoss.toString()).toBe('100');
    expect(() => RiskConfig.load({ file, env: {} })).not.toThrow();
  });

  it.each([
    ['circuitBreakerCooldownMinutes', 2 ** 52, 10_080],
    ['circuitBreakerCooldownMinutes', 10_081, 10_080],
    ['maxDailyLoss', '1e29', '1e15'],
    ['maxPositionSizeUsd', '1000000000000001', '1e15'],
    ['maxLeverage', '1001', '1000'],
    ['maxOpenOrders', 1_000_001, 1_000_000],
    ['maxOrdersPerSecond', 2 ** 53 - 1, 1_000_000],
    ['maxMarketPriceAgeMs', 2_592_000_001, 2_592_000_000],
    ['reservationTimeoutMs', 2 ** 40, 2_592_000_000],
    ['maxPositionSizePercent', '1.0000001', '1'],
  ] as const)('refuses %s = %s with the field named, and accepts its bound %s', (field, absurd, bound) => {
    const error = configError(() => RiskConfig.from({ [field]: absurd }));
    expect(error.code).toBe('RISK_CONFIG_INVALID');
    expect(error.field).toBe(field);
    expect(error.message).toContain(field);
    expect(String(RiskConfig.from({ [field]: bound })[field])).toBe(String(new Decimal(bound)));
  });

  it('refuses absurd values from the environment the same way', () => {
    const error = configError(() =>
      RiskConfig.fromEnv({ RISK_CIRCUIT_BREAKER_COOLDOWN_MINUTES: String(2 ** 52) }),
    );
    expect(error.field).toBe('circuitBreakerCooldownMinutes');
    expect(error.message).toContain('RISK_CIRCUIT_BREAKER_COOLDOWN_MINUTES');
  });

  it.each(hostileValues())('refuses %s as a config value with a typed error', (_label, value) => {
    const error = configError(() => RiskConfig.from({ maxDailyLoss: value as string }));
    expect(error.field).toBe('maxDailyLoss');
  });
});

describe('positions given to a risk check', () => {
  it('one bad entry in the list leaves the book exactly as it was', async () => {
    const { risk } = setup();
    risk.updateMarketPrice('ETH-USD', '3000');
    risk.updatePosition(long('BTC-USD', '0.1', '50000'));
    const before = risk.positions();
    const result = await risk.checkOrder(limitBuy('0.01'), [
      long('ETH-USD', '1', '3000'),
      long('SOL-USD', '0', '100'),
    ]);
    expect(result.approved).toBe(false);
    expect(codes(result)).toEqual(['CHECK_FAILED']);
    expect(risk.positions()).toEqual(before);
    // A duplicate symbol is a bad list too.
    const dup = await risk.checkOrder(limitBuy('0.01'), [
      long('ETH-USD', '1', '3000'),
      long('ETH-USD', '2', '3000'),
    ]);
    expect(codes(dup)).toEqual(['CHECK_FAILED']);
    expect(risk.positions()).toEqual(before);
  });

  it('every hostile shape, as a list entry, a field or the order, is a typed refusal and changes nothing', async () => {
    const { risk } = setup();
    risk.updatePosition(long('BTC-USD', '0.1', '50000'));
    const before = risk.positions();
    const count = hostileValues().length;
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: count - 1 }), fc.nat({ max: 3 }), async (index, where) => {
        // Built fresh inside the property: fast-check probes what it generates, and a revoked proxy throws.
        const value = (hostileValues()[index] as [string, unknown])[1];
        if (where === 0) {
          const result = await risk.checkOrder(limitBuy('0.01'), [
            long('ETH-USD', '1', '3000'),
            value as never,
          ]);
          expect(result.approved).toBe(false);
        } else if (where === 1) {
          const result = await risk.checkOrder(limitBuy('0.01'), [
            { ...long('ETH-USD', '1', '3000'), quantity: value as string },
          ]);
          expect(result.approved).toBe(false);
        } else if (where === 2) {
          const result = await risk.checkOrder(value as never);
          expect(result.approved).toBe(false);
        } else {
          expect(() =>
            risk.updatePosition({ ...long('ETH-USD', '1', '3000'), entryPrice: value as string }),
          ).toThrow(ValidationError);
        }
        expect(risk.positions()).toEqual(before);
      }),
      { numRuns: 80 },
    );
  });
});
