import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentAuth } from '../common/decorators/current-auth.js';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-docs.js';
import type { AuthClaims } from '../common/http/authenticated-request.js';
import { NoStore } from '../common/http/no-store.js';
import { Ctx, RequestContext } from '../common/http/request-context.js';
import { RateLimited } from '../common/rate-limit/rate-limited.js';
import { Authenticated } from '../tokens/guards/jwt-auth.guard.js';
import {
  ConfirmedMfaDto,
  ConfirmMfaDto,
  MfaMethodDto,
  OwnerProofDto,
  TotpSetupDto,
} from './dto/mfa-methods.dto.js';
import type { MfaMethodRecord } from './otp.types.js';
import { MfaSettingsService } from './mfa-settings.service.js';

const PROOF_ERRORS: [number, string] = [
  401,
  'UNAUTHORIZED: no or bad Bearer token | INVALID_CREDENTIALS: wrong password, or neither password nor code while one ' +
    'is needed | INVALID_MFA_CODE: wrong, replayed or spent code',
];

function methodDto(m: MfaMethodRecord): MfaMethodDto {
  return {
    id: m.id,
    type: m.type,
    name: m.name,
    confirmed: m.confirmed,
    createdAt: m.createdAt.toISOString(),
    lastUsedAt: m.lastUsedAt ? m.lastUsedAt.toISOString() : null,
    remainingCodes: m.remainingCodes,
  };
}

@ApiTags('MFA methods')
@Controller('auth/v2/mfa/methods')
export class MfaMethodsController {
  constructor(private readonly settings: MfaSettingsService) {}

  @Get()
  @Authenticated()
  @ApiOperation({
    summary: "The caller's MFA methods",
    description:
      'Authenticator apps (type totp; confirmed false while waiting for their first code), passkeys (type passkey, ' +
      'see POST /auth/v2/mfa/methods/passkey/options) and the recovery codes (type recoveryCode, with the number ' +
      'still unused). Never a secret.',
  })
  @ApiOkResponse({ type: [MfaMethodDto] })
  async list(@CurrentAuth() auth: AuthClaims): Promise<MfaMethodDto[]> {
    return (await this.settings.list(auth)).map(methodDto);
  }

  @Post('totp')
  @HttpCode(200)
  @Authenticated()
  @NoStore()
  @ApiOperation({
    summary: 'Add an authenticator app (pending until confirmed)',
    description:
      'Needs the current password or a code of an existing method; neither while the account has no password and no ' +
      'method. Answers the secret, its otpauth:// URI and a QR code once; it replaces an earlier unconfirmed one. ' +
      'Confirm it with POST /auth/v2/mfa/methods/{methodId}/confirm.',
  })
  @ApiBody({ type: OwnerProofDto })
  @ApiOkResponse({ type: TotpSetupDto })
  @ApiErrors(...BODY_ERRORS, PROOF_ERRORS)
  @RateLimited()
  addTotp(@Body() dto: OwnerProofDto, @CurrentAuth() auth: AuthClaims, @Ctx() ctx: RequestContext) {
    return this.settings.addTotp(auth, { password: dto.password, code: dto.code }, ctx);
  }

  @Post(':id/confirm')
  @HttpCode(200)
  @Authenticated()
  @NoStore()
  @ApiParam({ name: 'id', description: 'methodId from POST /auth/v2/mfa/methods/totp' })
  @ApiOperation({
    summary: 'Confirm an authenticator app with its current code',
    description:
      'MFA is on from now on. Answers 10 single-use recovery codes, shown only this once (they replace an older set). ' +
      'The code is spent: the same time step is not accepted again anywhere.',
  })
  @ApiOkResponse({ type: ConfirmedMfaDto })
  @ApiErrors(
    ...BODY_ERRORS,
    [401, 'UNAUTHORIZED: no or bad Bearer token | INVALID_MFA_CODE: wrong or replayed code'],
    [404, "NOT_FOUND: no such authenticator of the caller's"],
    [409, 'MFA_ALREADY_CONFIGURED: already confirmed'],
  )
  @RateLimited()
  async confirm(
    @Param('id') id: string,
    @Body() dto: ConfirmMfaDto,
    @CurrentAuth() auth: AuthClaims,
  ): Promise<ConfirmedMfaDto> {
    const done = await this.settings.confirm(auth, id, dto.code);
    return { ...methodDto(done.method), recoveryCodes: done.recoveryCodes };
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated()
  @ApiParam({ name: 'id', description: 'A method id from GET /auth/v2/mfa/methods' })
  @ApiOperation({
    summary: 'Remove an MFA method',
    description:
      'Needs the current password or a code of an existing method (body {password} or {code}; neither for an ' +
      'account without a password whose only factors are passkeys). Removing an authenticator, or the last ' +
      'passkey when no authenticator is left, removes the recovery codes too; when neither an authenticator nor a ' +
      'passkey is left MFA is off and every other session of the user ends. The user is mailed a notice.',
  })
  @ApiBody({ type: OwnerProofDto, required: false })
  @ApiResponse({ status: 204, description: 'Removed' })
  @ApiErrors(...BODY_ERRORS, PROOF_ERRORS, [404, "NOT_FOUND: no such method of the caller's"])
  @RateLimited()
  async remove(
    @Param('id') id: string,
    @Body() dto: OwnerProofDto,
    @CurrentAuth() auth: AuthClaims,
    @Ctx() ctx: RequestContext,
  ): Promise<void> {
    await this.settings.remove(auth, id, { password: dto.password, code: dto.code }, ctx);
  }
}
