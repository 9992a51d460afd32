import { createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import type { Request } from '../common/http/http.js';
import { requestContext } from '../common/http/request-context.js';
import type { PasswordLogin, PasswordLoginService } from './password-login.service.js';

/** Where LocalAuthGuard leaves its application's PasswordLoginService for the strategy. */
export const PASSWORD_LOGINS = Symbol('passwordLogins');
/** Where LocalAuthGuard leaves the body it validated, for the handler (LoginBody). */
export const VALIDATED_BODY = Symbol('validatedLoginBody');
export type RequestWithLogins = Request & {
  [PASSWORD_LOGINS]?: PasswordLoginService;
  [VALIDATED_BODY]?: object;
};

/**
 * The login body as LocalAuthGuard validated it (the DTO instance), for a handler behind that
 * guard. Handlers take it instead of `@Body()`, which would have the global pipe validate the same
 * body a second time on every login (custom decorators are not validated by the pipe).
 */
export const LoginBody = createParamDecorator(
  (_: unknown, ctx: ExecutionContext) => ctx.switchToHttp().getRequest<RequestWithLogins>()[VALIDATED_BODY],
);

/**
 * passport-local over the login body (`username`, `password`, plus the client fields).
 * Passport keeps strategies in one process-wide registry, so this strategy holds no state of its
 * own application: it uses the service the guard of the handling application put on the request.
 * Two applications in one process (tests of several instances) then never cross.
 */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor() {
    super({ usernameField: 'username', passwordField: 'password', passReqToCallback: true, session: false });
  }

  validate(req: RequestWithLogins, username: string, password: string): Promise<PasswordLogin> {
    const logins = req[PASSWORD_LOGINS];
    if (!logins) throw new Error('LocalStrategy used without LocalAuthGuard');
    const body = req.body as { client_id: string; client_secret?: string };
    return logins.login(
      { clientId: body.client_id, clientSecret: body.client_secret, username, password },
      requestContext(req),
    );
  }
}
