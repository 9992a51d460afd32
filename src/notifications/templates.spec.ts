import { describe, expect, it } from 'vitest';
import { escapeHtml } from '../common/http/hosted-page.js';
import { renderTemplate, TEMPLATE_NAMES, TemplateError } from './templates.js';

const SAMPLE = { link: 'https://app.example.com/x?token=abc', code: '123456', appName: 'Acme' };

describe('templates', () => {
  it('cover every TemplateName of the outbox contract', () => {
    expect([...TEMPLATE_NAMES].sort()).toEqual(
      [
        'already-registered',
        'authenticator-added',
        'authenticator-removed',
        'member-approved',
        'password-set-by-admin',
        'mfa-reset',
        'otp-code',
        'password-changed',
        'recovery-email',
        'reset-password',
        'sign-up',
        'verification-code',
      ].sort(),
    );
  });

  for (const name of TEMPLATE_NAMES) {
    it(`${name}: subject, text, HTML and SMS text`, () => {
      const r = renderTemplate(name, SAMPLE);
      expect(r.subject).toMatch(/\S/);
      expect(r.subject).toContain('Acme');
      expect(r.text).toMatch(/\S/);
      expect(r.html).toMatch(/^<!doctype html>/);
      expect(r.sms.length).toBeLessThanOrEqual(200);
    });
  }

  it('puts links and codes in both parts', () => {
    const reset = renderTemplate('reset-password', SAMPLE);
    expect(reset.text).toContain(SAMPLE.link);
    expect(reset.html).toContain(`href="${SAMPLE.link}"`);
    expect(reset.text).toContain('30 minutes');
    const otp = renderTemplate('otp-code', { code: '654321', expiresInMinutes: '5' });
    expect(otp.text).toContain('654321');
    expect(otp.html).toContain('654321');
    expect(otp.sms).toContain('654321');
  });

  it('escapes every value in the HTML part', () => {
    const r = renderTemplate('sign-up', {
      link: 'https://x.example/?a=1&token=<script>"',
      appName: `<img src=x onerror="alert(1)">`,
    });
    expect(r.html).not.toContain('<script>');
    expect(r.html).not.toContain('<img');
    expect(r.html).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(r.html).toContain('href="https://x.example/?a=1&amp;token=&lt;script&gt;&quot;"');
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });

  it('never makes a javascript: or data: link clickable', () => {
    for (const link of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,<b>x</b>',
      'no-scheme',
    ]) {
      expect(renderTemplate('reset-password', { link }).html).not.toContain('href=');
    }
    expect(renderTemplate('reset-password', { link: 'myapp://reset?token=a' }).html).toContain(
      'href="myapp://reset?token=a"',
    );
  });

  it('keeps line breaks out of the subject', () => {
    expect(renderTemplate('password-changed', { appName: 'A\r\nBcc: x@y.z' }).subject).not.toMatch(/[\r\n]/);
  });

  it('refuses missing values and unknown templates (permanent errors)', () => {
    expect(() => renderTemplate('reset-password', {})).toThrow(TemplateError);
    expect(() => renderTemplate('otp-code', { link: 'x' })).toThrow(/data\.code/);
    expect(() => renderTemplate('no-such-template', SAMPLE)).toThrow(TemplateError);
  });

  it('ignores a malformed expiresInMinutes', () => {
    expect(renderTemplate('otp-code', { code: '1', expiresInMinutes: '<b>' }).text).toContain('5 minutes');
  });
});
