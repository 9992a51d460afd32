import { describe, expect, it } from 'vitest';
import {
  isRecoveryCodeFormat,
  newRecoveryCodes,
  normalizeRecoveryCode,
  RECOVERY_CODE_COUNT,
  recoveryCodeHash,
} from './recovery-codes.js';

describe('recovery codes', () => {
  it('makes 10 distinct codes of 10 base32 characters', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const c of codes) {
      expect(c).toMatch(/^[0-9a-hjkmnp-tv-z]{5}-[0-9a-hjkmnp-tv-z]{5}$/);
      expect(isRecoveryCodeFormat(c)).toBe(true);
    }
  });

  it('reads codes back the way people type them', () => {
    expect(normalizeRecoveryCode(' AB1C0-xy2z3 ')).toBe('ab1c0xy2z3');
    expect(normalizeRecoveryCode('abico-xylzo')).toBe('ab1c0xy1z0');
    expect(isRecoveryCodeFormat('123456')).toBe(false);
    expect(isRecoveryCodeFormat('abcde-fghjk-m')).toBe(false);
    expect(isRecoveryCodeFormat('abcde-fgh!k')).toBe(false);
  });

  it('hashes per method, whatever the typing', () => {
    const [code] = newRecoveryCodes(1);
    const h = recoveryCodeHash('m1', code!);
    expect(recoveryCodeHash('m1', code!.toUpperCase().replace('-', ' '))).toEqual(h);
    expect(recoveryCodeHash('m2', code!)).not.toEqual(h);
    expect(h).toHaveLength(32);
  });
});
