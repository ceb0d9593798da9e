// The spec's "Integration Example" (complete trading loop with position and risk management), run against
// hl-sim, a local Hyperliquid-compatible venue started here as a process (testnet signing, as the spec's
// `testnet=True`). The spec's simulated fill is the real one from the WebSocket.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuditLogger } from '@hl-bot/audit';
import { Decimal, type Fill, type OrderRequestInput } from '@hl-bot/core-types';
import { HyperliquidClient, PrivateKeySigner } from '@hl-bot/exchange-hyperliquid';
import { PositionTracker } from '@hl-bot/positions';
import { RiskConfig, RiskManager } from '@hl-bot/risk';

const here = dirname(fileURLToPath(import.meta.url));
const PRIVATE_KEY = process.env.PRIVATE_KEY ?? `0x${'5a'.repeat(32)}`;
const wallet = new PrivateKeySigner(PRIVATE_KEY).address;

// A local venue: one account with 10,000 USDC, bars every 100 ms.
const sim = spawn(
  process.execPath,
  [
    join(here, '..', 'apps', 'hyperliquid-sim', 'dist', 'cli.js'),
    '--testnet',
    '--symbols',
    'BTC',
    '--bar-ms',
    '100',
    '--account',
    `${wallet}:10000`,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const { url, wsUrl } = await new Promise<{ url: string; wsUrl: string }>((resolve, reject) => {
  let buf = '';
  sim.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    if (buf.includes('\n')) resolve(JSON.parse(buf.slice(0, buf.indexOf('\n'))));
  });
  sim.once('exit', (code) => reject(new Error(`hl-sim exited ${code}`)));
});

async function tradingLoop(logs: string): Promise<string> {
  // Initialize components
  const audit = await AuditLogger.open(join(logs, 'audit'));
  const config = RiskConfig.from({ maxDailyLoss: new Decimal('100'), maxPositions: 3 });
  const risk = new RiskManager({ config, audit, initialBalance: new Decimal('10000') });
  const tracker = new PositionTracker(audit);
  const exchange = new HyperliquidClient({
    privateKey: PRIVATE_KEY,
    testnet: true,
    baseUrl: url,
    wsUrl,
    audit,
  });
  // In reality, listen to the WebSocket: fills go to the tracker (and settle the order in risk).
  const filled = new Promise<Fill>((resolve) => exchange.onFill((fill) => resolve(fill)));
  await exchange.start({ timeoutMs: 10_000 });
  try {
    // Update account balance
    const account = await exchange.getAccountState();
    await risk.updateAccount({ balance: account.balance, equity: account.equity });

    // Update market price
    const marketData = await exchange.getMarketData('BTC-USD');
    risk.updateMarketPrice('BTC-USD', marketData.price);

    // Create order: a limit buy 1% above the market, so it fills at once
    const order: OrderRequestInput = {
      symbol: 'BTC-USD',
      side: 'buy',
      orderType: 'limit',
      quantity: '0.01',
      price: marketData.price.times('1.01').toSignificantDigits(5, Decimal.ROUND_DOWN).toString(),
    };

    // Check risk, submit, and settle the reservation from the venue's answer
    const positions = tracker.getAllPositions();
    let result: Awaited<ReturnType<typeof risk.submitOrder>>;
    try {
      result = await risk.submitOrder(
        order,
        (o, clientOrderId) => exchange.placeOrder(o, { clientOrderId }),
        positions.map((p) => p.toPosition()),
      );
      if (result.approved) await risk.recordSuccess();
    } catch (error) {
      await risk.recordError(error);
      if (risk.state.circuitBreakerTripped) {
        await exchange.cancelAllOrders({ reason: 'circuit_breaker' });
        return 'CIRCUIT BREAKER TRIPPED - STOPPING TRADING';
      }
      return `Order failed: ${(error as Error).message}`;
    }
    if (!result.approved) return `Order rejected: ${result.reason}`;

    // The fill, from the venue's WebSocket
    let timer: NodeJS.Timeout | undefined;
    const fill = await Promise.race([
      filled,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('no fill within 15 s')), 15_000);
      }),
    ]).finally(() => clearTimeout(timer));
    const position = await tracker.updateFromFill(fill);
    if (result.reservation) risk.orderFilled(result.reservation.id, fill.quantity);
    assert.equal(risk.reservations().length, 0);
    return `Position opened: ${position?.quantity} @ $${position?.entryPrice}`;
  } finally {
    await exchange.close();
    await tracker.flush();
    await audit.close();
  }
}

const logs = await mkdtemp(join(tmpdir(), 'example-integration-'));
try {
  const said = await tradingLoop(logs);
  console.log(said);
  assert.match(said, /^Position opened: 0\.01 @ \$\d/);
} finally {
  sim.kill('SIGTERM');
  await rm(logs, { recursive: true, force: true });
}
