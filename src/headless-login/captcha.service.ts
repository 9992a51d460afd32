import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, Errors } from '../common/errors/app-error.js';
import type { RequestContext } from '../common/http/request-context.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import type { AuthClient } from '../identity/identity.types.js';

const VERIFY_TIMEOUT_MS = 5000;

export const captchaInvalid = (message = 'The captcha is missing or was rejected') =>
  new AppError(400, 'CAPTCHA_INVALID', message);

/**
 * The captcha check of clients with `captchaRequired` (API.md section 7): the token is verified at
 * CAPTCHA_VERIFY_URL with CAPTCHA_SECRET the way reCAPTCHA's siteverify (and hCaptcha, Turnstile)
 * expect it: a form POST of `secret`, `response` and `remoteip`, answering `{"success": true|false}`.
 * It fails closed: without a configured verifier, or with an unreachable one, nothing passes.
 */
@Injectable()
export class CaptchaService {
  private readonly logger = new Logger('Captcha');

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async check(client: AuthClient, token: string | undefined, ctx: RequestContext): Promise<void> {
    if (!client.captchaRequired) return;
    if (!token) throw captchaInvalid('A captchaToken is required for this client');
    const { captchaVerifyUrl: url, captchaSecret: secret } = this.config;
    if (!url || !secret) {
      this.logger.warn(
        `client ${client.clientId} requires a captcha but CAPTCHA_VERIFY_URL/CAPTCHA_SECRET are not set`,
      );
      throw captchaInvalid('Captcha verification is not configured');
    }
    let answer: unknown;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({ secret, response: token, remoteip: ctx.ip }),
        signal: AbortSignal.timeout(VERIFY_TIMEOUT_MS),
        redirect: 'error',
      });
      if (!res.ok) throw new Error(`status ${res.status}`);
      answer = await res.json();
    } catch (err) {
      this.logger.warn(`captcha verification failed: ${(err as Error).message}`);
      throw Errors.unavailable();
    }
    if ((answer as { success?: unknown } | null)?.success !== true) throw captchaInvalid();
  }
}
