import { Body, Controller, Get, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Errors } from '../common/errors/app-error.js';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-docs.js';
import { NoStore } from '../common/http/no-store.js';
import { Ctx, RequestContext } from '../common/http/request-context.js';
import { RateLimited } from '../common/rate-limit/rate-limited.js';
import {
  AuthCodeDto,
  CreateQrCodeDto,
  OtpSentDto,
  QrCodeDto,
  QrCodeStatusDto,
  SendOtpDto,
  VerifyOtpDto,
} from './dto/otp.dto.js';
import { OtpLoginService } from './otp-login.service.js';

/** A required request header of at most `max` characters, else 422 VALIDATION_FAILED naming it. */
function requiredHeader(value: string | undefined, field: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw Errors.validation([{ field, message: `header ${field} is required (1-${max} characters)` }]);
  }
  return value;
}

@ApiTags('OTP and authenticator MFA')
@Controller('auth')
export class OtpController {
  constructor(private readonly otp: OtpLoginService) {}

  @Post('send-otp')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Send a one-time code by email or SMS',
    description:
      'Sends a 6-digit code valid 5 minutes to the user named by key (username or email): by SMS when channel is "sms" and the ' +
      'user has a phone number, else by email. The answer is the same whether or not the key is known. The code is bound to ' +
      "the client and to the user's pending /auth/login code for that client, if any; a new code replaces the previous one. " +
      'Users with an authenticator app get no code: /auth/verify-otp checks their authenticator (or a recovery code). ' +
      'Every request counts against the account key names, whichever of its names is typed (RATE_LIMIT_PER_ADDRESS an ' +
      'hour); a key that names no account counts as itself.',
  })
  @ApiOkResponse({ type: OtpSentDto })
  @ApiErrors(...BODY_ERRORS, [401, 'INVALID_CLIENT: unknown client_id or wrong client_secret'])
  @RateLimited()
  async sendOtp(@Body() dto: SendOtpDto, @Ctx() ctx: RequestContext): Promise<OtpSentDto> {
    await this.otp.sendOtp(
      { clientId: dto.client_id, clientSecret: dto.client_secret, key: dto.key, channel: dto.channel },
      ctx,
    );
    return { success: true };
  }

  @Post('verify-otp')
  @HttpCode(200)
  @NoStore()
  @ApiOperation({
    summary: 'Trade a one-time code for an auth code',
    description:
      'After /auth/login answered a code that still needs MFA, this completes the second factor: the pending code is spent and a new ' +
      'one, valid for /auth/token, is answered (authMethod OTP, TOTP or RECOVERY_CODE). Users with an authenticator app send its ' +
      'current code or one of their recovery codes; an authenticator just made by /auth/create-qr-code is confirmed by it. ' +
      'Without a pending login this is a passwordless login by the code from /auth/send-otp (authMethod OTP); where MFA ' +
      'applies the right code is spent and answered 401 MFA_REQUIRED (start with the password). A user with an ' +
      'authenticator gets 401 INVALID_OTP whatever the code without a pending login: nothing is checked. A code works ' +
      'once; 5 wrong tries burn it (and 5 wrong second factors burn a pending login). Wrong authenticator and recovery ' +
      "codes count against the user's one budget of second factors (RATE_LIMIT_PER_ACCOUNT per 15 minutes, every route); " +
      'wrong emailed codes against a daily budget of 50, past which code sign-in stops (429) until a password sign-in ' +
      'or a reset link.',
  })
  @ApiOkResponse({ type: AuthCodeDto })
  @ApiErrors(
    ...BODY_ERRORS,
    [401, 'INVALID_OTP: wrong, expired, spent or burnt code (same answer for an unknown key)'],
    [
      401,
      'MFA_REQUIRED: a right emailed code without a pending login where MFA applies: start with /auth/login',
    ],
    [403, 'LOCKED | PENDING_APPROVAL | ... | NOT_A_MEMBER (passwordless login, after the code matched)'],
  )
  @RateLimited()
  async verifyOtp(@Body() dto: VerifyOtpDto, @Ctx() ctx: RequestContext): Promise<AuthCodeDto> {
    return { code: await this.otp.verifyOtp({ key: dto.key, otp: dto.otp }, ctx) };
  }

  @Get('check-qr-code')
  @ApiHeader({
    name: 'code',
    required: true,
    description: 'An auth code from /auth/login (not spent by this call)',
  })
  @ApiHeader({ name: 'clientId', required: true, description: 'The client the code was issued to' })
  @ApiOperation({
    summary: 'Whether the user of a login code has an authenticator app',
    description: 'isGenerated is true when the user has a confirmed authenticator (TOTP) secret.',
  })
  @ApiOkResponse({ type: QrCodeStatusDto })
  @ApiErrors(
    [401, 'INVALID_CODE: unknown, spent, expired or foreign code'],
    [422, 'VALIDATION_FAILED: header code or clientId missing'],
  )
  @RateLimited()
  async checkQrCode(
    @Headers('code') code: string | undefined,
    @Headers('clientid') clientId: string | undefined,
    @Ctx() ctx: RequestContext,
  ): Promise<QrCodeStatusDto> {
    const isGenerated = await this.otp.checkQrCode(
      requiredHeader(code, 'code', 512),
      requiredHeader(clientId, 'clientId', 200),
      ctx,
    );
    return { isGenerated };
  }

  @Post('create-qr-code')
  @HttpCode(200)
  @NoStore()
  @ApiOperation({
    summary: 'Create an authenticator app secret for the user of a login code',
    description:
      'Answers a QR code (PNG data URL) of an otpauth://totp/ URI (SHA-1, 6 digits, 30 s) with a new secret, replacing an ' +
      'unconfirmed one. The authenticator is confirmed by the /auth/verify-otp that completes the login with its first code.',
  })
  @ApiOkResponse({ type: QrCodeDto })
  @ApiErrors(
    ...BODY_ERRORS,
    [401, 'INVALID_CODE: unknown, spent, expired or foreign code'],
    [409, 'MFA_ALREADY_CONFIGURED: the user already has a confirmed authenticator'],
  )
  @RateLimited()
  async createQrCode(@Body() dto: CreateQrCodeDto, @Ctx() ctx: RequestContext): Promise<QrCodeDto> {
    return { qrCode: await this.otp.createQrCode(dto.code, dto.clientId, ctx) };
  }
}
