import { HlBotError, type HlBotErrorOptions } from '@hl-bot/core-types';

/**
 * A price or size that Hyperliquid cannot represent (too many significant figures or decimals, zero,
 * negative) and the caller did not ask to round.
 */
export class UnrepresentableNumberError extends HlBotError {
  constructor(
    code: 'HL_INVALID_PRICE' | 'HL_INVALID_SIZE',
    message: string,
    options: HlBotErrorOptions = {},
  ) {
    super(code, message, options);
    this.name = 'UnrepresentableNumberError';
  }
}

/** A private key, address, cloid or action that cannot be signed. The message never contains the key. */
export class SigningError extends HlBotError {
  constructor(message: string, options: HlBotErrorOptions = {}) {
    super('HL_SIGNING_FAILED', message, options);
    this.name = 'SigningError';
  }
}

/**
 * The venue answered with an HTTP error status (4xx, 5xx, 429) or not at all (network error, timeout).
 * `details.status` is the HTTP status, absent for network failures.
 */
export class HyperliquidHttpError extends HlBotError {
  readonly status: number | undefined;

  constructor(message: string, status: number | undefined, options: HlBotErrorOptions = {}) {
    super(
      status === undefined ? 'HL_NETWORK_ERROR' : status === 429 ? 'HL_RATE_LIMITED' : 'HL_HTTP_ERROR',
      message,
      {
        ...options,
        details: { ...(options.details ?? {}), ...(status === undefined ? {} : { status }) },
      },
    );
    this.name = 'HyperliquidHttpError';
    this.status = status;
  }

  /** True when the request may not have reached the venue, or reached it and failed transiently. */
  get transient(): boolean {
    return this.status === undefined || this.status === 429 || this.status >= 500;
  }
}

/**
 * A response that does not have the shape the venue documents (`HL_BAD_RESPONSE`), or that the client
 * refuses to read: a redirect (`HL_REDIRECT_REFUSED`: following it would re-send a signed action to another
 * host) or an answer larger than the cap (`HL_RESPONSE_TOO_LARGE`). The client fails closed on it; for an
 * order the outcome is then unknown and is asked with `orderStatus`.
 */
export class HyperliquidResponseError extends HlBotError {
  constructor(
    message: string,
    options: HlBotErrorOptions & {
      code?: 'HL_BAD_RESPONSE' | 'HL_REDIRECT_REFUSED' | 'HL_RESPONSE_TOO_LARGE';
    } = {},
  ) {
    super(options.code ?? 'HL_BAD_RESPONSE', message, options);
    this.name = 'HyperliquidResponseError';
  }
}

/**
 * `/exchange` answered `{"status":"err","response":"..."}`: the whole action was refused (bad signature,
 * unknown agent, address rate limit, scheduleCancel volume gate). `venueMessage` is the venue's text.
 */
export class HyperliquidActionError extends HlBotError {
  readonly venueMessage: string;

  constructor(message: string, venueMessage: string, options: HlBotErrorOptions = {}) {
    super('HL_ACTION_REJECTED', message, {
      ...options,
      details: { ...(options.details ?? {}), venueMessage },
    });
    this.name = 'HyperliquidActionError';
    this.venueMessage = venueMessage;
  }
}

/**
 * An order's submission failed in a way that leaves its fate unknown (network error, 5xx, timeout) and
 * `orderStatus` could not settle it either. The order may be live: reconcile with `getOpenOrders`.
 */
export class OrderStateUnknownError extends HlBotError {
  constructor(message: string, options: HlBotErrorOptions = {}) {
    super('HL_ORDER_STATE_UNKNOWN', message, options);
    this.name = 'OrderStateUnknownError';
  }
}

/** A symbol or coin that the venue's `meta` does not list. */
export class UnknownAssetError extends HlBotError {
  constructor(message: string, options: HlBotErrorOptions = {}) {
    super('HL_UNKNOWN_ASSET', message, options);
    this.name = 'UnknownAssetError';
  }
}

/** A request the client refuses before sending: bad arguments, closed client, WebSocket not connected. */
export class HyperliquidClientError extends HlBotError {
  constructor(
    code: 'HL_INVALID_ARGUMENT' | 'HL_NOT_CONNECTED',
    message: string,
    options: HlBotErrorOptions = {},
  ) {
    super(code, message, options);
    this.name = 'HyperliquidClientError';
  }
}
