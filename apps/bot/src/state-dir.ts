import { mkdir, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { HlBotError } from '@hl-bot/core-types';

/** Why the bot refuses a state directory. */
export class StateDirError extends HlBotError {
  constructor(
    code: 'STATE_DIR_UNSAFE' | 'STATE_DIR_NO_BOT_STATE',
    readonly dir: string,
    message: string,
  ) {
    super(code, message, { details: { dir } });
    this.name = 'StateDirError';
  }
}

const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;

// The audit package names its day files audit-YYYY-MM-DD.jsonl: one of them is what makes a directory a bot's.
const DAY_FILE = /^audit-\d{4}-\d{2}-\d{2}\.jsonl$/;

function noBotState(dir: string, why: string): StateDirError {
  return new StateDirError(
    'STATE_DIR_NO_BOT_STATE',
    dir,
    `${resolve(dir)} holds no bot state (${why}); nothing was changed. Give the --state-dir (or --config) of the bot`,
  );
}

async function checkOne(dir: string, what: string): Promise<void> {
  const st = await stat(dir);
  if (!st.isDirectory())
    throw new StateDirError('STATE_DIR_UNSAFE', dir, `${what} ${dir} is not a directory`);
  if (uid !== undefined && st.uid !== uid) {
    throw new StateDirError(
      'STATE_DIR_UNSAFE',
      dir,
      `${what} ${dir} belongs to uid ${st.uid}, not to the user running the bot (uid ${uid}); refusing to use it`,
    );
  }
  if ((st.mode & 0o022) !== 0) {
    throw new StateDirError(
      'STATE_DIR_UNSAFE',
      dir,
      `${what} ${dir} is writable by group or others (mode ${(st.mode & 0o777).toString(8)}): another user ` +
        `could plant or replace the control file or the audit log; run chmod 700 ${dir}`,
    );
  }
}

/**
 * Refuses a state directory (and its `audit` directory, when present) that another user could write to, or that
 * belongs to another user: such a user could plant a symlink where the control token is written, or rewrite
 * the log the bot rebuilds its state from.
 * @throws {StateDirError} code `STATE_DIR_UNSAFE`
 */
export async function checkStateDir(dir: string): Promise<void> {
  try {
    await checkOne(dir, 'state directory');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw noBotState(dir, 'it does not exist');
    throw error;
  }
  try {
    await checkOne(join(dir, 'audit'), 'audit directory');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * Creates the state directory (mode 700) if it is missing, then checks it.
 * @throws {StateDirError} code `STATE_DIR_UNSAFE`
 */
export async function prepareStateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await checkStateDir(dir);
}

/**
 * For the offline commands: the directory must exist, be safe and hold a bot's audit log. A mistyped
 * `--state-dir` must fail, not report success while the real bot keeps trading.
 * @throws {StateDirError} code `STATE_DIR_NO_BOT_STATE` or `STATE_DIR_UNSAFE`
 */
export async function requireBotState(dir: string): Promise<void> {
  const none = (why: string) => noBotState(dir, why);
  let names: string[];
  try {
    names = await readdir(join(dir, 'audit'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      await checkStateDir(dir);
      throw none('no audit log directory');
    }
    throw error;
  }
  await checkStateDir(dir);
  if (!names.some((n) => DAY_FILE.test(n))) throw none('the audit directory has no log file');
}
