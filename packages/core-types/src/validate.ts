import type { z } from 'zod';
import { ValidationError } from './errors.js';

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(root)';
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.');
}

/**
 * Parses `value` with a zod schema and throws a ValidationError whose message names every failing field.
 *
 * @param what what is being parsed, for the message (`"fill"`, `"risk config from RISK_* env"`)
 * @throws {ValidationError} code `VALIDATION_FAILED`; `field` is the first failing path, `cause` the ZodError
 * @example
 * const fill = parseOrThrow(Fill, raw, 'fill');
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const parts = issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  const first = issues[0];
  const field = first === undefined ? undefined : formatPath(first.path);
  throw new ValidationError(`invalid ${what}: ${parts.join('; ')}`, {
    cause: result.error,
    ...(field === undefined ? {} : { field }),
    details: { what, issues: parts },
  });
}
