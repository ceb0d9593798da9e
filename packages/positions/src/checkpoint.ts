import { type CheckpointLink, readCheckpointAt } from '@hl-bot/audit';
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

/**
 * How a checkpoint's processed ids are spread over checkpoints, so none holds all ids of a long history.
 * Checkpoints are numbered from the last one that holds every id (`n` 0, written first after a start).
 * Checkpoint `n` holds the ids processed since checkpoint `n - lowbit(n)` and links to it (a binary
 * counter): a restart reads at most log2(n) + 1 checkpoints, each id exactly once, and each id is written
 * about log2(n) times.
 */
export interface IdChain {
  readonly n: number;
  /** Every processed fill id and funding id, in this checkpoint and the ones it links to. */
  readonly fillTotal: number;
  readonly fundingTotal: number;
  /** The checkpoint holding the other ids; null when `n` is 0 (this one holds them all). */
  readonly prev: CheckpointLink | null;
}

/** The tracker's state as a checkpoint holds it. */
export interface TrackerState {
  /** Open positions in the order they were opened. */
  readonly positions: readonly Position[];
  /** The ids this checkpoint holds; all of them once loaded with `loadTrackerState`. */
  readonly fillIds: CompactIdSet;
  readonly fundingIds: ReadonlySet<string>;
  readonly ids: IdChain;
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

const Link = z
  .object({
    file: z.string(),
    offset: z.number().int().nonnegative(),
    seq: z.number().int().positive(),
    lastHash: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();

const Fields = {
  positions: z.array(PositionState),
  fillIds: z.string(),
  fundingIds: z.array(z.string()),
  closedCount: z.number().int().nonnegative(),
  closedRealized: DecimalSchema,
  closedFees: DecimalSchema,
  closedFunding: DecimalSchema,
  lastFillTime: Time.nullable(),
};

const StateSchema = z.discriminatedUnion('v', [
  // Every id in each checkpoint (written before checkpoints linked to each other).
  z.object({ v: z.literal(1), ...Fields }).strict(),
  z
    .object({
      v: z.literal(2),
      ...Fields,
      ids: z
        .object({
          n: z.number().int().nonnegative(),
          fillTotal: z.number().int().nonnegative(),
          fundingTotal: z.number().int().nonnegative(),
          prev: Link.nullable(),
        })
        .strict()
        .refine((c) => (c.n === 0) === (c.prev === null), 'only checkpoint 0 holds every id'),
    })
    .strict(),
]);

/** The checkpoint text of a tracker state (decimals as exact strings); `fillIds` are the ids it holds. */
export function serializeTrackerState(state: TrackerState): string {
  return JSON.stringify({
    v: 2,
    positions: state.positions.map((p) => p.fields()),
    fillIds: state.fillIds.serialize(),
    fundingIds: [...state.fundingIds],
    ids: state.ids,
    closedCount: state.closedCount,
    closedRealized: state.closedRealized,
    closedFees: state.closedFees,
    closedFunding: state.closedFunding,
    lastFillTime: state.lastFillTime ?? null,
  });
}

/**
 * One checkpoint's text, with only the ids it holds itself (see `loadTrackerState`).
 *
 * @throws {Error} when `text` is not a tracker checkpoint
 */
export function parseTrackerState(text: string): TrackerState {
  const s = StateSchema.parse(JSON.parse(text));
  const symbols = new Set<string>();
  const positions = s.positions.map((p) => {
    if (symbols.has(p.symbol)) throw new Error(`two open positions for ${p.symbol}`);
    symbols.add(p.symbol);
    return new Position({ ...p, markPrice: p.markPrice, markTime: p.markTime });
  });
  const fillIds = CompactIdSet.parse(s.fillIds);
  const fundingIds = new Set(s.fundingIds);
  return {
    positions,
    fillIds,
    fundingIds,
    ids: s.v === 1 ? { n: 0, fillTotal: fillIds.size, fundingTotal: fundingIds.size, prev: null } : s.ids,
    closedCount: s.closedCount,
    closedRealized: s.closedRealized,
    closedFees: s.closedFees,
    closedFunding: s.closedFunding,
    lastFillTime: s.lastFillTime ?? undefined,
  };
}

function lowbit(n: number): number {
  // n is a safe integer: the lowest set bit without 32-bit operators.
  let bit = 1;
  while (n % (bit * 2) === 0) bit *= 2;
  return bit;
}

/**
 * A checkpoint's state with every processed id: its own ids plus those of the checkpoints it links to,
 * each read at its place in the log and pinned by the hash in the link. Any link that does not lead to the
 * checkpoint it names, ids that repeat, or totals that do not add up make the whole checkpoint unusable.
 *
 * @throws {Error} when the checkpoint or one it links to does not verify
 */
export async function loadTrackerState(dir: string, component: string, text: string): Promise<TrackerState> {
  const head = parseTrackerState(text);
  const fills = [head.fillIds];
  const funding = [head.fundingIds];
  let at = head.ids;
  // Each hop clears the lowest bit of n: at most 53 hops for any safe integer.
  for (let hops = 0; at.prev !== null; hops += 1) {
    if (hops > 53) throw new Error('the chain of id checkpoints does not end');
    const found = await readCheckpointAt(dir, component, at.prev);
    if (!found.ok) throw new Error(`the checkpoint it links to at seq ${found.seq}: ${found.reason}`);
    const older = parseTrackerState(found.data);
    const want = at.n - lowbit(at.n);
    if (older.ids.n !== want) {
      throw new Error(`it links to id checkpoint ${older.ids.n}, not ${want}`);
    }
    fills.push(older.fillIds);
    funding.push(older.fundingIds);
    at = older.ids;
  }
  const fillIds = fills.length === 1 ? head.fillIds : CompactIdSet.union(fills);
  const fundingIds = new Set<string>();
  let fundingCount = 0;
  for (const part of funding) {
    fundingCount += part.size;
    for (const id of part) fundingIds.add(id);
  }
  if (fillIds.size !== head.ids.fillTotal || fundingIds.size !== fundingCount) {
    throw new Error(
      `its linked checkpoints hold ${fillIds.size} fill ids, not ${head.ids.fillTotal}, or repeat a funding id`,
    );
  }
  if (fundingIds.size !== head.ids.fundingTotal) {
    throw new Error(
      `its linked checkpoints hold ${fundingIds.size} funding ids, not ${head.ids.fundingTotal}`,
    );
  }
  return { ...head, fillIds, fundingIds };
}
