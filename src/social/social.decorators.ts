import {
  applyDecorators,
  CanActivate,
  ExecutionContext,
  Injectable,
  Redirect,
  SetMetadata,
  Type,
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

/** A parameter of a generated handler: its decorator and its type (what the validation pipe reads). */
export interface HandlerParameter {
  decorator: ParameterDecorator;
  type: unknown;
}

/**
 * Adds the handler `name` to a controller, decorated as a hand-written one would be (TypeScript's
 * order: the decorators bottom-up after the parameters', with the design metadata Nest and Swagger
 * read), so Nest routes it and Swagger documents it (operationId <Controller>_<name>). For routes
 * served from a table.
 */
export function defineHandler(
  controller: Type<unknown>,
  name: string,
  handler: (...args: never[]) => unknown,
  decorators: MethodDecorator[],
  parameters: HandlerParameter[],
  returnType: unknown,
): void {
  const prototype = controller.prototype as object;
  // Swagger names the operation, and finds the parameters' metadata, by the function's name.
  Object.defineProperty(handler, 'name', { value: name });
  const all: (MethodDecorator | PropertyDecorator)[] = [
    ...decorators,
    ...parameters.map(
      (p, index) => (target: object, key: string | symbol) => p.decorator(target, key, index),
    ),
    Reflect.metadata('design:type', Function),
    Reflect.metadata(
      'design:paramtypes',
      parameters.map((p) => p.type),
    ),
    Reflect.metadata('design:returntype', returnType),
  ];
  const descriptor: PropertyDescriptor = {
    value: handler,
    writable: true,
    enumerable: false,
    configurable: true,
  };
  Object.defineProperty(prototype, name, Reflect.decorate(all, prototype, name, descriptor) ?? descriptor);
}
