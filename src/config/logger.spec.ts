import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from './logger.js';

type Logger = ReturnType<typeof createLogger>;

describe('createLogger', () => {
  afterEach(() => vi.restoreAllMocks());

  /** What the logger writes to stdout while `write` runs. */
  function printed(
    level: 'info' | 'debug',
    write: (logger: Logger) => void,
    options: { production?: boolean; terminal?: boolean } = {},
  ): string {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    write(
      createLogger({ logLevel: level, production: options.production ?? true }, options.terminal ?? false),
    );
    vi.restoreAllMocks();
    return out;
  }

  it("keeps Nest's route and module start-up lines at debug, everything else at info", () => {
    const startUp = (logger: Logger) => {
      logger.log('Mapped {/auth/login, POST} route', 'RouterExplorer');
      logger.log('PasswordController {/auth}:', 'RoutesResolver');
      logger.log('AppModule dependencies initialized', 'InstanceLoader');
      logger.log('listening on port 3000', 'Bootstrap');
    };
    const info = printed('info', startUp);
    expect(info).toContain('listening on port 3000');
    expect(info).not.toMatch(/Mapped|RoutesResolver|dependencies initialized/);
    const debug = printed('debug', startUp);
    expect(debug).toContain('Mapped {/auth/login, POST} route');
    expect(debug).toContain('"level":"debug"');
    expect(debug).toContain('AppModule dependencies initialized');
  });

  it('colours development logs only on a terminal, so a log file stays plain text', () => {
    const hello = (logger: Logger) => logger.log('hello', 'Bootstrap');
    const ESC = String.fromCharCode(27);
    expect(printed('info', hello, { production: false, terminal: false })).not.toContain(ESC);
    expect(printed('info', hello, { production: false, terminal: true })).toContain(ESC);
  });
});
