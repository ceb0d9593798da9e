import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Real payloads of the venue (official docs examples, the official SDK's recordings), with provenance. */
export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'hyperliquid');

export interface Fixture {
  id: string;
  kind: string;
  source: Record<string, unknown>;
  endpoint: string;
  type?: string;
  request?: Record<string, unknown>;
  response: unknown;
}

/** One fixture by id, e.g. `docs/clearinghouseState_38` or `pysdk/test_get_user_fills`. */
export function fixture(id: string): Fixture {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, `${id}.json`), 'utf8')) as Fixture;
}

/** Every fixture of a folder (`docs` or `pysdk`). */
export function allFixtures(folder: 'docs' | 'pysdk'): Fixture[] {
  return readdirSync(join(FIXTURES_DIR, folder))
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => fixture(`${folder}/${f.slice(0, -5)}`));
}

/** The info type of a fixture: its `type`, or the recorded request's `type`. */
export function infoType(f: Fixture): string | undefined {
  return f.type ?? (typeof f.request?.type === 'string' ? f.request.type : undefined);
}
