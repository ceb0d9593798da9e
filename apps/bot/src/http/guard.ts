import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HlBotError } from '@hl-bot/core-types';

/** The largest request body the control endpoint reads. Every real request is under 1 KiB. */
export const MAX_BODY_BYTES = 16 * 1024;

/** A request the endpoint refuses, with the HTTP status it answers. */
export class HttpRequestError extends HlBotError {
  constructor(
    readonly status: 400 | 401 | 404 | 413 | 421,
    message: string,
  ) {
    super('HTTP_REQUEST_REFUSED', message, { details: { status } });
    this.name = 'HttpRequestError';
  }
}

/**
 * The Host values a request to a 127.0.0.1 server may carry: the address and port it listens on (and
 * `localhost`, which browsers and resolvers pin to loopback). A page of another site that rebinds its DNS name
 * to 127.0.0.1 still sends its own name as Host, and is refused.
 */
export function allowedHosts(port: number): ReadonlySet<string> {
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  if (port === 80) hosts.push('127.0.0.1', 'localhost');
  return new Set(hosts);
}

/** @throws {HttpRequestError} 400 without a Host, 421 for any other host */
export function checkHost(host: string | undefined, allowed: ReadonlySet<string>): void {
  if (host === undefined || host === '') throw new HttpRequestError(400, 'missing Host header');
  if (!allowed.has(host.toLowerCase())) {
    throw new HttpRequestError(421, `Host must be ${[...allowed][0]}`);
  }
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/**
 * A check of Authorization headers against the bearer token that takes the same time wherever a wrong header
 * first differs: the header is hashed and the equal-length digests are compared with timingSafeEqual. The
 * expected digest is computed once, so the token itself is never compared as a string.
 */
export function bearerTokenCheck(token: string): (header: string | undefined) => boolean {
  const expected = digest(`Bearer ${token}`);
  return (header) => typeof header === 'string' && timingSafeEqual(digest(header), expected);
}

/**
 * Reads a request body of at most `limit` bytes. A declared Content-Length over the limit is refused before a
 * byte is read; a chunked body is refused as soon as it passes the limit.
 * @throws {HttpRequestError} 413
 */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    throw new HttpRequestError(413, `request body over ${limit} bytes`);
  }
  // Events rather than for-await: leaving a for-await loop destroys the socket, and the 413 would never arrive.
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(new HttpRequestError(413, `request body over ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/**
 * An empty body is `{}`; anything else must be a JSON object.
 * @throws {HttpRequestError} 400
 */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch {
    throw new HttpRequestError(400, 'request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HttpRequestError(400, 'request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}
