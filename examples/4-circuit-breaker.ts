// The spec's "Circuit Breaker" snippet. `asyncio.sleep(cooldown)` is a clock advanced by the cooldown, so the
// example runs in milliseconds; `if (risk.resetCircuitBreaker())` branches on the real answer.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLogger } from '@hl-bot/audit';
import { ManualClock } from '@hl-bot/core-types';
import { RiskConfig, RiskManager } from '@hl-bot/risk';

const logs = await mkdtemp(join(tmpdir(), 'example-breaker-'));
const clock = new ManualClock('2026-03-02T12:00:00Z');
const config = RiskConfig.from({ circuitBreakerCooldownMinutes: 30, maxConsecutiveLosses: 3 });
const audit = await AuditLogger.open(join(logs, 'audit'), { clock });
const risk = new RiskManager({ config, audit, initialBalance: '10000', clock });

// Three losing trades in a row trip the breaker.
for (const loss of ['-10', '-20', '-30']) await risk.recordTradeResult(loss, 'BTC-USD');

const said: string[] = [];
// Check if tripped
if (risk.state.circuitBreakerTripped) {
  said.push(`Circuit breaker tripped: ${risk.state.circuitBreakerReason}`);

  // Attempt a reset too early
  if (risk.resetCircuitBreaker()) said.push('Circuit breaker reset');
  else said.push('Still in cooldown');

  // Wait for cooldown
  clock.advance(config.circuitBreakerCooldownMinutes * 60_000);

  // Attempt reset
  if (risk.resetCircuitBreaker()) said.push('Circuit breaker reset');
  else said.push('Still in cooldown');
}
console.log(said.join('\n'));
assert.deepEqual(said.slice(1), ['Still in cooldown', 'Circuit breaker reset']);
assert.equal(risk.state.tradingState, 'ACTIVE');

await risk.flush(); // the reset is durable
await audit.close();
await rm(logs, { recursive: true, force: true });
