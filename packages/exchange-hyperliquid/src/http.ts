import { HyperliquidHttpError, HyperliquidResponseError } from './errors.js';

export interface HttpResult {
  status: number;
  body: unknown;
  retryAfterMs: number | undefined;
}

const MAX_ERROR_BODY = 500;

/**
 * The largest venue answer read. The biggest real ones (a 2000-fill page, `meta` with every asset, a
 * 5000-candle snapshot) are around 1 MiB; a larger answer is refused rather than buffered.
 */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** Reads a body up to `limit` bytes, cancelling the stream (and failing) as soon as it grows beyond. */
async function readCapped(response: Response, limit: number, path: string): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(path, limit);
  }
  const body = response.body;
  if (body === null) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(path, limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

function tooLarge(path: string, limit: number): HyperliquidResponseError {
  return new HyperliquidResponseError(`POST /${path} answered more than ${limit} bytes; refused`, {
    code: 'HL_RESPONSE_TOO_LARGE',
    details: { path, limitBytes: limit },
  });
}

/**
 * POSTs JSON to `${baseUrl}/${path}` and returns the parsed JSON of a 2xx answer.
 *
 * @throws {HyperliquidHttpError} `HL_NETWORK_ERROR` (no answer, timeout), `HL_RATE_LIMITED` (429) or
 *   `HL_HTTP_ERROR` (other non-2xx, message carries the venue's text, truncated).
 * @throws {HyperliquidResponseError} `HL_BAD_RESPONSE` when a 2xx body is not JSON, `HL_REDIRECT_REFUSED` for
 *   any 3xx (never followed), `HL_RESPONSE_TOO_LARGE` beyond MAX_RESPONSE_BYTES.
 */
export async function postJson(
  baseUrl: string,
  path: 'info' | 'exchange',
  body: unknown,
  timeoutMs: number,
): Promise<HttpResult> {
  const url = `${baseUrl.replace(/\/+$/, '')}/${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      // A redirect followed by fetch would re-POST the signed action to wherever the answer points.
      redirect: 'manual',
    });
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown failure';
    throw new HyperliquidHttpError(`POST /${path} failed without an HTTP answer (${reason})`, undefined, {
      details: { path },
    });
  }
  if (response.status >= 300 && response.status <= 399) {
    await response.body?.cancel().catch(() => undefined);
    throw new HyperliquidResponseError(
      `POST /${path} answered a redirect (HTTP ${response.status}); not followed, a signed action is never re-sent elsewhere`,
      { code: 'HL_REDIRECT_REFUSED', details: { path, status: response.status } },
    );
  }
  let text: string;
  try {
    text = await readCapped(response, MAX_RESPONSE_BYTES, path);
  } catch (error) {
    if (error instanceof HyperliquidResponseError) throw error;
    throw new HyperliquidHttpError(`POST /${path}: connection lost while reading the answer`, undefined, {
      details: { path, status: response.status },
      cause: error,
    });
  }
  const retryAfter = Number(response.headers.get('retry-after'));
  const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
  if (response.status < 200 || response.status > 299) {
    const snippet = text.length > MAX_ERROR_BODY ? `${text.slice(0, MAX_ERROR_BODY)}…` : text;
    throw new HyperliquidHttpError(
      `POST /${path} answered HTTP ${response.status}: ${snippet}`,
      response.status,
      {
        details: { path, body: snippet, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
      },
    );
  }
  try {
    return { status: response.status, body: JSON.parse(text) as unknown, retryAfterMs };
  } catch (error) {
    throw new HyperliquidResponseError(
      `POST /${path} answered HTTP ${response.status} with a body that is not JSON`,
      {
        details: { path, body: text.slice(0, MAX_ERROR_BODY) },
        cause: error,
      },
    );
  }
}
