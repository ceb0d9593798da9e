/**
 * An exact set of ids (fill ids) in a fraction of a `Set<string>`'s memory.
 *
 * Venue ids are mostly a fixed text with numbers in it (`BTC-USD:123456789:987654`, `paper-fill-42`). Each
 * id is split into its template (the text with every number of up to 15 digits, without a leading zero,
 * cut out) and those numbers; ids of one template keep their numbers as doubles (exact below 2^53) in
 * sorted Float64Array runs, merged like a log-structured merge tree (a new run per 1,024 ids, runs of
 * similar size merged), so a lookup is a few binary searches and an insert amortised O(log n). Ids of
 * another shape (no number, more than 3, a character the template uses) stay strings. Nothing is dropped
 * or hashed: `has` is exact.
 */

const MAX_NUMBERS = 3;
const PENDING_MAX = 1024;
const NUMBER = /(?:0|[1-9]\d{0,14})(?!\d)/y;
// Cuts out numbers; this character marks where one was, so an id that contains it stays a string.
const MARK = '\u0001';

class Bucket {
  /** Sorted runs of tuples (k numbers each, flattened), largest first. */
  runs: Float64Array[] = [];
  /** Recent tuples not yet in a run: key -> tuple. */
  pending = new Map<string | number, number[]>();
  size = 0;

  constructor(readonly k: number) {}

  /** The largest tuple in any run (ids mostly grow, so most new ones are beyond it). */
  max: number[] | undefined;

  has(nums: readonly number[], key: string | number): boolean {
    if (this.pending.has(key)) return true;
    const k = this.k;
    if (this.max === undefined || compareTuples(nums, this.max, k) > 0) return false;
    for (const run of this.runs) {
      const last = run.length - k;
      // Outside a run's first..last tuple: no search.
      if (compareTuples(nums, run, k, 0, 0) < 0 || compareTuples(nums, run, k, 0, last) > 0) continue;
      if (search(run, k, nums) >= 0) return true;
    }
    return false;
  }

  add(nums: number[], key: string | number): void {
    this.pending.set(key, nums);
    this.size += 1;
    if (this.pending.size >= PENDING_MAX) this.flush();
  }

  flush(): void {
    if (this.pending.size === 0) return;
    const k = this.k;
    const tuples = [...this.pending.values()];
    if (k === 1) tuples.sort((a, b) => (a[0] as number) - (b[0] as number));
    else tuples.sort((a, b) => compareTuples(a, b, k));
    const run = new Float64Array(tuples.length * k);
    for (let i = 0; i < tuples.length; i += 1) {
      const t = tuples[i] as number[];
      for (let j = 0; j < k; j += 1) run[i * k + j] = t[j] as number;
    }
    this.pending.clear();
    const top = tuples[tuples.length - 1] as number[];
    if (this.max === undefined || compareTuples(top, this.max, k) > 0) this.max = top;
    this.runs.push(run);
    while (this.runs.length >= 2) {
      const last = this.runs[this.runs.length - 1] as Float64Array;
      const before = this.runs[this.runs.length - 2] as Float64Array;
      if (before.length > 2 * last.length) break;
      this.runs.splice(this.runs.length - 2, 2, merge(before, last, k));
    }
  }

  /** Every tuple in order (for serialising). */
  sorted(): Float64Array {
    this.flush();
    if (this.runs.length === 1) return this.runs[0] as Float64Array;
    let all: Float64Array = new Float64Array(0);
    for (const run of this.runs) all = merge(all, run, this.k);
    this.runs = all.length === 0 ? [] : [all];
    return all;
  }
}

function compareTuples(a: ArrayLike<number>, b: ArrayLike<number>, k: number, ai = 0, bi = 0): number {
  for (let j = 0; j < k; j += 1) {
    const d = (a[ai + j] as number) - (b[bi + j] as number);
    if (d !== 0) return d;
  }
  return 0;
}

function search(run: Float64Array, k: number, nums: readonly number[]): number {
  let lo = 0;
  let hi = run.length / k - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareTuples(run, nums, k, mid * k, 0);
    if (c === 0) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

function merge(a: Float64Array, b: Float64Array, k: number): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < a.length && j < b.length) {
    if (compareTuples(a, b, k, i, j) <= 0) {
      for (let x = 0; x < k; x += 1) out[o++] = a[i++] as number;
    } else {
      for (let x = 0; x < k; x += 1) out[o++] = b[j++] as number;
    }
  }
  while (i < a.length) out[o++] = a[i++] as number;
  while (j < b.length) out[o++] = b[j++] as number;
  return out;
}

/** An id cut once (`CompactIdSet.key`): its template and numbers, or only the id when it stays a string. */
export type IdKey =
  | { readonly id: string; readonly template: undefined; readonly nums: undefined; readonly key: 0 }
  | {
      readonly id: string;
      readonly template: string;
      readonly nums: number[];
      readonly key: string | number;
    };

interface Split {
  readonly template: string;
  readonly nums: number[];
}

/**
 * The text before the number of the last id cut that ended in its only number (`f` of `f41`), with its
 * template: ids mostly come one after another in one shape, so the next one (`f42`) is cut without a scan,
 * a regular expression or a new template string.
 */
let lastPrefix = '';
let lastTemplate = '';

/** The number that `id` holds from `from` to its end (digits only, no leading zero, up to 15), or -1. */
function trailingNumber(id: string, from: number): number {
  const digits = id.length - from;
  if (digits < 1 || digits > 15) return -1;
  if (digits > 1 && id.charCodeAt(from) === 0x30) return -1;
  let n = 0;
  for (let i = from; i < id.length; i += 1) {
    const c = id.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

/**
 * The number of `id` when it is the last cut prefix (its template `lastTemplate`) followed by one number
 * (`f42` after `f41`), else -1. The prefix was cut the same way before (nothing after it changes how it is
 * cut: it ends in a non-digit), and the rest is one number as NUMBER matches it.
 */
function numberAfterLastPrefix(id: string): number {
  return lastPrefix.length > 0 && id.startsWith(lastPrefix) ? trailingNumber(id, lastPrefix.length) : -1;
}

function split(id: string): Split | undefined {
  const n = numberAfterLastPrefix(id);
  if (n >= 0) return { template: lastTemplate, nums: [n] };
  const s = scan(id);
  if (s !== undefined && s.nums.length === 1 && s.template.endsWith(MARK)) {
    const prefix = id.slice(0, id.length - String(s.nums[0]).length);
    if (prefix.length > 0 && trailingNumber(id, prefix.length) === s.nums[0]) {
      lastPrefix = prefix;
      lastTemplate = s.template;
    }
  }
  return s;
}

function scan(id: string): Split | undefined {
  if (id.includes(MARK)) return undefined;
  let template = '';
  const nums: number[] = [];
  let i = 0;
  let literalStart = 0;
  while (i < id.length) {
    const c = id.charCodeAt(i);
    const digit = c >= 0x30 && c <= 0x39;
    const afterDigit = i > 0 && isDigit(id.charCodeAt(i - 1));
    if (digit && !afterDigit) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(id);
      if (m !== null) {
        if (nums.length === MAX_NUMBERS) return undefined;
        template += id.slice(literalStart, i) + MARK;
        nums.push(Number(m[0]));
        i += m[0].length;
        literalStart = i;
        continue;
      }
      // A run with a leading zero or longer than 15 digits stays literal text, whole.
      while (i < id.length && isDigit(id.charCodeAt(i))) i += 1;
      continue;
    }
    i += 1;
  }
  if (nums.length === 0) return undefined;
  return { template: template + id.slice(literalStart), nums };
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function keyOf(nums: readonly number[]): string | number {
  return nums.length === 1 ? (nums[0] as number) : nums.join(',');
}

/**
 * Serialised form: `{"v":2,"b":[[template,k,data],...],"s":[...strings]}` (`v` 1: the same with base-36
 * text data, still read).
 */
interface Serialised {
  v: 1 | 2;
  b: Array<[string, number, string]>;
  s: string[];
}

/** An exact, compact set of ids. */
export class CompactIdSet {
  readonly #buckets = new Map<string, Bucket>();
  readonly #strings = new Set<string>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /**
   * `id` cut into its template and numbers once, for `hasKey` / `addKey` on any CompactIdSet: the tracker
   * looks a fill id up and then adds it to two sets, and cutting it was a good part of the cost per fill.
   */
  static key(id: string): IdKey {
    // The common case without the intermediate Split (`keyOf` of one number is the number).
    const n = numberAfterLastPrefix(id);
    if (n >= 0) return { id, template: lastTemplate, nums: [n], key: n };
    const s = split(id);
    return s === undefined
      ? { id, template: undefined, nums: undefined, key: 0 }
      : { id, template: s.template, nums: s.nums, key: keyOf(s.nums) };
  }

  has(id: string): boolean {
    return this.hasKey(CompactIdSet.key(id));
  }

  add(id: string): void {
    this.addKey(CompactIdSet.key(id));
  }

  /** `has(k.id)`, with the id already cut (`CompactIdSet.key`). */
  hasKey(k: IdKey): boolean {
    if (k.template === undefined) return this.#strings.has(k.id);
    const bucket = this.#buckets.get(k.template);
    return bucket !== undefined && bucket.k === k.nums.length && bucket.has(k.nums, k.key);
  }

  /** `add(k.id)`, with the id already cut (`CompactIdSet.key`). */
  addKey(k: IdKey): void {
    if (k.template === undefined) {
      if (!this.#strings.has(k.id)) {
        this.#strings.add(k.id);
        this.#size += 1;
      }
      return;
    }
    let bucket = this.#buckets.get(k.template);
    if (bucket === undefined) {
      bucket = new Bucket(k.nums.length);
      this.#buckets.set(k.template, bucket);
    }
    if (bucket.has(k.nums, k.key)) return;
    // Buckets only read the tuple they keep, so two sets may share one key's numbers.
    bucket.add(k.nums, k.key);
    this.#size += 1;
  }

  /**
   * A compact text form: per template, its sorted numbers as base64 of unsigned LEB128 varints;
   * consecutive single numbers as ranges (start after the previous end, extra count), tuples as the delta
   * of their first number and the zigzag delta of each other number from the previous tuple's. A million
   * venue fill ids with growing numbers take a few bytes each.
   */
  serialize(): string {
    const out: Serialised = { v: 2, b: [], s: [...this.#strings] };
    for (const [template, bucket] of this.#buckets) {
      const all = bucket.sorted();
      const k = bucket.k;
      const w = new VarintWriter(all.length * 2 + 16);
      if (k === 1) {
        let i = 0;
        let prevEnd = -1;
        while (i < all.length) {
          const start = all[i] as number;
          let j = i + 1;
          while (j < all.length && all[j] === (all[j - 1] as number) + 1) j += 1;
          w.write(start - prevEnd);
          w.write(j - i - 1);
          prevEnd = start + (j - i - 1);
          i = j;
        }
      } else {
        for (let i = 0; i < all.length; i += k) {
          w.write((all[i] as number) - (i === 0 ? 0 : (all[i - k] as number)));
          for (let j = 1; j < k; j += 1) {
            const d = (all[i + j] as number) - (i === 0 ? 0 : (all[i + j - k] as number));
            w.write(d < 0 ? -2 * d - 1 : 2 * d);
          }
        }
      }
      out.b.push([template, k, w.base64()]);
    }
    return JSON.stringify(out);
  }

  /**
   * Reads `serialize`'s output back.
   *
   * @throws {Error} for text that is not that form
   */
  static parse(text: string): CompactIdSet {
    const data = JSON.parse(text) as Serialised;
    if ((data?.v !== 1 && data?.v !== 2) || !Array.isArray(data.b) || !Array.isArray(data.s)) {
      throw new Error('not a serialised id set');
    }
    const set = new CompactIdSet();
    for (const id of data.s) {
      if (typeof id !== 'string') throw new Error('id set: a string id is not a string');
      set.add(id);
    }
    for (const entry of data.b) {
      if (!Array.isArray(entry)) throw new Error('id set: bad template');
      const [template, k, body] = entry;
      if (typeof template !== 'string' || !Number.isInteger(k) || k < 1 || k > MAX_NUMBERS) {
        throw new Error('id set: bad template');
      }
      if (typeof body !== 'string' || body.length === 0) continue;
      if (template.split(MARK).length !== k + 1) {
        throw new Error('id set: template does not match its number count');
      }
      if (set.#buckets.has(template)) throw new Error('id set: a template appears twice');
      const values =
        data.v === 2 ? decodeBinary(body, k) : k === 1 ? parseRanges(body) : parseTuples(body, k);
      const bucket = new Bucket(k);
      bucket.runs = [values];
      bucket.max = Array.from(values.subarray(values.length - k));
      bucket.size = values.length / k;
      set.#buckets.set(template, bucket);
      set.#size += bucket.size;
    }
    return set;
  }

  /**
   * One set of the ids of `sets`, which must be disjoint (each id in one of them): a checkpoint's ids
   * come in parts that never repeat an id, so a repeat means the parts do not belong together.
   *
   * @throws {Error} when an id is in two of the sets
   */
  static union(sets: readonly CompactIdSet[]): CompactIdSet {
    const out = new CompactIdSet();
    const runs = new Map<string, { k: number; runs: Float64Array[] }>();
    for (const set of sets) {
      for (const id of set.#strings) {
        if (out.#strings.has(id)) throw new Error('id set: an id is in two of the sets');
        out.#strings.add(id);
      }
      for (const [template, bucket] of set.#buckets) {
        const all = bucket.sorted();
        if (all.length === 0) continue;
        const r = runs.get(template) ?? { k: bucket.k, runs: [] };
        if (r.k !== bucket.k) throw new Error('id set: a template with two number counts');
        r.runs.push(all);
        runs.set(template, r);
      }
    }
    out.#size = out.#strings.size;
    for (const [template, { k, runs: list }] of runs) {
      // Ids grow over time, so the parts of a chain of checkpoints mostly cover separate ranges: those stay
      // separate runs (no copy; a lookup skips a run whose range does not hold the id). Overlapping ones are
      // merged, which finds an id in two of them.
      list.sort((a, b) => compareTuples(a, b, k));
      const kept: Float64Array[] = [];
      for (const run of list) {
        const prev = kept.at(-1);
        if (prev !== undefined && compareTuples(prev, run, k, prev.length - k, 0) >= 0) {
          kept[kept.length - 1] = mergeDisjoint(prev, run, k);
        } else kept.push(run);
      }
      let size = 0;
      for (const run of kept) size += run.length / k;
      const last = kept.at(-1) as Float64Array;
      const bucket = new Bucket(k);
      // Largest first, as `flush` keeps them.
      bucket.runs = kept.sort((a, b) => b.length - a.length);
      bucket.max = Array.from(last.subarray(last.length - k));
      bucket.size = size;
      out.#buckets.set(template, bucket);
      out.#size += size;
    }
    return out;
  }
}

function mergeDisjoint(a: Float64Array, b: Float64Array, k: number): Float64Array {
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < a.length && j < b.length) {
    const c = compareTuples(a, b, k, i, j);
    if (c === 0) throw new Error('id set: an id is in two of the sets');
    if (c < 0) for (let x = 0; x < k; x += 1) out[o++] = a[i++] as number;
    else for (let x = 0; x < k; x += 1) out[o++] = b[j++] as number;
  }
  while (i < a.length) out[o++] = a[i++] as number;
  while (j < b.length) out[o++] = b[j++] as number;
  return out;
}

/**
 * A scanner over a serialised body: base-36 numbers (each a safe integer) and the separators between
 * them, read in place (a million ids are read without a string per token).
 */
class Scanner {
  pos = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  number(): number {
    const text = this.text;
    let n = 0;
    const begin = this.pos;
    let pos = begin;
    for (; pos < text.length; pos += 1) {
      const c = text.charCodeAt(pos);
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x7a) d = c - 0x61 + 10;
      else break;
      n = n * 36 + d;
      if (n > Number.MAX_SAFE_INTEGER) throw new Error(`id set: bad number at ${begin}`);
    }
    if (pos === begin) throw new Error(`id set: bad number at ${begin}`);
    this.pos = pos;
    return n;
  }

  /** Consumes `c` if it is next. */
  take(c: number): boolean {
    if (this.text.charCodeAt(this.pos) !== c) return false;
    this.pos += 1;
    return true;
  }
}

const COMMA = 0x2c;
const PLUS = 0x2b;
const DOT = 0x2e;

class Growing {
  data: Float64Array;
  length = 0;

  constructor(capacity = 1024) {
    this.data = new Float64Array(Math.max(16, capacity));
  }

  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }

  done(): Float64Array {
    // A view when little would be wasted: a copy of a million ids costs more than the spare room.
    return this.length * 4 >= this.data.length * 3
      ? this.data.subarray(0, this.length)
      : this.data.slice(0, this.length);
  }
}

/** `start[+count]` tokens, each start a delta from the previous range's end. */
function parseRanges(body: string): Float64Array {
  const sc = new Scanner(body);
  const out = new Growing();
  let prevEnd = -1;
  for (;;) {
    const delta = sc.number();
    const count = sc.take(PLUS) ? sc.number() : 0;
    const start = prevEnd + (prevEnd < 0 ? 1 : 0) + delta;
    if (start <= prevEnd || start + count > Number.MAX_SAFE_INTEGER)
      throw new Error('id set: not increasing');
    for (let n = start; n <= start + count; n += 1) out.push(n);
    prevEnd = start + count;
    if (sc.done) break;
    if (!sc.take(COMMA)) throw new Error(`id set: unexpected character at ${sc.pos}`);
  }
  return out.done();
}

/** `first.second[.third]` tokens, the first number a delta from the previous tuple's. */
function parseTuples(body: string, k: number): Float64Array {
  const sc = new Scanner(body);
  const out = new Growing();
  let first = 0;
  let prevAt = -1;
  for (;;) {
    first += sc.number();
    if (first > Number.MAX_SAFE_INTEGER) throw new Error('id set: bad number');
    const at = out.length;
    out.push(first);
    for (let j = 1; j < k; j += 1) {
      if (!sc.take(DOT)) throw new Error('id set: tuple of the wrong length');
      out.push(sc.number());
    }
    if (prevAt >= 0 && compareTuples(out.data, out.data, k, prevAt, at) >= 0)
      throw new Error('id set: not increasing');
    prevAt = at;
    if (sc.done) break;
    if (sc.take(DOT)) throw new Error('id set: tuple of the wrong length');
    if (!sc.take(COMMA)) throw new Error(`id set: unexpected character at ${sc.pos}`);
  }
  return out.done();
}

/** Unsigned LEB128 of safe integers (floats: values go past 32 bits). */
class VarintWriter {
  bytes: Uint8Array;
  length = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
  }

  write(value: number): void {
    if (this.length + 8 > this.bytes.length) {
      const next = new Uint8Array(this.bytes.length * 2 + 16);
      next.set(this.bytes.subarray(0, this.length));
      this.bytes = next;
    }
    let v = value;
    const bytes = this.bytes;
    let at = this.length;
    while (v >= 128) {
      bytes[at++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    bytes[at++] = v;
    this.length = at;
  }

  base64(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.length).toString('base64');
  }
}

/** `serialize`'s v2 data of one template back into its sorted tuples, checked to be strictly increasing. */
function decodeBinary(body: string, k: number): Float64Array {
  const bytes = Buffer.from(body, 'base64');
  // Buffer skips characters that are not base64: then fewer bytes come out than the length promises.
  const padding = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0;
  if (body.length % 4 !== 0 || bytes.length !== (body.length / 4) * 3 - padding) {
    throw new Error('id set: data is not base64');
  }
  const reader = new VarintReader(bytes);
  if (k === 1) {
    const out = new Growing(1024);
    let prevEnd = -1;
    while (reader.at < bytes.length) {
      const delta = reader.read();
      const extra = reader.read();
      const start = prevEnd + delta;
      if (delta < 1 || start + extra > Number.MAX_SAFE_INTEGER) throw new Error('id set: not increasing');
      for (let n = start; n <= start + extra; n += 1) out.push(n);
      prevEnd = start + extra;
    }
    return out.done();
  }
  // Every number takes at least one byte: tuples never outgrow this.
  const out = new Growing(bytes.length);
  let prevAt = -1;
  while (reader.at < bytes.length) {
    const here = out.length;
    const first = reader.read() + (prevAt < 0 ? 0 : (out.data[prevAt] as number));
    if (first > Number.MAX_SAFE_INTEGER) throw new Error('id set: bad number');
    out.push(first);
    for (let j = 1; j < k; j += 1) {
      const z = reader.read();
      const d = z % 2 === 0 ? z / 2 : -(z + 1) / 2;
      const v = d + (prevAt < 0 ? 0 : (out.data[prevAt + j] as number));
      if (v < 0 || v > Number.MAX_SAFE_INTEGER) throw new Error('id set: bad number');
      out.push(v);
    }
    if (prevAt >= 0 && compareTuples(out.data, out.data, k, prevAt, here) >= 0)
      throw new Error('id set: not increasing');
    prevAt = here;
  }
  return out.done();
}

/** Reads `VarintWriter`'s numbers back, refusing one that is cut off, longer than 8 bytes or not safe. */
class VarintReader {
  at = 0;
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  read(): number {
    const bytes = this.#bytes;
    let at = this.at;
    let v = 0;
    let scale = 1;
    for (let i = 0; ; i += 1) {
      if (at >= bytes.length || i > 7) throw new Error('id set: a number is cut off or too long');
      const b = bytes[at++] as number;
      v += (b & 127) * scale;
      if (b < 128) break;
      scale *= 128;
    }
    if (v > Number.MAX_SAFE_INTEGER) throw new Error('id set: bad number');
    this.at = at;
    return v;
  }
}
