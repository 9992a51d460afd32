import { ApiError, toApiError } from './errors.js';

/** The `fetch` the SDK uses: the global one by default (browsers, Node >= 18), or any compatible function. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type QueryValue = string | number | boolean | undefined;

export interface HttpRequest {
  method: HttpMethod;
  path: string;
  body?: unknown;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  bearer?: string;
}

export function resolveFetch(custom: FetchLike | undefined): FetchLike {
  if (custom) return custom;
  if (typeof globalThis.fetch !== 'function') {
    throw new TypeError('No global fetch: pass `fetch` in the client options');
  }
  // Bound: some browsers refuse a fetch called with another `this`.
  return globalThis.fetch.bind(globalThis);
}

export function joinUrl(baseUrl: string, path: string, query?: Record<string, QueryValue>): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(path))
    throw new TypeError('path must be relative to baseUrl (e.g. "/auth/me")');
  const base = baseUrl.replace(/\/+$/, '');
  const url = `${base}${path.startsWith('/') ? '' : '/'}${path}`;
  const params = Object.entries(query ?? {}).filter(
    (e): e is [string, string | number | boolean] => e[1] !== undefined,
  );
  if (!params.length) return url;
  const search = new URLSearchParams(params.map(([k, v]) => [k, String(v)]));
  return `${url}${url.includes('?') ? '&' : '?'}${search.toString()}`;
}

/** The parsed body: JSON when the answer is JSON, the text otherwise, undefined when empty. */
async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Sends one request; resolves to the parsed body of a 2xx answer and rejects with ApiError otherwise. */
export async function request<T>(fetchFn: FetchLike, baseUrl: string, req: HttpRequest): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json', ...req.headers };
  if (req.body !== undefined) headers['Content-Type'] = 'application/json';
  if (req.bearer) headers.Authorization = `Bearer ${req.bearer}`;
  let res: Response;
  try {
    res = await fetchFn(joinUrl(baseUrl, req.path, req.query), {
      method: req.method,
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new ApiError(0, 'NETWORK_ERROR', `The service could not be reached: ${message}`);
  }
  const body = await readBody(res);
  if (!res.ok) throw toApiError(res.status, body);
  return body as T;
}
