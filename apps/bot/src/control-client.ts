import { join } from 'node:path';
import { HlBotError } from '@hl-bot/core-types';
import { z } from 'zod';
import { CONTROL_FILE, type ControlInfo } from './bot.js';
import { readPrivateFile, UnsafeFileError } from './secure-file.js';

// Only a loopback URL is ever called with the token: a control file pointing elsewhere was not written by the bot.
const ControlFile = z
  .object({
    pid: z.number().int().positive(),
    url: z.string().regex(/^http:\/\/127\.0\.0\.1:\d{1,5}$/, 'must be http://127.0.0.1:PORT'),
    token: z.string().regex(/^[0-9a-f]{32,128}$/, 'must be hex'),
  })
  .strict();

/**
 * Reads how to reach a running bot; undefined when none is running for this state directory. The file is read
 * without following a symlink, and only if it is this user's and mode 600.
 * @throws {UnsafeFileError} code `STATE_FILE_UNSAFE` for a planted or malformed control file
 */
export async function readControl(stateDir: string): Promise<ControlInfo | undefined> {
  const path = join(stateDir, CONTROL_FILE);
  const text = await readPrivateFile(path);
  if (text === undefined) return undefined;
  let parsed: z.ZodSafeParseResult<ControlInfo>;
  try {
    parsed = ControlFile.safeParse(JSON.parse(text));
  } catch {
    throw new UnsafeFileError(path, 'is not JSON');
  }
  if (!parsed.success) {
    throw new UnsafeFileError(
      path,
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    );
  }
  try {
    process.kill(parsed.data.pid, 0);
  } catch (error) {
    // EPERM: the pid is alive but another user's, so it is not our bot.
    if ((error as NodeJS.ErrnoException).code === 'EPERM') {
      throw new UnsafeFileError(path, `names pid ${parsed.data.pid}, which belongs to another user`);
    }
    return undefined; // stale file from a crashed bot
  }
  return parsed.data;
}

/** The running bot answered with an error. */
export class ControlCallError extends HlBotError {
  constructor(
    readonly status: number,
    text: string,
  ) {
    super('BOT_CONTROL_FAILED', `bot answered ${status}: ${text}`, { details: { status } });
    this.name = 'ControlCallError';
  }
}

/** Calls the running bot's control endpoint. */
export async function callBot(
  info: ControlInfo,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  timeoutMs = 5_000,
): Promise<unknown> {
  const res = await fetch(`${info.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${info.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (!res.ok) throw new ControlCallError(res.status, text);
  return JSON.parse(text) as unknown;
}
