import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from '../common/http/http.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { Db } from '../database/db.js';
import { ping } from './health.queries.js';
import { RATE_LIMIT_STORE } from '../common/rate-limit/tokens.js';
import type { RateLimitStore } from '../common/rate-limit/rate-limit.store.js';

const READY_TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref()),
  ]);
}

@ApiTags('Operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly db: Db,
    @Inject(RATE_LIMIT_STORE) private readonly rateLimits: RateLimitStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @HttpCode(200)
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({
    summary: 'Readiness: 200 while the database answers, else 503',
    description:
      'A configured Redis that is down is reported as "redis": "degraded" without failing readiness.',
  })
  @ApiOkResponse({ schema: { example: { status: 'ok', database: 'ok', redis: 'ok' } } })
  @ApiResponse({ status: 503, schema: { example: { status: 'unavailable', database: 'down', redis: 'ok' } } })
  async ready(@Res({ passthrough: true }) res: Response): Promise<Record<string, string>> {
    const database = await withTimeout(ping(this.db), READY_TIMEOUT_MS)
      .then(() => 'ok')
      .catch(() => 'down');
    const redis = this.config.redisUrl
      ? await withTimeout(this.rateLimits.health(), READY_TIMEOUT_MS).catch(() => 'degraded')
      : 'not configured';
    const ready = database === 'ok';
    res.status(ready ? 200 : 503);
    res.header('Cache-Control', 'no-store');
    return { status: ready ? 'ok' : 'unavailable', database, redis };
  }
}
