import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-docs.js';
import { NoStore } from '../common/http/no-store.js';
import { Ctx, RequestContext } from '../common/http/request-context.js';
import { RateLimited } from '../common/rate-limit/rate-limited.js';
import {
  CreateSignUpTokenDto,
  CreateSignUpUserDto,
  SignUpTokenInfoDto,
  SignUpUserDto,
} from './dto/sign-up.dto.js';
import { SignUpToken, SignUpTokenAuth, type SignUpTokenRecord } from './sign-up-token.guard.js';
import { SignupService } from './signup.service.js';

const SIGN_UP_DISABLED: [number, string] = [403, 'SIGN_UP_DISABLED: the client has allowSignUp false'];

@ApiTags('Sign-up')
@Controller('auth/sign-up')
export class SignupController {
  constructor(private readonly signup: SignupService) {}

  @Post('create-token')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Mail a sign-up link',
    description:
      "Mails a link to the client's `signUpUrl` (else its first `redirectUrls` entry) with `?token=<token>`: a " +
      'single-use sign-up token bound to this client, valid 30 minutes, carrying `email` and `data`. When the ' +
      'address already has an account, the answer is the same 204 and the mail says "you already have an ' +
      'account" instead. Requests naming one address are capped (RATE_LIMIT_PER_ADDRESS an hour, 429 beyond).',
  })
  @ApiNoContentResponse({ description: 'A sign-up link (or an "already registered" notice) is on its way' })
  @ApiErrors(
    ...BODY_ERRORS,
    [401, 'INVALID_CLIENT: unknown client_id or wrong client_secret'],
    SIGN_UP_DISABLED,
  )
  @RateLimited()
  async createToken(@Body() dto: CreateSignUpTokenDto, @Ctx() ctx: RequestContext): Promise<void> {
    await this.signup.createToken(dto, ctx);
  }

  @Get('verify-token')
  @SignUpTokenAuth()
  @NoStore()
  @ApiOperation({
    summary: 'Check a sign-up token',
    description:
      'For the sign-up page of the app: send the token of the mailed link as `Authorization: Bearer <token>`. ' +
      'Answers the address it was sent to and when it expires; does not spend it.',
  })
  @ApiOkResponse({ type: SignUpTokenInfoDto })
  @RateLimited()
  verifyToken(@SignUpToken() token: SignUpTokenRecord): SignUpTokenInfoDto {
    return this.signup.describe(token);
  }

  @Post('create-user')
  @HttpCode(200)
  @SignUpTokenAuth()
  @NoStore()
  @ApiOperation({
    summary: 'Create the account of a sign-up token',
    description:
      'Creates an ACTIVE user with a verified email and `username` = email, a member (without a role) of the ' +
      "client's tenant, with the token's `data` as first profile; the token is then spent. It does not log " +
      'the user in: log in with the new password. A refused request (EMAIL_MISMATCH, WEAK_PASSWORD, ' +
      'EMAIL_ALREADY_EXISTS, SIGN_UP_DISABLED) leaves the token usable.',
  })
  @ApiOkResponse({ type: SignUpUserDto })
  @ApiErrors(
    ...BODY_ERRORS,
    [400, 'EMAIL_MISMATCH: email is not the address of the token'],
    [400, 'WEAK_PASSWORD: the password breaks the policy (reason in message)'],
    SIGN_UP_DISABLED,
    [409, 'EMAIL_ALREADY_EXISTS: an account with that email was created meanwhile'],
  )
  @RateLimited()
  createUser(
    @SignUpToken() token: SignUpTokenRecord,
    @Body() dto: CreateSignUpUserDto,
  ): Promise<SignUpUserDto> {
    return this.signup.createUser(token, dto);
  }
}
