import {
  type Decimal,
  ExchangeError,
  type ManualClock,
  type OrderSide,
  type OrderType,
  type TimeInForce,
} from '@hl-bot/core-types';
import type { InstrumentConfig } from '../instruments.js';
import type { Prng } from '../prng.js';
import type { Listeners } from './listeners.js';

/** An order while it is open. */
export interface SimOrder {
  readonly seq: number;
  readonly orderId: string;
  readonly clientOrderId: string | undefined;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly orderType: OrderType;
  readonly price: Decimal | undefined;
  readonly triggerPrice: Decimal | undefined;
  readonly quantity: Decimal;
  readonly reduceOnly: boolean;
  readonly timeInForce: TimeInForce;
  readonly createdAt: number;
  filled: Decimal;
  notional: Decimal;
  /** pending: takes liquidity at the next price; trigger: waits for its trigger; resting: a maker limit. */
  stage: 'pending' | 'trigger' | 'resting';
}

export interface Position {
  size: Decimal;
  entryPrice: Decimal;
}

/** The venue's fixed settings, parsed once from the options. */
export interface PaperSettings {
  readonly instruments: ReadonlyMap<string, InstrumentConfig>;
  readonly takerFee: Decimal;
  readonly makerFee: Decimal;
  readonly slippageFixed: Decimal | undefined;
  readonly slippageRange: { min: Decimal; max: Decimal } | undefined;
  readonly prng: Prng;
  readonly fundingRateOf: (symbol: string, time: number) => Decimal;
  readonly fillMode: 'next-open' | 'last-close';
  readonly participation: Decimal | undefined;
  readonly defaultLeverage: number | undefined;
}

/**
 * The paper venue's whole state, held once and shared by its modules (intake, matching, margin and
 * liquidation, funding, account, listeners); `PaperExchange` is the only thing that hands it out.
 */
export interface PaperCore {
  readonly settings: PaperSettings;
  readonly clock: ManualClock;
  readonly listeners: Listeners;
  balance: Decimal;
  readonly positions: Map<string, Position>;
  readonly leverage: Map<string, number>;
  readonly marks: Map<string, Decimal>;
  readonly markTimes: Map<string, number>;
  readonly maintenanceRates: Map<string, Decimal>;
  readonly lastBarTime: Map<string, number>;
  lastGlobalBarTime: number;
  readonly orders: Map<string, SimOrder>;
  orderSeq: number;
  fillSeq: number;
  liquidationSeq: number;
  barBudget: Decimal | undefined;
  /** While a bar is processed: the last order sequence placed before it; later orders wait for the next bar. */
  barSeq: number | undefined;
  /** Orders triggered in the current bar: the bar's path after the trigger is unknown, so they rest from the next. */
  readonly triggeredThisBar: Set<string>;
}

export function sideSign(side: OrderSide): 1 | -1 {
  return side === 'buy' ? 1 : -1;
}

/** @throws {ExchangeError} `UNKNOWN_SYMBOL` */
export function instrument(core: PaperCore, symbol: string): InstrumentConfig {
  const inst = core.settings.instruments.get(symbol);
  if (inst === undefined) {
    throw new ExchangeError('UNKNOWN_SYMBOL', `unknown symbol ${symbol}`, {
      details: { symbol, known: [...core.settings.instruments.keys()] },
    });
  }
  return inst;
}
