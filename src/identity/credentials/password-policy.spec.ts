import { describe, expect, it } from 'vitest';
import { passwordProblem, PasswordPolicy } from './password-policy.js';

describe('password policy', async () => {
  const id = { username: 'ada.lovelace', email: 'ada@example.com' };

  it('accepts a long uncommon password', async () => {
    expect(await passwordProblem('Violet-Harbour-Lantern-42', id)).toBeNull();
  });

  it('enforces 12 to 128 characters, counting code points', async () => {
    expect(await passwordProblem('Sh0rt-pass!', id)).toMatch(/at least 12/);
    expect(await passwordProblem('x'.repeat(129), id)).toMatch(/at most 128/);
    expect(await passwordProblem('🔒'.repeat(12), id)).toBeNull();
  });

  it('refuses dictionary passwords case-insensitively', async () => {
    expect(await passwordProblem('password1234', id)).toMatch(/common/);
    expect(await passwordProblem('PASSWORD1234', id)).toMatch(/common/);
  });

  it('refuses passwords equal to or containing the username or email', async () => {
    expect(await passwordProblem('xxADA.LOVELACExx', id)).toMatch(/username/);
    expect(await passwordProblem('ada@example.com', id)).toMatch(/email/);
    expect(await passwordProblem('my-Ada@Example.com-2026', id)).toMatch(/email/);
  });

  it('throws 400 WEAK_PASSWORD with the reason', async () => {
    await expect(new PasswordPolicy().assertAcceptable('short', id)).rejects.toThrow(
      expect.objectContaining({ code: 'WEAK_PASSWORD', message: expect.stringMatching(/12/) }),
    );
  });
});
