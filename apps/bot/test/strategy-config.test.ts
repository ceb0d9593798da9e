import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BotConfigError, loadBotConfig } from '../src/index.js';

const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md'), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'hl-bot-strategy-config-'));

function load(content: Record<string, unknown>, overrides: { strategy?: string } = {}) {
  const path = join(work, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify({ stateDir: work, ...content }));
  return loadBotConfig(path, overrides, {});
}

function problems(content: Record<string, unknown>, overrides: { strategy?: string } = {}): string {
  try {
    load(content, overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(BotConfigError);
    expect((error as BotConfigError).code).toBe('BOT_CONFIG_INVALID');
    return (error as BotConfigError).problems.join('\n');
  }
  throw new Error('the config was accepted');
}

describe('the strategies of a bot config', () => {
  it('runs the one strategy of a config with symbols and strategy as "default", --strategy replacing it', () => {
    const c = load({ symbols: ['BTC-USD', 'ETH-USD'] });
    expect(c.strategies).toEqual([
      { name: 'default', strategy: 'trend', symbols: ['BTC-USD', 'ETH-USD'], limits: {} },
    ]);
    expect(c.symbols).toEqual(['BTC-USD', 'ETH-USD']);
    expect(
      load({ symbols: ['BTC-USD'], strategy: 'trend' }, { strategy: './s.js' }).strategies[0]?.strategy,
    ).toBe('./s.js');
  });

  it('takes several strategies with their own symbols and limits, the union of symbols traded', () => {
    const c = load({
      strategies: [
        { name: 'btc', strategy: 'trend', symbols: ['BTC-USD'], limits: { maxOrderNotional: '500' } },
        { name: 'alts', strategy: 'mean-reversion', symbols: ['ETH-USD', 'SOL-USD'] },
      ],
    });
    expect(c.strategies.map((s) => [s.name, s.symbols])).toEqual([
      ['btc', ['BTC-USD']],
      ['alts', ['ETH-USD', 'SOL-USD']],
    ]);
    expect(c.strategies[0]?.limits.maxOrderNotional?.toString()).toBe('500');
    expect(c.symbols).toEqual(['BTC-USD', 'ETH-USD', 'SOL-USD']);
  });

  it('refuses a symbol two strategies trade unless sharedSymbols lists it', () => {
    const strategies = [
      { name: 'a', strategy: 'trend', symbols: ['BTC-USD', 'ETH-USD'] },
      { name: 'b', strategy: 'trend', symbols: ['ETH-USD'] },
      { name: 'c', strategy: 'trend', symbols: ['ETH-USD', 'BTC-USD'] },
    ];
    const p = problems({ strategies });
    expect(p).toContain('BTC-USD is traded by a and c');
    expect(p).toContain('ETH-USD is traded by a and b and c');
    expect(p).toContain('sharedSymbols');
    expect(load({ strategies, sharedSymbols: ['BTC-USD', 'ETH-USD'] }).symbols).toEqual([
      'BTC-USD',
      'ETH-USD',
    ]);
    expect(problems({ strategies, sharedSymbols: ['ETH-USD'] })).toContain('BTC-USD is traded by a and c');
  });

  it('checks each strategy’s entry and limits strictly', () => {
    const entry = { name: 'a', strategy: 'trend', symbols: ['BTC-USD'] };
    expect(problems({ strategies: [{ ...entry, limits: { maxOrderNotional: '-1' } }] })).toContain(
      'strategies.0.limits.maxOrderNotional',
    );
    expect(problems({ strategies: [{ ...entry, limits: { maxLeverage: 3 } }] })).toContain('maxLeverage');
    expect(problems({ strategies: [{ ...entry, name: 'a b' }] })).toContain('strategies.0.name');
    expect(problems({ strategies: [{ ...entry, symbols: ['btc'] }] })).toContain('symbols look like BTC-USD');
    expect(problems({ strategies: [] })).toContain('strategies');
  });

  it('lists every mistake of the form at once', () => {
    const p = problems(
      {
        symbols: ['BTC-USD'],
        strategies: [
          { name: 'a', strategy: 'trend', symbols: ['BTC-USD', 'BTC-USD'] },
          { name: 'a', strategy: 'trend', symbols: ['ETH-USD'] },
        ],
        sharedSymbols: ['SOL-USD'],
      },
      { strategy: 'trend' },
    );
    expect(p).toContain('give symbols inside each entry of strategies');
    expect(p).toContain('BTC-USD is listed twice');
    expect(p).toContain('"a" is used twice');
    expect(p).toContain('SOL-USD is not traded by two strategies');
    expect(p).toContain('--strategy');
    expect(problems({})).toContain('give symbols (one strategy) or strategies');
    expect(problems({ symbols: ['BTC-USD'], sharedSymbols: ['BTC-USD'] })).toContain(
      'sharedSymbols needs strategies',
    );
  });

  it('loads the README’s several-strategies example', () => {
    const blocks = [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1] as string));
    const example = blocks.find((b) => 'strategies' in b) as Record<string, unknown>;
    // The placeholder address is the reader's to fill in.
    const c = load({ ...example, walletAddress: undefined });
    expect(c.strategies.map((s) => s.name)).toEqual(['btc-trend', 'alts']);
    expect(c.strategies[0]?.limits.maxTotalExposure?.toString()).toBe('3000');
  });
});
