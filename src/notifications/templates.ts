import { escapeHtml } from '../common/http/hosted-page.js';
import type { TemplateName } from './outbox.types.js';

/** A rendered message: a mail uses subject + text + html, an SMS only `sms`. */
export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
  sms: string;
}

/** A message that can never be rendered (unknown template, missing value): retrying cannot help. */
export class TemplateError extends Error {}

type Block = { text: string } | { link: string; label: string } | { code: string };

interface TemplateParts {
  subject: string;
  blocks: Block[];
  sms: string;
}

type Vars = Record<string, string>;

function required(data: Vars, template: TemplateName, key: string): string {
  const value = data[key];
  if (typeof value !== 'string' || !value) throw new TemplateError(`template ${template} needs data.${key}`);
  return value;
}

function minutes(data: Vars, fallback: number): string {
  const value = data.expiresInMinutes;
  return value && /^\d{1,6}$/.test(value) ? value : String(fallback);
}

/** "for Acme web" when the feature named the app (the client's name), else nothing. */
function forApp(data: Vars): string {
  return data.appName ? ` for ${data.appName}` : '';
}

/** "(Authenticator app 2)" when the feature named the method, else nothing. */
function methodName(data: Vars): string {
  return data.method ? ` (${data.method})` : '';
}

const NOT_YOU =
  'If this was not you, reset your password at once with "Forgot password" and contact support.';

const IGNORE =
  'If you did not ask for this, you can ignore this message: nothing changes until the link is used.';

/**
 * The data each template reads (`data` of OutboxMessage, all strings):
 * - reset-password: `link` (required), `expiresInMinutes` (default 30), `appName`
 * - password-changed: `appName`
 * - sign-up: `link` (required), `expiresInMinutes` (default 30), `appName`
 * - already-registered: `link` (optional: where to sign in), `appName`
 * - verification-code: `code` (required), `expiresInMinutes` (default 30), `appName`
 * - otp-code: `code` (required), `expiresInMinutes` (default 5), `appName`
 * - member-approved: `link` (optional: where to sign in), `appName`
 * - recovery-email: `link` (required), `expiresInMinutes` (default 60), `appName`
 * - authenticator-added: `method` (its name, e.g. "Authenticator app"), `appName`
 * - authenticator-removed: `method`, `appName`
 * - password-set-by-admin: `appName`
 * - mfa-reset: `appName` (the tenant's name)
 */
const TEMPLATES: Record<TemplateName, (d: Vars) => TemplateParts> = {
  'reset-password': (d) => {
    const link = required(d, 'reset-password', 'link');
    return {
      subject: `Reset your password${forApp(d)}`,
      blocks: [
        { text: `Someone asked to reset the password of your account${forApp(d)}.` },
        { link, label: 'Choose a new password' },
        { text: `The link works once and expires in ${minutes(d, 30)} minutes. ${IGNORE}` },
      ],
      sms: `Reset your password: ${link} (expires in ${minutes(d, 30)} min)`,
    };
  },
  'password-changed': (d) => ({
    subject: `Your password was changed${forApp(d)}`,
    blocks: [
      { text: `The password of your account${forApp(d)} was just changed.` },
      {
        text: 'If this was not you, reset your password at once with "Forgot password" and contact support.',
      },
    ],
    sms: `The password of your account${forApp(d)} was changed. Not you? Reset it now.`,
  }),
  'sign-up': (d) => {
    const link = required(d, 'sign-up', 'link');
    return {
      subject: `Finish signing up${forApp(d)}`,
      blocks: [
        { text: `Someone asked to create an account${forApp(d)} with this address.` },
        { link, label: 'Create my account' },
        {
          text: `The link works once and expires in ${minutes(d, 30)} minutes. If you did not ask for this, ignore this message: no account is created.`,
        },
      ],
      sms: `Finish signing up: ${link} (expires in ${minutes(d, 30)} min)`,
    };
  },
  'already-registered': (d) => ({
    subject: `You already have an account${forApp(d)}`,
    blocks: [
      { text: `Someone asked to sign up${forApp(d)} with this address, but you already have an account.` },
      ...(d.link ? [{ link: d.link, label: 'Sign in' }] : []),
      {
        text: 'Forgot your password? Use "Forgot password" on the sign-in page. If you did not ask for this, ignore this message.',
      },
    ],
    sms: `You already have an account${forApp(d)}: sign in, or use "Forgot password".`,
  }),
  'verification-code': (d) => {
    const code = required(d, 'verification-code', 'code');
    return {
      subject: `Your verification code${forApp(d)}`,
      blocks: [
        { text: 'Enter this code to verify your email address:' },
        { code },
        { text: `It expires in ${minutes(d, 30)} minutes. If you did not ask for it, ignore this message.` },
      ],
      sms: `Your verification code is ${code}`,
    };
  },
  'otp-code': (d) => {
    const code = required(d, 'otp-code', 'code');
    return {
      subject: `Your sign-in code${forApp(d)}`,
      blocks: [
        { text: 'Enter this code to sign in:' },
        { code },
        {
          text: `It expires in ${minutes(d, 5)} minutes. Never share it. If you did not try to sign in, change your password.`,
        },
      ],
      sms: `Your sign-in code is ${code}. It expires in ${minutes(d, 5)} min. Never share it.`,
    };
  },
  'member-approved': (d) => ({
    subject: `Your account was approved${forApp(d)}`,
    blocks: [
      { text: `Your account${forApp(d)} was approved: you can sign in now.` },
      ...(d.link ? [{ link: d.link, label: 'Sign in' }] : []),
    ],
    sms: `Your account${forApp(d)} was approved: you can sign in now.`,
  }),
  'recovery-email': (d) => {
    const link = required(d, 'recovery-email', 'link');
    return {
      subject: `Recover your account${forApp(d)}`,
      blocks: [
        { text: `Someone asked to recover your account${forApp(d)}.` },
        { link, label: 'Choose a new password' },
        { text: `The link works once and expires in ${minutes(d, 60)} minutes. ${IGNORE}` },
      ],
      sms: `Recover your account: ${link} (expires in ${minutes(d, 60)} min)`,
    };
  },
  'authenticator-added': (d) => ({
    subject: `A sign-in authenticator was added${forApp(d)}`,
    blocks: [
      {
        text: `An authenticator${methodName(d)} was added to your account${forApp(d)}: its codes now sign you in as a second factor.`,
      },
      { text: NOT_YOU },
    ],
    sms: `An authenticator was added to your account${forApp(d)}. Not you? Reset your password now.`,
  }),
  'authenticator-removed': (d) => ({
    subject: `A sign-in authenticator was removed${forApp(d)}`,
    blocks: [
      { text: `An authenticator${methodName(d)} was removed from your account${forApp(d)}.` },
      { text: NOT_YOU },
    ],
    sms: `An authenticator was removed from your account${forApp(d)}. Not you? Reset your password now.`,
  }),
  'password-set-by-admin': (d) => ({
    subject: `Your password was set by an administrator${forApp(d)}`,
    blocks: [
      {
        text: `An administrator set a new password for your account${forApp(d)}, and signed you out everywhere.`,
      },
      {
        text: 'If you did not expect this, reset your password with "Forgot password" and contact support.',
      },
    ],
    sms: `An administrator set a new password for your account${forApp(d)}.`,
  }),
  'mfa-reset': (d) => ({
    subject: `Your two-step verification was reset${forApp(d)}`,
    blocks: [
      {
        text: `An administrator${forApp(d)} removed the authenticators and recovery codes of your account, and signed you out everywhere.`,
      },
      { text: 'You can sign in with your password and set up two-step verification again.' },
      { text: 'If you did not ask for this, change your password and contact your administrator.' },
    ],
    sms: `An administrator${forApp(d)} reset your two-step verification. Not you? Change your password.`,
  }),
};

export const TEMPLATE_NAMES = Object.keys(TEMPLATES) as TemplateName[];

/** Links become clickable only with a scheme that cannot run code (http(s) or an app's own scheme). */
function isSafeHref(link: string): boolean {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(link)?.[1]?.toLowerCase();
  return scheme !== undefined && !['javascript', 'data', 'vbscript', 'file', 'blob'].includes(scheme);
}

function textOf(block: Block): string {
  if ('link' in block) return `${block.label}: ${block.link}`;
  if ('code' in block) return block.code;
  return block.text;
}

function htmlOf(block: Block): string {
  if ('code' in block) {
    return `<p style="font-size:24px;font-weight:bold;letter-spacing:4px">${escapeHtml(block.code)}</p>`;
  }
  if ('link' in block) {
    const url = escapeHtml(block.link);
    if (!isSafeHref(block.link)) return `<p>${escapeHtml(block.label)}: ${url}</p>`;
    return (
      `<p><a href="${url}">${escapeHtml(block.label)}</a></p>` +
      `<p style="font-size:12px;color:#555">If the button does not work, open this address: ${url}</p>`
    );
  }
  return `<p>${escapeHtml(block.text)}</p>`;
}

/** Renders a template with its data; every value is HTML-escaped in the HTML part. */
export function renderTemplate(template: string, data: Record<string, string>): RenderedMessage {
  const build = (TEMPLATES as Record<string, ((d: Vars) => TemplateParts) | undefined>)[template];
  if (!build) throw new TemplateError(`unknown template ${template}`);
  const parts = build(data);
  const text = parts.blocks.map(textOf).join('\n\n') + '\n';
  const html =
    '<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">' +
    parts.blocks.map(htmlOf).join('') +
    '</body></html>';
  // Header values never carry line breaks (no header injection through an app name).
  return { subject: parts.subject.replace(/[\r\n]+/g, ' '), text, html, sms: parts.sms };
}
