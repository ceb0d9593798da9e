import type { AuditEntry } from '@hl-bot/core-types';

function str(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object' && 'toString' in value && typeof value.toString === 'function') {
    return String(value.toString());
  }
  return String(value);
}

function order(o: {
  symbol: string;
  side: string;
  orderType: string;
  quantity: unknown;
  price?: unknown;
}): string {
  const price = o.price === undefined ? '' : ` @ ${str(o.price)}`;
  return `${o.side} ${str(o.quantity)} ${o.symbol} ${o.orderType}${price}`;
}

/** One human-readable line summarising an entry, for `hl-audit show` and `tail`. */
export function describeEntry(entry: AuditEntry): string {
  const time = new Date(entry.timestamp).toISOString();
  const head = `#${entry.seq}  ${time}  ${entry.type.padEnd(24)}`;
  return `${head}${summary(entry)}`;
}

function summary(e: AuditEntry): string {
  switch (e.type) {
    case 'order_submitted':
      return `${e.orderId}: ${order(e.order)}`;
    case 'order_accepted':
      return `${e.orderId} ${e.symbol}${e.status === undefined ? '' : ` ${e.status}`}`;
    case 'order_filled':
      return `${e.fill.orderId}/${e.fill.id}: ${e.fill.side} ${str(e.fill.quantity)} ${e.fill.symbol} @ ${str(e.fill.price)} fee ${str(e.fill.fee)}`;
    case 'order_cancelled':
      return `${e.orderId}${e.reason === undefined ? '' : `: ${e.reason}`}`;
    case 'order_rejected':
      return `${order(e.order)}: ${e.reason}`;
    case 'position_updated':
      return e.position === undefined
        ? `${e.symbol} flat (${e.cause})`
        : `${e.symbol} ${e.position.side} ${str(e.position.quantity)} @ ${str(e.position.entryPrice)} (${e.cause})`;
    case 'position_closed':
      return `${e.position.symbol} ${e.position.side} closed @ ${str(e.position.exitPrice)}, net P&L ${str(e.position.netRealizedPnl)}`;
    case 'risk_rejected':
      return `${order(e.order)}: ${e.code} ${e.reason}`;
    case 'risk_approved':
      return `${e.reservationId}: ${order(e.order)}`;
    case 'trading_state_changed':
      return `${e.from} -> ${e.to}: ${e.reason}`;
    case 'circuit_breaker_tripped':
      return `${e.reason} (cooldown until ${new Date(e.cooldownUntil).toISOString()})`;
    case 'circuit_breaker_reset':
      return e.reason ?? '';
    case 'account_updated':
      return `balance ${str(e.account.balance)}, equity ${str(e.account.equity)}, margin ${str(e.account.marginUsed)}`;
    case 'mark_price':
      return `${e.symbol} ${str(e.price)}`;
    case 'audit_recovered':
      return `${e.file}: ${e.bytes} bytes quarantined to ${e.quarantineFile} (${e.reason})`;
    case 'session_started':
      return `${e.app}${e.version === undefined ? '' : ` ${e.version}`}${e.mode === undefined ? '' : ` (${e.mode})`}`;
    case 'session_stopped':
      return `${e.app}${e.reason === undefined ? '' : `: ${e.reason}`}`;
    case 'checkpoint':
      return `${e.component} part ${e.part + 1}/${e.parts} covering seq ${e.coversSeq} (${e.data.length} chars)`;
    case 'note':
    case 'error':
      return e.message;
    default: {
      const {
        seq: _s,
        timestamp: _t,
        prevHash: _p,
        hash: _h,
        type: _y,
        ...rest
      } = e as Record<string, unknown>;
      return JSON.stringify(rest);
    }
  }
}
