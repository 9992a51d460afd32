import { ExecutionContext, Injectable, mixin, Type } from '@nestjs/common';
import { AuthGuard, IAuthGuard } from '@nestjs/passport';
import { validateBody } from '../common/http/validation.js';
import { PASSWORD_LOGINS, RequestWithLogins, VALIDATED_BODY } from './local.strategy.js';
import { PasswordLoginService } from './password-login.service.js';

/**
 * AuthGuard('local') runs before pipes, so on its own a body without a password would answer the
 * guard's 401 instead of the contract's 422. This guard validates the DTO first, then authenticates;
 * the handler reads the validated body with LoginBody.
 */
export function LocalAuthGuard(dto: new () => object): Type<IAuthGuard> {
  @Injectable()
  class ValidatingLocalGuard extends AuthGuard('local') {
    constructor(private readonly logins: PasswordLoginService) {
      super();
    }

    override async canActivate(context: ExecutionContext): Promise<boolean> {
      const req = context.switchToHttp().getRequest<RequestWithLogins>();
      req[VALIDATED_BODY] = await validateBody(dto, req.body);
      req[PASSWORD_LOGINS] = this.logins;
      return (await super.canActivate(context)) as boolean;
    }
  }
  return mixin(ValidatingLocalGuard);
}
