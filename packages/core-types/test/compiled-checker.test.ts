import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  AccountState,
  AuditEvent,
  ClosedPosition,
  checkWithoutDecimals,
  DecimalSchema,
  Fill,
  isValidWithoutDecimals,
  MarketPrice,
  NonNegativeDecimalSchema,
  OrderRequest,
  PositionSnapshot,
  PositiveDecimalSchema,
  parseValidated,
  RiskFailure,
  SymbolSchema,
  safeParseWithValidatedParts,
  TimestampSchema,
  VenueTimestampSchema,
} from '../src/index.js';

/**
 * The checkers `isValidWithoutDecimals` and `safeParseWithValidatedParts` compile from a schema's definition
 * must give zod's verdict, on valid and invalid values alike. Values come from the schemas themselves
 * (a generator that walks the same definitions, so every event type and field kind is drawn), then some are
 * broken: a member replaced by junk, removed, or an unknown one added.
 */

type Def = {
  type: string;
  checks?: { _zod: { def: { check: string; minimum?: number; maximum?: number; pattern?: RegExp } } }[];
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
};
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def; values?: Set<unknown> } })._zod;

const NOW = Date.now();
const decimalText = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }).map(String),
  fc.constantFrom(
    '0',
    '-0',
    '0.01',
    '50000.5',
    '1e29',
    '1e30',
    '1e-60',
    '1e-61',
    '-2.5',
    '+1',
    '.5',
    'abc',
    '',
  ),
);
const junk = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '-1',
    '1.5',
    'BTC-USD',
    'buy',
    'limit',
    'GTC',
    'a'.repeat(257),
    0,
    -1,
    1.5,
    2 ** 53,
  ),
  fc.constantFrom(true, false, null, [], {}, { a: 1 }, Number.NaN, Number.POSITIVE_INFINITY, undefined),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.anything({ maxDepth: 1 }),
);

function stringArb(def: Def): fc.Arbitrary<unknown> {
  let min = 0;
  let max: number | undefined;
  let pattern: RegExp | undefined;
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    if (d.check === 'min_length') min = d.minimum ?? 0;
    if (d.check === 'max_length') max = d.maximum ?? max;
    if (d.check === 'string_format' && d.pattern !== undefined) pattern = d.pattern;
  }
  const short = Math.min(max ?? 12, min + 12);
  const most = max ?? Number.POSITIVE_INFINITY;
  const top = max ?? short;
  const edges = [
    'x'.repeat(min),
    'x'.repeat(Math.max(0, min - 1)),
    'x'.repeat(top),
    'x'.repeat(top + 1),
    // Code points, not UTF-16 units, are what zod's length checks count.
    '😀'.repeat(Math.max(1, Math.floor(top / 2) + 1)),
    '😀'.repeat(top),
    '😀'.repeat(top + 1),
    '\ud800'.repeat(Math.max(1, min)),
  ];
  return fc.oneof(
    {
      weight: 30,
      arbitrary:
        pattern === undefined
          ? fc.string({ minLength: min, maxLength: short })
          : fc.stringMatching(pattern, { size: 'xsmall' }).filter((t) => t.length >= min && t.length <= most),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: min, maxLength: short }) },
    { weight: 1, arbitrary: fc.constantFrom(...edges) },
  );
}

const arbCache = new Map<z.ZodType, fc.Arbitrary<unknown>>();

/** JSON-like values of `schema`'s input, mostly valid. */
function arb(schema: z.ZodType): fc.Arbitrary<unknown> {
  const cached = arbCache.get(schema);
  if (cached !== undefined) return cached;
  const made = build(schema);
  arbCache.set(schema, made);
  return made;
}

function build(schema: z.ZodType): fc.Arbitrary<unknown> {
  if (schema === DecimalSchema || schema === PositiveDecimalSchema || schema === NonNegativeDecimalSchema) {
    return fc.oneof(
      { weight: 20, arbitrary: fc.integer({ min: 1, max: 1_000_000 }).map((n) => `${n / 100}`) },
      { weight: 2, arbitrary: decimalText },
      { weight: 1, arbitrary: fc.double() },
    );
  }
  if (schema === TimestampSchema) {
    return fc.oneof(
      { weight: 20, arbitrary: fc.integer({ min: 0, max: 253_402_300_799_999 }) },
      { weight: 1, arbitrary: fc.constantFrom(-1, 1.5, 253_402_300_800_000, '2026-01-01T00:00:00Z', 'x') },
    );
  }
  if (schema === VenueTimestampSchema) {
    return fc.oneof(
      { weight: 20, arbitrary: fc.integer({ min: NOW - 1e10, max: NOW + 1e6 }) },
      { weight: 1, arbitrary: fc.constantFrom(0, NOW + 1e10, 1.5) },
    );
  }
  const zod = defOf(schema);
  const def = zod.def;
  switch (def.type) {
    case 'string':
      return stringArb(def);
    case 'number':
      return fc.oneof(
        { weight: 20, arbitrary: fc.integer({ min: 1, max: 1_000_000 }) },
        { weight: 1, arbitrary: fc.constantFrom(0, -1, 0.5, 2 ** 53, -0) },
      );
    case 'boolean':
      return fc.boolean();
    case 'literal':
    case 'enum':
      return fc.constantFrom(...[...(zod.values ?? [])]);
    case 'optional':
    case 'default':
      return fc.option(arb(def.innerType as z.ZodType), { nil: undefined });
    case 'array':
      return fc.array(arb(def.element as z.ZodType), { minLength: 0, maxLength: 3 });
    case 'record':
      return fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 3 });
    case 'union':
      return fc.oneof(...(def.options ?? []).map((o) => arb(o)));
    case 'object': {
      const shape = def.shape ?? {};
      const members: Record<string, fc.Arbitrary<unknown>> = {};
      const required: string[] = [];
      for (const [key, field] of Object.entries(shape)) {
        const t = defOf(field).def.type;
        members[key] =
          t === 'optional' || t === 'default' ? arb(defOf(field).def.innerType as z.ZodType) : arb(field);
        if (t !== 'optional' && t !== 'default') required.push(key);
      }
      return fc.record(members, { requiredKeys: required });
    }
    default:
      return fc.anything({ maxDepth: 1 });
  }
}

/** Objects and arrays inside `value`, for a mutation to pick from. */
function containers(value: unknown, into: (Record<string, unknown> | unknown[])[] = []) {
  if (typeof value === 'object' && value !== null) {
    into.push(value as Record<string, unknown>);
    for (const v of Object.values(value)) containers(v, into);
  }
  return into;
}

const mutation = fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 3 }), junk);

/** Values of `schema`, a third of them broken in one or two places (and many drawn invalid already). */
function values(schema: z.ZodType) {
  return fc
    .tuple(
      arb(schema),
      fc.oneof(
        { weight: 2, arbitrary: fc.constant([]) },
        { weight: 1, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 2 }) },
      ),
    )
    .map(([valid, mutations]) => {
      const value = structuredClone(valid);
      for (const [at, member, op, shared] of mutations) {
        // A copy: the same junk object inserted twice (or into itself) would make a cycle.
        const replacement = typeof shared === 'object' && shared !== null ? structuredClone(shared) : shared;
        const all = containers(value);
        if (all.length === 0) return replacement;
        const target = all[at % all.length] as Record<string, unknown>;
        const keys = Object.keys(target);
        const key = keys.length === 0 ? 'extra' : (keys[member % keys.length] as string);
        if (op === 0 || op === 1) target[key] = replacement;
        else if (op === 2) delete target[key];
        else
          Object.defineProperty(target, member % 2 === 0 ? 'extra' : '__proto__', {
            value: replacement,
            enumerable: true,
            configurable: true,
            writable: true,
          });
      }
      return value;
    });
}

const envelope = { timestamp: z.string(), seq: z.number(), prevHash: z.string(), hash: z.string() };
/** As the audit log's verify checks a line: each event type's schema with the line's envelope. */
const entrySchemas = AuditEvent.options.map((o) => [o.shape.type.value, o.extend(envelope)] as const);

function withEnvelope(schema: z.ZodType) {
  return values(schema).map((v) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? {
          timestamp: '2026-12-02T16:30:00.000000Z',
          ...v,
          seq: 7,
          prevHash: '0'.repeat(64),
          hash: 'f'.repeat(64),
        }
      : v,
  );
}

describe('isValidWithoutDecimals: a checker compiled from the schema, with zod’s verdict', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /**
   * The compiled verdict is observed from outside: zod's own parse of the schema runs only when the compiled
   * checker did not show the value valid. So "zod did not run" must happen exactly when zod accepts.
   */
  function agreesWithZod(schema: z.ZodType, value: unknown, seen: { accepted: number; refused: number }) {
    const spy = vi.spyOn(schema, 'safeParse');
    const verdict = isValidWithoutDecimals(schema, value);
    const compiledAccepted = spy.mock.calls.length === 0;
    spy.mockRestore();
    const zod = checkWithoutDecimals(schema, value).success;
    expect(verdict).toBe(zod);
    expect(compiledAccepted).toBe(zod);
    if (zod) seen.accepted += 1;
    else seen.refused += 1;
  }

  it('every audit event type, as a log line (the envelope included), valid and broken', () => {
    for (const [type, schema] of entrySchemas) {
      const seen = { accepted: 0, refused: 0 };
      fc.assert(
        fc.property(
          withEnvelope(AuditEvent.options.find((o) => o.shape.type.value === type) as z.ZodType),
          (v) => agreesWithZod(schema, v, seen),
        ),
        { numRuns: 300 },
      );
      // Neither side is vacuous: the generator draws both.
      expect(seen.accepted, type).toBeGreaterThan(5);
      expect(seen.refused, type).toBeGreaterThan(10);
    }
  });

  it('the event union and the domain schemas, valid and broken', () => {
    for (const schema of [
      AuditEvent,
      OrderRequest,
      Fill,
      PositionSnapshot,
      ClosedPosition,
      AccountState,
      MarketPrice,
      RiskFailure,
    ]) {
      const seen = { accepted: 0, refused: 0 };
      fc.assert(
        fc.property(values(schema), (v) => agreesWithZod(schema, v, seen)),
        { numRuns: 300 },
      );
      expect(seen.accepted).toBeGreaterThan(10);
      expect(seen.refused).toBeGreaterThan(10);
    }
  });

  it('an order whose type needs a price it lacks: the schema’s own refinement decides', () => {
    const line = {
      symbol: 'BTC-USD',
      side: 'buy',
      orderType: 'limit',
      quantity: '1',
      reduceOnly: false,
      timeInForce: 'GTC',
    };
    const seen = { accepted: 0, refused: 0 };
    agreesWithZod(OrderRequest, line, seen);
    agreesWithZod(OrderRequest, { ...line, orderType: 'market' }, seen);
    agreesWithZod(OrderRequest, { ...line, orderType: 'stop-market', price: '2' }, seen);
    expect(seen).toEqual({ accepted: 1, refused: 2 });
  });
  it('a refinement that runs a checker itself, or a check that throws, leaves every verdict zod’s', () => {
    const Inner = z.string().min(3);
    const Outer = z
      .object({ a: z.string().min(1), b: z.string() })
      .strict()
      .superRefine((o, ctx) => {
        if (!isValidWithoutDecimals(Inner, o.b)) ctx.addIssue({ code: 'custom', message: 'b is too short' });
      });
    const seen = { accepted: 0, refused: 0 };
    for (const v of [
      { a: 'x', b: 'abcd' },
      { a: 'x', b: 'ab' },
      { a: '', b: 'abcd' },
      { a: 'y', b: 'xyz' },
    ]) {
      agreesWithZod(Outer, v, seen);
    }
    expect(seen).toEqual({ accepted: 2, refused: 2 });
    const Throws = z.string().refine((t) => {
      if (t === 'boom') throw new Error('boom');
      return true;
    });
    expect(() => isValidWithoutDecimals(Throws, 'boom')).toThrow('boom'); // as zod's own parse throws
    agreesWithZod(Throws, 'fine', seen);
    agreesWithZod(z.string().min(2), 'ok', seen);
    agreesWithZod(z.string().min(2), 'o', seen);
    expect(seen).toEqual({ accepted: 4, refused: 3 });
  });
});

describe('safeParseWithValidatedParts: string, number, literal and enum fields without zod', () => {
  const leaves: z.ZodType[] = [
    SymbolSchema,
    SymbolSchema.optional(),
    Fill.shape.id,
    Fill.shape.side,
    Fill.shape.liquidity,
    Fill.shape.twapId,
    Fill.shape.dir,
    OrderRequest.shape.orderType,
    z.literal('order_submitted'),
    z.number().int().positive(),
    z.boolean(),
    z.string().regex(/^[0-9a-f]{64}$/),
    z.string().trim().min(1),
    z.string().max(4000),
    TimestampSchema,
    TimestampSchema.optional(),
    VenueTimestampSchema,
    VenueTimestampSchema.optional(),
  ];

  it('gives the output and the issues zod gives, for any value', () => {
    for (const leaf of leaves) {
      const schema = z.object({ a: leaf, b: z.number() }).strict();
      fc.assert(
        fc.property(fc.oneof(arb(leaf), junk), fc.boolean(), (v, absent) => {
          const input = absent ? { b: 1 } : { a: v, b: 1 };
          const ours = safeParseWithValidatedParts(schema, input);
          const theirs = schema.safeParse(input);
          expect(ours.success).toBe(theirs.success);
          if (theirs.success) {
            expect(ours.data).toEqual(theirs.data);
            expect(Object.keys(ours.data as object)).toEqual(Object.keys(theirs.data));
          } else expect(ours.error?.issues).toEqual(theirs.error.issues);
        }),
        { numRuns: 300 },
      );
    }
  });

  it('takes an epoch-ms time as it is (no zod) and leaves any other time form to the schema', () => {
    const schema = z.object({ at: TimestampSchema, b: z.number() }).strict();
    const spy = vi.spyOn(TimestampSchema, 'safeParse');
    const ours = safeParseWithValidatedParts(schema, { at: 1_767_225_600_000, b: 1 });
    expect(ours.success && ours.data).toEqual({ at: 1_767_225_600_000, b: 1 });
    expect(spy).not.toHaveBeenCalled();
    const iso = safeParseWithValidatedParts(schema, { at: '2026-01-01T00:00:00Z', b: 1 });
    expect(iso.success && iso.data).toEqual({ at: 1_767_225_600_000, b: 1 });
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    const refused = safeParseWithValidatedParts(schema, { at: 1.5, b: 1 });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues).toEqual(schema.safeParse({ at: 1.5, b: 1 }).error?.issues);
  });

  it('still parses an unmarked, hand-made order in full, and refuses one the schema refuses', () => {
    const order = { symbol: 'BTC-USD', side: 'buy', orderType: 'limit', quantity: '0.01', price: '50000.5' };
    const spy = vi.spyOn(OrderRequest, 'safeParse');
    const handMade = safeParseWithValidatedParts(AuditEvent, {
      type: 'order_submitted',
      orderId: 'o1',
      order,
    });
    expect(handMade.success).toBe(true);
    expect(spy).toHaveBeenCalled(); // its decimals went through zod: nothing marked the order
    spy.mockRestore();
    const bad = { type: 'order_submitted', orderId: 'o1', order: { ...order, quantity: '0' } };
    const refused = safeParseWithValidatedParts(AuditEvent, bad);
    expect(refused.success).toBe(false);
    expect(refused.error?.issues).toEqual(AuditEvent.safeParse(bad).error?.issues);
    // The same order, marked at its boundary, is taken as it is.
    const marked = parseValidated(OrderRequest, order, 'order');
    const composed = safeParseWithValidatedParts(AuditEvent, {
      type: 'order_submitted',
      orderId: 'o1',
      order: marked,
    });
    expect(composed.success && (composed.data as { order: unknown }).order).toBe(marked);
  });
});
