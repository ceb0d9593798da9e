// A TypeScript consumer of the packed packages, as an ESM project (`import` resolves the `.d.ts`).
// `pnpm check:types` type-checks it against the tarballs, each package seeing only the dependencies its
// published package.json declares. Every `@ts-expect-error` below must be an error: if a Decimal in a
// published declaration resolved to `any` (decimal.js not declared by the package that names it), the
// assignment to `number` would compile, the directive would be unused, and tsc fails.
import type { Decimal } from '@hl-bot/core-types';
import { toDecimal } from '@hl-bot/core-types';
import type { ClearinghouseStateResponse } from '@hl-bot/exchange-hyperliquid';
import { toWireDecimal } from '@hl-bot/exchange-hyperliquid/wire';
import { HYPERLIQUID_BASE_FEES, HYPERLIQUID_BASELINE_FUNDING_RATE } from '@hl-bot/paper-exchange';
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
// @ts-expect-error fees are Decimals
export const takerFee: number = HYPERLIQUID_BASE_FEES.taker;

// @ts-expect-error a position's quantity is a Decimal
export const quantity: number = position.quantity;

// @ts-expect-error toDecimal returns a Decimal
export const parsed: number = toDecimal('1');
