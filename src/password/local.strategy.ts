import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import type { Request } from 'express';
import { requestContext } from '../common/http/request-context.js';
import { PasswordLogin, PasswordLoginService } from './password-login.service.js';

/** passport-local over the login body (`username`, `password`, plus the client fields). */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(private readonly logins: PasswordLoginService) {
    super({ usernameField: 'username', passwordField: 'password', passReqToCallback: true, session: false });
  }

  validate(req: Request, username: string, password: string): Promise<PasswordLogin> {
    const body = req.body as { client_id: string; client_secret?: string };
    return this.logins.login(
      { clientId: body.client_id, clientSecret: body.client_secret, username, password },
      requestContext(req),
    );
  }
}
