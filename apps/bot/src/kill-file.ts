import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';

/** A file in the state directory that halts the bot: works even when nothing can reach its endpoint. */
export const KILL_FILE = 'KILL';

/**
 * Reads and consumes the kill file: resolves with its reason (the file's first line, or a default) and
 * renames it to `KILL.applied`, so the halt is applied once (the breaker then persists in the audit log
 * until an operator resets it). Resolves undefined when there is no kill file.
 */
export async function takeKillFile(stateDir: string): Promise<string | undefined> {
  const path = join(stateDir, KILL_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  await rename(path, join(stateDir, `${KILL_FILE}.applied`));
  const first = text.split('\n')[0]?.trim().slice(0, 500) ?? '';
  return first.length > 0 ? `kill file: ${first}` : 'kill file';
}
