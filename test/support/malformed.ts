import { describe, expect, it } from 'vitest';
import type { Response, Test } from 'supertest';

/**
 * Table-driven malformed-input cases (API.md section 0). A route is described once: its method,
 * path, headers, a body that passes validation and what that body answers; from it come the cases
 * a careless or hostile client sends, each asserting the exact status and code of the contract:
 *
 * - a body that is not JSON (broken, a scalar, a wrong content type, charset or encoding): 400
 *   `BAD_REQUEST`;
 * - a body over 100 KB: 413 `PAYLOAD_TOO_LARGE`;
 * - no body, `{}`, an array: 422 `VALIDATION_FAILED` naming the required fields (`body` for the
 *   array);
 * - an unknown field, at the top or inside a nested object, and a `__proto__` or `constructor`
 *   key: 422 naming it (and no prototype polluted);
 * - each field missing or null (when required), of the wrong type, empty, absurdly long or holding
 *   a NUL: 422 naming it; a hostile but well-typed string: what the valid body answers.
 *
 * `/oauth2/token` and `/oauth2/revoke` (`oauth: true`) follow RFC 6749 section 5.2 instead: every
 * error is 400 `invalid_request` (with the contract's `code`), unknown parameters are ignored, and
 * null or "" counts as an absent parameter.
 *
 * Where a route's contract differs for one field, the table says so (`fields`), so every exception
 * is written down next to the route.
 */

/** What the contract answers: a status and, for an error, its `code` (and `error` for RFC 6749). */
export interface Expected {
  status: number;
  code?: string;
  /** RFC 6749 section 5.2 `error` (only on the OAuth routes). */
  error?: string;
  /**
   * The field the 422's `details` name, and only it (a nested one counts: `auth` is named by
   * `auth.state`). Several fields: every one of them is named, and nothing else.
   */
  field?: string | string[];
}

export const answer = (status: number, code?: string): Expected => ({ status, code });
export const invalid = (field?: string | string[]): Expected => ({
  status: 422,
  code: 'VALIDATION_FAILED',
  field,
});
export const oauth = (status: number, error: string, code?: string): Expected => ({ status, error, code });

/** The kinds of bad value tried on each field. */
export type FieldCase = 'missing' | 'null' | 'wrongType' | 'empty' | 'long' | 'nul' | 'text';

export interface MalformedRoute {
  method: 'post' | 'put' | 'patch' | 'delete';
  /** The path; `{name}` placeholders are filled from `params`. */
  path: string;
  params?: () => Record<string, string>;
  /** Headers of every request (the Bearer the route needs). */
  headers?: () => Record<string, string>;
  /**
   * A body that passes validation. Prefer one the route refuses after validation (a wrong password,
   * an unknown token), so that no case can change anything even if validation let it through.
   */
  valid: () => Record<string, unknown>;
  /** What `valid()` answers: sent once, it proves the other cases fail for what they break. */
  validAnswer: Expected;
  /** Fields (dotted when nested) that may be left out; leaving one out or null answers `validAnswer`. */
  optional?: string[];
  /**
   * `null` is refused (422) on the optional fields too, not taken for an absent field (the OTP and
   * MFA DTOs' `IsOptionalField`).
   */
  strictNull?: boolean;
  /** Fields holding free-form JSON objects: any object is accepted, only a non-object is refused. */
  freeform?: string[];
  /**
   * Fields with a format (a UUID, an email, digits, an enum): any other text is 422 naming them,
   * not what the valid body answers.
   */
  formatted?: string[];
  /**
   * Per field, what a kind of value answers where the contract says something other than the
   * default (`absent` stands for both `missing` and `null`).
   */
  fields?: Record<string, Partial<Record<FieldCase | 'absent', Expected>>>;
  /** What no body and `{}` answer, when not a 422 naming the required fields. */
  empty?: Expected;
  /** The route also takes `application/x-www-form-urlencoded` (API.md section 0 lists them). */
  form?: boolean;
  /** RFC 6749 section 5.2 errors (`/oauth2/token`, `/oauth2/revoke`). */
  oauth?: boolean;
  /** A snapshot of what no malformed request may change (compared before and after each case group). */
  state?: () => Promise<unknown>;
}

/**
 * Well-typed but hostile strings: never a 5xx, never anything the valid body would not answer.
 * Each is shorter than 12 characters, so never a password a route would accept and store.
 */
const HOSTILE_TEXT = ['<script>', "' OR 1=1 --", '{"$gt":""}'];
/** Longer than any string field takes (an access token, at most 8 KB, is the longest). */
export const ABSURD_LENGTH = 10_000;

type Agent = { [m in MalformedRoute['method']]: (path: string) => Test };

function leaves(
  value: Record<string, unknown>,
  freeform: string[],
  prefix = '',
): { path: string; value: unknown }[] {
  const out: { path: string; value: unknown }[] = [];
  for (const [key, v] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    out.push({ path, value: v });
    if (isPlainObject(v) && !freeform.includes(path)) out.push(...leaves(v, freeform, path));
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A deep copy of `body` with the dotted `path` set to `value` (or removed when `value` is `REMOVE`). */
const REMOVE = Symbol('remove');
function withValue(body: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(body);
  const keys = path.split('.');
  let target = copy;
  for (const k of keys.slice(0, -1)) target = target[k] as Record<string, unknown>;
  const last = keys[keys.length - 1]!;
  if (value === REMOVE) delete target[last];
  else target[last] = value;
  return copy;
}

/** Values of the wrong JSON type for a field whose valid value is `v`. */
function wrongTypes(v: unknown, freeform: boolean): unknown[] {
  if (typeof v === 'string') return [123, true, {}, { nested: 'object' }, ['array'], [], [{}], { $gt: '' }];
  if (typeof v === 'number') return ['12', true, { nested: 'object' }, ['array']];
  if (typeof v === 'boolean') return ['true', 1, { nested: 'object' }, ['array']];
  if (Array.isArray(v)) return [123, 'text', true, { nested: 'object' }];
  if (freeform) return [123, true, 'text', [], ['array']];
  return [123, true, 'text', [], ['array'], [{}]];
}

const describeBody = (v: unknown) => {
  const s =
    typeof v === 'string' && v.length > 40 ? `"${v.slice(0, 8)}…" (${v.length} chars)` : JSON.stringify(v);
  return s ?? String(v);
};

/** Asserts one answer against what the contract says, softly (a test reports every mismatch). */
export function expectAnswer(res: Response, want: Expected, label: string, isOAuth = false): void {
  const got = `${res.status} ${res.body?.code ?? ''}`.trim();
  if (want.status < 400) {
    expect.soft(res.status, `${label}: answered ${got}`).toBe(want.status);
    return;
  }
  const body: Record<string, unknown> = {
    statusCode: want.status,
    error: isOAuth ? (want.error ?? 'invalid_request') : expect.any(String),
    message: expect.any(String),
  };
  if (want.code) body.code = want.code;
  if (isOAuth) body.error_description = expect.any(String);
  expect.soft({ status: res.status, body: res.body }, `${label}: answered ${got}`).toMatchObject({
    status: want.status,
    body,
  });
  expect.soft(String(res.body?.code), `${label}: an UPPER_SNAKE_CASE code`).toMatch(/^[A-Z][A-Z_]*$/);
  expect.soft(JSON.stringify(res.body), label).not.toMatch(/at \w+ \(|QueryFailedError|SELECT |INSERT /);
  if (want.field !== undefined && res.status === want.status) {
    const wanted = ([] as string[]).concat(want.field);
    const named = ((res.body?.details ?? []) as { field: string }[]).map((d) => d.field);
    const within = (f: string, w: string) => f === w || f.startsWith(`${w}.`);
    expect
      .soft(
        wanted.every((w) => named.some((f) => within(f, w))) &&
          named.every((f) => wanted.some((w) => within(f, w))),
        `${label}: details ${JSON.stringify(named)} name ${wanted.join(', ')} and nothing else`,
      )
      .toBe(true);
  }
}

/**
 * Generates, inside the current `describe`, one block of cases per route. `http` answers the
 * supertest agent (created in a `beforeAll`).
 */
export function describeMalformed(http: () => Agent, routes: MalformedRoute[]): void {
  for (const r of routes) {
    describe(`${r.method.toUpperCase()} ${r.path}: malformed input`, () => {
      const isOAuth = !!r.oauth;
      const url = () => {
        const params = r.params?.() ?? {};
        return r.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
      };
      const req = () =>
        http()
          [r.method](url())
          .set(r.headers?.() ?? {});
      const raw = (type: string, body: string) => req().set('Content-Type', type).send(body);
      const check = (res: Response, want: Expected, label: string) => expectAnswer(res, want, label, isOAuth);
      const notJson: Expected = isOAuth
        ? oauth(400, 'invalid_request', 'BAD_REQUEST')
        : answer(400, 'BAD_REQUEST');
      /**
       * Runs a group of cases and checks that they changed nothing. A case the contract accepts
       * (2xx) may change state: the snapshot is taken again after it (`accepted`).
       */
      const unchanged = async (cases: (accepted: () => Promise<void>) => Promise<void>) => {
        let before = await r.state?.();
        await cases(async () => {
          before = await r.state?.();
        });
        if (r.state) expect(await r.state(), 'state after the malformed requests').toEqual(before);
      };
      const optional = new Set(r.optional ?? []);
      const fieldWant = (path: string, kind: FieldCase): Expected => {
        // RFC 6749 routes take null and "" for an absent parameter.
        if (isOAuth && (kind === 'null' || kind === 'empty') && !r.fields?.[path]?.[kind]) kind = 'missing';
        const absent = kind === 'missing' || kind === 'null';
        const declared = r.fields?.[path]?.[kind] ?? (absent ? r.fields?.[path]?.absent : undefined);
        if (declared) return declared;
        if (absent && optional.has(path) && !(kind === 'null' && r.strictNull)) return r.validAnswer;
        if (kind === 'text' && !r.formatted?.includes(path)) return r.validAnswer;
        // A NUL is refused by the body parser (VALIDATION_FAILED) before the route reads anything.
        if (isOAuth)
          return oauth(400, 'invalid_request', kind === 'nul' ? 'VALIDATION_FAILED' : 'INVALID_REQUEST');
        return invalid(path);
      };

      it('the valid body answers as the table says (so every case below fails for what it breaks)', async () => {
        check(await req().send(r.valid()), r.validAnswer, 'valid body');
      });

      it('a body that is not a JSON object, or not JSON: 400 BAD_REQUEST', async () => {
        await unchanged(async () => {
          const valid = JSON.stringify(r.valid());
          const bodies: [string, string][] = [
            ['application/json', '{"a":'],
            ['application/json', "{'single': 'quotes'}"],
            ['application/json', '42'],
            ['application/json', '"text"'],
            ['application/json', 'null'],
            ['text/plain', valid],
            ['application/xml', '<a/>'],
            ['application/json; charset=latin1', valid],
          ];
          if (!r.form) bodies.push(['application/x-www-form-urlencoded', 'a=b']);
          for (const [type, body] of bodies)
            check(await raw(type, body), notJson, `${type} ${body.slice(0, 30)}`);
          check(
            await req().set('Content-Type', 'application/json').set('Content-Encoding', 'xyz').send(valid),
            notJson,
            'Content-Encoding xyz',
          );
        });
      });

      it('a body over 100 KB: 413 PAYLOAD_TOO_LARGE', async () => {
        await unchanged(async () => {
          const want = isOAuth
            ? oauth(413, 'invalid_request', 'PAYLOAD_TOO_LARGE')
            : answer(413, 'PAYLOAD_TOO_LARGE');
          check(await req().send({ ...r.valid(), pad: 'x'.repeat(110_000) }), want, '110 KB');
          check(await req().send({ ...r.valid(), pad: 'x'.repeat(1024 * 1024) }), want, '1 MB');
        });
      });

      it('no body, an empty object, an array: the contract answer', async () => {
        await unchanged(async () => {
          const required = Object.keys(r.valid()).filter((k) => !optional.has(k));
          for (const [label, res] of [
            ['no body', await req()],
            ['{}', await req().send({})],
          ] as const) {
            if (r.empty) check(res, r.empty, label);
            else if (isOAuth) check(res, oauth(400, 'invalid_request', 'INVALID_REQUEST'), label);
            else check(res, invalid(required), label);
          }
          check(
            await req().send([r.valid()]),
            isOAuth ? oauth(400, 'invalid_request', 'VALIDATION_FAILED') : invalid('body'),
            'an array',
          );
        });
      });

      it(
        isOAuth
          ? 'unknown parameters: ignored; a __proto__ or constructor key: 400 invalid_request'
          : 'an unknown field, at the top or nested, or a __proto__ or constructor key: 422 naming it',
        async () => {
          await unchanged(async () => {
            const valid = r.valid();
            check(
              await req().send({ ...valid, unexpected: 'x' }),
              isOAuth ? r.validAnswer : invalid('unexpected'),
              'unexpected',
            );
            // JSON.parse makes "__proto__" an own key: refused by name (on the RFC 6749 routes too:
            // it is no parameter), and no prototype anywhere is polluted.
            const json = JSON.stringify(valid);
            for (const key of ['__proto__', 'constructor']) {
              const polluting = `{"${key}":{"polluted":true,"prototype":{"polluted":true}},${json.slice(1)}`;
              check(
                await raw('application/json', polluting),
                isOAuth ? oauth(400, 'invalid_request', 'VALIDATION_FAILED') : invalid(key),
                key,
              );
            }
            expect(({} as Record<string, unknown>).polluted).toBeUndefined();
            for (const { path, value } of leaves(valid, r.freeform ?? [])) {
              if (!isPlainObject(value) || r.freeform?.includes(path)) continue;
              const nested = withValue(valid, path, { ...value, unexpected: 'x' });
              check(await req().send(nested), isOAuth ? r.validAnswer : invalid(`${path}.unexpected`), path);
            }
          });
        },
      );

      it('each field missing, null, mistyped, empty, absurdly long, with a NUL or hostile text', async () => {
        await unchanged(async (accepted) => {
          const valid = r.valid();
          for (const { path, value } of leaves(valid, r.freeform ?? [])) {
            const send = async (v: unknown, want: Expected, label: string) => {
              check(await req().send(withValue(valid, path, v)), want, label);
              if (want.status < 400) await accepted();
            };
            await send(REMOVE, fieldWant(path, 'missing'), `${path} missing`);
            await send(null, fieldWant(path, 'null'), `${path} null`);
            for (const wrong of wrongTypes(value, !!r.freeform?.includes(path))) {
              await send(wrong, fieldWant(path, 'wrongType'), `${path}=${describeBody(wrong)}`);
            }
            if (typeof value !== 'string') continue;
            await send('', fieldWant(path, 'empty'), `${path}=""`);
            await send('x'.repeat(ABSURD_LENGTH), fieldWant(path, 'long'), `${path} absurdly long`);
            await send(`${value}\u0000`, fieldWant(path, 'nul'), `${path} with a NUL`);
            for (const text of HOSTILE_TEXT) await send(text, fieldWant(path, 'text'), `${path}=${text}`);
          }
        });
      });
    });
  }
}
