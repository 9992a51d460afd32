import {
  applyDecorators,
  CanActivate,
  ExecutionContext,
  Injectable,
  Redirect,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiResponse } from '@nestjs/swagger';
import { ApiErrors } from '../common/http/api-docs.js';
import { NoStore } from '../common/http/no-store.js';
import { RateLimited } from '../common/rate-limit/rate-limited.js';
import { ProviderRegistry } from './provider-registry.js';
import type { ProviderName } from './protocols/provider-strategy.js';

const PROVIDER = 'social:provider';

/**
 * Answers 404 PROVIDER_NOT_CONFIGURED for a route of a provider whose variables are unset, before
 * anything else (body validation, client checks) happens.
 */
@Injectable()
export class ProviderConfiguredGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly registry: ProviderRegistry,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const name = this.reflector.get<ProviderName | undefined>(PROVIDER, context.getHandler());
    if (name) this.registry.get(name);
    return true;
  }
}

/** Marks a route of `provider`: 404 PROVIDER_NOT_CONFIGURED while it is not configured. */
export const ForProvider = (provider: ProviderName) =>
  applyDecorators(
    SetMetadata(PROVIDER, provider),
    UseGuards(ProviderConfiguredGuard),
    ApiErrors([404, "PROVIDER_NOT_CONFIGURED: the provider's environment variables are unset"]),
  );

/** A route answering 302 to a URL the handler returns (`{url}`), never cached. */
export const Redirects = (description: string) =>
  applyDecorators(
    Redirect(undefined, 302),
    NoStore(),
    RateLimited(),
    ApiResponse({
      status: 302,
      description,
      headers: { Location: { description: 'Where the browser goes next', schema: { type: 'string' } } },
    }),
  );
