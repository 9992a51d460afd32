import { applyDecorators, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { ApiErrors } from '../http/api-docs.js';
import { NoStore } from '../http/no-store.js';

/** Per-IP request limit (RATE_LIMIT_PER_IP a minute) on a route that checks a secret. */
export const RateLimited = () => applyDecorators(UseGuards(ThrottlerGuard), ApiErrors(429));

/** A route that checks a secret and answers one: the per-IP limit, and an answer never cached. */
export const SecretExchange = () => applyDecorators(NoStore(), RateLimited());
