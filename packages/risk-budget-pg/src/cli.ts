import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { verifyMirror } from './audit-mirror.js';
import { mirrorLines } from './mirror-lines.js';

const USAGE = `hl-audit-pg: read and verify the PostgreSQL mirror of hl-bot audit logs

Usage:
  hl-audit-pg verify --account A --bot B   verify one bot's mirrored chain from the table alone
  hl-audit-pg lines --account A --bot B    print its mirrored lines in seq order, exactly as written:
                                           hl-audit-pg lines ... | hl-audit verify -

The database URL comes from HL_SHARED_RISK_URL, or from the file named by --url-file (never from the
command line, where other users could read a password in it).

Exit codes: 0 ok, 1 verification failed or the database could not be read, 2 usage error.`;

class UsageError extends Error {}

const out = (text: string) => process.stdout.write(`${text}\n`);

/** The URL without its password, for messages. */
function redact(text: string, url: string): string {
  try {
    const u = new URL(url);
    return u.password === '' ? text : text.split(u.password).join('***');
  } catch {
    return text;
  }
}

function databaseUrl(urlFile: string | undefined): string {
  const url = urlFile === undefined ? process.env.HL_SHARED_RISK_URL : readFileSync(urlFile, 'utf8').trim();
  if (url === undefined || url === '')
    throw new UsageError('no database: set HL_SHARED_RISK_URL or give --url-file FILE');
  if (!/^postgres(ql)?:\/\//.test(url)) throw new UsageError('the database URL must be a postgres:// URL');
  return url;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      account: { type: 'string' },
      bot: { type: 'string' },
      'url-file': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help === true) {
    out(USAGE);
    return 0;
  }
  if (command !== 'verify' && command !== 'lines') throw new UsageError(`unknown command ${command ?? ''}`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument ${positionals[1]}`);
  const { account, bot } = values;
  if (account === undefined || bot === undefined)
    throw new UsageError(`${command} needs --account and --bot`);
  const url = databaseUrl(values['url-file']);
  try {
    if (command === 'lines') {
      for await (const line of mirrorLines(url, account, bot)) {
        if (!process.stdout.write(`${line}\n`))
          await new Promise((resolve) => process.stdout.once('drain', resolve));
      }
      return 0;
    }
    const report = await verifyMirror(url, account, bot);
    if (report.ok) {
      const range = report.firstSeq === undefined ? '' : ` (seq ${report.firstSeq}..${report.lastSeq})`;
      out(`OK: ${report.entries} mirrored entries of ${account}/${bot}${range}, chain intact`);
      return 0;
    }
    out(`FAILED: ${account}/${bot} seq ${report.problem?.seq}: ${report.problem?.reason}`);
    return 1;
  } catch (error) {
    process.stderr.write(`hl-audit-pg: ${redact((error as Error).message, url)}\n`);
    return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`hl-audit-pg: ${(error as Error).message}\n\n${USAGE}\n`);
    process.exitCode = 2;
  },
);
