import type { z } from 'zod';
import { Decimal } from './decimal.js';
import {
  checkWithoutDecimals,
  decimalAsIs,
  isDecimalSchema,
  parseDecimalAsIs,
  timestampParserOf,
} from './schemas/decimal-schemas.js';
import { parseOrThrow } from './validate.js';

/** A base class whose constructor returns the object it is given, so a subclass can stamp any object. */
class ReturnsGiven {
  constructor(target: object) {
    // biome-ignore lint/correctness/noConstructorReturn: the point: the subclass's private field lands on `target`
    return target;
  }
}

/**
 * The schema whose parse returned an object, held in a private field stamped onto the object itself: only
 * this module can read or write it (a private name cannot be forged, nor seen by reflection, spread,
 * `Object.assign`, JSON or structuredClone, so a copy is never marked), and it lives and dies with the
 * object. A WeakMap did the same at 5 to 6 times the cost per mark (and its ephemerons at every garbage
 * collection), paid per candle, snapshot and fill. A marked object is frozen: it still is exactly what the
 * schema returned when a consumer meets it (a private field can be added to a frozen object).
 */
class Marked extends ReturnsGiven {
  #schema: z.ZodType;
  private constructor(target: object, schema: z.ZodType) {
    super(target);
    this.#schema = schema;
  }
  static set(target: object, schema: z.ZodType): void {
    if (#schema in target) (target as Marked).#schema = schema;
    else new Marked(target, schema);
  }
  static get(value: object): z.ZodType | undefined {
    return #schema in value ? (value as Marked).#schema : undefined;
  }
}

/**
 * `parseOrThrow`, at a boundary, and the output marked as validated by `schema` (and frozen, shallowly:
 * its decimals are immutable), so a consumer that would parse it with the same schema again
 * (`validatedOrParse`) takes it as it is. Anything else, however well formed, is parsed in full.
 *
 * @throws {ValidationError} as `parseOrThrow`
 * @example
 * const fill = parseValidated(Fill, raw, 'fill'); // later: validatedOrParse(Fill, fill, 'fill') === fill
 */
export function parseValidated<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const out = parseOrThrow(schema, value, what);
  if (typeof out === 'object' && out !== null) {
    Object.freeze(out);
    Marked.set(out, schema);
  }
  return out;
}

/** Whether `value` is an output of `parseValidated(schema, ...)`. */
export function isValidated(value: unknown, schema: z.ZodType): boolean {
  return typeof value === 'object' && value !== null && Marked.get(value) === schema;
}

/**
 * `value` itself when `parseValidated(schema, ...)` returned it, else `parseOrThrow(schema, value, what)`:
 * validate once, structurally, with no second hand-written copy of the schema.
 *
 * @throws {ValidationError} as `parseOrThrow`, for an unmarked value that does not parse
 */
export function validatedOrParse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  if (typeof value === 'object' && value !== null && Marked.get(value) === schema)
    return value as z.output<S>;
  return parseOrThrow(schema, value, what);
}

const claimed = new WeakSet<z.ZodType>();

/**
 * The marker of one schema, for the module that owns it: a constructor there that builds values only from
 * parts that are valid by construction (its own typed, checked arithmetic) marks what it builds, so every
 * consumer (`validatedOrParse`, `isValidated`) takes it as parsed. A schema has one marker: a second claim
 * throws, so the owning module, which claims it when it loads, is the only code that can ever mark.
 *
 * @throws {Error} when the schema's marker was claimed already
 * @example
 * const markCandle = claimValidatedMarker(Candle); // in candle.ts, at module load
 * return markCandle({ symbol, openTime, open, high, low, close, volume });
 */
export function claimValidatedMarker<S extends z.ZodType>(
  schema: S,
): <T extends z.output<S> & object>(value: T) => T {
  if (claimed.has(schema)) throw new Error('the validated marker of this schema was claimed already');
  claimed.add(schema);
  return (value) => {
    Object.freeze(value);
    Marked.set(value, schema);
    return value;
  };
}

interface ObjectDef {
  readonly type: string;
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly catchall?: z.ZodType;
  readonly checks?: readonly unknown[];
  readonly discriminator?: string;
  readonly options?: readonly z.ZodType[];
  readonly innerType?: z.ZodType;
}

const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: ObjectDef } })._zod.def;

/** A strict object schema without object-level checks: the only kind whose fields can be parsed one by one. */
function plainStrictShape(schema: z.ZodType): Readonly<Record<string, z.ZodType>> | undefined {
  const def = defOf(schema);
  if (def.type !== 'object' || def.shape === undefined) return undefined;
  if (def.checks !== undefined && def.checks.length > 0) return undefined;
  if (def.catchall === undefined || defOf(def.catchall).type !== 'never') return undefined;
  return def.shape;
}

const unionOptions = new WeakMap<z.ZodType, { key: string; byValue: Map<unknown, z.ZodType> } | null>();

/** For a discriminated union of plain strict objects, its discriminator and the option of each value. */
function discriminated(schema: z.ZodType): { key: string; byValue: Map<unknown, z.ZodType> } | null {
  let found = unionOptions.get(schema);
  if (found !== undefined) return found;
  found = null;
  const def = defOf(schema);
  if (def.type === 'union' && def.discriminator !== undefined && def.options !== undefined) {
    const key = def.discriminator;
    const byValue = new Map<unknown, z.ZodType>();
    let ok = true;
    for (const option of def.options) {
      const shape = plainStrictShape(option);
      const literal = shape?.[key];
      const values = literal === undefined ? undefined : (defOf(literal) as { values?: unknown[] }).values;
      if (shape === undefined || values === undefined) ok = false;
      else for (const v of values) byValue.set(v, option);
    }
    if (ok) found = { key, byValue };
  }
  unionOptions.set(schema, found);
  return found;
}

/**
 * `schema.safeParse(value)` that takes already validated parts as they are: for a strict object schema (or
 * a discriminated union of them) without object-level checks, a field whose value `parseValidated` (or a
 * marker) produced for exactly that field's schema, or its optional form, is used as it is, a Decimal in a
 * decimal field is checked by that schema's own rule without zod (`parseDecimalAsIs`: same output), and
 * every other field is parsed by its own schema. Anything else, and any failure, goes through `schema.safeParse(value)`,
 * so errors are the schema's own. The output object is always fresh and unmarked (its parts may be shared),
 * so the caller may complete it; mark it or not as its own promise allows.
 */
export function safeParseWithValidatedParts<S extends z.ZodType>(
  schema: S,
  value: unknown,
): z.ZodSafeParseResult<z.output<S>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return schema.safeParse(value);
  try {
    let objectSchema: z.ZodType | undefined = schema;
    const union = discriminated(schema);
    if (union !== null) objectSchema = union.byValue.get((value as Record<string, unknown>)[union.key]);
    const shape = objectSchema === undefined ? undefined : plainStrictShape(objectSchema);
    if (shape === undefined) return schema.safeParse(value);
    const input = value as Record<string, unknown>;
    for (const key in input) if (!Object.hasOwn(shape, key)) return schema.safeParse(value);
    const out: Record<string, unknown> = {};
    for (const key in shape) {
      const field = shape[key] as z.ZodType;
      const present = Object.hasOwn(input, key);
      const v = present ? input[key] : undefined;
      if (typeof v === 'object' && v !== null) {
        const mark = Marked.get(v);
        if (mark !== undefined && (mark === field || mark === defOf(field).innerType)) {
          out[key] = v;
          continue;
        }
        // A Decimal the project computed (a P&L, an excursion, an equity): the decimal schema's own rule,
        // without zod around it.
        if (v instanceof Decimal) {
          const d = parseDecimalAsIs(field, v) ?? parseDecimalAsIs(defOf(field).innerType, v);
          if (d !== undefined) {
            out[key] = d;
            continue;
          }
        }
      }
      // A string, number, literal or enum (or an optional one) whose parse is the value itself.
      const same = identityParse(field, v);
      if (same !== NOT_SHOWN) {
        if (present || same !== undefined) out[key] = same;
        continue;
      }
      const r = field.safeParse(v);
      if (!r.success) return schema.safeParse(value);
      if (present || r.data !== undefined) out[key] = r.data;
    }
    return { success: true, data: out as z.output<S> };
  } catch {
    // A getter or proxy that throws: the schema's own parse reports it (or throws it) as it always did.
    return schema.safeParse(value);
  }
}

/**
 * `schema.safeParse(value)` with the object parts of its output marked as validated by their field's schema
 * (and frozen): for a strict object schema, or a discriminated union of them, each object-valued field of
 * the output is exactly what that field's schema (the inner one of an optional field) returned, so a
 * consumer that would parse it again (`validatedOrParse`) takes it as it is. The output itself is not
 * marked. For readers of the project's own files: a fill read back from the audit log is parsed once.
 */
export function safeParseMarkingParts<S extends z.ZodType>(
  schema: S,
  value: unknown,
): z.ZodSafeParseResult<z.output<S>> {
  const result = schema.safeParse(value);
  if (!result.success) return result;
  const data = result.data as Record<string, unknown>;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return result;
  let objectSchema: z.ZodType | undefined = schema;
  const union = discriminated(schema);
  if (union !== null) objectSchema = union.byValue.get(data[union.key]);
  const shape = objectSchema === undefined ? undefined : plainStrictShape(objectSchema);
  if (shape === undefined) return result;
  for (const key in shape) {
    const v = data[key];
    if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Decimal) continue;
    const field = shape[key] as z.ZodType;
    const def = defOf(field);
    const part = def.type === 'optional' && def.innerType !== undefined ? def.innerType : field;
    Object.freeze(v);
    Marked.set(v, part);
  }
  return result;
}

/**
 * Checkers compiled from a schema's definition (zod's `_zod.def` tree), once per schema: the same verdict as
 * the schema's own parse, without zod's per-field payloads, issue arrays and result objects. A checker
 * returns what the parse would output or `NOT_SHOWN`; `NOT_SHOWN` only means "not shown valid here", and
 * every caller then asks the schema itself, so a kind of schema the compiler does not know (or a value it
 * does not take apart) costs speed, never a verdict. Checks (`.min`, `.regex`, `.superRefine`, ...) run as
 * zod's own check functions; decimal and timestamp fields run the rule their transform runs.
 */
const NOT_SHOWN: unique symbol = Symbol('not shown valid');
type Checker = (value: unknown) => unknown;

interface ZodInternals {
  readonly def: SchemaDef;
  readonly traits: ReadonlySet<string>;
  readonly optin?: 'optional' | 'defaulted';
  readonly optout?: 'optional';
  readonly values?: ReadonlySet<unknown>;
}

interface SchemaDef {
  readonly type: string;
  readonly checks?: readonly CheckInstance[];
  readonly coerce?: boolean;
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly catchall?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly defaultValue?: unknown;
  readonly element?: z.ZodType;
  readonly in?: z.ZodType;
  readonly out?: z.ZodType;
  readonly discriminator?: string;
  readonly options?: readonly z.ZodType[];
  readonly keyType?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly mode?: string;
  readonly partial?: boolean;
}

interface CheckInstance {
  readonly _zod: {
    readonly def: { readonly check: string; readonly when?: (payload: CheckPayload) => boolean };
    readonly check: (payload: CheckPayload) => unknown;
  };
}

interface CheckPayload {
  value: unknown;
  issues: unknown[];
}

const internals = (schema: z.ZodType) => (schema as unknown as { _zod: ZodInternals })._zod;

/** 'check': as `checkWithoutDecimals` (decimal fields stay strings); 'parse': as the schema's own parse. */
type Mode = 'check' | 'parse';

const compiled: Record<Mode, WeakMap<z.ZodType, Checker>> = { check: new WeakMap(), parse: new WeakMap() };

const notShown: Checker = () => NOT_SHOWN;

/**
 * One payload for the checks run by a checker: checks are synchronous and keep no reference to it. A check
 * that runs a checker itself (a refinement validating something else) gets a payload of its own.
 */
const payload: CheckPayload = { value: undefined, issues: [] };
let payloadInUse = false;

/** The schema's checks after its own parse, as zod's `runChecks` runs them on a value with no issue yet. */
function withChecks(checks: readonly CheckInstance[] | undefined, parse: Checker, mode: Mode): Checker {
  if (checks === undefined || checks.length === 0) return parse;
  // A check may rewrite the value (`.trim()`, `.overwrite()`): in 'parse' mode the output would no longer be
  // the input, which the callers of 'parse' checkers rely on.
  if (mode === 'parse' && checks.some((c) => !PURE_CHECKS.has(c._zod.def.check))) return notShown;
  return (value) => {
    let v = parse(value);
    if (v === NOT_SHOWN) return NOT_SHOWN;
    const outer = payloadInUse;
    const p: CheckPayload = outer ? { value: undefined, issues: [] } : payload;
    payloadInUse = true;
    try {
      for (const check of checks) {
        p.value = v;
        const when = check._zod.def.when;
        if (when !== undefined && !when(p)) continue;
        if (check._zod.check(p) instanceof Promise || p.issues.length > 0) return NOT_SHOWN;
        v = p.value;
      }
      return v;
    } finally {
      // Empty again for the next checker, whether a check passed, added an issue or threw.
      payloadInUse = outer;
      p.value = undefined;
      if (p.issues.length > 0) p.issues = [];
    }
  };
}

/** Checks that only read the value. */
const PURE_CHECKS = new Set([
  'less_than',
  'greater_than',
  'number_format',
  'max_length',
  'min_length',
  'length_equals',
  'string_format',
]);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function compile(schema: z.ZodType, mode: Mode): Checker {
  const cache = compiled[mode];
  let checker = cache.get(schema);
  if (checker !== undefined) return checker;
  // A placeholder while compiling, so a recursive schema ends (it then asks zod at the cycle).
  cache.set(schema, notShown);
  checker = build(schema, mode);
  cache.set(schema, checker);
  return checker;
}

function build(schema: z.ZodType, mode: Mode): Checker {
  const zod = internals(schema);
  const def = zod.def;
  // A schema that is a check itself (string formats such as z.email()) or coerces: zod's own parse.
  if (zod.traits.has('$ZodCheck') || def.coerce === true) return notShown;
  // Decimal and timestamp fields: the rule their transform runs (in 'parse' mode a decimal's output is not
  // its input; a timestamp's is when it already is the epoch-ms number).
  if (isDecimalSchema(schema)) {
    if (mode === 'parse') return notShown;
    return (value) => decimalAsIs(schema, value, true) ?? NOT_SHOWN;
  }
  const time = timestampParserOf(schema);
  if (time !== undefined) {
    // An epoch-ms number its rule returns unchanged is the transform's output itself: the parse is the value.
    if (mode === 'parse') {
      return (value) => {
        if (typeof value !== 'number') return NOT_SHOWN;
        try {
          return time(value) === value ? value : NOT_SHOWN;
        } catch {
          return NOT_SHOWN;
        }
      };
    }
    return (value) => {
      try {
        return time(value);
      } catch {
        return NOT_SHOWN;
      }
    };
  }
  const checks = def.checks;
  switch (def.type) {
    case 'string':
      return withChecks(checks, (v) => (typeof v === 'string' ? v : NOT_SHOWN), mode);
    case 'number':
      return withChecks(checks, (v) => (typeof v === 'number' && Number.isFinite(v) ? v : NOT_SHOWN), mode);
    case 'boolean':
      return withChecks(checks, (v) => (typeof v === 'boolean' ? v : NOT_SHOWN), mode);
    case 'literal':
    case 'enum': {
      const values = zod.values;
      if (values === undefined) return notShown;
      return withChecks(checks, (v) => (values.has(v) ? v : NOT_SHOWN), mode);
    }
    case 'unknown':
    case 'any':
      return withChecks(checks, (v) => v, mode);
    case 'never':
      return notShown;
    case 'optional': {
      if (def.innerType === undefined) return notShown;
      const innerType = def.innerType;
      const inner = compile(innerType, mode);
      const substitutes = internals(innerType).optin === 'defaulted';
      return withChecks(
        checks,
        (v) => {
          if (v !== undefined) return inner(v);
          // zod yields undefined when a substituting inner schema fails; not shown here, so zod decides.
          return substitutes ? inner(v) : undefined;
        },
        mode,
      );
    }
    case 'default': {
      if (mode === 'parse' || def.innerType === undefined) return notShown;
      const inner = compile(def.innerType, mode);
      return withChecks(
        checks,
        (v) => {
          if (v === undefined) return def.defaultValue;
          const r = inner(v);
          return r === undefined ? def.defaultValue : r;
        },
        mode,
      );
    }
    case 'array': {
      if (mode === 'parse' || def.element === undefined) return notShown;
      const element = compile(def.element, mode);
      return withChecks(
        checks,
        (v) => {
          if (!Array.isArray(v)) return NOT_SHOWN;
          let out: unknown[] | undefined;
          for (let i = 0; i < v.length; i += 1) {
            const r = element(v[i]);
            if (r === NOT_SHOWN) return NOT_SHOWN;
            if (r !== v[i] && out === undefined) out = v.slice(0, i);
            if (out !== undefined) out.push(r);
          }
          return out ?? v;
        },
        mode,
      );
    }
    case 'pipe': {
      if (mode === 'parse' || def.in === undefined || def.out === undefined) return notShown;
      const first = compile(def.in, mode);
      const second = compile(def.out, mode);
      return withChecks(
        checks,
        (v) => {
          const r = first(v);
          return r === NOT_SHOWN ? NOT_SHOWN : second(r);
        },
        mode,
      );
    }
    case 'object':
      return mode === 'parse' ? notShown : withChecks(checks, objectChecker(def), mode);
    case 'record':
      return mode === 'parse' ? notShown : withChecks(checks, recordChecker(def), mode);
    case 'union': {
      if (mode === 'parse') return notShown;
      const union = discriminated(schema);
      if (union === null) return notShown;
      const options = new Map<unknown, Checker>();
      for (const [value, option] of union.byValue) options.set(value, compile(option, mode));
      return withChecks(
        checks,
        (v) => {
          if (!isObject(v)) return NOT_SHOWN;
          const option = options.get(v[union.key]);
          return option === undefined ? NOT_SHOWN : option(v);
        },
        mode,
      );
    }
    default:
      return notShown;
  }
}

/**
 * A record whose key schema lists no values (`z.record(z.string(), ...)`), as zod's record parse takes it:
 * a plain object, every own enumerable key but `__proto__` checked with its value. Its output is the input
 * itself when every key and value stays as it is (else zod decides).
 */
function recordChecker(def: SchemaDef): Checker {
  if (def.keyType === undefined || def.valueType === undefined) return notShown;
  if (def.mode === 'loose' || internals(def.keyType).values !== undefined) return notShown;
  const keyCheck = compile(def.keyType, 'check');
  const valueCheck = compile(def.valueType, 'check');
  return (value) => {
    if (!isObject(value)) return NOT_SHOWN;
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return NOT_SHOWN;
    const ctor = (value as { constructor?: unknown }).constructor;
    if (typeof ctor === 'function' && ctor !== Object) return NOT_SHOWN;
    for (const key of Reflect.ownKeys(value)) {
      if (key === '__proto__' || !Object.prototype.propertyIsEnumerable.call(value, key)) continue;
      if (keyCheck(key) !== key) return NOT_SHOWN;
      const v = value[key as string];
      if (valueCheck(v) !== v) return NOT_SHOWN;
    }
    return value;
  };
}

interface FieldChecker {
  readonly key: string;
  readonly check: Checker;
  readonly optin: 'optional' | 'defaulted' | undefined;
  readonly optionalOut: boolean;
}

/**
 * A strict or stripping object, field by field as zod's object parse and `handlePropertyResult` take them
 * (in 'check' mode only): the input itself when the output would hold the same members, else a copy.
 */
function objectChecker(def: SchemaDef): Checker {
  const shape = def.shape;
  if (shape === undefined) return notShown;
  const catchall = def.catchall === undefined ? undefined : internals(def.catchall).def.type;
  if (catchall !== undefined && catchall !== 'never') return notShown;
  const keys = Object.keys(shape);
  if (keys.includes('__proto__') || Object.getOwnPropertySymbols(shape).length > 0) return notShown;
  const keySet = new Set(keys);
  const fields: FieldChecker[] = keys.map((key) => {
    const field = shape[key] as z.ZodType;
    const zod = internals(field);
    return { key, check: compile(field, 'check'), optin: zod.optin, optionalOut: zod.optout === 'optional' };
  });
  const copy = (value: Record<string, unknown>) => {
    const o: Record<string, unknown> = {};
    for (const k of keys) if (Object.hasOwn(value, k)) o[k] = value[k];
    return o;
  };
  if (catchall === 'never') {
    const generated = generatedObjectChecker(fields, keySet, copy);
    if (generated !== undefined) return generated;
  }
  return (value) => {
    if (!isObject(value)) return NOT_SHOWN;
    let unknownKeys = false;
    for (const key in value) {
      if (!keySet.has(key)) {
        if (catchall === 'never') return NOT_SHOWN;
        unknownKeys = true;
      }
    }
    let out: Record<string, unknown> | undefined;
    if (unknownKeys) out = copy(value);
    for (const f of fields) {
      const v = value[f.key];
      const present = f.key in value;
      const r = f.check(v);
      if (r === NOT_SHOWN) {
        if (f.optin !== undefined && f.optionalOut && !present) continue;
        return NOT_SHOWN;
      }
      if (!present && f.optionalOut && f.optin === 'optional') continue;
      if (!present && f.optin === undefined) return NOT_SHOWN;
      const kept = present || r !== undefined || (f.optin === 'defaulted' && !f.optionalOut);
      if (kept && r === v && Object.hasOwn(value, f.key)) continue;
      if (!kept && !Object.hasOwn(value, f.key)) continue;
      out ??= copy(value);
      if (kept) out[f.key] = r;
      else delete out[f.key];
    }
    return out ?? value;
  };
}

/**
 * The strict object checker above as straight-line code, one member read per field at a site of its own (as
 * zod's own JIT does), for the three kinds of field the project's schemas have: required, optional, and
 * defaulted. `undefined` when a field is of another kind or the runtime forbids generating code; the loop
 * above then serves. (An inherited member counts as present, as zod's `in` counts it.)
 */
function generatedObjectChecker(
  fields: readonly FieldChecker[],
  keySet: ReadonlySet<string>,
  copy: (value: Record<string, unknown>) => Record<string, unknown>,
): Checker | undefined {
  const body: string[] = [
    'return function check(value) {',
    "if (typeof value !== 'object' || value === null || Array.isArray(value)) return NS;",
    'for (const key in value) if (!keySet.has(key)) return NS;',
    'let out; let v; let r;',
  ];
  for (const [i, f] of fields.entries()) {
    const k = JSON.stringify(f.key);
    body.push(`v = value[${k}];`);
    if (f.optin === undefined) {
      body.push(`r = c${i}(v); if (r === NS || (v === undefined && !(${k} in value))) return NS;`);
      body.push(`if (r !== v) (out ??= copy(value))[${k}] = r;`);
    } else if (f.optin === 'optional' && f.optionalOut) {
      body.push(`if (v !== undefined || ${k} in value) { r = c${i}(v); if (r === NS) return NS;`);
      body.push(`if (r !== v) (out ??= copy(value))[${k}] = r; }`);
    } else if (f.optin === 'defaulted' && !f.optionalOut) {
      body.push(`r = c${i}(v); if (r === NS) return NS;`);
      body.push(`if (r !== v || (v === undefined && !(${k} in value))) (out ??= copy(value))[${k}] = r;`);
    } else {
      return undefined;
    }
  }
  body.push('return out === undefined ? value : out; };');
  const names = fields.map((_, i) => `c${i}`);
  try {
    const make = new Function('NS', 'keySet', 'copy', ...names, body.join('\n')) as (
      ...args: unknown[]
    ) => Checker;
    return make(NOT_SHOWN, keySet, copy, ...fields.map((f) => f.check));
  } catch {
    return undefined;
  }
}

/**
 * Whether `checkWithoutDecimals(schema, value)` succeeds: first by a checker compiled once from the
 * schema's definition (no zod payloads, no Decimals; property-tested to give zod's verdict on valid and
 * invalid values alike), then, for anything it did not show valid, by `checkWithoutDecimals` itself. For
 * verifiers that only need the verdict (the audit log's verify); ask `checkWithoutDecimals` for the issues
 * of a refusal.
 */
export function isValidWithoutDecimals(schema: z.ZodType, value: unknown): boolean {
  try {
    if (compile(schema, 'check')(value) !== NOT_SHOWN) return true;
  } catch {
    // A getter or proxy that throws: the schema's own parse decides (and reports, or throws) as it would.
  }
  return checkWithoutDecimals(schema, value).success;
}

/**
 * The output of `schema.safeParse(value)` when a compiled checker shows it is `value` itself (strings,
 * numbers, booleans, literals and enums with pure checks, and optional forms of them), else `NOT_SHOWN`.
 */
function identityParse(schema: z.ZodType, value: unknown): unknown {
  return compile(schema, 'parse')(value);
}
