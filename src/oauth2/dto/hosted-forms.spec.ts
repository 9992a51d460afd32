import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { readFormFields } from '../../common/http/form-fields.js';
import { HostedLoginForm, LogoutConfirmationForm } from './hosted-forms.dto.js';

describe('the forms of the hosted pages', () => {
  it('read an invalid field (empty, too long, not a string, with NUL) as absent, and drop unknown ones', () => {
    const form = readFormFields(HostedLoginForm, {
      redirectSession: 'abc',
      email: '',
      password: 'x'.repeat(1001),
      code: { a: 1 },
      mfaToken: 'a\u0000b',
      passkeyState: ['a'],
      credential: 'y'.repeat(40_000),
      client_id: 'my-spa',
    });
    expect({ ...form }).toEqual({ redirectSession: 'abc', credential: 'y'.repeat(40_000) });
  });

  it('count lengths in UTF-16 units, as the pages always did', () => {
    expect(readFormFields(HostedLoginForm, { email: '😀'.repeat(160) }).email).toBe('😀'.repeat(160));
    expect(readFormFields(HostedLoginForm, { email: '😀'.repeat(161) }).email).toBeUndefined();
    expect(readFormFields(LogoutConfirmationForm, { confirm: 'x'.repeat(100) }).confirm).toBe(
      'x'.repeat(100),
    );
    expect(readFormFields(LogoutConfirmationForm, { confirm: 'x'.repeat(101) }).confirm).toBeUndefined();
  });

  it('read a body that is not an object as an empty form', () => {
    expect({ ...readFormFields(HostedLoginForm, [1, 2]) }).toEqual({});
    expect({ ...readFormFields(LogoutConfirmationForm, undefined) }).toEqual({});
  });
});
