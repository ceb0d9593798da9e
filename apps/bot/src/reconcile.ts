import { type Decimal, ZERO } from '@hl-bot/core-types';
import type { ClearinghouseStateResponse } from '@hl-bot/exchange-hyperliquid';
import { coinToSymbol } from '@hl-bot/exchange-hyperliquid';
import type { PositionTracker } from '@hl-bot/positions';

/** A symbol whose position differs between the local ledger and the venue. */
export interface PositionMismatch {
  symbol: string;
  /** Signed quantity: positive long, negative short. */
  local: Decimal;
  venue: Decimal;
  venueEntryPrice: Decimal | undefined;
}

/** The perp dex a symbol trades on: `""` (the first dex) or the HIP-3 dex its coin names (`xyz:SILVER-USD`). */
export function dexOfSymbol(symbol: string): string {
  const colon = symbol.indexOf(':');
  return colon < 0 ? '' : symbol.slice(0, colon);
}

/**
 * Compares the tracker's net positions with the venue's `clearinghouseState` of one perp dex, symbol by
 * symbol; only the tracker's symbols of that dex take part (each dex's state lists only its own positions).
 * Quantities must be equal to the last digit: sizes are exact decimals on both sides, so any difference is
 * drift.
 */
export function comparePositions(
  tracker: PositionTracker,
  venue: ClearinghouseStateResponse,
  /** Signed quantity per symbol applied locally after the venue's snapshot time: taken out of the comparison. */
  appliedAfterSnapshot: ReadonlyMap<string, Decimal> = new Map(),
  dex = '',
  /** The venue symbols this bot answers for (default all): another bot's positions are not its drift. */
  owns: (symbol: string) => boolean = () => true,
): PositionMismatch[] {
  const venueBySymbol = new Map<string, { szi: Decimal; entryPx: Decimal | undefined }>();
  for (const ap of venue.assetPositions) {
    const p = ap.position;
    const symbol = coinToSymbol(p.coin);
    if (!owns(symbol) && tracker.getPosition(symbol) === undefined) continue;
    venueBySymbol.set(symbol, { szi: p.szi, entryPx: p.entryPx ?? undefined });
  }
  const symbols = new Set<string>([
    ...venueBySymbol.keys(),
    ...[...tracker.getAllPositions().map((p) => p.symbol), ...appliedAfterSnapshot.keys()].filter(
      (symbol) => dexOfSymbol(symbol) === dex,
    ),
  ]);
  const out: PositionMismatch[] = [];
  for (const symbol of [...symbols].sort()) {
    const now = tracker.getPosition(symbol)?.signedQuantity ?? ZERO;
    const later = appliedAfterSnapshot.get(symbol);
    // Compare like with like: the ledger as it stood when the venue took its snapshot.
    const local = later === undefined ? now : now.minus(later);
    const v = venueBySymbol.get(symbol);
    const venueQty = v?.szi ?? ZERO;
    if (!local.eq(venueQty)) {
      out.push({ symbol, local, venue: venueQty, venueEntryPrice: v?.entryPx });
    }
  }
  return out;
}
