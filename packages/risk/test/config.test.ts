import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RISK_CONFIG_FIELDS, RiskConfig, RiskConfigError, riskEnvName } from '../src/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hl-risk-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function thrown(fn: () => unknown): RiskConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RiskConfigError) return error;
    throw error;
  }
  throw new Error('expected a RiskConfigError');
}

describe('RiskConfig defaults', () => {
  it('has conservative documented defaults', () => {
    const c = RiskConfig.defaults();
    expect(c.toJSON()).toEqual({
      maxPositionSizeUsd: '1000',
      maxPositionSizePercent: '0.1',
      maxOrderNotional: '1000',
      maxOrderNotionalPercent: '0.1',
      maxOpenOrders: 10,
      maxDailyLoss: '500',
      maxDailyLossPercent: '0.05',
      maxDrawdownPercent: '0.1',
      maxConsecutiveLosses: 3,
      maxTotalExposure: '5000',
      maxExposurePercent: '0.5',
      maxPositions: 5,
      maxPriceDeviation: '0.05',
      maxSlippagePercent: '0.01',
      maxConsecutiveErrors: 5,
      circuitBreakerCooldownMinutes: 30,
      maxOrdersPerMinute: 10,
      maxOrdersPerSecond: 5,
      maxLeverage: '3',
      maxMarketPriceAgeMs: 10000,
      reservationTimeoutMs: 30000,
      tradingDayUtcOffsetMinutes: 0,
    });
  });

  it('is immutable', () => {
    const c = RiskConfig.defaults();
    expect(() => {
      (c as unknown as { maxPositions: number }).maxPositions = 99;
    }).toThrow(TypeError);
  });
});

describe('RiskConfig sources', () => {
  it('reads every field from RISK_<FIELD_IN_UPPER_SNAKE_CASE>', () => {
    expect(riskEnvName('maxDailyLoss')).toBe('RISK_MAX_DAILY_LOSS');
    expect(riskEnvName('maxPositionSizeUsd')).toBe('RISK_MAX_POSITION_SIZE_USD');
    const c = RiskConfig.fromEnv({
      RISK_MAX_DAILY_LOSS: '500',
      RISK_MAX_POSITIONS: '5',
      RISK_MAX_LEVERAGE: '3',
      PATH: '/bin',
    });
    expect([c.maxDailyLoss.toString(), c.maxPositions, c.maxLeverage.toString()]).toEqual(['500', 5, '3']);
    const env = Object.fromEntries(
      RISK_CONFIG_FIELDS.map((f) => [
        riskEnvName(f),
        f === 'tradingDayUtcOffsetMinutes'
          ? '60'
          : f === 'maxPriceDeviation' || f === 'maxSlippagePercent'
            ? '0.95'
            : '1',
      ]),
    );
    expect(() => RiskConfig.fromEnv(env)).not.toThrow();
  });

  it('applies defaults < file < env < code', async () => {
    const file = join(dir, 'risk.json');
    await writeFile(file, JSON.stringify({ maxDailyLoss: '400', maxPositions: 4, maxOpenOrders: 4 }));
    const c = RiskConfig.load({
      file,
      env: { RISK_MAX_POSITIONS: '3', RISK_MAX_OPEN_ORDERS: '3' },
      overrides: { maxOpenOrders: 2 },
    });
    expect([c.maxDailyLoss.toString(), c.maxPositions, c.maxOpenOrders, c.maxLeverage.toString()]).toEqual([
      '400',
      3,
      2,
      '3',
    ]);
  });

  it("reads RISK_* from process.env when load() is given no arguments, like the spec's RiskConfig()", () => {
    const before = process.env.RISK_MAX_DAILY_LOSS;
    process.env.RISK_MAX_DAILY_LOSS = '321';
    try {
      expect(RiskConfig.load().maxDailyLoss.toString()).toBe('321');
      // An explicit empty environment still means "no env layer".
      expect(RiskConfig.load({ env: {} }).maxDailyLoss.toString()).toBe('500');
    } finally {
      if (before === undefined) delete process.env.RISK_MAX_DAILY_LOSS;
      else process.env.RISK_MAX_DAILY_LOSS = before;
    }
  });

  it("accepts the spec's snake_case names as aliases, in a file and in code", async () => {
    const file = join(dir, 'risk-spec.json');
    await writeFile(
      file,
      JSON.stringify({ max_daily_loss: '250', max_positions: 3, circuit_breaker_cooldown_minutes: 5 }),
    );
    const c = RiskConfig.fromFile(file);
    expect([c.maxDailyLoss.toString(), c.maxPositions, c.circuitBreakerCooldownMinutes]).toEqual([
      '250',
      3,
      5,
    ]);
    expect(RiskConfig.from({ max_position_size_usd: '900' }).maxPositionSizeUsd.toString()).toBe('900');
    // A bad value under an alias names the camelCase field it sets.
    expect(thrown(() => RiskConfig.from({ max_daily_loss: '-1' })).field).toBe('maxDailyLoss');
  });

  it('rejects a field set twice through its name and its alias', () => {
    const e = thrown(() => RiskConfig.from({ maxDailyLoss: '100', max_daily_loss: '200' }));
    expect(e.field).toBe('maxDailyLoss');
    expect(e.message).toContain('both set maxDailyLoss');
  });

  it('round-trips through toJSON and fromFile', async () => {
    const file = join(dir, 'risk.json');
    const c = RiskConfig.from({ maxDailyLoss: '123.45' });
    await writeFile(file, JSON.stringify(c));
    expect(RiskConfig.fromFile(file).toJSON()).toEqual(c.toJSON());
  });
});

describe('RiskConfig validation names the field and the source', () => {
  it('rejects a negative value from code', () => {
    const e = thrown(() => RiskConfig.from({ maxDailyLoss: '-5' }));
    expect(e.code).toBe('RISK_CONFIG_INVALID');
    expect(e.field).toBe('maxDailyLoss');
    expect(e.source).toBe('code');
    expect(e.message).toBe(
      'invalid risk config from code field maxDailyLoss: must be a decimal greater than 0 and at most 1e15, got "-5"',
    );
  });

  it('rejects NaN', () => {
    expect(thrown(() => RiskConfig.from({ maxOrderNotional: Number.NaN })).field).toBe('maxOrderNotional');
  });

  it('rejects a percent above 1', () => {
    const e = thrown(() => RiskConfig.from({ maxDailyLossPercent: '5' }));
    expect(e.message).toContain('must be a fraction greater than 0 and at most 1');
  });

  it('accepts a percent of exactly 1', () => {
    expect(RiskConfig.from({ maxExposurePercent: 1 }).maxExposurePercent.toString()).toBe('1');
  });

  it('never lets a price band be looser than the venue, which refuses prices more than 95 % from its reference', () => {
    expect(RiskConfig.from({ maxPriceDeviation: '0.95' }).maxPriceDeviation.toString()).toBe('0.95');
    const e = thrown(() => RiskConfig.from({ maxPriceDeviation: '0.96' }));
    expect(e.field).toBe('maxPriceDeviation');
    expect(e.message).toContain('must be a fraction greater than 0 and at most 0.95');
    expect(thrown(() => RiskConfig.fromEnv({ RISK_MAX_SLIPPAGE_PERCENT: '1' })).field).toBe(
      'maxSlippagePercent',
    );
  });

  it('rejects a non-integer count', () => {
    expect(thrown(() => RiskConfig.from({ maxPositions: 2.5 })).field).toBe('maxPositions');
  });

  it('rejects an unknown key from code and from a file', async () => {
    expect(thrown(() => RiskConfig.from({ maxDailyLos: 5 })).message).toContain(
      'unknown field "maxDailyLos"',
    );
    const file = join(dir, 'risk.json');
    await writeFile(file, JSON.stringify({ max_postions: 5 }));
    const e = thrown(() => RiskConfig.fromFile(file));
    expect(e.source).toBe('file');
    expect(e.message).toContain(file);
    // The error says what the names look like, so a typo in either style can be fixed from the message.
    expect(e.message).toContain('camelCase such as maxDailyLoss');
    expect(e.message).toContain('max_daily_loss');
  });

  it('rejects a malformed env value naming the variable', () => {
    const e = thrown(() => RiskConfig.fromEnv({ RISK_MAX_POSITIONS: 'five' }));
    expect(e.message).toBe(
      'invalid risk config from env RISK_MAX_POSITIONS (maxPositions): must be an integer between 1 and 1000000, got "five"',
    );
    expect(e.source).toBe('env');
    expect(thrown(() => RiskConfig.fromEnv({ RISK_MAX_DAILY_LOSS: '' })).field).toBe('maxDailyLoss');
    expect(thrown(() => RiskConfig.fromEnv({ RISK_MAX_DAILY_LOSS: ' 5' })).field).toBe('maxDailyLoss');
    expect(thrown(() => RiskConfig.fromEnv({ RISK_MAX_DAILY_LOSS: '0x10' })).field).toBe('maxDailyLoss');
  });

  it('rejects an unknown RISK_ variable, so a typo cannot leave a default in force', () => {
    expect(thrown(() => RiskConfig.fromEnv({ RISK_MAX_DAILY_LOS: '5' })).message).toContain(
      'RISK_MAX_DAILY_LOS',
    );
  });

  it('rejects a file that is not JSON, naming the file', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, '{ maxPositions: 5');
    expect(thrown(() => RiskConfig.fromFile(file)).message).toContain(
      `risk config file ${file} is not valid JSON`,
    );
  });

  it('rejects a missing file', () => {
    expect(thrown(() => RiskConfig.fromFile(join(dir, 'nope.json'))).source).toBe('file');
  });

  it('rejects an out-of-range trading-day offset', () => {
    expect(thrown(() => RiskConfig.from({ tradingDayUtcOffsetMinutes: 900 })).field).toBe(
      'tradingDayUtcOffsetMinutes',
    );
  });
});
