import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AuditEvent,
  checkWithoutDecimals,
  Decimal,
  DecimalSchema,
  Fill,
  NonNegativeDecimalSchema,
  PositiveDecimalSchema,
} from '../src/index.js';

const issuesOf = (result: { success: boolean; error?: { issues: unknown[] } }) =>
  result.success ? [] : result.error?.issues;

describe('checkWithoutDecimals: the same verdict as a parse, without building Decimals', () => {
  const decimalLike = fc.oneof(
    fc.double({ noNaN: false }).map(String),
    fc.bigInt().map(String),
    fc.stringMatching(/^[+-]?\d{0,6}(\.\d{0,6})?([eE][+-]?\d{1,3})?$/),
    fc.constantFrom('0', '-0', '+0', '0.000', '-0.0e5', '.5', '5.', '1e-8', '-1e-8', '', '.', 'e1', '1.2.3'),
    // Around the DECIMAL_LIMITS edges: exponent, significant digits, string length.
    fc.constantFrom(
      '1e29',
      '9.99e29',
      '1e30',
      '10e29',
      '0.1e30',
      '1e-60',
      '1e-61',
      '0.01e-58',
      '100e-62',
      '0e999999',
    ),
    fc
      .tuple(
        fc.integer({ min: 1, max: 45 }),
        fc.integer({ min: 0, max: 45 }),
        fc.integer({ min: -70, max: 40 }),
      )
      .map(([a, b, e]) => `${'7'.repeat(a)}.${'0'.repeat(b)}3e${e}`),
    fc
      .tuple(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 70 }))
      .map(([z, t]) => `0.${'0'.repeat(z)}5${'0'.repeat(t)}`),
    fc.integer({ min: 100, max: 140 }).map((n) => '1'.padEnd(n, '0')),
    fc.string(),
  );

  it('accepts and refuses exactly what the parse does, with the same issues', () => {
    fc.assert(
      fc.property(decimalLike, (value) => {
        for (const schema of [DecimalSchema, PositiveDecimalSchema, NonNegativeDecimalSchema]) {
          const parsed = schema.safeParse(value);
          const checked = checkWithoutDecimals(schema, value);
          expect(checked.success).toBe(parsed.success);
          expect(issuesOf(checked)).toEqual(issuesOf(parsed));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('leaves decimal strings as they are (no Decimal is built) and the normal parse still builds them', () => {
    const raw = { id: 'f1', orderId: 'o1', symbol: 'BTC-USD', side: 'buy', quantity: '0.5', price: '50000' };
    const checked = checkWithoutDecimals(Fill, raw);
    expect(checked.success && checked.data.quantity).toBe('0.5');
    const parsed = Fill.parse(raw);
    expect(parsed.quantity).toBeInstanceOf(Decimal);
  });

  it('refuses a negative quantity inside an event with the message the parse gives', () => {
    const event = {
      type: 'order_submitted',
      orderId: 'o1',
      order: { symbol: 'BTC-USD', side: 'buy', orderType: 'market', quantity: '-1' },
    };
    const checked = checkWithoutDecimals(AuditEvent, event);
    const parsed = AuditEvent.safeParse(event);
    expect(checked.success).toBe(false);
    expect(issuesOf(checked)).toEqual(issuesOf(parsed));
    expect(JSON.stringify(issuesOf(checked))).toContain('must be greater than 0');
  });
});
