import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** `audit-YYYY-MM-DD.jsonl`: the day files of `@hl-bot/audit`, in order by name. */
const DAY_FILE = /^audit-\d{4}-\d{2}-\d{2}\.jsonl$/;
const CHUNK = 1 << 20;
const SEQ = /"seq":(\d+),"prevHash":"[0-9a-f]{64}","hash":"[0-9a-f]{64}"\}$/;

export async function dayFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => DAY_FILE.test(f)).sort();
}

/** The seq a complete audit line ends with (the logger writes seq, prevHash and hash last), or undefined. */
export function seqOfLine(line: string): number | undefined {
  const m = SEQ.exec(line);
  return m === null ? undefined : Number(m[1]);
}

/** The first line of a file, or undefined when it has no complete line yet. */
async function firstLine(path: string): Promise<string | undefined> {
  const handle = await open(path, 'r');
  try {
    let text = '';
    const buffer = Buffer.alloc(64 * 1024);
    let position = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) return undefined;
      const chunk = buffer.toString('utf8', 0, bytesRead);
      const nl = chunk.indexOf('\n');
      if (nl >= 0) return text + chunk.slice(0, nl);
      text += chunk;
      position += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/**
 * Reads an audit log's day files as they grow, line by line, from a given seq on: each `read()` returns
 * the complete lines appended since the last one (a line still being written stays for the next read).
 * It never holds more than one chunk of a file in memory, and starts in the newest day file whose first
 * line is at or before the wanted seq, so following a year-long log does not re-read the year.
 */
export class LogFollower {
  readonly #dir: string;
  #after: number;
  #file: string | undefined;
  #offset = 0;

  private constructor(dir: string, after: number) {
    this.#dir = dir;
    this.#after = after;
  }

  /** Follows `dir` from the first line with a seq above `after`. */
  static async from(dir: string, after: number): Promise<LogFollower> {
    const follower = new LogFollower(dir, after);
    const files = await dayFiles(dir);
    // The newest file that starts at or before the line wanted (earlier files hold only older lines).
    for (let i = files.length - 1; i >= 0; i--) {
      const name = files[i] as string;
      const first = await firstLine(join(dir, name));
      const seq = first === undefined ? undefined : seqOfLine(first);
      if (seq !== undefined && seq <= after + 1) {
        follower.#file = name;
        break;
      }
    }
    follower.#file ??= files[0];
    return follower;
  }

  /** The lines appended since the last read, at most about `maxBytes` of them (the rest comes next time). */
  async read(maxBytes = 8 * CHUNK): Promise<string[]> {
    const out: string[] = [];
    let budget = maxBytes;
    for (;;) {
      if (this.#file === undefined) {
        this.#file = (await dayFiles(this.#dir))[0];
        if (this.#file === undefined) return out;
      }
      const got = await this.#readFile(this.#file, out, budget);
      budget -= got;
      if (budget <= 0) return out;
      // At the end of this file: move to the next day file once one exists. The logger writes a day's
      // last line before it opens the next day's file, so nothing is left behind in this one.
      const files = await dayFiles(this.#dir);
      const next = files.find((f) => f > (this.#file as string));
      if (next === undefined) return out;
      // Lines written to this file between the read above and the listing: take them first.
      if ((await this.#readFile(this.#file, out, budget)) > 0) continue;
      this.#file = next;
      this.#offset = 0;
    }
  }

  /** Appends the complete lines after the offset to `out`; returns the bytes consumed. */
  async #readFile(name: string, out: string[], budget: number): Promise<number> {
    const handle = await open(join(this.#dir, name), 'r');
    let consumed = 0;
    try {
      const buffer = Buffer.alloc(CHUNK);
      let carry = Buffer.alloc(0);
      while (consumed < budget) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.#offset + carry.length);
        if (bytesRead === 0) break;
        const data =
          carry.length === 0
            ? buffer.subarray(0, bytesRead)
            : Buffer.concat([carry, buffer.subarray(0, bytesRead)]);
        let start = 0;
        for (let nl = data.indexOf(10, start); nl >= 0; nl = data.indexOf(10, start)) {
          const line = data.toString('utf8', start, nl);
          start = nl + 1;
          if (line.length === 0) continue;
          const seq = seqOfLine(line);
          // Lines the table already has are skipped; a line without a seq goes on, for the mirror to refuse.
          if (seq !== undefined && seq <= this.#after) continue;
          if (seq !== undefined) this.#after = seq;
          out.push(line);
        }
        this.#offset += start;
        consumed += start;
        carry = Buffer.from(data.subarray(start));
      }
    } finally {
      await handle.close();
    }
    return consumed;
  }
}
