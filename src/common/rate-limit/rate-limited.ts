import { applyDecorators, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ApiErrors } from '../http/api-docs.js';

/** Per-IP request limit (RATE_LIMIT_PER_IP a minute) on a route that checks a secret. */
export const RateLimited = () => applyDecorators(UseGuards(ThrottlerGuard), ApiErrors(429));
