import { describe, expect, it } from 'vitest';
import { createCodeChallenge, createCodeVerifier, createPkcePair, createState } from './pkce.js';

describe('PKCE helpers', () => {
  it('computes the S256 challenge of RFC 7636 appendix B', async () => {
    expect(await createCodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    );
  });

  it('makes fresh 43-character verifiers and states', async () => {
    const a = createCodeVerifier();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(createCodeVerifier()).not.toBe(a);
    expect(createState()).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const pair = await createPkcePair();
    expect(pair.codeChallengeMethod).toBe('S256');
    expect(pair.codeChallenge).toBe(await createCodeChallenge(pair.codeVerifier));
  });

  it('refuses a verifier outside RFC 7636', async () => {
    await expect(createCodeChallenge('short')).rejects.toThrow(TypeError);
    await expect(createCodeChallenge('x'.repeat(42) + ' ')).rejects.toThrow(TypeError);
  });
});
