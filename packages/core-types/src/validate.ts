import type { z } from 'zod';
import { InvalidDecimalError, ValidationError } from './errors.js';

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(root)';
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.');
}

/**
 * Parses `value` with a zod schema and throws a ValidationError whose message names every failing field.
 *
 * @param what what is being parsed, for the message (`"fill"`, `"risk config from RISK_* env"`)
 * @throws {ValidationError} code `VALIDATION_FAILED`, or `INVALID_DECIMAL` / `INVALID_TIMESTAMP` when the first
 *   failing field is a decimal or a time; `field` is the first failing path, `cause` the ZodError
 * @example
 * const fill = parseOrThrow(Fill, raw, 'fill');
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  let result: z.ZodSafeParseResult<z.output<S>>;
  try {
    result = schema.safeParse(value);
  } catch (error) {
    // zod reads the input's properties: a revoked proxy or a throwing getter surfaces here as a raw error.
    throw new ValidationError(
      `invalid ${what}: reading the value threw (a proxy, a getter or a hostile object)`,
      {
        cause: error,
        details: { what },
      },
    );
  }
  if (result.success) return result.data;
  const issues = result.error.issues;
  const parts = issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  const first = issues[0];
  const field = first === undefined ? undefined : formatPath(first.path);
  const options = {
    cause: result.error,
    ...(field === undefined ? {} : { field }),
    details: { what, issues: parts },
  };
  // The core-types decimal and time schemas tag their issues, so the first failing field sets the code.
  const code = first?.code === 'custom' ? (first.params as { code?: unknown } | undefined)?.code : undefined;
  const message = `invalid ${what}: ${parts.join('; ')}`;
  if (code === 'INVALID_DECIMAL') throw new InvalidDecimalError(message, options);
  if (code === 'INVALID_TIMESTAMP') throw new ValidationError(message, { ...options, code });
  throw new ValidationError(message, options);
}
