import http from 'node:http';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';

/**
 * Support for the hostile-input test (test/fuzz.e2e-spec.ts): the operations of openapi.json, raw
 * HTTP requests (node:http, so bodies, content types and headers go out exactly as generated),
 * fast-check arbitraries for malformed input, and the contract check of every answer.
 */

type Schema = {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  example?: unknown;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
};

interface OpenApi {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { name: string; in: string; schema?: Schema }[];
        requestBody?: { content: Record<string, { schema?: Schema }> };
        security?: Record<string, string[]>[];
      }
    >
  >;
  components: { schemas: Record<string, Schema> };
}

export interface Operation {
  method: string;
  path: string;
  key: string;
  pathParams: string[];
  queryParams: { name: string; schema?: Schema }[];
  headerParams: string[];
  contentTypes: string[];
  bodySchema: Schema | undefined;
  secured: boolean;
}

export function loadOperations(file = 'openapi.json'): { ops: Operation[]; spec: OpenApi } {
  const spec = JSON.parse(readFileSync(file, 'utf8')) as OpenApi;
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = op.parameters ?? [];
      const content = op.requestBody?.content ?? {};
      const first = Object.values(content)[0];
      ops.push({
        method: method.toUpperCase(),
        path,
        key: `${method.toUpperCase()} ${path}`,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        queryParams: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
        headerParams: params.filter((p) => p.in === 'header').map((p) => p.name),
        contentTypes: Object.keys(content),
        bodySchema: first?.schema,
        secured: (op.security ?? []).length > 0,
      });
    }
  }
  return { ops, spec };
}

/** A plausible body built from a schema (examples first), the base the mutations work on. */
export function sampleFromSchema(
  spec: OpenApi,
  schema: Schema | undefined,
  strings: (name: string, s: Schema) => string,
  name = '',
  depth = 0,
): unknown {
  if (!schema || depth > 6) return null;
  if (schema.$ref) {
    const ref = schema.$ref.replace('#/components/schemas/', '');
    return sampleFromSchema(spec, spec.components.schemas[ref], strings, name, depth + 1);
  }
  const composite = schema.allOf ?? schema.oneOf ?? schema.anyOf;
  if (composite?.length) return sampleFromSchema(spec, composite[0], strings, name, depth + 1);
  if (schema.example !== undefined) return schema.example;
  if (schema.enum?.length) return schema.enum[0];
  switch (schema.type) {
    case 'string':
      return strings(name, schema);
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [sampleFromSchema(spec, schema.items, strings, name, depth + 1)];
    default: {
      const out: Record<string, unknown> = {};
      for (const [key, prop] of Object.entries(schema.properties ?? {})) {
        out[key] = sampleFromSchema(spec, prop, strings, key, depth + 1);
      }
      return out;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Raw requests

export interface FuzzRequest {
  op: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  note: string;
}

export interface FuzzResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Sends one request; rejects after `timeoutMs` without a complete answer (a hang). */
export function send(
  baseUrl: string,
  agent: http.Agent,
  req: FuzzRequest,
  timeoutMs: number,
): Promise<FuzzResponse> {
  const url = new URL(baseUrl);
  return new Promise<FuzzResponse>((resolve, reject) => {
    let answered: FuzzResponse | undefined;
    const timer = setTimeout(() => {
      r.destroy(new Error(`no complete answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const r = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: req.method,
        path: req.path,
        agent,
        headers: { ...req.headers, ...(req.body ? { 'Content-Length': String(req.body.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          answered = {
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          };
          resolve(answered);
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      },
    );
    r.on('error', (err) => {
      clearTimeout(timer);
      if (!answered) reject(err);
    });
    if (req.body) r.end(req.body);
    else r.end();
  });
}

// ---------------------------------------------------------------------------------------------
// The contract check

const LEAKS: [RegExp, string][] = [
  [/\bat (?:async )?[\w$.<>[\] ]+ \((?:file:\/\/|\/|node:)[^)]*:\d+:\d+\)/, 'stack frame'],
  [/\n\s+at [^\n]+:\d+:\d+/, 'stack frame'],
  [/node_modules\//, 'file path'],
  [/\/(?:dist|src)\/[\w/-]+\.(?:js|ts)\b/, 'file path'],
  [/\bDatabaseError\b|is not queryable|Query read timeout/, 'database driver error'],
  [
    /syntax error at or near|invalid input syntax for|violates [\w ]*constraint|duplicate key value/,
    'Postgres error',
  ],
  [/\b(?:SELECT|UPDATE|DELETE)\b[^"\n]{0,200}\bFROM\s+"\w+"|\bINSERT INTO\s+"\w+"/, 'SQL text'],
  [/\b(?:TypeError|RangeError|ReferenceError|SyntaxError): /, 'JS exception text'],
];

const OAUTH_ROUTES = new Set(['/oauth2/token', '/oauth2/revoke']);

/** Answers what is wrong with an answer (empty when it is fine). */
export function contractViolations(req: FuzzRequest, res: FuzzResponse): string[] {
  const problems: string[] = [];
  if (res.status >= 500) problems.push(`5xx answer ${res.status}`);
  for (const [re, what] of LEAKS) {
    const m = re.exec(res.body);
    if (m) problems.push(`${what} in the body: ${JSON.stringify(m[0].slice(0, 160))}`);
  }
  // helmet on every answer (the web_message page, the one framable answer, needs a live session).
  if (res.headers['x-content-type-options'] !== 'nosniff')
    problems.push('no X-Content-Type-Options: nosniff');
  if (!String(res.headers['content-security-policy'] ?? '').includes("frame-ancestors 'none'")) {
    problems.push("no CSP frame-ancestors 'none'");
  }
  if (res.headers['x-powered-by'] !== undefined) problems.push('X-Powered-By is set');
  if (res.status >= 400 && req.method !== 'HEAD') {
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      problems.push(`error body is not JSON (content-type ${res.headers['content-type']})`);
      return problems;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      problems.push('error body is not a JSON object');
      return problems;
    }
    const b = body as Record<string, unknown>;
    if (b.statusCode !== res.status)
      problems.push(`statusCode ${String(b.statusCode)} != HTTP ${res.status}`);
    if (typeof b.error !== 'string') problems.push('error is not a string');
    if (typeof b.code !== 'string' || !/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/.test(b.code)) {
      problems.push(`code ${JSON.stringify(b.code)} is not UPPER_SNAKE_CASE`);
    }
    if (typeof b.message !== 'string') problems.push('message is not a string');
    const route = req.path.split('?')[0]!;
    if (OAUTH_ROUTES.has(route) && (res.status === 400 || res.status === 401)) {
      if (typeof b.error !== 'string' || !/^[a-z_]+$/.test(b.error)) {
        problems.push(`RFC 6749 error ${JSON.stringify(b.error)} is not an OAuth error`);
      }
      if (typeof b.error_description !== 'string') problems.push('no error_description');
    }
  }
  return problems;
}

export function describeRequest(req: FuzzRequest): string {
  const body = req.body
    ? `${req.body.length} bytes: ${JSON.stringify(req.body.subarray(0, 300).toString('latin1'))}${req.body.length > 300 ? '…' : ''}`
    : 'none';
  const headers = Object.entries(req.headers)
    .map(([k, v]) => `${k}: ${v.length > 120 ? `${v.slice(0, 120)}…(${v.length})` : v}`)
    .join(' | ');
  const path = req.path.length > 400 ? `${req.path.slice(0, 400)}…(${req.path.length})` : req.path;
  return `${req.method} ${path} [${req.op}; ${req.note}]\n  headers: ${headers}\n  body: ${body}`;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

/** Strings that break naive code: NUL, lone surrogates, RTL/zero-width marks, emoji, templates. */
export const nastyPiece = fc.constantFrom(
  '\u0000',
  '\ud800',
  '\udfff',
  '\ud83d',
  '\u202e',
  '\u200f',
  '\u200b',
  '\ufeff',
  '\uffff',
  '😀',
  '👩‍👩‍👧‍👦',
  '🏳️‍🌈',
  'ﷺ',
  'e\u0301',
  'שלום',
  'مرحبا',
  'Ω≈ç√∫',
  "'",
  '"',
  '\\',
  '`',
  '\n',
  '\r\n',
  '\t',
  '${7*7}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%00',
  '%s%s%n',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  '[object Object]',
);

export const sqlInjection = fc.constantFrom(
  "' OR '1'='1",
  "' OR 1=1 --",
  '1; DROP TABLE users; --',
  "'; SELECT pg_sleep(30); --",
  "' UNION SELECT password_hash FROM users --",
  '" OR ""="',
  "admin'--",
  "1' AND (SELECT COUNT(*) FROM pg_tables) > 0 --",
  '$1',
  "E'\\x00'",
  '%',
  '_',
  '\\',
  'loginTime DESC; DELETE FROM login_activity',
  'id) OR (1=1',
);

export function hugeString(): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom(1_000, 10_000, 60_000, 100_000, 104_000, 250_000),
      fc.constantFrom('a', 'é', '😀', '\u0000'),
    )
    .map(([n, c]) => c.repeat(Math.ceil(n / Buffer.byteLength(c))));
}

export function stringValue(pool: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
    { weight: 3, arbitrary: nastyPiece },
    { weight: 2, arbitrary: fc.array(nastyPiece, { minLength: 2, maxLength: 6 }).map((a) => a.join('')) },
    { weight: 2, arbitrary: sqlInjection },
    { weight: 3, arbitrary: fc.constantFrom(...pool) },
    // A known value with a hostile tail (passes a "looks like an id" check, then reaches the database).
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...pool), nastyPiece).map(([a, b]) => `${a}${b}`) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.emailAddress() },
    { weight: 1, arbitrary: fc.constantFrom('', ' ', 'a'.repeat(300), 'x'.repeat(5_000)) },
  );
}

/** Any JSON value of a wrong type (or of the right type with a hostile content). */
export function wrongValue(pool: string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: stringValue(pool) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.integer(),
        fc.double(),
        fc.constantFrom(0, -1, 1e308, -1e308, 2 ** 53 + 1, 0.1, -0, 4294967296),
      ),
    },
    { weight: 1, arbitrary: fc.boolean() },
    { weight: 1, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: fc.array(fc.oneof(fc.integer(), stringValue(pool)), { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.dictionary(stringValue(pool), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
}

/** A nesting bomb of the given depth ({"a":{"a":…}} or [[[…]]]), as JSON text. */
export function nestingBomb(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(64, 1_000, 5_000, 15_000, 40_000), fc.boolean())
    .map(([depth, objects]) =>
      objects ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}1${']'.repeat(depth)}`,
    );
}

/** Percent-encodes every byte of the UTF-8 form (lone surrogates become U+FFFD, as a client would send). */
export function percentEncode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Header values node:http lets through (tab, printable ASCII, latin-1). */
export function headerValue(pool: string[]): fc.Arbitrary<string> {
  const latin = fc.oneof(
    fc.integer({ min: 0x20, max: 0x7e }),
    fc.integer({ min: 0x80, max: 0xff }),
    fc.constant(0x09),
  );
  return fc.oneof(
    fc.string({ unit: latin.map((c) => String.fromCharCode(c)), maxLength: 60 }),
    fc.constantFrom(...pool),
    sqlInjection,
    fc.constantFrom(
      '',
      ' ',
      'x'.repeat(4_000),
      '\t\t',
      'ÿÿÿ',
      '%00',
      '${jndi:ldap://x/a}',
      '() { :; }; echo pwned',
    ),
  );
}
