import type { AuditEventInput, ManualClock } from '@hl-bot/core-types';
import type { AuditLogger } from './audit-logger.js';

const MINUTE = 60_000;

/**
 * Appends a short, realistic paper-trading day: session start, day start and account state, a BTC long that
 * is opened in two fills and closed at a profit, an ETH short stopped out at a loss, a fat-finger order
 * rejected by risk, a circuit breaker trip after consecutive losses and its reset, and the session end.
 * Every event goes through the real logger (validation, hash chain, fsync). Returns the number of events.
 */
export async function writeDemoDay(audit: AuditLogger, clock: ManualClock): Promise<number> {
  const at = () => clock.now();
  const day = new Date(at()).toISOString().slice(0, 10);
  const btcLimit = {
    symbol: 'BTC-USD',
    side: 'buy',
    orderType: 'limit',
    quantity: '0.02',
    price: '50000',
  } as const;
  const events: Array<[number, AuditEventInput]> = [
    [0, { type: 'session_started', app: 'hl-audit-demo', version: '0.1.0', mode: 'paper' }],
    [0, { type: 'trading_day_started', day, dayStartEquity: '10000' }],
    [0, { type: 'account_updated', account: { balance: '10000', equity: '10000', timestamp: at() } }],
    [1, { type: 'mark_price', symbol: 'BTC-USD', price: '50010.5' }],
    [0, { type: 'risk_approved', reservationId: 'r-1', order: btcLimit }],
    [0, { type: 'order_submitted', orderId: 'o-1', order: btcLimit, venue: 'paper' }],
    [
      0,
      {
        type: 'order_accepted',
        orderId: 'o-1',
        venueOrderId: 'v-9001',
        symbol: 'BTC-USD',
        status: 'resting',
      },
    ],
    [3, fill('f-1', 'o-1', 'BTC-USD', 'buy', '0.01', '50000', '0.35', at() + 3 * MINUTE)],
    [0, positionUpdate('BTC-USD', 'f-1', 'long', '0.01', '50000')],
    [2, fill('f-2', 'o-1', 'BTC-USD', 'buy', '0.01', '50000', '0.35', at() + 5 * MINUTE)],
    [0, positionUpdate('BTC-USD', 'f-2', 'long', '0.02', '50000')],
    [45, { type: 'mark_price', symbol: 'BTC-USD', price: '50750' }],
    [
      0,
      {
        type: 'risk_rejected',
        order: { symbol: 'BTC-USD', side: 'buy', orderType: 'limit', quantity: '0.5', price: '55000' },
        code: 'PRICE_DEVIATION',
        reason: 'limit price 55000 is 8.37% from mark 50750 (max 5%)',
        failures: [
          {
            code: 'PRICE_DEVIATION',
            message: 'price too far from mark',
            details: { price: '55000', mark: '50750', maxDeviation: '0.05' },
          },
        ],
      },
    ],
    [
      10,
      {
        type: 'order_submitted',
        orderId: 'o-2',
        order: { symbol: 'BTC-USD', side: 'sell', orderType: 'market', quantity: '0.02', reduceOnly: true },
      },
    ],
    [0, fill('f-3', 'o-2', 'BTC-USD', 'sell', '0.02', '50800', '0.71', at() + 60 * MINUTE)],
    [0, { type: 'position_updated', symbol: 'BTC-USD', cause: 'fill', fillId: 'f-3' }],
    [
      0,
      {
        type: 'position_closed',
        fillId: 'f-3',
        position: {
          symbol: 'BTC-USD',
          side: 'long',
          quantity: '0.02',
          peakQuantity: '0.02',
          entryPrice: '50000',
          exitPrice: '50800',
          realizedPnl: '16',
          fees: '1.41',
          funding: '0',
          netRealizedPnl: '14.59',
          maxAdverseExcursion: '-0.2',
          maxFavorableExcursion: '17',
          openedAt: at() - 57 * MINUTE,
          closedAt: at() + 60 * MINUTE,
          durationMs: 57 * MINUTE,
          fillCount: 3,
        },
      },
    ],
    [0, { type: 'trade_result_recorded', netPnl: '14.59', symbol: 'BTC-USD', consecutiveLosses: 0 }],
    [
      30,
      {
        type: 'order_submitted',
        orderId: 'o-3',
        order: { symbol: 'ETH-USD', side: 'sell', orderType: 'market', quantity: '0.5' },
      },
    ],
    [0, fill('f-4', 'o-3', 'ETH-USD', 'sell', '0.5', '3000', '0.53', at() + 90 * MINUTE)],
    [0, positionUpdate('ETH-USD', 'f-4', 'short', '0.5', '3000')],
    [
      20,
      {
        type: 'order_submitted',
        orderId: 'o-4',
        order: { symbol: 'ETH-USD', side: 'buy', orderType: 'market', quantity: '0.5', reduceOnly: true },
      },
    ],
    [0, fill('f-5', 'o-4', 'ETH-USD', 'buy', '0.5', '3060', '0.54', at() + 110 * MINUTE)],
    [0, { type: 'position_updated', symbol: 'ETH-USD', cause: 'fill', fillId: 'f-5' }],
    [0, { type: 'trade_result_recorded', netPnl: '-31.07', symbol: 'ETH-USD', consecutiveLosses: 1 }],
    [0, { type: 'daily_pnl_updated', day, dailyPnl: '-16.48', equity: '9983.52', peakEquity: '10014.59' }],
    [
      5,
      {
        type: 'circuit_breaker_tripped',
        reason: 'consecutive errors: 3 order submissions timed out',
        trippedAt: at() + 115 * MINUTE,
        cooldownUntil: at() + 145 * MINUTE,
      },
    ],
    [0, { type: 'trading_state_changed', from: 'ACTIVE', to: 'HALTED', reason: 'circuit breaker tripped' }],
    [30, { type: 'circuit_breaker_reset', reason: 'cooldown elapsed, venue healthy' }],
    [0, { type: 'trading_state_changed', from: 'HALTED', to: 'ACTIVE', reason: 'circuit breaker reset' }],
    [
      60,
      {
        type: 'account_updated',
        account: { balance: '9983.52', equity: '9983.52', timestamp: at() + 205 * MINUTE },
      },
    ],
    [0, { type: 'session_stopped', app: 'hl-audit-demo', reason: 'end of demo day' }],
  ];
  let count = 0;
  for (const [minutes, event] of events) {
    clock.advance(minutes * MINUTE);
    await audit.append(event);
    count += 1;
  }
  return count;
}

function fill(
  id: string,
  orderId: string,
  symbol: string,
  side: 'buy' | 'sell',
  quantity: string,
  price: string,
  fee: string,
  timestamp: number,
): AuditEventInput {
  return {
    type: 'order_filled',
    fill: {
      id,
      orderId,
      symbol,
      side,
      quantity,
      price,
      fee,
      timestamp,
      liquidity: 'taker',
      marketKind: 'perp',
    },
  };
}

function positionUpdate(
  symbol: string,
  fillId: string,
  side: 'long' | 'short',
  quantity: string,
  entryPrice: string,
): AuditEventInput {
  return {
    type: 'position_updated',
    symbol,
    cause: 'fill',
    fillId,
    position: { symbol, side, quantity, entryPrice },
  };
}
