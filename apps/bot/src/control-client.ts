import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONTROL_FILE, type ControlInfo } from './bot.js';

/** Reads how to reach a running bot; undefined when none is running for this state directory. */
export async function readControl(stateDir: string): Promise<ControlInfo | undefined> {
  let info: ControlInfo;
  try {
    info = JSON.parse(await readFile(join(stateDir, CONTROL_FILE), 'utf8')) as ControlInfo;
  } catch {
    return undefined;
  }
  try {
    process.kill(info.pid, 0);
  } catch {
    return undefined; // stale file from a crashed bot
  }
  return info;
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
  if (!res.ok) throw new Error(`bot answered ${res.status}: ${text}`);
  return JSON.parse(text) as unknown;
}
