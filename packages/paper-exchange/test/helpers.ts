import {
  AccountState,
  type Decimal,
  Fill,
  FundingPayment,
  OpenOrder,
  OrderAck,
  OrderRequest,
  type OrderRequestInput,
  OrderUpdate,
  toDecimal,
} from '@hl-bot/core-types';
import type { Candle } from '../src/index.js';
import { PaperExchange, type PaperExchangeOptions } from '../src/index.js';

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const T0 = Date.UTC(2024, 0, 1);

export function bar(
  symbol: string,
  openTime: number,
  o: string,
  h: string,
  l: string,
  c: string,
  v = '100',
  interval = MINUTE,
): Candle {
  return {
    symbol,
    openTime,
    closeTime: openTime + interval - 1,
    open: toDecimal(o),
    high: toDecimal(h),
    low: toDecimal(l),
    close: toDecimal(c),
    volume: toDecimal(v),
  };
}

export function flat(symbol: string, openTime: number, price: string, v = '100'): Candle {
  return bar(symbol, openTime, price, price, price, price, v);
}

export function order(input: OrderRequestInput): OrderRequest {
  return OrderRequest.parse(input);
}

export interface Recorder {
  fills: Fill[];
  updates: OrderUpdate[];
  funding: FundingPayment[];
}

/** A paper exchange with exact-number defaults (no slippage, no funding) and recorded events. */
export function setup(options: Partial<PaperExchangeOptions> = {}): { paper: PaperExchange } & Recorder {
  const paper = new PaperExchange({
    startBalance: '10000',
    instruments: {
      'BTC-USD': { szDecimals: 5, maxLeverage: 40 },
      'ETH-USD': { szDecimals: 4, maxLeverage: 25 },
    },
    slippage: '0',
    fundingRate: '0',
    startTime: T0,
    ...options,
  });
  const rec: Recorder = { fills: [], updates: [], funding: [] };
  // Everything the venue emits must satisfy the core-types schemas: a listener that throws here makes the
  // operation throw, so any malformed event fails the test that caused it.
  paper.onFill((f) => rec.fills.push(Fill.parse(f)));
  paper.onOrderUpdate((u) => rec.updates.push(OrderUpdate.parse(u)));
  paper.onFunding((p) => rec.funding.push(FundingPayment.parse(p)));
  const place = paper.placeOrder.bind(paper);
  paper.placeOrder = async (o, opts) => OrderAck.parse(await place(o, opts));
  const open = paper.getOpenOrders.bind(paper);
  paper.getOpenOrders = async (symbol) => (await open(symbol)).map((o) => OpenOrder.parse(o));
  const account = paper.getAccountState.bind(paper);
  paper.getAccountState = async () => AccountState.parse(await account());
  return { paper, ...rec };
}

export function str(d: Decimal | undefined): string | undefined {
  return d?.toString();
}
