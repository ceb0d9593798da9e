import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/** Field names that never reach a log line, whatever object they sit in. */
const REDACT_PATHS = ['privateKey', '*.privateKey', 'key', '*.key', 'secret', '*.secret', 'token', '*.token'];

/**
 * Keys pino writes itself. A logged object carrying one of them (a reconciliation report has `time`) would
 * repeat the key in the line, and JSON readers silently keep only one of the two.
 */
const CORE_KEYS = ['time', 'level', 'msg', 'pid', 'hostname', 'app'] as const;

function renameCoreKeys(object: Record<string, unknown>): Record<string, unknown> {
  if (!CORE_KEYS.some((k) => Object.hasOwn(object, k))) return object;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(object)) {
    out[(CORE_KEYS as readonly string[]).includes(k) ? `event${k[0]?.toUpperCase()}${k.slice(1)}` : k] = v;
  }
  return out;
}

/**
 * pino logger: JSON lines (pretty on a terminal), secret fields redacted by path, and, as a last line of
 * defence, every line scrubbed of the given secret strings before it is written.
 */
export function createLogger(options: {
  level?: string;
  pretty?: boolean;
  secrets?: readonly string[];
  destination?: NodeJS.WritableStream;
}): Logger {
  const out = options.destination ?? process.stdout;
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 8);
  const scrub = (line: string) => {
    let text = line;
    for (const s of secrets) {
      text = text.split(s).join('[redacted]');
      const bare = s.startsWith('0x') ? s.slice(2) : s;
      text = text.split(bare).join('[redacted]');
    }
    return text;
  };
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.write(scrub(chunk.toString('utf8')));
      done();
    },
  });
  const stream = options.pretty === true ? pretty({ destination: sink, colorize: false, sync: true }) : sink;
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { app: 'hl-bot' },
      formatters: { log: renameCoreKeys },
    },
    stream,
  );
}
