import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { toDecimal } from '@hl-bot/core-types';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BarBuilder,
  BotConfigError,
  createLogger,
  loadBotConfig,
  loadPrivateKey,
  Metrics,
} from '../src/index.js';

const KEY = '0x4f3edf983ac636a65a842ce7c78d9aa706d3b113bce9c46f30d7d21715b23b1d';
const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, '..', 'dist', 'cli.js');
const work = mkdtempSync(join(tmpdir(), 'hl-bot-config-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function configFile(content: unknown): string {
  const path = join(work, `config-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('bot configuration', () => {
  it('lists every problem at once: bad symbol, unknown key, bad risk value, mainnet without confirmation', () => {
    const path = configFile({ symbols: ['btc'], nonsense: 1, risk: { maxPositions: -1 }, stateDir: work });
    try {
      loadBotConfig(path, { network: 'mainnet' }, {});
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(BotConfigError);
      const problems = (error as BotConfigError).problems.join('\n');
      expect(problems).toContain('symbols');
      expect(problems).toContain('nonsense');
      expect(problems).toContain('maxPositions');
      expect(problems).toContain('--i-understand-this-is-real-money');
    }
  });

  it('defaults to testnet and takes RISK_* over inline limits over defaults', () => {
    const path = configFile({
      symbols: ['BTC-USD'],
      stateDir: work,
      risk: { maxPositions: 2, maxDailyLoss: '300' },
    });
    const config = loadBotConfig(path, {}, { RISK_MAX_DAILY_LOSS: '100' });
    expect(config.network).toBe('testnet');
    expect(config.riskConfig.maxPositions).toBe(2);
    expect(config.riskConfig.maxDailyLoss.toString()).toBe('100');
    expect(config.riskConfig.maxOrdersPerMinute).toBe(10);
  });

  it('refuses mainnet chosen only in the config file', () => {
    const path = configFile({ symbols: ['BTC-USD'], stateDir: work, network: 'mainnet' });
    expect(() => loadBotConfig(path, { realMoneyConfirmed: true }, {})).toThrow(/command line/);
  });
});

describe('the signing key', () => {
  it('comes from HL_PRIVATE_KEY and never prints, inspects or serialises', () => {
    const secret = loadPrivateKey({ env: { HL_PRIVATE_KEY: KEY } });
    expect(secret.reveal()).toBe(KEY);
    const shown = [
      String(secret),
      `${secret}`,
      inspect(secret),
      JSON.stringify({ secret }),
      inspect({ nested: { secret } }),
    ];
    for (const s of shown) expect(s).not.toContain(KEY.slice(2, 20));
  });

  it('refuses a key file readable by others, and a malformed key without echoing it', () => {
    const file = join(work, 'key');
    writeFileSync(file, KEY);
    chmodSync(file, 0o644);
    expect(() => loadPrivateKey({ env: {}, keyFile: file })).toThrow(/chmod 600/);
    chmodSync(file, 0o600);
    expect(loadPrivateKey({ env: {}, keyFile: file }).reveal()).toBe(KEY);
    try {
      loadPrivateKey({ env: { HL_PRIVATE_KEY: 'deadbeef-not-a-key-deadbeef' } });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain('deadbeef');
    }
  });

  it('is refused as a command-line flag', () => {
    const r = spawnSync(process.execPath, [cli, 'run', '--private-key', KEY], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('never taken from a flag');
    expect(r.stderr + r.stdout).not.toContain(KEY.slice(2));
  });

  it('is scrubbed from every log line, even when code logs it by mistake', () => {
    const lines: string[] = [];
    const dest = new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createLogger({ secrets: [KEY], destination: dest });
    logger.info({ privateKey: KEY }, 'redacted by path');
    logger.info({ config: { note: `oops ${KEY}` } }, 'scrubbed by value');
    logger.error(`bare key ${KEY.slice(2)}`);
    const all = lines.join('');
    expect(lines.length).toBe(3);
    expect(all).not.toContain(KEY.slice(2));
    expect(all).toContain('[redacted]');
  });
});

describe('BarBuilder', () => {
  it('closes a bar when a price of the next interval arrives, with the interval high, low and last close', () => {
    const b = new BarBuilder(60_000);
    expect(b.add('BTC-USD', toDecimal('100'), 0)).toEqual([]);
    b.add('BTC-USD', toDecimal('105'), 10_000);
    b.add('BTC-USD', toDecimal('98'), 20_000);
    b.add('BTC-USD', toDecimal('101'), 59_999);
    const [bar] = b.add('BTC-USD', toDecimal('102'), 60_000);
    expect(bar?.open.toString()).toBe('100');
    expect(bar?.high.toString()).toBe('105');
    expect(bar?.low.toString()).toBe('98');
    expect(bar?.close.toString()).toBe('101');
    expect(b.closeDue(119_999)).toEqual([]);
    expect(b.closeDue(120_000).map((x) => x.close.toString())).toEqual(['102']);
  });
});

describe('Metrics', () => {
  it('renders Prometheus text with labels', () => {
    const m = new Metrics();
    m.inc('hl_bot_risk_rejections_total', 'rejections', { code: 'ORDER_NOTIONAL_EXCEEDED' });
    m.inc('hl_bot_risk_rejections_total', 'rejections', { code: 'ORDER_NOTIONAL_EXCEEDED' });
    m.set('hl_bot_circuit_breaker_tripped', 'breaker', 1);
    const text = m.render();
    expect(text).toContain('# TYPE hl_bot_risk_rejections_total counter');
    expect(text).toContain('hl_bot_risk_rejections_total{code="ORDER_NOTIONAL_EXCEEDED"} 2');
    expect(text).toContain('hl_bot_circuit_breaker_tripped 1');
  });
});
