import { describe, expect, it } from 'vitest';
import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, signJwt, verifySignature } from './jwt.js';

describe('compact JWS', () => {
  it.each([
    ['ES256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
    ['EdDSA', () => generateKeyPairSync('ed25519')],
    ['RS256', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
  ] as const)('signs and verifies %s', (alg, gen) => {
    const { privateKey, publicKey } = gen();
    const token = signJwt({ sub: 'u1' }, { kid: 'k1', alg, privateKey });
    const jwt = decodeJwt(token)!;
    expect(jwt.header).toEqual({ alg, typ: 'JWT', kid: 'k1' });
    expect(verifySignature(jwt, alg, publicKey)).toBe(true);
    const tampered = decodeJwt(
      token.replace(/\.[^.]+\./, `.${Buffer.from('{"sub":"u2"}').toString('base64url')}.`),
    )!;
    expect(verifySignature(tampered, alg, publicKey)).toBe(false);
  });

  it('refuses an algorithm other than the key’s (no alg confusion, no "none")', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const token = signJwt({ sub: 'u1' }, { kid: 'k1', alg: 'ES256', privateKey });
    expect(verifySignature(decodeJwt(token)!, 'RS256', publicKey)).toBe(false);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.`;
    expect(verifySignature(decodeJwt(none)!, 'ES256', publicKey)).toBe(false);
  });

  it('answers null for things that are not JWTs', () => {
    expect(decodeJwt('abc')).toBeNull();
    expect(decodeJwt('a.b.c')).toBeNull();
    expect(
      decodeJwt(`${Buffer.from('[]').toString('base64url')}.${Buffer.from('1').toString('base64url')}.x`),
    ).toBeNull();
    expect(decodeJwt('x'.repeat(9000))).toBeNull();
  });
});
