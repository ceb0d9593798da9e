import { ClosedPosition, claimValidatedMarker, safeParseWithValidatedParts } from '@hl-bot/core-types';

/**
 * The ClosedPosition marker, claimed by the one module that builds the tracker's round trips: the audit
 * logger's `position_closed` (and any `validatedOrParse(ClosedPosition, ...)`) then takes them as parsed.
 */
const markClosedPosition = claimValidatedMarker(ClosedPosition);

/**
 * A round trip as the schema's own parse returns it (field by field, `safeParseWithValidatedParts`), frozen
 * and marked. Arithmetic cannot promise what the schema checks (a decimal within its limits, a positive
 * entry price after partial closes of dust), so the schema decides: one it refuses is returned unmarked, and
 * the audit log then refuses it in full as before.
 */
export function closedPositionOf(value: ClosedPosition): ClosedPosition {
  const parsed = safeParseWithValidatedParts(ClosedPosition, value);
  return parsed.success ? markClosedPosition(parsed.data) : Object.freeze(value);
}
