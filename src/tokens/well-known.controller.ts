import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { JwksDto } from './dto/token.dto.js';
import { SigningKeysService } from './keys/signing-keys.service.js';

@ApiTags('Discovery')
@Controller('.well-known')
export class WellKnownController {
  constructor(
    private readonly keys: SigningKeysService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({
    summary: 'Public keys that verify access tokens (RFC 7517 JWKS), including recently rotated ones',
  })
  @ApiOkResponse({ type: JwksDto })
  jwks(): JwksDto {
    return this.keys.publicJwks();
  }

  @Get('openid-configuration')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({
    summary: 'OpenID Connect discovery document (RFC 8414 / OpenID Connect Discovery 1.0)',
    description:
      'Describes the authorization server of API.md section 7 for stock OAuth 2.0 / OpenID Connect clients: ' +
      'authorization code with S256 PKCE only, refresh tokens, revocation, userinfo, RP-initiated logout.',
  })
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true } })
  openidConfiguration(): Record<string, unknown> {
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
      id_token_signing_alg_values_supported: [this.config.jwtAlgorithm],
      scopes_supported: ['openid', 'offline_access', 'email', 'profile'],
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
        'email',
        'email_verified',
        'name',
      ],
    };
  }
}
