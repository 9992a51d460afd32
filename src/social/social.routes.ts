import { Body, Get, Post, Query, Req, Type } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiQuery } from '@nestjs/swagger';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-docs.js';
import { AppleCallbackDto, SamlAcsDto, SocialStartDto } from './dto/social.dto.js';
import { FinishesLogin, StartsLogin } from './passport/social-auth.guard.js';
import type { ProviderName } from './protocols/provider-strategy.js';
import { APPLE_CALLBACK } from './providers/apple/apple.provider.js';
import { AZURE_CALLBACK } from './providers/azure/azure.provider.js';
import { COGNITO_CALLBACK } from './providers/cognito/cognito.provider.js';
import { FACEBOOK_CALLBACK } from './providers/facebook/facebook.provider.js';
import { GOOGLE_CALLBACK } from './providers/google/google.provider.js';
import { INSTAGRAM_CALLBACK } from './providers/instagram/instagram.provider.js';
import { KEYCLOAK_CALLBACK } from './providers/keycloak/keycloak.provider.js';
import { SAML_ACS } from './providers/saml/saml.provider.js';
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

interface StartDocs {
  path: string;
  summary: string;
  description: string;
  redirect?: string;
  /** Also the deprecated GET with the input in the query string. */
  get?: boolean;
}

/** A provider's start route (POST), and its deprecated GET twin when it has one. */
function start(provider: ProviderName, docs: StartDocs): SocialRoute[] {
  const { path, redirect } = docs;
  const routes: SocialRoute[] = [
    {
      provider,
      step: 'start',
      method: 'POST',
      path,
      handler: `${provider}Start`,
      redirect,
      docs: [
        ApiConsumes('application/json', 'application/x-www-form-urlencoded'),
        ApiBody({ type: SocialStartDto }),
        ApiOperation({ summary: docs.summary, description: docs.description }),
        ApiErrors(...START_ERRORS),
      ],
    },
  ];
  if (docs.get) {
    routes.push({
      provider,
      step: 'start',
      method: 'GET',
      path,
      handler: `${provider}StartGet`,
      redirect,
      docs: [
        ApiOperation({ summary: `${docs.summary} (query string)`, description: DEPRECATED_GET, deprecated: true }),
        ApiErrors(...START_ERRORS),
      ],
    });
  }
  return routes;
}

interface CallbackDocs {
  method?: 'GET' | 'POST';
  /** The full callback path (/auth/...), as the provider's definition names it. */
  path: string;
  handler?: string;
  summary: string;
  description: string;
  /** What documents the provider's parameters (the OAuth callback query by default). */
  parameters?: MethodDecorator[];
  /** Errors besides the callback's own (a form-posted callback also has the body errors). */
  errors?: (number | [number, string])[];
}

/** A provider's callback route. */
function callback(provider: ProviderName, docs: CallbackDocs): SocialRoute {
  return {
    provider,
    step: 'callback',
    method: docs.method ?? 'GET',
    path: docs.path.replace(/^\/auth\//, ''),
    handler: docs.handler ?? `${provider}Callback`,
    docs: [
      ...(docs.parameters ?? [CallbackQuery()]),
      ApiOperation({ summary: docs.summary, description: docs.description }),
      ApiErrors(...(docs.errors ?? []), ...CALLBACK_ERRORS),
    ],
  };
}

/** The documentation of a form-posted answer (Apple's form_post, the SAML ACS). */
const formPost = (type: Type<unknown>): MethodDecorator[] => [
  ApiConsumes('application/x-www-form-urlencoded'),
  ApiBody({ type }),
];

/** Every social and SAML login route (API.md section 5), provider by provider. */
export const SOCIAL_ROUTES: SocialRoute[] = [
  ...start('google', {
    path: 'google',
    get: true,
    summary: 'Start a Google login',
    description: `Google (OpenID Connect). ${START_FLOW}`,
  }),
  callback('google', {
    path: GOOGLE_CALLBACK,
    summary: "Google's callback",
    description:
      "Spends the state, exchanges the code (PKCE), verifies the ID token against Google's JWKS (signature, iss, aud, " +
      'exp, nonce) and keeps the Google tokens (encrypted) for /google/logout.',
  }),

  ...start('azure', {
    path: 'azure',
    get: true,
    summary: 'Start an Azure AD (Entra ID) login',
    description: `Azure AD / Entra ID (OpenID Connect). ${START_FLOW}`,
  }),
  callback('azure', {
    path: AZURE_CALLBACK,
    parameters: [
      CallbackQuery(),
      ApiQuery({ name: 'session_state', required: false, description: "Azure's session id (ignored)" }),
    ],
    summary: "Azure AD's callback",
    description:
      "Spends the state, exchanges the code (PKCE) and verifies the ID token against the tenant's JWKS (signature, iss, " +
      'aud, exp, nonce). Extra parameters (session_state, ...) are ignored. Entra ID sends no email_verified, so its ' +
      'email never links to an existing user.',
  }),

  ...start('apple', {
    path: 'oauth-apple',
    summary: 'Start a Sign in with Apple login',
    description:
      `Sign in with Apple (scope "name email", response_mode form_post, nonce). ${START_FLOW} Apple answers ` +
      'with a form POST to /auth/apple-oauth-redirect.',
  }),
  callback('apple', {
    method: 'POST',
    path: APPLE_CALLBACK,
    handler: 'appleCallbackPost',
    parameters: formPost(AppleCallbackDto),
    errors: BODY_ERRORS,
    summary: "Apple's callback (form_post)",
    description:
      "Spends the state, exchanges the code with the ES256 client-secret JWT Apple prescribes, and verifies Apple's " +
      'ID token against <APPLE_ISSUER>/auth/keys (signature, iss, aud, exp, nonce). The name comes from the `user` ' +
      'field Apple posts on the first login only.',
  }),
  callback('apple', {
    path: APPLE_CALLBACK,
    handler: 'appleCallbackGet',
    summary: "Apple's callback (query)",
    description: 'The same as the form_post callback, with the parameters in the query string.',
  }),

  ...start('cognito', {
    path: 'cognito',
    get: true,
    summary: 'Start an Amazon Cognito login',
    description: `Cognito (OpenID Connect). ${START_FLOW}`,
  }),
  callback('cognito', {
    path: COGNITO_CALLBACK,
    summary: "Cognito's callback",
    description:
      "Spends the state, exchanges the code (PKCE) and verifies the ID token against the user pool's JWKS " +
      '(signature, iss, aud, exp, nonce).',
  }),

  ...start('facebook', {
    path: 'facebook',
    summary: 'Start a Facebook login',
    description: `Facebook Login (OAuth 2.0, scopes email and public_profile). ${START_FLOW}`,
  }),
  callback('facebook', {
    path: FACEBOOK_CALLBACK,
    summary: "Facebook's callback",
    description:
      "Spends the state, exchanges the code and reads the profile (`id` = external id) from the Graph API. Facebook's " +
      'email is not known to be verified: it never links to an existing user.',
  }),

  ...start('instagram', {
    path: 'instagram',
    summary: 'Start an Instagram login',
    description: `Instagram API with Instagram Login (OAuth 2.0, business and creator accounts). ${START_FLOW}`,
  }),
  callback('instagram', {
    path: INSTAGRAM_CALLBACK,
    summary: "Instagram's callback",
    description:
      'Spends the state, exchanges the code and reads the profile (`id` = external id). Instagram gives no email.',
  }),

  ...start('keycloak', {
    path: 'keycloak',
    get: true,
    summary: 'Start a Keycloak login',
    description: `Keycloak (OpenID Connect). ${START_FLOW}`,
  }),
  callback('keycloak', {
    path: KEYCLOAK_CALLBACK,
    summary: "Keycloak's callback",
    description:
      "Spends the state, exchanges the code (PKCE), verifies the ID token against the realm's JWKS (signature, iss, " +
      'aud, exp, nonce) and keeps the Keycloak tokens (encrypted) for /keycloak/logout.',
  }),

  ...start('saml', {
    path: 'saml',
    redirect: `To the IdP's SSO URL (HTTP-Redirect binding) with an AuthnRequest and the state as RelayState. ${BINDING_COOKIE}`,
    summary: 'Start a SAML login',
    description:
      'SP-initiated SAML 2.0: an AuthnRequest whose ID is kept in Postgres and bound to a one-time state (the ' +
      `RelayState). ${START_FLOW}`,
  }),
  callback('saml', {
    method: 'POST',
    path: SAML_ACS,
    handler: 'samlAcs',
    parameters: [
      ...formPost(SamlAcsDto),
      ApiQuery({
        name: 'client',
        required: false,
        description: 'A client_id; when present it must be the client bound in RelayState',
      }),
    ],
    errors: BODY_ERRORS,
    summary: 'SAML assertion consumer service (ACS)',
    description:
      'HTTP-POST binding. Accepted only when the assertion is signed by SAML_IDP_CERT (a signed Response around it too), ' +
      'answers the AuthnRequest of this login (InResponseTo; each request ID and each assertion ID is accepted once), ' +
      'names our audience (SAML_AUDIENCE) and this ACS as Recipient, and is within its validity window. The external ' +
      "id is the NameID; the email attribute of the operator's IdP counts as verified.",
  }),
];
