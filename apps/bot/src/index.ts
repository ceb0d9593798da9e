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
export { ControlCallError, readControl } from './control-client.js';
export { coreDumpLimit, EnvironmentScrubError, scrubEnvironmentVariable } from './environ.js';
export {
  type ControlRequest,
  type ControlServer,
  type ControlServerOptions,
  startControlServer,
} from './http/control-server.js';
export {
  allowedHosts,
  bearerTokenCheck,
  checkHost,
  HttpRequestError,
  MAX_BODY_BYTES,
  parseJsonObject,
  readBody,
} from './http/guard.js';
export { createLogger } from './logger.js';
export { Metrics } from './metrics.js';
export {
  type BreakerResetOutcome,
  duration,
  formatStatus,
  isoTime,
  resetBreakerMessage,
} from './operator-output.js';
export { comparePositions, type PositionMismatch } from './reconcile.js';
export type { StrategyStatus } from './run/strategy-status.js';
export { KeyError, loadPrivateKey, Secret } from './secret.js';
export { readPrivateFile, UnsafeFileError, writeFileNoFollow } from './secure-file.js';
export { checkStateDir, prepareStateDir, requireBotState, StateDirError } from './state-dir.js';
export {
  DEFAULT_STRATEGY_NAME,
  StrategyEntry,
  StrategyLimits,
  type StrategyRun,
} from './strategy-config.js';
export {
  checkStrategyOrder,
  type StrategyBook,
  StrategyRejectionCode,
  type SymbolBook,
} from './strategy-limits.js';
