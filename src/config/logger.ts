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

/**
 * Nest's start-up chatter: one line per module ("dependencies initialized"), per controller and per
 * route ("Mapped {/auth/login, POST} route"), about 160 lines before the one that says where the
 * service listens. Useful when a route seems missing, so kept at debug (LOG_LEVEL=debug shows it).
 */
const START_UP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** Nest's ConsoleLogger with its start-up chatter moved from info to debug. */
export class AppLogger extends ConsoleLogger {
  override log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    if (typeof context === 'string' && START_UP_CONTEXTS.has(context)) {
      super.debug(message, ...rest);
      return;
    }
    super.log(message, ...rest);
  }
}

/**
 * Nest's logger at LOG_LEVEL; one JSON object per line in production (for log shippers). Colours
 * only on a terminal, so a log redirected to a file (`npm start > auth-bff.log`) stays plain text.
 */
export function createLogger(
  config: Pick<AppConfig, 'logLevel' | 'production'>,
  terminal: boolean = process.stdout.isTTY === true,
): ConsoleLogger {
  return new AppLogger({
    logLevels: NEST_LEVELS[config.logLevel],
    json: config.production,
    colors: !config.production && terminal,
  });
}
