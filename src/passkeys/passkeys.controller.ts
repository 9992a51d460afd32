import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentAuth } from '../common/decorators/current-auth.js';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-docs.js';
import type { AuthClaims } from '../common/http/authenticated-request.js';
import { Ctx, RequestContext } from '../common/http/request-context.js';
import { SecretExchange } from '../common/rate-limit/rate-limited.js';
import { AllowVisitor, Authenticated } from '../tokens/guards/jwt-auth.guard.js';
import {
  CreationOptionsAnswerDto,
  PasskeyLoginAnswerDto,
  PasskeyLoginDto,
  PasskeyLoginOptionsDto,
  PasskeyMethodAnswerDto,
  PasskeyOptionsRequestDto,
  PasskeyRegisterDto,
  RequestOptionsAnswerDto,
} from './dto/passkeys.dto.js';
import { PasskeyFlowsService } from './passkey-flows.service.js';

const INVALID_PASSKEY =
  'INVALID_PASSKEY: an unknown, spent, expired or foreign stateToken (a replayed challenge), a wrong origin or RP id, ' +
  'a bad signature, a signature counter that went backwards, no user presence, or a credential of another user';

@ApiTags('Passkeys')
@Controller('auth/v2')
export class PasskeysController {
  constructor(private readonly flows: PasskeyFlowsService) {}

  @Post('mfa/methods/passkey/options')
  @HttpCode(200)
  @Authenticated()
  @SecretExchange()
  @ApiOperation({
    summary: 'Start registering a passkey (creation options)',
    description:
      'For the member of the Bearer token. Answers PublicKeyCredentialCreationOptionsJSON (resident key preferred, user ' +
      "verification preferred, the member's passkeys excluded) and a stateToken. Call navigator.credentials.create() " +
      'with PublicKeyCredential.parseCreationOptionsFromJSON(options), then POST /auth/v2/mfa/methods/passkey.',
  })
  @ApiOkResponse({ type: CreationOptionsAnswerDto })
  @ApiErrors(...BODY_ERRORS, [401, 'UNAUTHORIZED: no, bad or visitor Bearer token | INVALID_CLIENT'])
  registrationOptions(@Body() dto: PasskeyOptionsRequestDto, @CurrentAuth() auth: AuthClaims) {
    return this.flows.registrationOptions(auth, dto.name);
  }

  @Post('mfa/methods/passkey')
  @HttpCode(201)
  @Authenticated()
  @SecretExchange()
  @ApiOperation({
    summary: 'Finish registering a passkey',
    description:
      "`credential` is the browser's credential.toJSON(). The origin must be PUBLIC_URL's or one of the client's " +
      'allowedOrigins under the RP id (WEBAUTHN_RP_ID). MFA is on from now on (as when an authenticator is ' +
      'confirmed) and the member is mailed an "authenticator added" notice. Listed by GET /auth/v2/mfa/methods ' +
      '(type passkey), removed by DELETE /auth/v2/mfa/methods/{id}.',
  })
  @ApiCreatedResponse({ type: PasskeyMethodAnswerDto })
  @ApiErrors(...BODY_ERRORS, [401, `UNAUTHORIZED | ${INVALID_PASSKEY}`])
  register(@Body() dto: PasskeyRegisterDto, @CurrentAuth() auth: AuthClaims, @Ctx() ctx: RequestContext) {
    return this.flows.register(auth, dto, ctx);
  }

  @Post('login/passkey/options')
  @HttpCode(200)
  @Authenticated()
  @AllowVisitor()
  @SecretExchange()
  @ApiOperation({
    summary: 'Start a passkey sign-in (request options)',
    description:
      'Authorized by a visitor token of the client (POST /oauth2/token, grantType anonymous). Without loginId: no ' +
      'allowCredentials, the browser offers the discoverable passkeys of this RP id. With loginId: only passkeys of ' +
      'that account are listed and accepted. Call navigator.credentials.get() with PublicKeyCredential.' +
      'parseRequestOptionsFromJSON(options), then POST /auth/v2/login/passkey.',
  })
  @ApiOkResponse({ type: RequestOptionsAnswerDto })
  @ApiErrors(...BODY_ERRORS, [401, 'UNAUTHORIZED | INVALID_CLIENT'])
  signInOptions(@Body() dto: PasskeyLoginOptionsDto, @CurrentAuth() auth: AuthClaims) {
    return this.flows.signInOptions(auth, dto.loginId?.email);
  }

  @Post('login/passkey')
  @HttpCode(200)
  @Authenticated()
  @AllowVisitor()
  @SecretExchange()
  @ApiOperation({
    summary: 'Finish a passkey sign-in',
    description:
      'Answers the shape of POST /auth/v2/login. A passkey proves both factors (possession, and user verification ' +
      'when the authenticator reports it): no MFA step follows. The membership rules of /auth/v2/login apply ' +
      '(REQUIRE_EMAIL_VERIFICATION, REQUIRE_OWNER_APPROVAL, 403 for a locked, disabled or missing membership). The ' +
      "session records authMethod PASSKEY. A wrong assertion of a known passkey counts against its owner's budget " +
      'of second factors.',
  })
  @ApiOkResponse({ type: PasskeyLoginAnswerDto })
  @ApiErrors(
    ...BODY_ERRORS,
    [401, `UNAUTHORIZED | INVALID_CLIENT | ${INVALID_PASSKEY}`],
    [403, 'NOT_A_MEMBER | LOCKED | DISABLED'],
  )
  signIn(@Body() dto: PasskeyLoginDto, @CurrentAuth() auth: AuthClaims, @Ctx() ctx: RequestContext) {
    return this.flows.signIn(auth, dto, ctx);
  }
}
