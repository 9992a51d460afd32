import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentAuth } from '../common/decorators/current-auth.js';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-docs.js';
import type { AuthClaims } from '../common/http/authenticated-request.js';
import { NoStore } from '../common/http/no-store.js';
import { Ctx, RequestContext } from '../common/http/request-context.js';
import { RateLimited } from '../common/rate-limit/rate-limited.js';
import { AllowVisitor, Authenticated } from '../tokens/guards/jwt-auth.guard.js';
import {
  EmptyResponseDto,
  LoginDto,
  LoginStateResponseDto,
  RegisterDto,
  ResendDto,
  VerifyDto,
} from './dto/headless-login.dto.js';
import { HeadlessLoginService } from './headless-login.service.js';

const STATES =
  '`state`: SUCCESS (with a sessionToken for POST /auth/v2/redirect-sessions), REQUIRE_EMAIL_VERIFICATION (a 6-digit ' +
  'code was mailed: send it with the stateToken to /auth/v2/verify) or REQUIRE_OWNER_APPROVAL (no tokens until ' +
  'POST /admin/members/{userId}/approve). Failures are error bodies. Authorized by a visitor token ' +
  '(POST /oauth2/token with grantType "anonymous"); the client is the token\'s.';

@ApiTags('Headless login')
@Controller('auth/v2')
@Authenticated()
@AllowVisitor()
export class HeadlessLoginController {
  constructor(private readonly headless: HeadlessLoginService) {}

  @Post('register')
  @HttpCode(200)
  @NoStore()
  @RateLimited()
  @ApiOperation({
    summary: 'Register a member (Register V2)',
    description:
      `${STATES} REQUIRE_EMAIL_VERIFICATION when the client has requireEmailVerification (the default) or the email ` +
      'belongs to an existing contact without a password (the answer then shows nothing of that account: its identity ' +
      'is not the account, which shows after /auth/v2/verify); REQUIRE_OWNER_APPROVAL when the client has ' +
      'requireOwnerApproval.',
  })
  @ApiOkResponse({ type: LoginStateResponseDto })
  @ApiErrors(
    ...BODY_ERRORS,
    [400, 'WEAK_PASSWORD | CAPTCHA_INVALID: missing or rejected captcha (client captchaRequired)'],
    [401, 'MFA_REQUIRED: the client requires a second factor'],
    [403, 'SIGN_UP_DISABLED: the client has allowSignUp false'],
    [409, 'EMAIL_ALREADY_EXISTS'],
    503,
  )
  register(@Body() dto: RegisterDto, @CurrentAuth() auth: AuthClaims, @Ctx() ctx: RequestContext) {
    return this.headless.register(dto, auth, ctx);
  }

  @Post('login')
  @HttpCode(200)
  @NoStore()
  @RateLimited()
  @ApiOperation({
    summary: 'Log a member in (Login V2)',
    description: `${STATES} REQUIRE_EMAIL_VERIFICATION for a member whose email is not verified yet.`,
  })
  @ApiOkResponse({ type: LoginStateResponseDto })
  @ApiErrors(
    ...BODY_ERRORS,
    [400, 'CAPTCHA_INVALID'],
    [401, 'INVALID_CREDENTIALS | MFA_REQUIRED: a second factor is due (use the hosted login page)'],
    [403, 'NOT_A_MEMBER | LOCKED | DISABLED'],
    503,
  )
  login(@Body() dto: LoginDto, @CurrentAuth() auth: AuthClaims, @Ctx() ctx: RequestContext) {
    return this.headless.login(dto, auth, ctx);
  }

  @Post('verify')
  @HttpCode(200)
  @NoStore()
  @RateLimited()
  @ApiOperation({
    summary: 'Verify the email with the mailed code (Verify During Authentication)',
    description:
      `${STATES} The code and the stateToken are spent together; five wrong codes burn the stateToken. Wrong codes ` +
      "also count against the user's daily budget of 50 wrong codes; past it, email verification answers 429 until a " +
      'password sign-in or a reset link.',
  })
  @ApiOkResponse({ type: LoginStateResponseDto })
  @ApiErrors(
    ...BODY_ERRORS,
    [401, 'INVALID_CODE: wrong or expired code, or an unknown, spent or expired stateToken'],
    [403, 'LOCKED | DISABLED'],
  )
  verify(@Body() dto: VerifyDto, @CurrentAuth() auth: AuthClaims, @Ctx() ctx: RequestContext) {
    return this.headless.verify(dto, auth, ctx);
  }

  @Post('verify/resend')
  @HttpCode(200)
  @RateLimited()
  @ApiOperation({
    summary: 'Mail a new verification code',
    description:
      'The new code replaces the old one. Throttled per account (RATE_LIMIT_PER_ADDRESS an hour, shared with every ' +
      'route that mails the account) and per IP.',
  })
  @ApiOkResponse({ type: EmptyResponseDto })
  @ApiErrors(...BODY_ERRORS, [401, 'INVALID_TOKEN: unknown, spent or expired stateToken'])
  resend(@Body() dto: ResendDto, @CurrentAuth() auth: AuthClaims, @Ctx() ctx: RequestContext) {
    return this.headless.resend(dto, auth, ctx);
  }
}
