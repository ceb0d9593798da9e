import {
  claimValidatedMarker,
  Decimal,
  isWithinDecimalLimits,
  PositionSnapshot,
  ZERO,
} from '@hl-bot/core-types';
import { cmp } from './decimal-ops.js';

/**
 * The PositionSnapshot marker, claimed by the one module that builds the tracker's snapshots: the audit
 * logger (and any `validatedOrParse(PositionSnapshot, ...)`) then takes them as parsed instead of running
 * zod over 16 fields per fill.
 */
const markSnapshot = claimValidatedMarker(PositionSnapshot);

/**
 * Marks `snapshot` as validated when it is what the schema's parse returns for it, else returns it as it is
 * (unmarked: every consumer then parses it in full, and one that is invalid is refused as before).
 *
 * What makes a tracker snapshot valid by construction: its symbol, side, timestamps, counts and mark price
 * come from parsed fills, marks, fundings or checkpoints, and its quantities are |non-zero sums| of parsed
 * quantities. Arithmetic cannot promise two things the schema checks, so they are checked here: each
 * decimal is within `DECIMAL_LIMITS` (a product of two in-range values can leave it), and the entry price is
 * positive (a cost basis rounded by partial closes of dust can reach zero or below).
 */
export function markIfValid(snapshot: PositionSnapshot): PositionSnapshot {
  if (cmp(snapshot.entryPrice, ZERO) <= 0) return snapshot;
  for (const key in snapshot) {
    const value = snapshot[key as keyof PositionSnapshot];
    if (value instanceof Decimal && !isWithinDecimalLimits(value)) return snapshot;
  }
  return markSnapshot(snapshot);
}
