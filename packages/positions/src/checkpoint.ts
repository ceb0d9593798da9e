import {
  type Decimal,
  DecimalSchema,
  MarketKindSchema,
  PositiveDecimalSchema,
  SymbolSchema,
} from '@hl-bot/core-types';
import { z } from 'zod';
import { CompactIdSet } from './id-set.js';
import { Position } from './position.js';

/** The tracker's state as a checkpoint holds it. */
export interface TrackerState {
  /** Open positions in the order they were opened. */
  readonly positions: readonly Position[];
  readonly fillIds: CompactIdSet;
  readonly fundingIds: ReadonlySet<string>;
  /** Closed round trips before the checkpoint: their count and sums (the list itself stays in the log). */
  readonly closedCount: number;
  readonly closedRealized: Decimal;
  readonly closedFees: Decimal;
  readonly closedFunding: Decimal;
  /** Time of the last fill applied, if any. */
  readonly lastFillTime: number | undefined;
}

const Time = z.number().int().nonnegative();

const PositionState = z
  .object({
    symbol: SymbolSchema,
    marketKind: MarketKindSchema,
    signedQuantity: DecimalSchema,
    costBasis: DecimalSchema,
    realizedPnl: DecimalSchema,
    fees: DecimalSchema,
    funding: DecimalSchema,
    maxAdverseExcursion: DecimalSchema,
    maxFavorableExcursion: DecimalSchema,
    openedAt: Time,
    updatedAt: Time,
    fillCount: z.number().int().positive(),
    peakQuantity: PositiveDecimalSchema,
    entryQuantity: DecimalSchema,
    entryNotional: DecimalSchema,
    exitQuantity: DecimalSchema,
    exitNotional: DecimalSchema,
    lastFillPrice: PositiveDecimalSchema,
    markPrice: PositiveDecimalSchema.optional(),
    markTime: Time.optional(),
    markFresh: z.boolean(),
  })
  .strict()
  .refine((p) => !p.signedQuantity.isZero(), 'an open position has a quantity');

const StateSchema = z
  .object({
    v: z.literal(1),
    positions: z.array(PositionState),
    fillIds: z.string(),
    fundingIds: z.array(z.string()),
    closedCount: z.number().int().nonnegative(),
    closedRealized: DecimalSchema,
    closedFees: DecimalSchema,
    closedFunding: DecimalSchema,
    lastFillTime: Time.nullable(),
  })
  .strict();

/** The checkpoint text of a tracker state (decimals as exact strings). */
export function serializeTrackerState(state: TrackerState): string {
  return JSON.stringify({
    v: 1,
    positions: state.positions.map((p) => p.fields()),
    fillIds: state.fillIds.serialize(),
    fundingIds: [...state.fundingIds],
    closedCount: state.closedCount,
    closedRealized: state.closedRealized,
    closedFees: state.closedFees,
    closedFunding: state.closedFunding,
    lastFillTime: state.lastFillTime ?? null,
  });
}

/** @throws {Error} when `text` is not a tracker checkpoint */
export function parseTrackerState(text: string): TrackerState {
  const s = StateSchema.parse(JSON.parse(text));
  const symbols = new Set<string>();
  const positions = s.positions.map((p) => {
    if (symbols.has(p.symbol)) throw new Error(`two open positions for ${p.symbol}`);
    symbols.add(p.symbol);
    return new Position({ ...p, markPrice: p.markPrice, markTime: p.markTime });
  });
  return {
    positions,
    fillIds: CompactIdSet.parse(s.fillIds),
    fundingIds: new Set(s.fundingIds),
    closedCount: s.closedCount,
    closedRealized: s.closedRealized,
    closedFees: s.closedFees,
    closedFunding: s.closedFunding,
    lastFillTime: s.lastFillTime ?? undefined,
  };
}
