import type { z } from 'zod';
import { type ExchangeResponse, ExchangeResponseSchema } from './actions.js';
import { HyperliquidActionError, HyperliquidHttpError, HyperliquidResponseError } from './errors.js';
import { postJson } from './http.js';
import {
  infoRequestWeight,
  infoResponseExtraWeight,
  type Sleep,
  type WeightedTokenBucket,
} from './rate-limit.js';

export interface TransportOptions {
  baseUrl: string;
  timeoutMs: number;
  bucket: WeightedTokenBucket;
  sleep: Sleep;
  /** Random source in [0, 1) for backoff jitter. */
  random: () => number;
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * The client's one way to the venue's REST API: every POST goes through here, weighed against the IP
 * budget. Reads are retried on transient failures; `/exchange` requests never are (a resend could execute
 * twice), so retrying them is the caller's decision, made with the order's fate in mind.
 */
export class Transport {
  readonly baseUrl: string;
  readonly bucket: WeightedTokenBucket;
  readonly #timeoutMs: number;
  readonly #sleep: Sleep;
  readonly #random: () => number;
  readonly #maxRetries: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;

  constructor(options: TransportOptions) {
    this.baseUrl = options.baseUrl;
    this.bucket = options.bucket;
    this.#timeoutMs = options.timeoutMs;
    this.#sleep = options.sleep;
    this.#random = options.random;
    this.#maxRetries = options.maxRetries;
    this.#baseDelayMs = options.baseDelayMs;
    this.#maxDelayMs = options.maxDelayMs;
  }

  /** Exponential backoff with jitter; a venue's Retry-After is honoured up to four times the cap. */
  backoff(attempt: number, retryAfterMs: number | undefined): number {
    const exp = Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** attempt);
    const jittered = exp / 2 + this.#random() * (exp / 2);
    return Math.round(Math.max(jittered, Math.min(retryAfterMs ?? 0, this.#maxDelayMs * 4)));
  }

  /**
   * One `/info` read, validated by `schema`; retried with backoff on 429, 5xx and network errors.
   * @throws {HyperliquidHttpError} {HyperliquidResponseError}
   */
  async info<S extends z.ZodType>(
    body: { type: string } & Record<string, unknown>,
    schema: S,
  ): Promise<z.output<S>> {
    let attempt = 0;
    for (;;) {
      await this.bucket.take(infoRequestWeight(body.type));
      let raw: unknown;
      try {
        raw = (await postJson(this.baseUrl, 'info', body, this.#timeoutMs)).body;
      } catch (error) {
        if (error instanceof HyperliquidHttpError && error.transient && attempt < this.#maxRetries) {
          const retryAfter = error.details.retryAfterMs;
          await this.#sleep(this.backoff(attempt, typeof retryAfter === 'number' ? retryAfter : undefined));
          attempt += 1;
          continue;
        }
        throw error;
      }
      if (Array.isArray(raw)) this.bucket.charge(infoResponseExtraWeight(body.type, raw.length));
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const issues = parsed.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
          .join('; ');
        throw new HyperliquidResponseError(`info ${body.type} answered an unexpected shape: ${issues}`, {
          details: { type: body.type },
          cause: parsed.error,
        });
      }
      return parsed.data;
    }
  }

  /**
   * One signed `/exchange` request, sent once. The caller has taken its weight. `detailed` adds the action
   * type (and the unreadable body) to the errors' details, as L1 actions always did.
   * @throws {HyperliquidActionError} when the venue refuses the whole action; {HyperliquidHttpError}
   *   {HyperliquidResponseError}
   */
  async exchange(
    body: { action: { type: string } } & Record<string, unknown>,
    detailed: boolean,
  ): Promise<ExchangeResponse> {
    const type = body.action.type;
    const raw = (await postJson(this.baseUrl, 'exchange', body, this.#timeoutMs)).body;
    const parsed = ExchangeResponseSchema.safeParse(raw);
    if (!parsed.success) {
      throw new HyperliquidResponseError(`exchange ${type} answered an unexpected shape`, {
        ...(detailed ? { details: { type, body: JSON.stringify(raw).slice(0, 500) } } : {}),
        cause: parsed.error,
      });
    }
    if (parsed.data.status === 'err') {
      const venueMessage = parsed.data.response;
      throw new HyperliquidActionError(
        `Hyperliquid refused ${type}: ${venueMessage}`,
        venueMessage,
        detailed ? { details: { type } } : undefined,
      );
    }
    return parsed.data;
  }
}
