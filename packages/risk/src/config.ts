import { readFileSync } from 'node:fs';
import { Decimal, toDecimal } from '@hl-bot/core-types';
import { RiskConfigError, type RiskConfigSource } from './errors.js';
import { findDuplicateKey } from './json-duplicates.js';

type DecimalKind = 'money' | 'fraction' | 'band' | 'ratio';
type IntKind = 'count' | 'ms' | 'minutes' | 'offset';
type FieldKind = DecimalKind | IntKind;

/**
 * Every field, its kind and its conservative default. Money is USD (quote), fractions are 0 < x <= 1
 * (0.05 = 5 %), price bands are fractions of at most 0.95 (the venue's own band), counts are integers >= 1.
 */
const FIELDS = {
  maxPositionSizeUsd: { kind: 'money', default: '1000' },
  maxPositionSizePercent: { kind: 'fraction', default: '0.1' },
  maxOrderNotional: { kind: 'money', default: '1000' },
  maxOrderNotionalPercent: { kind: 'fraction', default: '0.1' },
  maxOpenOrders: { kind: 'count', default: 10 },
  maxDailyLoss: { kind: 'money', default: '500' },
  maxDailyLossPercent: { kind: 'fraction', default: '0.05' },
  maxDrawdownPercent: { kind: 'fraction', default: '0.1' },
  maxConsecutiveLosses: { kind: 'count', default: 3 },
  maxTotalExposure: { kind: 'money', default: '5000' },
  maxExposurePercent: { kind: 'fraction', default: '0.5' },
  maxPositions: { kind: 'count', default: 5 },
  maxPriceDeviation: { kind: 'band', default: '0.05' },
  maxSlippagePercent: { kind: 'band', default: '0.01' },
  maxConsecutiveErrors: { kind: 'count', default: 5 },
  circuitBreakerCooldownMinutes: { kind: 'minutes', default: 30 },
  maxOrdersPerMinute: { kind: 'count', default: 10 },
  maxOrdersPerSecond: { kind: 'count', default: 5 },
  maxLeverage: { kind: 'ratio', default: '3' },
  maxMarketPriceAgeMs: { kind: 'ms', default: 10_000 },
  reservationTimeoutMs: { kind: 'ms', default: 30_000 },
  tradingDayUtcOffsetMinutes: { kind: 'offset', default: 0 },
} as const satisfies Record<string, { kind: FieldKind; default: string | number }>;

type Fields = typeof FIELDS;
/** The name of a risk configuration field. */
export type RiskConfigField = keyof Fields;

type ValueOf<K extends RiskConfigField> = Fields[K]['kind'] extends DecimalKind ? Decimal : number;

/** The resolved limits, every field present and validated. */
export type RiskLimits = { readonly [K in RiskConfigField]: ValueOf<K> };

/** What `RiskConfig.from` accepts: any subset of the fields; decimals as string, number or Decimal. */
export type RiskConfigInput = {
  readonly [K in RiskConfigField]?: ValueOf<K> extends Decimal ? Decimal | string | number : number;
};

/** All field names, in documentation order. */
export const RISK_CONFIG_FIELDS: readonly RiskConfigField[] = Object.keys(FIELDS) as RiskConfigField[];

/** `maxDailyLoss` -> `RISK_MAX_DAILY_LOSS`. */
export function riskEnvName(field: RiskConfigField): string {
  return `RISK_${field.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

const ENV_TO_FIELD: ReadonlyMap<string, RiskConfigField> = new Map(
  RISK_CONFIG_FIELDS.map((f) => [riskEnvName(f), f]),
);

/**
 * The spec's snake_case names (`max_daily_loss`, `circuit_breaker_cooldown_minutes`) as documented aliases of
 * the camelCase fields, so a config written after the spec loads unchanged.
 */
const SNAKE_TO_FIELD: ReadonlyMap<string, RiskConfigField> = new Map(
  RISK_CONFIG_FIELDS.map((f) => [f.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase(), f]),
);

/** The field a config key names: the camelCase name itself or its snake_case alias. */
function riskConfigFieldOf(key: string): RiskConfigField | undefined {
  if (Object.hasOwn(FIELDS, key)) return key as RiskConfigField;
  return SNAKE_TO_FIELD.get(key);
}

const INT_RE = /^[+-]?\d{1,15}$/;

/**
 * The largest value of each kind. Far above any real limit, low enough that an absurd value (a cooldown of
 * 2^52 minutes, a limit of 1e29 USD) is a typo caught at load time rather than a risk manager that can never
 * reset or never limits.
 */
const RISK_CONFIG_MAX = Object.freeze({
  /** USD: a quadrillion. */
  money: '1e15',
  fraction: '1',
  /**
   * A price band: Hyperliquid refuses an order priced more than 95 % from its reference price ("Order price
   * cannot be more than 95% away from the reference price"), so a wider band of ours would never be the
   * one that stops a fat finger.
   */
  band: '0.95',
  /** Leverage. */
  ratio: '1000',
  count: 1_000_000,
  /** Thirty days: a paper run on daily or weekly bars needs a mark age of two bars. */
  ms: 2_592_000_000,
  /** One week. */
  minutes: 10_080,
  offset: 840,
} as const satisfies Record<FieldKind, string | number>);

function kindRule(kind: FieldKind): string {
  switch (kind) {
    case 'money':
      return `a decimal greater than 0 and at most ${RISK_CONFIG_MAX.money}`;
    case 'fraction':
      return 'a fraction greater than 0 and at most 1 (0.05 = 5 %)';
    case 'band':
      return `a fraction greater than 0 and at most ${RISK_CONFIG_MAX.band} (the venue refuses prices more than 95 % from its reference price)`;
    case 'ratio':
      return `a decimal greater than 0 and at most ${RISK_CONFIG_MAX.ratio}`;
    case 'count':
      return `an integer between 1 and ${RISK_CONFIG_MAX.count}`;
    case 'ms':
      return `an integer number of milliseconds between 1 and ${RISK_CONFIG_MAX.ms} (30 days)`;
    case 'minutes':
      return `an integer number of minutes between 0 and ${RISK_CONFIG_MAX.minutes} (one week)`;
    case 'offset':
      return 'an integer number of minutes between -720 and 840';
  }
}

// Never lets a hostile value throw out of an error message (a revoked proxy throws on any access).
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  try {
    if (value instanceof Decimal) return value.toString();
    return typeof value === 'object' && value !== null
      ? (JSON.stringify(value) ?? 'an object')
      : String(value);
  } catch {
    return typeof value;
  }
}

function where(source: RiskConfigSource, field: RiskConfigField, origin: string | undefined): string {
  if (source === 'env') return `env ${riskEnvName(field)} (${field})`;
  if (source === 'file') return `file ${origin ?? '?'} field ${field}`;
  return `${source} field ${field}`;
}

function parseField(
  field: RiskConfigField,
  raw: unknown,
  source: RiskConfigSource,
  origin: string | undefined,
): Decimal | number {
  const kind: FieldKind = FIELDS[field].kind;
  const fail = (cause?: unknown): never => {
    throw new RiskConfigError(
      `invalid risk config from ${where(source, field, origin)}: must be ${kindRule(kind)}, got ${show(raw)}`,
      { field, source, ...(cause === undefined ? {} : { cause }) },
    );
  };
  if (kind === 'money' || kind === 'fraction' || kind === 'band' || kind === 'ratio') {
    if (typeof raw !== 'string' && typeof raw !== 'number' && (typeof raw !== 'object' || raw === null))
      fail();
    let d: Decimal;
    try {
      d = toDecimal(typeof raw === 'string' && source !== 'env' ? raw.trim() : raw);
    } catch (error) {
      return fail(error);
    }
    if (!d.gt(0)) fail();
    if (d.gt(RISK_CONFIG_MAX[kind])) fail();
    return d;
  }
  let n: number;
  if (source === 'env') {
    if (typeof raw !== 'string' || !INT_RE.test(raw)) return fail();
    n = Number(raw);
  } else {
    if (typeof raw !== 'number') return fail();
    n = raw;
  }
  if (!Number.isSafeInteger(n)) fail();
  if ((kind === 'count' || kind === 'ms') && n < 1) fail();
  if (kind === 'minutes' && n < 0) fail();
  if (kind === 'offset' && n < -720) fail();
  if (n > RISK_CONFIG_MAX[kind]) fail();
  return n;
}

type Partial_ = Partial<Record<RiskConfigField, Decimal | number>>;

function parseObject(raw: unknown, source: RiskConfigSource, origin?: string): Partial_ {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new RiskConfigError(
      `invalid risk config from ${source}${origin ? ` ${origin}` : ''}: expected an object`,
      {
        field: '(root)',
        source,
      },
    );
  }
  const out: Partial_ = {};
  const keyOf = new Map<RiskConfigField, string>();
  const from = `${source}${origin ? ` ${origin}` : ''}`;
  let members: Array<[string, unknown]>;
  try {
    members = Object.entries(raw);
  } catch (error) {
    throw new RiskConfigError(`invalid risk config from ${from}: the object cannot be read`, {
      field: '(root)',
      source,
      cause: error,
    });
  }
  for (const [key, value] of members) {
    const field = riskConfigFieldOf(key);
    if (field === undefined) {
      throw new RiskConfigError(
        `invalid risk config from ${from}: unknown field ${JSON.stringify(key)} (fields are camelCase such as maxDailyLoss; the snake_case names of the spec, such as max_daily_loss, are accepted too)`,
        { field: key, source },
      );
    }
    const earlier = keyOf.get(field);
    if (earlier !== undefined) {
      throw new RiskConfigError(
        `invalid risk config from ${from}: ${JSON.stringify(earlier)} and ${JSON.stringify(key)} both set ${field}`,
        { field, source },
      );
    }
    keyOf.set(field, key);
    if (value === undefined) continue;
    out[field] = parseField(field, value, source, origin);
  }
  return out;
}

function parseEnv(env: Readonly<Record<string, string | undefined>>): Partial_ {
  const out: Partial_ = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('RISK_') || value === undefined) continue;
    const field = ENV_TO_FIELD.get(name);
    if (field === undefined) {
      // A typo such as RISK_MAX_DAILY_LOS would otherwise silently leave the default in force.
      throw new RiskConfigError(`invalid risk config from env: unknown variable ${name}`, {
        field: name,
        source: 'env',
      });
    }
    out[field] = parseField(field, value, 'env', undefined);
  }
  return out;
}

function defaults(): Partial_ {
  const out: Partial_ = {};
  for (const field of RISK_CONFIG_FIELDS)
    out[field] = parseField(field, FIELDS[field].default, 'defaults', undefined);
  return out;
}

/** Options of `RiskConfig.load`: each layer is optional; later layers win. */
export interface RiskConfigLoadOptions {
  /** Path of a JSON file with a subset of the fields. */
  file?: string;
  /**
   * Where `RISK_*` variables are read; default `process.env` (pass `{}` to ignore the environment). Only
   * `RISK_*` names are read, and an unknown `RISK_*` name fails.
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** Values set in code; they win over everything. */
  overrides?: RiskConfigInput;
}

/**
 * Immutable, validated risk limits.
 *
 * Precedence: defaults < file < env < code. `RiskConfig.load` applies all layers; `from`, `fromFile` and
 * `fromEnv` apply one layer over the defaults. All money and fraction fields are Decimals.
 *
 * @example
 * const config = RiskConfig.load({ file: './risk.json', env: process.env, overrides: { maxPositions: 3 } });
 * config.maxDailyLoss.toString(); // '500' unless a layer set it
 */
export class RiskConfig implements RiskLimits {
  declare readonly maxPositionSizeUsd: Decimal;
  declare readonly maxPositionSizePercent: Decimal;
  declare readonly maxOrderNotional: Decimal;
  declare readonly maxOrderNotionalPercent: Decimal;
  declare readonly maxOpenOrders: number;
  declare readonly maxDailyLoss: Decimal;
  declare readonly maxDailyLossPercent: Decimal;
  declare readonly maxDrawdownPercent: Decimal;
  declare readonly maxConsecutiveLosses: number;
  declare readonly maxTotalExposure: Decimal;
  declare readonly maxExposurePercent: Decimal;
  declare readonly maxPositions: number;
  declare readonly maxPriceDeviation: Decimal;
  declare readonly maxSlippagePercent: Decimal;
  declare readonly maxConsecutiveErrors: number;
  declare readonly circuitBreakerCooldownMinutes: number;
  declare readonly maxOrdersPerMinute: number;
  declare readonly maxOrdersPerSecond: number;
  declare readonly maxLeverage: Decimal;
  declare readonly maxMarketPriceAgeMs: number;
  declare readonly reservationTimeoutMs: number;
  declare readonly tradingDayUtcOffsetMinutes: number;

  private constructor(layers: readonly Partial_[]) {
    const merged: Partial_ = Object.assign({}, ...layers);
    for (const field of RISK_CONFIG_FIELDS) {
      Object.defineProperty(this, field, { value: merged[field], enumerable: true, writable: false });
    }
    Object.freeze(this);
  }

  /** The defaults, documented in the README. */
  static defaults(): RiskConfig {
    return new RiskConfig([defaults()]);
  }

  /**
   * Defaults overridden by values given in code.
   * @throws {RiskConfigError} code `RISK_CONFIG_INVALID` naming the field and source `code`
   * @example RiskConfig.from({ maxDailyLoss: '250', maxPositions: 3 })
   */
  static from(input: RiskConfigInput | Record<string, unknown> = {}): RiskConfig {
    return new RiskConfig([defaults(), parseObject(input, 'code')]);
  }

  /**
   * Defaults overridden by a JSON file.
   * @throws {RiskConfigError} when the file cannot be read, is not JSON, or holds an invalid or unknown field
   * @example RiskConfig.fromFile('./risk.json')
   */
  static fromFile(path: string): RiskConfig {
    return new RiskConfig([defaults(), RiskConfig.readFile(path)]);
  }

  /**
   * Defaults overridden by `RISK_<FIELD_IN_UPPER_SNAKE_CASE>` variables (`RISK_MAX_DAILY_LOSS=500`).
   * @throws {RiskConfigError} for a malformed value or an unknown `RISK_*` variable
   * @example RiskConfig.fromEnv(process.env)
   */
  static fromEnv(env: Readonly<Record<string, string | undefined>>): RiskConfig {
    return new RiskConfig([defaults(), parseEnv(env)]);
  }

  /**
   * All layers: defaults < file < env < code. With no arguments it reads `RISK_*` from `process.env`, like
   * the spec's `RiskConfig()`.
   * @throws {RiskConfigError} naming the field and the layer that holds the bad value
   * @example RiskConfig.load({ file: './risk.json' }) // RISK_* from process.env on top of the file
   */
  static load(options: RiskConfigLoadOptions = {}): RiskConfig {
    const layers: Partial_[] = [defaults()];
    if (options.file !== undefined) layers.push(RiskConfig.readFile(options.file));
    layers.push(parseEnv(options.env ?? process.env));
    if (options.overrides !== undefined) layers.push(parseObject(options.overrides, 'code'));
    return new RiskConfig(layers);
  }

  /** A copy with some fields replaced (source `code`). */
  with(overrides: RiskConfigInput): RiskConfig {
    return new RiskConfig([this.toPartial(), parseObject(overrides, 'code')]);
  }

  /** Plain JSON form (decimals as strings), accepted back by `from` and `fromFile`. */
  toJSON(): Record<RiskConfigField, string | number> {
    const out = {} as Record<RiskConfigField, string | number>;
    for (const field of RISK_CONFIG_FIELDS) {
      const v = this[field];
      out[field] = typeof v === 'number' ? v : v.toString();
    }
    return out;
  }

  /** Cooldown in milliseconds. */
  get circuitBreakerCooldownMs(): number {
    return this.circuitBreakerCooldownMinutes * 60_000;
  }

  private toPartial(): Partial_ {
    const out: Partial_ = {};
    for (const field of RISK_CONFIG_FIELDS) out[field] = this[field];
    return out;
  }

  private static readFile(path: string): Partial_ {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new RiskConfigError(`cannot read risk config file ${path}: ${(error as Error).message}`, {
        field: '(file)',
        source: 'file',
        cause: error,
      });
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new RiskConfigError(`risk config file ${path} is not valid JSON: ${(error as Error).message}`, {
        field: '(file)',
        source: 'file',
        cause: error,
      });
    }
    // JSON.parse keeps the last of two equal keys: a limit tightened at the top of a file would silently
    // lose to a stale one further down.
    const duplicate = findDuplicateKey(text);
    if (duplicate !== undefined) {
      throw new RiskConfigError(`risk config file ${path} sets ${JSON.stringify(duplicate)} twice`, {
        field: duplicate,
        source: 'file',
      });
    }
    return parseObject(raw, 'file', path);
  }
}
