import { HyperliquidHttpError, HyperliquidResponseError } from './errors.js';

export interface HttpResult {
  status: number;
  body: unknown;
  retryAfterMs: number | undefined;
}

const MAX_ERROR_BODY = 500;

/**
 * POSTs JSON to `${baseUrl}/${path}` and returns the parsed JSON of a 2xx answer.
 *
 * @throws {HyperliquidHttpError} `HL_NETWORK_ERROR` (no answer, timeout), `HL_RATE_LIMITED` (429) or
 *   `HL_HTTP_ERROR` (other non-2xx, message carries the venue's text, truncated).
 * @throws {HyperliquidResponseError} `HL_BAD_RESPONSE` when a 2xx body is not JSON.
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
    });
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : 'unknown failure';
    throw new HyperliquidHttpError(`POST /${path} failed without an HTTP answer (${reason})`, undefined, {
      details: { path },
    });
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
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
