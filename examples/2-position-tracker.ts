// The spec's "Position Tracker — Usage", translated line by line (no `await` on update_market_price, as in
// the spec: the mark is visible at once).
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogger } from '@hl-bot/audit';
import { Decimal, type FillInput } from '@hl-bot/core-types';
import { PositionTracker } from '@hl-bot/positions';

const logs = await mkdtemp(join(tmpdir(), 'example-positions-'));

// Initialize tracker
const audit = await AuditLogger.open(join(logs, 'audit'));
const tracker = new PositionTracker(audit);

// Process order fill
const fill: FillInput = {
  id: 'fill-123',
  orderId: 'order-456',
  symbol: 'BTC-USD',
  side: 'buy',
  quantity: new Decimal('0.1'),
  price: new Decimal('50000'),
  fee: new Decimal('5'),
};

// Update position from fill
let position = await tracker.updateFromFill(fill);

console.log(`Position: ${position?.quantity} ${position?.symbol}`);
console.log(`Entry: $${position?.entryPrice}`);
console.log(`P&L: $${position?.unrealizedPnl}`);

// Update market price
tracker.updateMarketPrice('BTC-USD', new Decimal('52000'));

// Get updated position
position = tracker.getPosition('BTC-USD');
console.log(`Unrealized P&L: $${position?.unrealizedPnl}`);
console.log(`MAE: $${position?.maxAdverseExcursion}`);
console.log(`MFE: $${position?.maxFavorableExcursion}`);

assert.equal(position?.unrealizedPnl.toString(), '200');
assert.equal(position?.maxFavorableExcursion.toString(), '200');
assert.equal(position?.maxAdverseExcursion.toString(), '0');

// Get all positions
const positions = tracker.getAllPositions();
const totalExposure = tracker.getTotalExposure();
const totalPnl = tracker.getTotalUnrealizedPnl();
assert.equal(positions.length, 1);
assert.equal(totalExposure.toString(), '5200');
assert.equal(totalPnl.toString(), '200');

// Durability of the mark's MAE/MFE record is awaited separately.
await tracker.flush();
await audit.close();
await rm(logs, { recursive: true, force: true });
