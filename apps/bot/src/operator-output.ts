/** What `hl-bot status` and `hl-bot reset-breaker` print for a person: times in ISO 8601 UTC, not epoch ms. */
import type { Position } from '@hl-bot/positions';
import type { RiskState } from '@hl-bot/risk';

/** The breaker and trading-day fields of `status`: the same for a running bot and one read from its log. */
export function riskStateStatus(s: RiskState) {
  return {
    tradingState: s.tradingState,
    circuitBreakerTripped: s.circuitBreakerTripped,
    circuitBreakerReason: s.circuitBreakerReason,
    cooldownUntil: s.cooldownUntil,
    dailyPnl: s.dailyPnl.toString(),
  };
}

/** A position as `status` shows it (a running bot adds its unrealized P&L at the current mark). */
export function positionStatus(p: Position) {
  return {
    symbol: p.symbol,
    side: p.side,
    quantity: p.quantity.toString(),
    entryPrice: p.entryPrice.toString(),
  };
}

/** Epoch ms as ISO 8601 UTC; anything that is not a valid time is shown as it is. */
export function isoTime(ms: unknown): string {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return String(ms);
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

/** "4m 05s", "1h 02m": how long until a time, for a person waiting on a cooldown. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

// Fields holding epoch ms, at any depth of the status object.
const TIME_FIELDS = new Set(['cooldownUntil', 'time', 'trippedAt', 'timestamp', 'startedAt']);

function withIsoTimes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withIsoTimes);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = TIME_FIELDS.has(k) && typeof v === 'number' ? isoTime(v) : withIsoTimes(v);
  }
  return out;
}

/** One line per strategy under a `strategies` heading: its name, then its fields as key=value. */
function strategyLines(strategies: unknown[]): string {
  let text = `${'strategies'.padEnd(22)} ${strategies.length}\n`;
  for (const s of strategies) {
    if (typeof s !== 'object' || s === null) continue;
    const { name, ...rest } = s as Record<string, unknown>;
    const fields = Object.entries(rest).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`);
    text += `  ${String(name).padEnd(20)} ${fields.join(' ')}\n`;
  }
  return text;
}

/** The lines of `hl-bot status` without --json: one field a line, every time in ISO 8601. */
export function formatStatus(status: Record<string, unknown>, now: number): string {
  let text = '';
  for (const [k, raw] of Object.entries(withIsoTimes(status) as Record<string, unknown>)) {
    if (k === 'strategies' && Array.isArray(raw)) {
      text += strategyLines(raw);
      continue;
    }
    let val = typeof raw === 'object' && raw !== null ? JSON.stringify(raw) : String(raw);
    if (k === 'cooldownUntil' && typeof status.cooldownUntil === 'number') {
      const left = status.cooldownUntil - now;
      val += left > 0 ? ` (${duration(left)} left)` : ' (over)';
    }
    text += `${k.padEnd(22)} ${val}\n`;
  }
  return text;
}

export interface BreakerResetOutcome {
  reset: boolean;
  /** Whether the breaker was tripped before the reset was asked. */
  wasTripped: boolean;
  cooldownUntil: number | null;
}

/** What `hl-bot reset-breaker` says, and its exit code (0 when the breaker is not tripped afterwards). */
export function resetBreakerMessage(
  outcome: BreakerResetOutcome,
  now: number,
): { text: string; code: number } {
  if (!outcome.wasTripped) return { text: 'circuit breaker was not tripped: nothing to reset\n', code: 0 };
  if (outcome.reset) return { text: 'circuit breaker reset\n', code: 0 };
  if (outcome.cooldownUntil !== null && outcome.cooldownUntil > now) {
    return {
      text: `circuit breaker not reset: cooling down until ${isoTime(outcome.cooldownUntil)} (${duration(outcome.cooldownUntil - now)} left)\n`,
      code: 1,
    };
  }
  return { text: 'circuit breaker not reset\n', code: 1 };
}
