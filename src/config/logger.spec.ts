import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from './logger.js';

describe('createLogger', () => {
  afterEach(() => vi.restoreAllMocks());

  function printed(
    level: 'info' | 'debug',
    write: (logger: ReturnType<typeof createLogger>) => void,
  ): string {
    let out = '';
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    write(createLogger({ logLevel: level, production: true }));
    vi.restoreAllMocks();
    return out;
  }

  it("keeps Nest's route and module start-up lines at debug, everything else at info", () => {
    const startUp = (logger: ReturnType<typeof createLogger>) => {
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
});
