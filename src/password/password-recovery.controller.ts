import { Body, Controller, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-docs.js';
import { NoStore } from '../common/http/no-store.js';
import { Ctx, RequestContext } from '../common/http/request-context.js';
import { RateLimited } from '../common/rate-limit/rate-limited.js';
import { SuccessDto } from '../tokens/dto/token.dto.js';
import { ForgetPasswordDto, ResetPasswordDto, VerifyResetLinkQueryDto } from './dto/recovery.dto.js';
import { PasswordRecoveryService } from './password-recovery.service.js';

const INVALID_CLIENT: [number, string] = [401, 'INVALID_CLIENT: unknown client_id or wrong client_secret'];
const INVALID_TOKEN: [number, string] = [401, 'INVALID_TOKEN: unknown, expired or already used link token'];

@ApiTags('Password recovery')
@Controller('auth')
export class PasswordRecoveryController {
  constructor(private readonly recovery: PasswordRecoveryService) {}

  @Post('forget-password')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Mail a password-reset link',
    description:
      'Answers 204 for every valid request, whether or not the account exists (no enumeration, and the same ' +
      "work is done either way). A user of the client's tenant with an email gets a link to the client's " +
      '`resetPasswordUrl` (else its first `redirectUrls` entry) with `?token=<token>`: single use, valid 30 ' +
      'minutes, bound to this client; a new link voids the older ones. `username` is a username or an email. ' +
      'Mail is delivered through the outbox (retried while SMTP is down). Requests naming one address are ' +
      'capped (RATE_LIMIT_PER_ADDRESS an hour, 429 beyond, known address or not).',
  })
  @ApiNoContentResponse({ description: 'Accepted (a mail is sent only for a known user)' })
  @ApiErrors(...BODY_ERRORS, INVALID_CLIENT)
  @RateLimited()
  async forgetPassword(@Body() dto: ForgetPasswordDto, @Ctx() ctx: RequestContext): Promise<void> {
    await this.recovery.forgetPassword(dto, ctx);
  }

  @Get('verify-reset-password-link')
  @ApiOperation({
    summary: 'Check a password-reset link',
    description:
      'For the reset page of the app: 200 while the token of the mailed link is unused and unexpired. ' +
      "Does not spend the token. Unknown tokens count against the caller's IP (RATE_LIMIT_PER_ACCOUNT x 10 " +
      'per 15 minutes).',
  })
  @ApiOkResponse({ type: SuccessDto })
  @ApiErrors(422, INVALID_TOKEN)
  @RateLimited()
  async verifyResetLink(
    @Query() query: VerifyResetLinkQueryDto,
    @Ctx() ctx: RequestContext,
  ): Promise<SuccessDto> {
    await this.recovery.verifyResetLink(query.token, ctx);
    return { success: true };
  }

  @Patch('reset-password')
  @HttpCode(204)
  @NoStore()
  @ApiOperation({
    summary: 'Set a new password with a reset link',
    description:
      'The token works once, only for the client that requested it (client_secret needed for a confidential ' +
      'client). On success every session (refresh-token family) of the user ends on every instance, older reset ' +
      'links stop working, and a "your password was changed" mail is sent. A password that breaks the policy ' +
      'answers 400 WEAK_PASSWORD and leaves the token usable.',
  })
  @ApiNoContentResponse({ description: 'Password changed; all sessions ended' })
  @ApiErrors(
    ...BODY_ERRORS,
    [400, 'WEAK_PASSWORD: the new password breaks the policy (reason in message)'],
    INVALID_CLIENT,
    INVALID_TOKEN,
  )
  @RateLimited()
  async resetPassword(@Body() dto: ResetPasswordDto, @Ctx() ctx: RequestContext): Promise<void> {
    await this.recovery.resetPassword(dto, ctx);
  }
}
