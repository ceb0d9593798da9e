import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Decimal } from '@hl-bot/core-types';
import { RiskConfig } from '@hl-bot/risk';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const readme = readFileSync(join(here, '..', 'README.md'), 'utf8');
// trendFollower's default order notional (packages/engine/src/strategies/trend-follower.ts).
const TREND_NOTIONAL = new Decimal(800);

describe('the README example bot.json', () => {
  it('caps orders at or above what the default strategy sends, so the example trades', () => {
    const block = /```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const example = JSON.parse(block as string) as { strategy?: string; risk: Record<string, unknown> };
    expect(example.strategy ?? 'trend').toBe('trend');
    const risk = RiskConfig.from(example.risk);
    expect(risk.maxOrderNotional.gte(TREND_NOTIONAL)).toBe(true);
    expect(risk.maxPositionSizeUsd.gte(TREND_NOTIONAL)).toBe(true);
  });

  it('says hl-sim runs with --testnet for the bot', () => {
    expect(readme).toContain('--testnet');
  });
});
