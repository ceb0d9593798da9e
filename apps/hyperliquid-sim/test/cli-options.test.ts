import { describe, expect, it } from 'vitest';
import { parseCli, SimError } from '../src/index.js';

describe('hl-sim command line', () => {
  it('maps every flag onto the options startHyperliquidSim takes', () => {
    const a = '0x1111111111111111111111111111111111111111';
    const g = '0x2222222222222222222222222222222222222222';
    expect(
      parseCli([
        '--port',
        '8123',
        '--symbols',
        'BTC,DOGE:0:10',
        '--seed',
        '9',
        '--volatility',
        '0.002',
        '--data',
        'BTC=/tmp/x.csv',
        '--bar-ms',
        '250',
        '--manual-bars',
        '--testnet',
        '--account',
        `${a}:5000`,
        '--account',
        g,
        '--agent',
        `${g}:${a}`,
        '--ws-idle-ms',
        '3000',
        '--drop-ws-every',
        '1.5',
        '--duplicate-fills',
        '--resend-fills-snapshot',
        '--rate-limit-after',
        '10',
        '--rate-limit-window-ms',
        '1000',
        '--fail-5xx-every',
        '4',
        '--fail-5xx-rate',
        '0.1',
        '--fail-5xx-phase',
        'after',
        '--latency-ms',
        '25',
      ]),
    ).toEqual({
      port: 8123,
      coins: ['BTC', 'DOGE:0:10'],
      seed: 9,
      volatility: 0.002,
      data: { coin: 'BTC', path: '/tmp/x.csv' },
      barMs: 250,
      wsIdleMs: 3000,
      manualBars: true,
      testnet: true,
      accounts: [{ address: a, balance: '5000' }, { address: g }],
      agents: [{ agent: g, master: a }],
      faults: {
        dropWsEverySec: 1.5,
        duplicateFills: true,
        resendFillsSnapshot: true,
        rateLimitAfter: 10,
        rateLimitWindowMs: 1000,
        fail5xxEvery: 4,
        fail5xxRate: 0.1,
        fail5xxPhase: 'after',
        latencyMs: 25,
      },
    });
  });

  it('takes a bare CSV path for the first symbol, and --help', () => {
    expect(parseCli(['--symbols', 'ETH', '--data', 'eth.csv'])).toMatchObject({
      data: { coin: 'ETH', path: 'eth.csv' },
    });
    expect(parseCli(['--help'])).toBe('help');
  });

  it('refuses malformed values instead of guessing', () => {
    expect(() => parseCli(['--port', 'abc'])).toThrow(SimError);
    expect(() => parseCli(['--fail-5xx-phase', 'during'])).toThrow(/before or after/);
    expect(() => parseCli(['--nope'])).toThrow(SimError);
  });
});
