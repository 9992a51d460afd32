import { Body, Get, Post, Query, Req, Type } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiQuery } from '@nestjs/swagger';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-docs.js';
import { AppleCallbackDto, SamlAcsDto, SocialStartDto } from './dto/social.dto.js';
import { FinishesLogin, StartsLogin } from './passport/social-auth.guard.js';
import type { ProviderName } from './protocols/provider-strategy.js';
import { PROVIDERS } from './providers/index.js';
import { ForProvider, Redirects } from './social.decorators.js';
import {
  BINDING_COOKIE,
  CALLBACK_302,
  CALLBACK_ERRORS,
  CallbackQuery,
  START_302,
  START_ERRORS,
  START_FLOW,
} from './social.docs.js';

/**
 * One login route of a provider: a start route (its provider's strategy authenticates the client
 * and answers the 302 to the provider, so no handler runs) or a callback (the handler redirects to
 * the URL the strategy left in `req.user`). SocialController gets one handler per entry.
 */
export interface SocialRoute {
  provider: ProviderName;
  step: 'start' | 'callback';
  method: 'GET' | 'POST';
  /** The path under /auth. */
  path: string;
  /** The handler's name; the Swagger operationId is SocialController_<handler>. */
  handler: string;
  /** The 302's description, when not the usual one of its step. */
  redirect?: string;
  /** Its Swagger documentation, top to bottom as it would be written above a handler. */
  docs: MethodDecorator[];
}

/**
 * The decorators of a route, top to bottom: the method and path, the step's guard (which runs the
 * provider's Passport strategy), 404 while the provider is not configured, the 302, the docs.
 */
export function routeDecorators(route: SocialRoute): MethodDecorator[] {
  const start = route.step === 'start';
  return [
    route.method === 'GET' ? Get(route.path) : Post(route.path),
    start ? StartsLogin(route.provider) : FinishesLogin(route.provider),
    ForProvider(route.provider),
    Redirects(route.redirect ?? (start ? START_302 : CALLBACK_302)),
    ...route.docs,
  ];
}

/** The handler's one parameter: the start input (body or query string), or the request. */
export function routeParameter(route: SocialRoute): { decorator: ParameterDecorator; type: Type<unknown> } {
  if (route.step === 'callback') return { decorator: Req(), type: Object };
  return { decorator: route.method === 'GET' ? Query() : Body(), type: SocialStartDto };
}

const DEPRECATED_GET = `Deprecated: a client_secret in the query string ends up in logs; use the POST. ${START_FLOW}`;

interface StartOptions {
  /** The path under /auth (the provider's name by default). */
  path?: string;
  redirect?: string;
  /** Also the deprecated GET with the input in the query string. */
  get?: boolean;
}

/** A provider's start route (POST), and its deprecated GET twin when it has one. */
function start(provider: ProviderName, summary: string, description: string, options: StartOptions = {}) {
  const { path = provider, redirect } = options;
  const post: SocialRoute = {
    ...{ provider, step: 'start', method: 'POST', path, handler: `${provider}Start`, redirect },
    docs: [
      ApiConsumes('application/json', 'application/x-www-form-urlencoded'),
      ApiBody({ type: SocialStartDto }),
      ApiOperation({ summary, description }),
      ApiErrors(...START_ERRORS),
    ],
  };
  if (!options.get) return [post];
  const get: SocialRoute = {
    ...{ provider, step: 'start', method: 'GET', path, handler: `${provider}StartGet`, redirect },
    docs: [
      ApiOperation({ summary: `${summary} (query string)`, description: DEPRECATED_GET, deprecated: true }),
      ApiErrors(...START_ERRORS),
    ],
  };
  return [post, get];
}

interface CallbackOptions {
  method?: 'GET' | 'POST';
  handler?: string;
  /** What documents the provider's parameters (the OAuth callback query by default). */
  parameters?: MethodDecorator[];
  /** Errors besides the callback's own (a form-posted callback also has the body errors). */
  errors?: (number | [number, string])[];
}

/** A provider's callback route, at the callback path its definition names. */
function callback(
  provider: ProviderName,
  summary: string,
  description: string,
  options: CallbackOptions = {},
): SocialRoute {
  return {
    provider,
    step: 'callback',
    method: options.method ?? 'GET',
    path: PROVIDERS[provider].callbackPath.replace(/^\/auth\//, ''),
    handler: options.handler ?? `${provider}Callback`,
    docs: [
      ...(options.parameters ?? [CallbackQuery()]),
      ApiOperation({ summary, description }),
      ApiErrors(...(options.errors ?? []), ...CALLBACK_ERRORS),
    ],
  };
}

/** The documentation of a form-posted answer (Apple's form_post, the SAML ACS). */
const formPost = (type: Type<unknown>): MethodDecorator[] => [
  ApiConsumes('application/x-www-form-urlencoded'),
  ApiBody({ type }),
];

/** Every social and SAML login route (API.md section 5), provider by provider (one line each). */
// prettier-ignore
export const SOCIAL_ROUTES: SocialRoute[] = [
  ...start('google', 'Start a Google login', `Google (OpenID Connect). ${START_FLOW}`, { get: true }),
  callback('google', "Google's callback", "Spends the state, exchanges the code (PKCE), verifies the ID token against Google's JWKS (signature, iss, aud, exp, nonce) and keeps the Google tokens (encrypted) for /google/logout."),

  ...start('azure', 'Start an Azure AD (Entra ID) login', `Azure AD / Entra ID (OpenID Connect). ${START_FLOW}`, { get: true }),
  callback('azure', "Azure AD's callback", "Spends the state, exchanges the code (PKCE) and verifies the ID token against the tenant's JWKS (signature, iss, aud, exp, nonce). Extra parameters (session_state, ...) are ignored. Entra ID sends no email_verified, so its email never links to an existing user.", {
    parameters: [CallbackQuery(), ApiQuery({ name: 'session_state', required: false, description: "Azure's session id (ignored)" })],
  }),

  ...start('apple', 'Start a Sign in with Apple login', `Sign in with Apple (scope "name email", response_mode form_post, nonce). ${START_FLOW} Apple answers with a form POST to /auth/apple-oauth-redirect.`, { path: 'oauth-apple' }),
  callback('apple', "Apple's callback (form_post)", "Spends the state, exchanges the code with the ES256 client-secret JWT Apple prescribes, and verifies Apple's ID token against <APPLE_ISSUER>/auth/keys (signature, iss, aud, exp, nonce). The name comes from the `user` field Apple posts on the first login only.", {
    method: 'POST', handler: 'appleCallbackPost', parameters: formPost(AppleCallbackDto), errors: BODY_ERRORS,
  }),
  callback('apple', "Apple's callback (query)", 'The same as the form_post callback, with the parameters in the query string.', { handler: 'appleCallbackGet' }),

  ...start('cognito', 'Start an Amazon Cognito login', `Cognito (OpenID Connect). ${START_FLOW}`, { get: true }),
  callback('cognito', "Cognito's callback", "Spends the state, exchanges the code (PKCE) and verifies the ID token against the user pool's JWKS (signature, iss, aud, exp, nonce)."),

  ...start('facebook', 'Start a Facebook login', `Facebook Login (OAuth 2.0, scopes email and public_profile). ${START_FLOW}`),
  callback('facebook', "Facebook's callback", "Spends the state, exchanges the code and reads the profile (`id` = external id) from the Graph API. Facebook's email is not known to be verified: it never links to an existing user."),

  ...start('instagram', 'Start an Instagram login', `Instagram API with Instagram Login (OAuth 2.0, business and creator accounts). ${START_FLOW}`),
  callback('instagram', "Instagram's callback", 'Spends the state, exchanges the code and reads the profile (`id` = external id). Instagram gives no email.'),

  ...start('keycloak', 'Start a Keycloak login', `Keycloak (OpenID Connect). ${START_FLOW}`, { get: true }),
  callback('keycloak', "Keycloak's callback", "Spends the state, exchanges the code (PKCE), verifies the ID token against the realm's JWKS (signature, iss, aud, exp, nonce) and keeps the Keycloak tokens (encrypted) for /keycloak/logout."),

  ...start('saml', 'Start a SAML login', `SP-initiated SAML 2.0: an AuthnRequest whose ID is kept in Postgres and bound to a one-time state (the RelayState). ${START_FLOW}`, {
    redirect: `To the IdP's SSO URL (HTTP-Redirect binding) with an AuthnRequest and the state as RelayState. ${BINDING_COOKIE}`,
  }),
  callback('saml', 'SAML assertion consumer service (ACS)', "HTTP-POST binding. Accepted only when the assertion is signed by SAML_IDP_CERT (a signed Response around it too), answers the AuthnRequest of this login (InResponseTo; each request ID and each assertion ID is accepted once), names our audience (SAML_AUDIENCE) and this ACS as Recipient, and is within its validity window. The external id is the NameID; the email attribute of the operator's IdP counts as verified.", {
    method: 'POST', handler: 'samlAcs', errors: BODY_ERRORS,
    parameters: [...formPost(SamlAcsDto), ApiQuery({ name: 'client', required: false, description: 'A client_id; when present it must be the client bound in RelayState' })],
  }),
];
