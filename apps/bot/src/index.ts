export { BarBuilder } from './bar-builder.js';
export {
  Bot,
  type BotOptions,
  type BotStatus,
  CONTROL_FILE,
  type ControlInfo,
  type ReconcileReport,
} from './bot.js';
export {
  type BotCliOverrides,
  type BotConfig,
  BotConfigError,
  BotConfigFile,
  loadBotConfig,
} from './config.js';
export { createLogger } from './logger.js';
export { Metrics } from './metrics.js';
export { comparePositions, type PositionMismatch } from './reconcile.js';
export { KeyError, loadPrivateKey, Secret } from './secret.js';
