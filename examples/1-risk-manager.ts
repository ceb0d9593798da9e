// The spec's "Risk Manager — Usage", translated line by line.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogger } from '@hl-bot/audit';
import { Decimal, type OrderRequestInput } from '@hl-bot/core-types';
import { RiskConfig, RiskManager } from '@hl-bot/risk';

const logs = await mkdtemp(join(tmpdir(), 'example-risk-'));

// Configure risk limits
const config = RiskConfig.from({
  maxOrderNotional: new Decimal('1000'), // $1000 max per order
  maxDailyLoss: new Decimal('500'), // Stop after $500 loss
  maxPositions: 5, // Max 5 open positions
  maxPriceDeviation: new Decimal('0.05'), // 5% max from market
  maxConsecutiveLosses: 3, // Circuit breaker
});

// Initialize risk manager
const audit = await AuditLogger.open(join(logs, 'audit'));
const risk = new RiskManager({ config, audit, initialBalance: new Decimal('10000') });

// Check order before submission
const order: OrderRequestInput = {
  symbol: 'BTC-USD',
  side: 'buy',
  orderType: 'limit',
  quantity: 0.01,
  price: 50000,
};

// Update market price for sanity checks
risk.updateMarketPrice('BTC-USD', new Decimal('50000'));

// Run risk checks, submit, and settle the outcome in one call: the approval cannot be left dangling.
const placed: string[] = [];
const exchange = {
  async placeOrder(o: { symbol: string; quantity: Decimal }, clientOrderId: string) {
    placed.push(`${o.symbol} ${o.quantity} ${clientOrderId}`);
    return { status: 'filled', filledQuantity: o.quantity };
  },
};
const currentPositions: never[] = [];
const result = await risk.submitOrder(order, (o, id) => exchange.placeOrder(o, id), currentPositions);

if (result.approved) {
  // Safe: the order was submitted and its reservation settled
  console.log('order placed');
} else {
  // Order rejected
  console.warn(`Order rejected: ${result.reason}`);
}

assert.equal(result.approved, true);
assert.equal(placed.length, 1);
assert.deepEqual(risk.reservations(), []); // nothing left holding limits

// A fat finger (10% from the market) is rejected and never sent.
const fat = await risk.submitOrder({ ...order, price: 55000 }, (o, id) => exchange.placeOrder(o, id));
assert.equal(fat.approved, false);
assert.equal(fat.code, 'PRICE_DEVIATION_EXCEEDED');
assert.equal(placed.length, 1);

await audit.close();
await rm(logs, { recursive: true, force: true });
