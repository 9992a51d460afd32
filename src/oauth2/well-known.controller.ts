import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { Response } from '../common/http/http.js';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { JwksDto } from '../tokens/dto/token.dto.js';
import { ID_TOKEN_ALGORITHMS, SigningKeysService } from '../tokens/keys/signing-keys.service.js';
import { SUPPORTED_SCOPES } from './auth-request.js';
import { PROMPT_VALUES } from './standard-request.js';

@ApiTags('Discovery')
@Controller('.well-known')
export class WellKnownController {
  constructor(
    private readonly keys: SigningKeysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('jwks.json')
  @ApiOperation({
    summary: 'Public keys that verify access tokens and ID tokens (RFC 7517 JWKS)',
    description:
      'The access-token key (JWT_ALGORITHM) and an ID-token key for each of RS256, ES256 and EdDSA, plus keys that ' +
      'will sign soon and keys that signed tokens still alive. Cached for `JWKS_MAX_AGE` seconds (default 300): a ' +
      'new key is published twice that long before it signs, and a retired one stays 48 hours after its last ' +
      'signature.',
  })
  @ApiOkResponse({ type: JwksDto })
  jwks(@Res({ passthrough: true }) res: Response): JwksDto {
    res.header('Cache-Control', `public, max-age=${this.config.jwksMaxAgeSeconds}`);
    return this.keys.publicJwks();
  }

  @Get('openid-configuration')
  @ApiOperation({
    summary: 'OpenID Connect discovery document (RFC 8414 / OpenID Connect Discovery 1.0)',
    description:
      'Describes the authorization server of API.md section 7 for stock OAuth 2.0 / OpenID Connect clients: ' +
      'authorization code with S256 PKCE only, refresh tokens, revocation, userinfo, RP-initiated logout.',
  })
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true } })
  openidConfiguration(@Res({ passthrough: true }) res: Response): Record<string, unknown> {
    res.header('Cache-Control', 'public, max-age=300');
    const base = this.config.publicUrl;
    return {
      issuer: this.config.jwtIssuer,
      authorization_endpoint: `${base}/oauth2/authorize`,
      token_endpoint: `${base}/oauth2/token`,
      userinfo_endpoint: `${base}/oauth2/userinfo`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      revocation_endpoint: `${base}/oauth2/revoke`,
      end_session_endpoint: `${base}/oauth2/logout`,
      response_types_supported: ['code'],
      response_modes_supported: ['query', 'fragment', 'web_message'],
      // `anonymous` is this service's own grant for visitor tokens (seed 002), not an RFC one.
      grant_types_supported: ['authorization_code', 'refresh_token', 'anonymous'],
      code_challenge_methods_supported: ['S256'],
      subject_types_supported: ['public'],
      // RS256 (the default, which OpenID Connect Discovery requires) and the others a client may choose.
      id_token_signing_alg_values_supported: [...ID_TOKEN_ALGORITHMS],
      scopes_supported: [...SUPPORTED_SCOPES],
      prompt_values_supported: [...PROMPT_VALUES],
      claim_types_supported: ['normal'],
      token_endpoint_auth_methods_supported: ['none', 'client_secret_post', 'client_secret_basic'],
      revocation_endpoint_auth_methods_supported: ['none', 'client_secret_post', 'client_secret_basic'],
      // RFC 9207: query and fragment responses carry `iss` (mix-up defence).
      authorization_response_iss_parameter_supported: true,
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
      claims_parameter_supported: false,
      claims_supported: [
        'sub',
        'iss',
        'aud',
        'azp',
        'exp',
        'iat',
        'auth_time',
        'nonce',
        'sid',
        'at_hash',
        'email',
        'email_verified',
        'name',
        'given_name',
        'family_name',
      ],
    };
  }
}
