import { readFileSync, statSync } from 'node:fs';
import { inspect } from 'node:util';
import { HlBotError } from '@hl-bot/core-types';

const REDACTED = '[redacted]';

/**
 * A private key that does not leak: printing, inspecting, JSON-serialising or string-concatenating it gives
 * `[redacted]`. Only `reveal()` returns the value, and only the exchange client gets it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** Why a key could not be loaded. The message never contains the key or a part of it. */
export class KeyError extends HlBotError {
  constructor(message: string) {
    super('PRIVATE_KEY_INVALID', message);
    this.name = 'KeyError';
  }
}

const KEY_RE = /^(0x)?[0-9a-fA-F]{64}$/;

/**
 * Loads the signing key from `HL_PRIVATE_KEY` or a key file (never from a command-line flag, which would
 * show in `ps` and shell history). A key file must not be readable by group or others.
 * @throws {KeyError} code `PRIVATE_KEY_INVALID`
 */
export function loadPrivateKey(options: {
  env: Readonly<Record<string, string | undefined>>;
  keyFile?: string | undefined;
}): Secret {
  const fromEnv = options.env.HL_PRIVATE_KEY;
  if (fromEnv !== undefined && options.keyFile !== undefined) {
    throw new KeyError('both HL_PRIVATE_KEY and a key file are set; use exactly one');
  }
  let raw: string;
  if (options.keyFile !== undefined) {
    let mode: number;
    try {
      mode = statSync(options.keyFile).mode;
      raw = readFileSync(options.keyFile, 'utf8').trim();
    } catch (error) {
      throw new KeyError(
        `cannot read key file ${options.keyFile}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
    if ((mode & 0o077) !== 0) {
      throw new KeyError(
        `key file ${options.keyFile} is readable by group or others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
      );
    }
  } else if (fromEnv !== undefined) {
    raw = fromEnv.trim();
  } else {
    throw new KeyError('no signing key: set HL_PRIVATE_KEY or give keyFile in the config');
  }
  if (!KEY_RE.test(raw))
    throw new KeyError('the private key must be 32 bytes of hex (64 hex digits, optional 0x)');
  return new Secret(raw.startsWith('0x') ? raw : `0x${raw}`);
}
