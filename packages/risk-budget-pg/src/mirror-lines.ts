import pg from 'pg';
import { SCHEMA } from './schema.js';

/**
 * One bot's mirrored audit lines in seq order, exactly as its logger wrote them, read in pages so a long
 * log never sits in memory at once. Feed them to `hl-audit verify -` to check the chain with the audit
 * package's own verifier.
 */
export async function* mirrorLines(
  url: string,
  account: string,
  botId: string,
  pageSize = 5000,
): AsyncGenerator<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    let after = 0;
    for (;;) {
      const r = await client.query<{ seq: string; line: string }>(
        `SELECT seq::text, line FROM ${SCHEMA}.audit_mirror
         WHERE account = $1 AND bot_id = $2 AND seq > $3 ORDER BY audit_mirror.seq LIMIT $4`,
        [account, botId, after, pageSize],
      );
      for (const row of r.rows) yield row.line;
      const last = r.rows.at(-1);
      if (last === undefined || r.rows.length < pageSize) return;
      after = Number(last.seq);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}
