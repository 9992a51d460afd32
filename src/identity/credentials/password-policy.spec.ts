import { describe, expect, it } from 'vitest';
import { passwordProblem, PasswordPolicy } from './password-policy.js';

describe('password policy', () => {
  const id = { username: 'ada.lovelace', email: 'ada@example.com' };

  it('accepts a long uncommon password', () => {
    expect(passwordProblem('Violet-Harbour-Lantern-42', id)).toBeNull();
  });

  it('enforces 12 to 128 characters, counting code points', () => {
    expect(passwordProblem('Sh0rt-pass!', id)).toMatch(/at least 12/);
    expect(passwordProblem('x'.repeat(129), id)).toMatch(/at most 128/);
    expect(passwordProblem('🔒'.repeat(12), id)).toBeNull();
  });

  it('refuses dictionary passwords case-insensitively', () => {
    expect(passwordProblem('password1234', id)).toMatch(/common/);
    expect(passwordProblem('PASSWORD1234', id)).toMatch(/common/);
  });

  it('refuses passwords equal to or containing the username or email', () => {
    expect(passwordProblem('xxADA.LOVELACExx', id)).toMatch(/username/);
    expect(passwordProblem('ada@example.com', id)).toMatch(/email/);
    expect(passwordProblem('my-Ada@Example.com-2026', id)).toMatch(/email/);
  });

  it('throws 400 WEAK_PASSWORD with the reason', () => {
    expect(() => new PasswordPolicy().assertAcceptable('short', id)).toThrow(
      expect.objectContaining({ code: 'WEAK_PASSWORD', message: expect.stringMatching(/12/) }),
    );
  });
});
