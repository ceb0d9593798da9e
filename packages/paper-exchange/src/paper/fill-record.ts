import { claimValidatedMarker, Fill, parseValidated, safeParseWithValidatedParts } from '@hl-bot/core-types';

/**
 * The Fill marker, claimed by the one module that builds the paper exchange's fills: the tracker, risk and
 * the audit log then take them as parsed instead of running zod over the fill again.
 */
const markPaperFill = claimValidatedMarker(Fill);

/**
 * A fill this exchange computed, as the Fill schema's own parse returns it (field by field,
 * `safeParseWithValidatedParts`: the same output and verdict as zod, without zod for strings, numbers,
 * times and Decimals), frozen and marked. Arithmetic cannot promise what the schema checks (a decimal
 * within its limits), so the schema decides; one it refuses throws the schema's own error.
 *
 * @throws {ValidationError} when the schema refuses the fill
 */
export function paperFillOf(value: Fill): Fill {
  const parsed = safeParseWithValidatedParts(Fill, value);
  if (parsed.success) return markPaperFill(parsed.data);
  return parseValidated(Fill, value, 'fill');
}
