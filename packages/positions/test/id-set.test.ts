import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CompactIdSet } from '../src/index.js';

const idArb = fc.oneof(
  fc.nat({ max: 5000 }).map((n) => `paper-fill-${n}`),
  fc
    .tuple(fc.constantFrom('BTC', 'ETH', '@107', 'kPEPE'), fc.nat(), fc.nat())
    .map(([c, t, o]) => `${c}:${t}:${o}`),
  fc
    .tuple(fc.constantFrom('007', '0', '00', '1234567890123456', '9007199254740993'), fc.nat(50))
    .map(([a, b]) => `x${a}-${b}`),
  fc.string({ maxLength: 12 }),
  fc
    .array(fc.constantFrom('a', '1', '0', ':', '-', String.fromCharCode(1)), { minLength: 1, maxLength: 20 })
    .map((c) => c.join('')),
);

describe('CompactIdSet: an exact set of ids', () => {
  it('answers has() exactly like a Set<string>, before and after a serialise/parse round trip', () => {
    fc.assert(
      fc.property(
        fc.array(idArb, { maxLength: 3000 }),
        fc.array(idArb, { maxLength: 300 }),
        (added, probes) => {
          const compact = new CompactIdSet();
          const reference = new Set<string>();
          for (const id of added) {
            compact.add(id);
            reference.add(id);
          }
          expect(compact.size).toBe(reference.size);
          const copy = CompactIdSet.parse(compact.serialize());
          expect(copy.size).toBe(reference.size);
          for (const id of [...added, ...probes]) {
            expect(compact.has(id)).toBe(reference.has(id));
            expect(copy.has(id)).toBe(reference.has(id));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('answers like a Set<string> for ids in runs of one shape (a prefix, then digits), however the digits end', () => {
    // Consecutive ids of one prefix are cut without a scan; digits that are not one number as the general
    // cut reads it (a leading zero, 16 digits, a prefix ending in a digit) must land where the scan puts them.
    const prefixArb = fc.constantFrom('f', 'paper-fill-', 'x7-', 'a0', 'b1:', 'BTC:12:', '', '\u0001', 'Z9');
    const digitsArb = fc.oneof(
      fc.nat({ max: 999 }).map(String),
      fc.constantFrom('0', '00', '007', '10', '999999999999999', '1000000000000000', '9007199254740993'),
      fc.constantFrom('1a', '2-3', ''),
    );
    const runArb = fc.tuple(prefixArb, fc.array(digitsArb, { minLength: 1, maxLength: 30 }));
    fc.assert(
      fc.property(
        fc.array(runArb, { maxLength: 12 }),
        fc.array(runArb, { maxLength: 4 }),
        (runs, probeRuns) => {
          const ids = (rs: typeof runs) => rs.flatMap(([p, ds]) => ds.map((d) => p + d));
          const compact = new CompactIdSet();
          const reference = new Set<string>();
          for (const id of ids(runs)) {
            compact.add(id);
            reference.add(id);
          }
          expect(compact.size).toBe(reference.size);
          const copy = CompactIdSet.parse(compact.serialize());
          for (const id of [...ids(runs), ...ids(probeRuns)]) {
            expect(compact.has(id)).toBe(reference.has(id));
            expect(copy.has(id)).toBe(reference.has(id));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('tells apart ids that differ only in leading zeros, long digit runs or the number of numbers', () => {
    const set = new CompactIdSet();
    for (const id of ['f-7', 'f-007', 'f-12345678901234567', 'a1b2c3d4', 'tid:1:2']) set.add(id);
    for (const id of ['f-7', 'f-007', 'f-12345678901234567', 'a1b2c3d4', 'tid:1:2'])
      expect(set.has(id)).toBe(true);
    for (const id of ['f-07', 'f-0', 'f-12345678901234566', 'a1b2c3d5', 'tid:1:3', 'tid:2:1', 'tid:1']) {
      expect(set.has(id)).toBe(false);
    }
  });

  it('keeps a million sequential ids in a few bytes of text (1,000,000 adds)', () => {
    const set = new CompactIdSet();
    for (let i = 1; i <= 1_000_000; i += 1) set.add(`paper-fill-${i}`);
    expect(set.size).toBe(1_000_000);
    expect(set.serialize().length).toBeLessThan(100);
    expect(set.has('paper-fill-1000000')).toBe(true);
    expect(set.has('paper-fill-1000001')).toBe(false);
  });

  it('refuses text that is not its serialised form', () => {
    expect(() => CompactIdSet.parse('{"v":2}')).toThrow();
    expect(() => CompactIdSet.parse('{"v":1,"b":[["a\\u0001",1,"5,3"]],"s":[]}')).not.toThrow();
    expect(() => CompactIdSet.parse('{"v":1,"b":[["a\\u0001",1,"5,0"]],"s":[]}')).toThrow(/increasing/);
    expect(() => CompactIdSet.parse('{"v":1,"b":[["a\\u0001",2,"5"]],"s":[]}')).toThrow();

    // The binary form (v2) of two-number ids `a<n>.<m>`: each tuple's numbers as deltas from the previous one.
    const v2 = (bytes: number[]) =>
      `{"v":2,"b":[["a\\u0001.\\u0001",2,"${Buffer.from(bytes).toString('base64')}"]],"s":[]}`;
    const ok = CompactIdSet.parse(v2([5, 6, 0, 2, 1, 1]));
    expect([ok.has('a5.3'), ok.has('a5.4'), ok.has('a6.3'), ok.has('a5.5'), ok.size]).toEqual([
      true,
      true,
      true,
      false,
      3,
    ]);
    expect(() => CompactIdSet.parse(v2([5, 6, 0, 0]))).toThrow(/increasing/); // the same id twice
    expect(() => CompactIdSet.parse(v2([5, 6, 0, 1]))).toThrow(/increasing/); // a5.3 then a5.2
    expect(() => CompactIdSet.parse(v2([5, 6, 0, 7]))).toThrow(/bad number/); // a5.-1
    expect(() => CompactIdSet.parse(v2([5, 6, 0]))).toThrow(/cut off/); // a tuple without its second number
    expect(() => CompactIdSet.parse(v2([5, 0x86]))).toThrow(/cut off/);
    expect(() => CompactIdSet.parse(v2([5, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 1]))).toThrow(
      /too long/,
    );
    expect(() => CompactIdSet.parse(v2([5, 6]).replace('BQY=', 'B!Y='))).toThrow(/base64/);
  });
});
