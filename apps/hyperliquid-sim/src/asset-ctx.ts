import { toDecimal } from '@hl-bot/core-types';
import { SimError } from './errors.js';
import type { SimState } from './sim-state.js';
import { wireDecimal } from './wire-decimal.js';

/** A test's or operator's setting of the venue's reference prices of one coin (unset: the mid). */
export interface AssetCtxOverride {
  markPx?: string;
  oraclePx?: string;
}

/**
 * One perp's context in the venue's shape (`metaAndAssetCtxs`, `activeAssetCtx`): decimals as strings with
 * a decimal point, `impactPxs` null as for a market without depth. The mark and the oracle follow the mid
 * unless set (`setAssetCtx`); funding, open interest, premium and volumes are not modelled ("0.0"), and the
 * previous day's price is the oldest bar's open that hl-sim keeps.
 */
export function assetCtxOf(state: SimState, coin: string): Record<string, unknown> {
  const mid = state.mids.get(coin) ?? null;
  const override = state.assetCtxOverrides.get(coin);
  let prevDayPx = mid ?? '0.0';
  for (const group of state.bars) {
    const bar = group.find((c) => c.symbol === `${coin}-USD`);
    if (bar !== undefined) {
      prevDayPx = wireDecimal(bar.open);
      break;
    }
  }
  const mark = override?.markPx ?? mid ?? '0.0';
  return {
    funding: '0.0',
    openInterest: '0.0',
    prevDayPx,
    dayNtlVlm: '0.0',
    premium: '0.0',
    oraclePx: override?.oraclePx ?? mid ?? '0.0',
    markPx: mark,
    midPx: mid,
    impactPxs: null,
    dayBaseVlm: '0.0',
  };
}

/**
 * Sets (or, with an empty object, clears) the mark and oracle price of a coin.
 * @throws {SimError} `SIM_INVALID_OPTION` for an unknown coin or a price that is not a positive decimal.
 */
export function setAssetCtx(state: SimState, coin: string, ctx: AssetCtxOverride): void {
  if (state.coinByName(coin) === undefined) throw new SimError('SIM_INVALID_OPTION', `unknown coin ${coin}`);
  const out: AssetCtxOverride = {};
  for (const key of ['markPx', 'oraclePx'] as const) {
    const v = ctx[key];
    if (v === undefined) continue;
    let d: ReturnType<typeof toDecimal>;
    try {
      d = toDecimal(v, key);
    } catch (error) {
      throw new SimError('SIM_INVALID_OPTION', `${key} of ${coin} is not a decimal`, { cause: error });
    }
    if (!d.gt(0)) throw new SimError('SIM_INVALID_OPTION', `${key} of ${coin} must be > 0`);
    out[key] = wireDecimal(d);
  }
  if (out.markPx === undefined && out.oraclePx === undefined) state.assetCtxOverrides.delete(coin);
  else state.assetCtxOverrides.set(coin, out);
}
