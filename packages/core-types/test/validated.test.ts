import { Decimal as OtherCopy } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AuditEvent,
  claimValidatedMarker,
  Decimal,
  Fill,
  isValidated,
  OrderRequest,
  PositionSnapshot,
  parseValidated,
  safeParseMarkingParts,
  safeParseWithValidatedParts,
  validatedOrParse,
} from '../src/index.js';

const raw = { id: 'f', orderId: 'o', symbol: 'BTC-USD', side: 'buy', quantity: '1', price: '2' };

describe('validate once: outputs of a boundary parse are marked', () => {
  it('a parsed value is taken as it is by the same schema, and is frozen so it stays what was parsed', () => {
    const fill = parseValidated(Fill, raw, 'fill');
    expect(isValidated(fill, Fill)).toBe(true);
    expect(validatedOrParse(Fill, fill, 'fill')).toBe(fill);
    expect(Object.isFrozen(fill)).toBe(true);
    expect(() => {
      (fill as { quantity: unknown }).quantity = 'not a decimal';
    }).toThrow(TypeError);
  });

  it('an unmarked, hand-made object is fully validated, however well formed', () => {
    const handMade = Fill.parse(raw); // parsed, but not through the boundary: no mark
    expect(isValidated(handMade, Fill)).toBe(false);
    const again = validatedOrParse(Fill, handMade, 'fill');
    expect(again).not.toBe(handMade);
    expect(again).toEqual(handMade);
    const copy = { ...parseValidated(Fill, raw, 'fill') };
    expect(isValidated(copy, Fill)).toBe(false);
    expect(() => validatedOrParse(Fill, { ...copy, quantity: '-1' }, 'fill')).toThrow(/quantity/);
    expect(() => validatedOrParse(Fill, { ...raw, extra: 1 }, 'fill')).toThrow();
  });

  it('the mark cannot be seen, copied or forged: no copy of a marked value is marked', () => {
    const fill = parseValidated(Fill, raw, 'fill');
    expect(Reflect.ownKeys(fill)).toEqual(Object.keys(Fill.parse(raw)));
    expect(JSON.stringify(fill)).toBe(JSON.stringify(Fill.parse(raw)));
    const copies = [
      { ...fill },
      Object.assign({}, fill),
      Object.create(fill) as object,
      Object.fromEntries(Object.entries(fill)),
      new Proxy(fill, {}),
    ];
    for (const copy of copies) expect(isValidated(copy, Fill)).toBe(false);
    expect(Object.getOwnPropertySymbols(fill)).toEqual([]);
  });

  it('a mark holds for its schema only', () => {
    const fill = parseValidated(Fill, raw, 'fill');
    expect(isValidated(fill, OrderRequest)).toBe(false);
    expect(() => validatedOrParse(OrderRequest, fill, 'order')).toThrow();
  });
});

describe('validate once: a constructor of the owning module marks what it builds', () => {
  const Point = z.object({ x: z.number(), y: z.number() }).strict();
  const markPoint = claimValidatedMarker(Point);

  it('marks (and freezes) a value built by hand, and nobody can claim the marker a second time', () => {
    const p = markPoint({ x: 1, y: 2 });
    expect(isValidated(p, Point)).toBe(true);
    expect(validatedOrParse(Point, p, 'point')).toBe(p);
    expect(Object.isFrozen(p)).toBe(true);
    expect(() => claimValidatedMarker(Point)).toThrow(/claimed already/);
    expect(isValidated({ x: 1, y: 2 }, Point)).toBe(false);
  });
});

describe('validate once: an event composed of validated parts', () => {
  const order = { symbol: 'BTC-USD', side: 'buy', orderType: 'limit', quantity: '0.01', price: '50000' };

  it('takes a marked part as it is and parses the other fields, with the output zod gives', () => {
    const marked = parseValidated(OrderRequest, order, 'order');
    const event = { type: 'order_submitted', orderId: 'o1', order: marked, timestamp: 5 };
    const composed = safeParseWithValidatedParts(AuditEvent, event);
    const full = AuditEvent.safeParse(event);
    expect(composed.success).toBe(true);
    if (!composed.success || !full.success) return;
    expect((composed.data as { order: unknown }).order).toBe(marked);
    expect(composed.data).toEqual(full.data);
    expect(Object.keys(composed.data)).toEqual(Object.keys(full.data));
    expect(Object.isFrozen(composed.data)).toBe(false);
    expect(isValidated(composed.data, AuditEvent)).toBe(false);
  });

  it('takes a part marked for the inner schema of an optional field', () => {
    const position = parseValidated(
      PositionSnapshot,
      { symbol: 'ETH-USD', side: 'long', quantity: '1', entryPrice: '3000' },
      'position',
    );
    const event = { type: 'position_updated', symbol: 'ETH-USD', cause: 'fill', position };
    const composed = safeParseWithValidatedParts(AuditEvent, event);
    expect(composed.success && (composed.data as { position: unknown }).position).toBe(position);
    const flat = safeParseWithValidatedParts(AuditEvent, { ...event, position: undefined });
    expect(flat).toEqual(AuditEvent.safeParse({ ...event, position: undefined }));
  });

  it("fully validates an unmarked, hand-made part, and fails with the schema's own issues", () => {
    const handMade = OrderRequest.parse(order); // well formed, but no boundary marked it
    const event = {
      type: 'order_submitted',
      orderId: 'o1',
      order: { ...handMade, quantity: new Decimal(-1) },
    };
    const composed = safeParseWithValidatedParts(AuditEvent, event);
    expect(composed.success).toBe(false);
    expect(composed.error?.issues).toEqual(AuditEvent.safeParse(event).error?.issues);
    const ok = safeParseWithValidatedParts(AuditEvent, {
      type: 'order_submitted',
      orderId: 'o',
      order: handMade,
    });
    expect(ok.success && (ok.data as { order: unknown }).order).not.toBe(handMade);
    // A part marked for another schema is no part of this one: parsed, and refused.
    const fill = parseValidated(Fill, raw, 'fill');
    expect(
      safeParseWithValidatedParts(AuditEvent, { type: 'order_submitted', orderId: 'o', order: fill }).success,
    ).toBe(false);
  });

  it('refuses unknown keys and unknown types as the schema does, and survives a throwing getter', () => {
    const marked = parseValidated(OrderRequest, order, 'order');
    for (const bad of [
      { type: 'order_submitted', orderId: 'o', order: marked, extra: 1 },
      { type: 'no_such_event', orderId: 'o' },
      { type: 'order_submitted', order: marked },
      null,
      [],
    ]) {
      const composed = safeParseWithValidatedParts(AuditEvent, bad);
      expect(composed.success).toBe(false);
      expect(composed.error?.issues).toEqual(AuditEvent.safeParse(bad).error?.issues);
    }
    const hostile = { type: 'order_submitted', orderId: 'o' };
    Object.defineProperty(hostile, 'order', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(() => safeParseWithValidatedParts(AuditEvent, hostile)).toThrow('boom');
  });

  it("checks a Decimal in a decimal field by its schema's own rule: the same output and the same issues", () => {
    const forged = Object.create(Decimal.prototype) as Decimal & Record<string, unknown>;
    Object.assign(forged, { constructor: Decimal, s: 1, e: 3, d: [0, 5] }); // not a genuine Decimal
    const values: unknown[] = [
      new Decimal('1.5'),
      new Decimal('-2'),
      new Decimal(0),
      new Decimal('1e29'),
      new Decimal('1e29').times(100), // beyond DECIMAL_LIMITS
      new Decimal('1e-70'),
      new Decimal(Number.NaN),
      new OtherCopy('3.25'), // another decimal.js copy: parsed into this one's
      forged,
      '4.5',
    ];
    for (const quantity of values) {
      for (const unrealizedPnl of values) {
        const snapshot = {
          symbol: 'BTC-USD',
          side: 'long',
          quantity,
          entryPrice: new Decimal(10),
          unrealizedPnl,
        };
        const composed = safeParseWithValidatedParts(PositionSnapshot, snapshot);
        const schema = PositionSnapshot.safeParse(snapshot);
        expect(composed.success).toBe(schema.success);
        if (schema.success) {
          expect(composed.data).toEqual(schema.data);
          expect(composed.data?.quantity).toBeInstanceOf(Decimal);
        } else expect(composed.error?.issues).toEqual(schema.error.issues);
      }
    }
  });

  it("a parse that marks its parts: each object field is marked for its field's schema, the output is the schema's", () => {
    const event = { type: 'order_filled', fill: raw };
    const result = safeParseMarkingParts(AuditEvent, event);
    expect(result.success).toBe(true);
    expect(result.data).toEqual(AuditEvent.parse(event));
    const fill = (result.data as { fill: unknown }).fill;
    expect(isValidated(fill, Fill)).toBe(true);
    expect(validatedOrParse(Fill, fill, 'fill')).toBe(fill);
    expect(Object.isFrozen(fill)).toBe(true);
    expect(isValidated(result.data, AuditEvent)).toBe(false); // the whole is not marked
    // The optional snapshot of a position update is marked for the inner schema.
    const snapshot = { symbol: 'BTC-USD', side: 'long', quantity: '1', entryPrice: '2' };
    const update = safeParseMarkingParts(AuditEvent, {
      type: 'position_updated',
      symbol: 'BTC-USD',
      cause: 'fill',
      position: snapshot,
    });
    expect(isValidated((update.data as { position: unknown }).position, PositionSnapshot)).toBe(true);
    // A failed parse is the schema's own failure, and marks nothing.
    const bad = { type: 'order_filled', fill: { ...raw, quantity: '-1' } };
    const refused = safeParseMarkingParts(AuditEvent, bad);
    expect(refused.success).toBe(false);
    expect(refused.error?.issues).toEqual(AuditEvent.safeParse(bad).error?.issues);
  });
});
