import type { z } from 'zod';
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
