import { z } from 'zod';

/** Side of an order or fill. */
export const OrderSide = { BUY: 'buy', SELL: 'sell' } as const;
export type OrderSide = (typeof OrderSide)[keyof typeof OrderSide];
export const OrderSideSchema = z.enum(['buy', 'sell']);

/** Kind of order. */
export const OrderType = {
  MARKET: 'market',
  LIMIT: 'limit',
  STOP_MARKET: 'stop-market',
  STOP_LIMIT: 'stop-limit',
  TAKE_PROFIT: 'take-profit',
} as const;
export type OrderType = (typeof OrderType)[keyof typeof OrderType];
export const OrderTypeSchema = z.enum(['market', 'limit', 'stop-market', 'stop-limit', 'take-profit']);

/** How long an order may rest. */
export const TimeInForce = { GTC: 'GTC', IOC: 'IOC', POST_ONLY: 'post-only' } as const;
export type TimeInForce = (typeof TimeInForce)[keyof typeof TimeInForce];
export const TimeInForceSchema = z.enum(['GTC', 'IOC', 'post-only']);

/** Direction of an open position. */
export const PositionSide = { LONG: 'long', SHORT: 'short' } as const;
export type PositionSide = (typeof PositionSide)[keyof typeof PositionSide];
export const PositionSideSchema = z.enum(['long', 'short']);

/** Whether a fill added liquidity (maker) or took it (taker). */
export const Liquidity = { MAKER: 'maker', TAKER: 'taker' } as const;
export type Liquidity = (typeof Liquidity)[keyof typeof Liquidity];
export const LiquiditySchema = z.enum(['maker', 'taker']);

/** Risk trading states: ACTIVE trades, REDUCING only reduces open positions, HALTED sends nothing new. */
export const TradingState = { ACTIVE: 'ACTIVE', REDUCING: 'REDUCING', HALTED: 'HALTED' } as const;
export type TradingState = (typeof TradingState)[keyof typeof TradingState];
export const TradingStateSchema = z.enum(['ACTIVE', 'REDUCING', 'HALTED']);

/** Instrument kind: perpetual futures or spot. Spot fees paid in the base asset change the held quantity. */
export const MarketKind = { PERP: 'perp', SPOT: 'spot' } as const;
export type MarketKind = (typeof MarketKind)[keyof typeof MarketKind];
export const MarketKindSchema = z.enum(['perp', 'spot']);
