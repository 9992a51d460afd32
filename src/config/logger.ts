import { ConsoleLogger, LogLevel } from '@nestjs/common';
import type { AppConfig, LogLevelName } from './config.js';

const NEST_LEVELS: Record<LogLevelName, LogLevel[]> = {
  fatal: ['fatal'],
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  info: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
  trace: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

/** Nest's logger at LOG_LEVEL; one JSON object per line in production (for log shippers). */
export function createLogger(config: Pick<AppConfig, 'logLevel' | 'production'>): ConsoleLogger {
  return new ConsoleLogger({
    logLevels: NEST_LEVELS[config.logLevel],
    json: config.production,
    colors: !config.production,
  });
}
