import {
  type Decimal,
  type Fill,
  isSymbol,
  type Liquidity,
  type MarketKind,
  type OrderSide,
  toDecimal,
  ZERO,
} from '@hl-bot/core-types';

const KEYS = new Set([
  'id',
  'orderId',
  'symbol',
  'side',
  'quantity',
  'price',
  'fee',
  'feeCurrency',
  'timestamp',
  'liquidity',
  'closedPnl',
  'marketKind',
  'clientOrderId',
]);

function id(v: unknown): v is string {
  return typeof v === 'string' && v.length >= 1 && v.length <= 256;
}

// decimal.js's gt(0) builds a Decimal from 0 on every call; the sign and zero checks do not.
function positive(d: Decimal): boolean {
  return d.isPositive() && !d.isZero();
}

function dec(v: unknown): Decimal | undefined {
  try {
    return toDecimal(v);
  } catch {
    return undefined;
  }
}

/**
 * The common case of the core-types `Fill` schema without zod's per-call cost (a fill costs ~11 µs through
 * zod, more than the whole ledger update). It accepts only inputs the schema accepts, in their plainest
 * form, and returns undefined for anything else, which then goes through the schema (that gives the
 * authoritative result and error message). A test feeds both paths the same inputs and compares.
 */
export function fastParseFill(raw: unknown): Fill | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const proto = Object.getPrototypeOf(raw);
  if (proto !== Object.prototype && proto !== null) return undefined;
  const r = raw as Record<string, unknown>;
  for (const key in r) {
    if (!KEYS.has(key) || r[key] === undefined) return undefined;
  }
  const { symbol, side } = r;
  if (!id(r.id) || !id(r.orderId)) return undefined;
  if (!isSymbol(symbol)) {
    return undefined;
  }
  if (side !== 'buy' && side !== 'sell') return undefined;
  const quantity = dec(r.quantity);
  const price = dec(r.price);
  if (quantity === undefined || price === undefined || !positive(quantity) || !positive(price))
    return undefined;
  let fee = ZERO;
  if ('fee' in r) {
    const f = dec(r.fee);
    if (f === undefined) return undefined;
    fee = f;
  }
  const fill: Fill = { id: r.id, orderId: r.orderId, symbol, side: side as OrderSide, quantity, price, fee };
  if ('feeCurrency' in r) {
    const c = r.feeCurrency;
    if (typeof c !== 'string' || c.length < 1 || c.length > 32) return undefined;
    fill.feeCurrency = c;
  }
  if ('timestamp' in r) {
    const t = r.timestamp;
    if (typeof t !== 'number' || !Number.isSafeInteger(t) || t < 0) return undefined;
    fill.timestamp = t;
  }
  if ('liquidity' in r) {
    if (r.liquidity !== 'maker' && r.liquidity !== 'taker') return undefined;
    fill.liquidity = r.liquidity as Liquidity;
  }
  if ('closedPnl' in r) {
    const c = dec(r.closedPnl);
    if (c === undefined) return undefined;
    fill.closedPnl = c;
  }
  if ('marketKind' in r) {
    if (r.marketKind !== 'perp' && r.marketKind !== 'spot') return undefined;
    fill.marketKind = r.marketKind as MarketKind;
  }
  if ('clientOrderId' in r) {
    if (!id(r.clientOrderId)) return undefined;
    fill.clientOrderId = r.clientOrderId;
  }
  return fill;
}
