// The same probe as consumer.mts, as a CommonJS project (`require` resolves the `.d.cts`).
import type { Decimal } from '@hl-bot/core-types';
import type { ClearinghouseStateResponse } from '@hl-bot/exchange-hyperliquid';
import { toWireDecimal } from '@hl-bot/exchange-hyperliquid/wire';
import { HYPERLIQUID_BASELINE_FUNDING_RATE } from '@hl-bot/paper-exchange';
import type { Position } from '@hl-bot/positions';

declare const state: ClearinghouseStateResponse;
declare const position: Position;

// @ts-expect-error accountValue is a Decimal, never a number
export const accountValue: number = state.marginSummary.accountValue;
export const accountValueDecimal: Decimal = state.marginSummary.accountValue;

// The ./wire subpath resolves to its own declarations (were it `any`, this would compile).
// @ts-expect-error toWireDecimal returns the wire string
export const wireDecimal: number = toWireDecimal('1.50');

// @ts-expect-error the baseline funding rate is a Decimal
export const fundingRate: number = HYPERLIQUID_BASELINE_FUNDING_RATE;

// @ts-expect-error a position's quantity is a Decimal
export const quantity: number = position.quantity;
