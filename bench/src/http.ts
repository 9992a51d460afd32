// One JSON request to a service (provisioning, sanity probes); the load itself goes through autocannon.
import { BenchError } from './settings.js';

export interface Answer {
  status: number;
  /** The parsed JSON body; undefined when the body is empty or not JSON. */
  body: unknown;
  text: string;
}

export async function call(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  options: { body?: unknown; token?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, body: parseJson(text), text };
}

export function parseJson(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}

/** A field of a JSON object answer, if it is a string. */
export function stringField(body: unknown, field: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}

/** The answer when it is 2xx; otherwise the run stops with the status and the start of the body. */
export async function expectOk(answer: Promise<Answer>, what: string): Promise<Answer> {
  const res = await answer;
  if (res.status < 200 || res.status > 299)
    throw new BenchError(`${what} answered ${res.status}: ${res.text.slice(0, 300)}`);
  return res;
}

/** A string field the answer must carry. */
export function required(res: Answer, field: string, what: string): string {
  const value = stringField(res.body, field);
  if (value === undefined) throw new BenchError(`${what} answered no ${field}`);
  return value;
}

/** Runs `work` over `items`, at most `limit` at a time; answers the results in order. */
export async function mapLimit<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const runner = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, runner));
  return results;
}
