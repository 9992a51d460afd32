import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The request and response types of the HTTP layer (Fastify). Handlers, guards and filters use
 * these names rather than Fastify's, so the few places that read bodies and queries get loose
 * types (the validation pipe checks them), as with Express before.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Request = FastifyRequest<{ Body: any; Querystring: Record<string, unknown> }> & {
  user?: unknown;
};
export type Response = FastifyReply;

/** The path of the request URL, without its query. */
export function requestPath(req: { url: string }): string {
  const q = req.url.indexOf('?');
  return q === -1 ? req.url : req.url.slice(0, q);
}

/** The media type of the request body (lower case, without parameters), or '' without one. */
export function contentType(req: { headers: Record<string, unknown> }): string {
  const header = req.headers['content-type'];
  return typeof header === 'string' ? header.split(';')[0]!.trim().toLowerCase() : '';
}

/** Whether the body is a form post (`application/x-www-form-urlencoded`). */
export function isFormPost(req: { headers: Record<string, unknown> }): boolean {
  return contentType(req) === 'application/x-www-form-urlencoded';
}

interface Accepted {
  type: string;
  subtype: string;
  q: number;
  index: number;
}

function parseAccept(header: string): Accepted[] {
  const out: Accepted[] = [];
  header.split(',').forEach((part, index) => {
    const [range, ...params] = part.trim().split(';');
    const [type, subtype] = (range ?? '').trim().toLowerCase().split('/');
    if (!type || !subtype) return;
    let q = 1;
    for (const p of params) {
      const [k, v] = p.trim().split('=');
      if (k?.trim().toLowerCase() === 'q') q = Number(v);
    }
    if (Number.isFinite(q) && q > 0) out.push({ type, subtype, q, index });
  });
  return out;
}

/**
 * Content negotiation between `application/json` and `text/html` as Express's `req.accepts(['json',
 * 'html'])` answers it: the type the client prefers (quality, then specificity, then its order),
 * JSON on a tie or without an Accept header; `false` when it accepts neither.
 */
export function prefersHtml(req: { headers: Record<string, unknown> }): boolean {
  const header = req.headers.accept;
  if (typeof header !== 'string' || !header.trim()) return false;
  const ranges = parseAccept(header);
  const score = (type: string, subtype: string): [number, number, number] | undefined => {
    let best: [number, number, number] | undefined;
    for (const r of ranges) {
      let s: number;
      if (r.type === type && r.subtype === subtype) s = 2;
      else if (r.type === type && r.subtype === '*') s = 1;
      else if (r.type === '*' && r.subtype === '*') s = 0;
      else continue;
      if (!best || s > best[1] || (s === best[1] && r.q > best[0])) best = [r.q, s, r.index];
    }
    return best;
  };
  const json = score('application', 'json');
  const html = score('text', 'html');
  if (!html) return false;
  if (!json) return true;
  if (html[0] !== json[0]) return html[0] > json[0];
  if (html[1] !== json[1]) return html[1] > json[1];
  return html[2] < json[2];
}
