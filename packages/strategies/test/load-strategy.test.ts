import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HlBotError } from '@hl-bot/core-types';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_STRATEGIES, loadStrategy } from '../src/index.js';

const options = { sizeDecimals: () => 3 };

describe('loadStrategy', () => {
  it('resolves every built-in strategy by name', async () => {
    for (const name of Object.keys(BUILT_IN_STRATEGIES)) {
      const s = await loadStrategy(name, options);
      expect(typeof s.name).toBe('string');
      expect(typeof s.onBar).toBe('function');
    }
    expect(Object.keys(BUILT_IN_STRATEGIES)).toEqual(['showcase', 'trend', 'mean-reversion']);
  });

  it('refuses an unknown name with UNKNOWN_STRATEGY listing the built-ins', async () => {
    const error = await loadStrategy('trnd', options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HlBotError);
    expect(error).toMatchObject({ code: 'UNKNOWN_STRATEGY' });
    expect((error as Error).message).toContain('showcase, trend, mean-reversion');
  });

  it('loads a module from disk: a factory default export is called with the runner options', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strategy-'));
    const file = join(dir, 'mine.mjs');
    writeFileSync(
      file,
      'export default (o) => ({ name: "mine-" + o.sizeDecimals("BTC-USD"), onBar() {} });\n',
    );
    expect((await loadStrategy(file, options)).name).toBe('mine-3');
    const named = join(dir, 'named.mjs');
    writeFileSync(named, 'export const strategy = { name: "named" };\n');
    expect((await loadStrategy(named, options)).name).toBe('named');
  });

  it('refuses a module that does not export a strategy, or that cannot be loaded', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strategy-'));
    const bad = join(dir, 'bad.mjs');
    writeFileSync(bad, 'export default 42;\n');
    await expect(loadStrategy(bad, options)).rejects.toMatchObject({ code: 'INVALID_STRATEGY_MODULE' });
    const broken = join(dir, 'broken.mjs');
    writeFileSync(broken, 'export default {;\n');
    await expect(loadStrategy(broken, options)).rejects.toMatchObject({ code: 'INVALID_STRATEGY_MODULE' });
    await expect(loadStrategy(join(dir, 'missing.mjs'), options)).rejects.toMatchObject({
      code: 'INVALID_STRATEGY_MODULE',
    });
  });
});
