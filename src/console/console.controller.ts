import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from '../common/http/http.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { ConsoleAssets, ConsolePageConfig } from './console-assets.js';
import { ConsoleClientsService } from './console-clients.service.js';
import type { ConsoleTenant } from './console.queries.js';
import { CONSOLE_CALLBACK_PATH, CONSOLE_SIGNED_OUT_PATH } from './console-paths.js';

/** A year: the assets' names carry a hash of their content, so a new build has new names. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const MAX_KEY_LENGTH = 100;

/**
 * The admin console (API.md section 14): static files built by vite, served by the service itself.
 * Pages send a strict policy: scripts and styles only from this origin (no inline script or style,
 * so no nonce either), API calls only to this origin and PUBLIC_URL, never framed. The page learns
 * its tenant, client id and URLs from a `<meta name="console-config">` tag written here, and the
 * console client is brought in step with PUBLIC_URL before the page is served.
 * Not an API: left out of the OpenAPI document.
 */
@ApiExcludeController()
@Controller('console')
export class ConsoleController {
  private readonly assets: ConsoleAssets;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly consoleClients: ConsoleClientsService,
  ) {
    this.assets = new ConsoleAssets(config.consoleDir);
  }

  @Get('assets/:name')
  async asset(@Param('name') name: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const asset = await this.assets.asset(name);
    if (!asset) {
      res.status(404).type('text/plain; charset=utf-8').header('Cache-Control', 'no-store').send('Not found');
      return;
    }
    res.status(200).type(asset.type).header('Cache-Control', IMMUTABLE);
    if (asset.gzipped) {
      res.header('Vary', 'Accept-Encoding');
      if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
        res.header('Content-Encoding', 'gzip');
        res.send(asset.gzipped);
        return;
      }
    }
    res.send(asset.body);
  }

  @Get(['t/:key', 't/:key/*'])
  async tenantPage(@Param('key') key: string, @Res() res: Response): Promise<void> {
    const tenant =
      key.length <= MAX_KEY_LENGTH && !key.includes('\u0000')
        ? await this.consoleClients.findTenant(key)
        : undefined;
    if (!tenant) return this.page(res, 404, null, 'unknown-tenant');
    return this.page(res, 200, tenant, null);
  }

  @Get(['', 'callback', 'signed-out'])
  async plainPage(@Res() res: Response): Promise<void> {
    return this.page(res, 200, null, null);
  }

  @Get('*')
  async notFound(@Res() res: Response): Promise<void> {
    return this.page(res, 404, null, 'not-found');
  }

  private async page(
    res: Response,
    status: number,
    tenant: ConsoleTenant | null,
    error: ConsolePageConfig['error'],
  ): Promise<void> {
    const base = this.config.publicUrl;
    const clientId = tenant ? await this.consoleClients.ensure(tenant) : null;
    const html = await this.assets.page({
      baseUrl: base,
      basePath: new URL(base).pathname.replace(/\/+$/, ''),
      tenant: tenant ? { id: tenant.id, key: tenant.key, name: tenant.name } : null,
      clientId,
      redirectUri: `${base}${CONSOLE_CALLBACK_PATH}`,
      signedOutUrl: `${base}${CONSOLE_SIGNED_OUT_PATH}`,
      error,
    });
    res.header('Cache-Control', 'no-store');
    if (html === undefined) {
      res
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The admin console is not built: run `npm run build` (it writes dist/console).');
      return;
    }
    res.header('Content-Security-Policy', this.policy());
    res.header('Referrer-Policy', 'no-referrer');
    res.status(status).type('text/html; charset=utf-8').send(html);
  }

  private policy(): string {
    const origin = new URL(this.config.publicUrl).origin;
    return [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self' data:",
      "font-src 'self'",
      `connect-src 'self' ${origin}`,
      "form-action 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "object-src 'none'",
    ].join('; ');
  }
}
