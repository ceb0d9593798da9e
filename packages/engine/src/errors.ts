import { HlBotError, type HlBotErrorOptions } from '@hl-bot/core-types';

/** Stable codes of EngineError. */
export const EngineErrorCode = {
  /** The engine is not started, or already stopped. */
  NOT_RUNNING: 'ENGINE_NOT_RUNNING',
  /** A fill, price or funding update could not be applied; the engine halted trading. */
  PIPELINE_FAILED: 'ENGINE_PIPELINE_FAILED',
} as const;
export type EngineErrorCode = (typeof EngineErrorCode)[keyof typeof EngineErrorCode];

/** An engine-level failure. */
export class EngineError extends HlBotError {
  declare readonly code: EngineErrorCode;

  constructor(code: EngineErrorCode, message: string, options: HlBotErrorOptions = {}) {
    super(code, message, options);
    this.name = 'EngineError';
  }
}
