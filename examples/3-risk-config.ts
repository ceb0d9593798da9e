// The spec's "Risk Configuration": from code, from a file (written in the spec's snake_case) and from
// RISK_* environment variables.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from '@hl-bot/core-types';
import { RiskConfig } from '@hl-bot/risk';

let config = RiskConfig.from({
  // Position sizing
  maxPositionSizeUsd: new Decimal('1000'), // Max $1000 per position
  maxPositionSizePercent: new Decimal('0.1'), // Max 10% of account
  // Order limits
  maxOrderNotional: new Decimal('5000'), // Max $5000 per order
  maxOpenOrders: 10, // Max 10 open orders
  // Loss limits
  maxDailyLoss: new Decimal('500'), // Max $500 loss per day
  maxDailyLossPercent: new Decimal('0.05'), // Max 5% account loss per day
  maxConsecutiveLosses: 3, // Circuit breaker threshold
  // Exposure limits
  maxTotalExposure: new Decimal('10000'), // Max $10k total exposure
  maxExposurePercent: new Decimal('0.5'), // Max 50% account exposure
  maxPositions: 5, // Max 5 open positions
  // Price validation
  maxPriceDeviation: new Decimal('0.05'), // 5% max from market
  maxSlippagePercent: new Decimal('0.01'), // 1% max slippage
  // Circuit breaker
  maxConsecutiveErrors: 5, // Trip after 5 errors
  circuitBreakerCooldownMinutes: 30, // 30 min cooldown
  // Rate limiting
  maxOrdersPerMinute: 10, // 10 orders/min per symbol
});
assert.equal(config.maxTotalExposure.toString(), '10000');

// Load from file: the spec's file uses snake_case names, accepted as aliases.
const dir = await mkdtemp(join(tmpdir(), 'example-config-'));
const file = join(dir, 'risk_config.json');
await writeFile(
  file,
  JSON.stringify({ max_daily_loss: '250', max_positions: 3, circuit_breaker_cooldown_minutes: 5 }),
);
config = RiskConfig.fromFile(file);
assert.equal(config.maxDailyLoss.toString(), '250');
assert.equal(config.maxPositions, 3);
assert.equal(config.circuitBreakerCooldownMinutes, 5);

// Load from environment variables
// Prefix: RISK_MAX_DAILY_LOSS=500
process.env.RISK_MAX_DAILY_LOSS = '500';
process.env.RISK_MAX_POSITIONS = '5';
process.env.RISK_MAX_LEVERAGE = '3';
process.env.RISK_MAX_CONSECUTIVE_LOSSES = '3';
config = RiskConfig.load();
assert.equal(config.maxDailyLoss.toString(), '500');
assert.equal(config.maxPositions, 5);
console.log('config from env:', config.maxDailyLoss.toString(), config.maxPositions);

await rm(dir, { recursive: true, force: true });
