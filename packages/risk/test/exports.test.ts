import { describe, expect, it } from 'vitest';
import * as api from '../src/index.js';

describe('public API', () => {
  it('exports exactly the documented names', () => {
    expect(Object.keys(api).sort()).toEqual([
      'AuditUnavailableError',
      'RISK_CONFIG_FIELDS',
      'RiskCode',
      'RiskConfig',
      'RiskConfigError',
      'RiskManager',
      'riskEnvName',
      'tradingDayOf',
    ]);
  });

  it('documents every rejection code in the README', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    for (const code of Object.values(api.RiskCode)) expect(readme).toContain(`| \`${code}\` |`);
  });

  it('documents every configuration field and its env variable in the README', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    for (const field of api.RISK_CONFIG_FIELDS) {
      expect(readme).toContain(`| \`${field}\` | \`${api.riskEnvName(field)}\` |`);
    }
  });
});
