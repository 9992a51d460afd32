import { randomBytes } from 'node:crypto';
import type { Request, Response } from './http.js';

/**
 * The few HTML pages this service serves itself (the hosted login of /oauth2/authorize, the
 * web_message page, the recovery form): plain server-rendered HTML, no external resources, each
 * with its own strict Content-Security-Policy whose nonce allows only our inline style and script.
 */

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** JSON that is safe inside an inline <script> (no `</script>`, no line separators). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function newNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The origin of an absolute URL, or null when it has none (not a URL, or an opaque origin). */
export function originOf(url: string): string | null {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

/**
 * The CSP source that lets a form of ours post (and be redirected) to `url`: its origin for http(s),
 * and for a native app's private-use scheme (RFC 8252: `com.example.app:/callback`) the scheme
 * itself, which has no origin. Chromium applies `form-action` to the redirect after the post too.
 */
export function formActionSource(url: string): string | null {
  const origin = originOf(url);
  if (origin) return origin;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (!scheme || ['javascript', 'data', 'vbscript', 'file', 'blob', 'about', 'filesystem'].includes(scheme)) {
    return null;
  }
  return `${scheme}:`;
}

export interface PagePolicy {
  nonce: string;
  /** Who may frame the page: none unless given (the web_message page: the client's origins). */
  frameAncestors?: string[];
  /** Where the page's form may post (and be redirected to): 'self' plus these origins. */
  formAction?: string[];
  /** Whether the page runs its (nonce-allowed) inline script. */
  script?: boolean;
}

export function contentSecurityPolicy(p: PagePolicy): string {
  const frameAncestors = p.frameAncestors?.length ? p.frameAncestors.join(' ') : "'none'";
  const formAction = ["'self'", ...(p.formAction ?? [])].join(' ');
  return [
    "default-src 'none'",
    `style-src 'nonce-${p.nonce}'`,
    p.script ? `script-src 'nonce-${p.nonce}'` : "script-src 'none'",
    `form-action ${formAction}`,
    `frame-ancestors ${frameAncestors}`,
    "base-uri 'none'",
  ].join('; ');
}

const STYLE = `body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f5f5f7;color:#1d1d1f;margin:0}
main{max-width:22rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:12px;box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.4rem;margin:0 0 .25rem}p{line-height:1.4}.sub{color:#6e6e73;margin-top:0}
label{display:block;margin:1rem 0 .25rem;font-size:.9rem}
input{box-sizing:border-box;width:100%;padding:.6rem;border:1px solid #c7c7cc;border-radius:8px;font-size:1rem}
button{margin-top:1.5rem;width:100%;padding:.7rem;border:0;border-radius:8px;background:#0066cc;color:#fff;font-size:1rem;cursor:pointer}
.error{background:#fdecea;color:#8a1c13;padding:.6rem .8rem;border-radius:8px}`;

/** A complete page: `bodyHtml` must already be escaped; `script` is trusted code of ours. */
export function renderPage(input: {
  title: string;
  bodyHtml: string;
  nonce: string;
  script?: string;
}): string {
  const script = input.script ? `<script nonce="${input.nonce}">${input.script}</script>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">
<title>${escapeHtml(input.title)}</title><style nonce="${input.nonce}">${STYLE}</style></head>
<body><main>${input.bodyHtml}</main>${script}</body></html>`;
}

/** A short page with a heading and a message (an expired link, a refusal, a done logout). */
export function messagePage(nonce: string, title: string, message: string, isError = true): string {
  const cls = isError ? ' class="error" role="alert"' : '';
  return renderPage({
    title,
    nonce,
    bodyHtml: `<h1>${escapeHtml(title)}</h1><p${cls}>${escapeHtml(message)}</p>`,
  });
}

/**
 * Sends a hosted page with its own CSP, replacing the global one. Pages are never framed
 * (`frame-ancestors 'none'` and `X-Frame-Options: DENY`) unless `frameAncestors` lists origins:
 * only the web_message page does, and then X-Frame-Options goes (it cannot list origins) and the
 * opener policy allows a popup's opener to receive the message.
 */
export function sendPage(res: Response, status: number, html: string, policy: PagePolicy): void {
  res.header('Content-Security-Policy', contentSecurityPolicy(policy));
  if (policy.frameAncestors?.length) {
    res.removeHeader('X-Frame-Options');
    res.header('Cross-Origin-Opener-Policy', 'unsafe-none');
  } else {
    res.header('X-Frame-Options', 'DENY');
  }
  res.header('Cache-Control', 'no-store');
  res.header('Pragma', 'no-cache');
  res.status(status).type('text/html; charset=utf-8').send(html);
}

/** Whether the caller is a browser navigating (wants a page rather than the JSON error body). */
export function wantsHtml(req: Request): boolean {
  const accept = req.headers.accept ?? '';
  return /\btext\/html\b/i.test(accept);
}
