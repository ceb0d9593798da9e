import type { IncomingMessage, ServerResponse } from 'node:http';

/** One answer of the simulator, written as JSON or plain text. */
export interface Reply {
  status: number;
  json?: unknown;
  text?: string;
}

export const ok = (json: unknown): Reply => ({ status: 200, json });
/** The venue's refusal shape: HTTP 200 with `{status: 'err', response}`. */
export const err = (response: string): Reply => ({ status: 200, json: { status: 'err', response } });
/** The venue's answer to a body it cannot deserialise (axum's 422 text). */
export const unprocessable = (what: string): Reply => ({
  status: 422,
  text: `Failed to deserialize the JSON body into the target type: ${what}`,
});

/** Reads a JSON body of at most 1 MB; an empty body is `{}`. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1_000_000) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text.length === 0 ? {} : (JSON.parse(text) as unknown);
}

export function write(res: ServerResponse, reply: Reply): void {
  if (res.headersSent) return;
  if (reply.text !== undefined) {
    res.writeHead(reply.status, { 'content-type': 'text/plain' });
    res.end(reply.text);
  } else {
    res.writeHead(reply.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(reply.json));
  }
}
