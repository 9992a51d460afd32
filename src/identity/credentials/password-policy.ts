import { Injectable } from '@nestjs/common';
import { Errors } from '../../common/errors/app-error.js';
import { lazy } from '../../common/lazy.js';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * The ~49,000 common passwords of @zxcvbn-ts/language-common, lower-cased, loaded by the first
 * password set (unpacking the dictionaries costs start-up time and memory no sign-in needs).
 */
const commonPasswords = lazy(async () => {
  const { dictionary } = await import('@zxcvbn-ts/language-common');
  return new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
});

/**
 * The password policy of API.md section 3, used by every route that sets a password:
 * 12 to 128 characters, not a common password, not equal to or containing the username or email
 * (all case-insensitive). Returns the reason, or null when the password is acceptable.
 */
export async function passwordProblem(
  password: string,
  identity: { username?: string | null; email?: string | null },
): Promise<string | null> {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `Password must be at least ${PASSWORD_MIN_LENGTH} characters long`;
  if (length > PASSWORD_MAX_LENGTH) return `Password must be at most ${PASSWORD_MAX_LENGTH} characters long`;
  const lower = password.toLowerCase();
  if ((await commonPasswords()).has(lower)) return 'Password is too common';
  for (const [label, value] of [
    ['username', identity.username],
    ['email', identity.email],
  ] as const) {
    const v = value?.trim().toLowerCase();
    if (v && lower.includes(v)) return `Password must not contain the ${label}`;
  }
  return null;
}

@Injectable()
export class PasswordPolicy {
  /** Throws 400 WEAK_PASSWORD with the reason when the password breaks the policy. */
  async assertAcceptable(
    password: string,
    identity: { username?: string | null; email?: string | null },
  ): Promise<void> {
    const problem = await passwordProblem(password, identity);
    if (problem) throw Errors.weakPassword(problem);
  }
}
