import type { z } from 'zod';
import { Decimal } from './decimal.js';
import { parseDecimalAsIs } from './schemas/decimal-schemas.js';
import { parseOrThrow } from './validate.js';

/**
 * Objects a schema's parse returned, with the schema: module-private, so nothing outside this module can
 * mark an object, and a WeakMap, so it never keeps one alive. A marked object is frozen: it still is exactly
 * what the schema returned when a consumer meets it.
 */
const marked = new WeakMap<object, z.ZodType>();

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
    marked.set(out, schema);
  }
  return out;
}

/** Whether `value` is an output of `parseValidated(schema, ...)`. */
export function isValidated(value: unknown, schema: z.ZodType): boolean {
  return typeof value === 'object' && value !== null && marked.get(value) === schema;
}

/**
 * `value` itself when `parseValidated(schema, ...)` returned it, else `parseOrThrow(schema, value, what)`:
 * validate once, structurally, with no second hand-written copy of the schema.
 *
 * @throws {ValidationError} as `parseOrThrow`, for an unmarked value that does not parse
 */
export function validatedOrParse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  if (typeof value === 'object' && value !== null && marked.get(value) === schema)
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
    marked.set(value, schema);
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
        const mark = marked.get(v);
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
    marked.set(v, part);
  }
  return result;
}
