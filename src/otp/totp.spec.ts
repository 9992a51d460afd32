import { describe, expect, it } from 'vitest';
import { isTotpFormat, matchTotpStep, newTotpSecret, totpUri } from './totp.js';

// RFC 6238 appendix B, SHA-1: the ASCII secret "12345678901234567890", base32. The RFC lists
// 8-digit values; a 6-digit code is their last six digits.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const VECTORS: [number, string][] = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
  [20000000000, '353130'],
];

describe('TOTP (RFC 6238, SHA-1, 6 digits, 30 s)', () => {
  it.each(VECTORS)('matches the RFC 6238 vector at T=%i', async (t, code) => {
    expect(await matchTotpStep(RFC_SECRET, code, null, t * 1000)).toBe(Math.floor(t / 30));
  });

  it('accepts the previous and the next step, not two away', async () => {
    const [t, code] = VECTORS[3]!;
    const step = Math.floor(t / 30);
    expect(await matchTotpStep(RFC_SECRET, code, null, (t + 30) * 1000)).toBe(step);
    expect(await matchTotpStep(RFC_SECRET, code, null, (t - 30) * 1000)).toBe(step);
    expect(await matchTotpStep(RFC_SECRET, code, null, (t + 60) * 1000)).toBeNull();
    expect(await matchTotpStep(RFC_SECRET, code, null, (t - 60) * 1000)).toBeNull();
  });

  it('refuses a step at or before the last accepted one (replay)', async () => {
    const [t, code] = VECTORS[3]!;
    const step = Math.floor(t / 30);
    expect(await matchTotpStep(RFC_SECRET, code, step - 1, t * 1000)).toBe(step);
    expect(await matchTotpStep(RFC_SECRET, code, step, t * 1000)).toBeNull();
    expect(await matchTotpStep(RFC_SECRET, code, step + 1, t * 1000)).toBeNull();
  });

  it('never throws on malformed input', async () => {
    for (const code of ['', '12345', '1234567', 'abcdef', '12 456', '１２３４５６']) {
      expect(await matchTotpStep(RFC_SECRET, code, null)).toBeNull();
      expect(isTotpFormat(code)).toBe(false);
    }
    expect(await matchTotpStep('not base32 !!', '123456', null)).toBeNull();
  });

  it('makes 160-bit base32 secrets and standard otpauth URIs', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
    const uri = new URL(totpUri({ issuer: 'Acme Co', label: 'ada@example.com', secret }));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Acme Co:ada@example.com');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Acme Co');
  });
});
