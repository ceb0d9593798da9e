import fc from 'fast-check';
import { expect, it } from 'vitest';
import { SmallMap } from '../src/small-map.js';

it("a transaction's SmallMap answers and iterates exactly like a Map, through its switch from one entry to many", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.option(fc.integer(), { nil: undefined })), {
        maxLength: 12,
      }),
      (ops) => {
        const small = new SmallMap<string, number | undefined>();
        const reference = new Map<string, number | undefined>();
        for (const [key, value] of ops) {
          small.set(key, value);
          reference.set(key, value);
          expect(small.size).toBe(reference.size);
          for (const k of ['a', 'b', 'c', 'd']) {
            expect(small.has(k)).toBe(reference.has(k));
            expect(small.get(k)).toBe(reference.get(k));
          }
          expect([...small.entries()]).toEqual([...reference.entries()]);
          expect([...small.values()]).toEqual([...reference.values()]);
        }
      },
    ),
    { numRuns: 500 },
  );
});
