import { describe, expect, it } from 'vitest';
import {
  ANSWER_FIELDS,
  buildWhere,
  parseFieldsFilter,
  parseJsonParam,
  parseListFilter,
  SqlParams,
} from './loopback-filter.js';

const ACTOR = '6c1e2f0a-3d4b-4a7c-8e9f-0a1b2c3d4e5f';

function where(w: unknown) {
  const params = new SqlParams(['tenant']);
  return { sql: buildWhere(w, params), values: params.values };
}

function expectInvalid(fn: () => unknown) {
  expect(fn).toThrow(expect.objectContaining({ code: 'INVALID_FILTER' }));
}

describe('loopback where -> SQL', () => {
  it('binds every value and names only whitelisted columns', () => {
    expect(where({ loginType: 'ACCESS' })).toEqual({
      sql: 'login_type = $2::text',
      values: ['tenant', 'ACCESS'],
    });
    expect(where({ actor: ACTOR.toUpperCase(), authMethod: { neq: 'OTP' } })).toEqual({
      sql: '(actor = $2::uuid AND auth_method <> $3::text)',
      values: ['tenant', ACTOR, 'OTP'],
    });
    expect(where({ loginTime: { between: ['2026-11-01', 1_800_000_000_000] } })).toEqual({
      sql: 'login_time BETWEEN $2::timestamptz AND $3::timestamptz',
      values: ['tenant', '2026-11-01T00:00:00.000Z', new Date(1_800_000_000_000).toISOString()],
    });
    expect(where({ or: [{ loginType: { inq: ['A', 'B'] } }, { id: { like: '0b8f%' } }] })).toEqual({
      sql: '(login_type = ANY($2::text[]) OR id::text LIKE $3::text)',
      values: ['tenant', ['A', 'B'], '0b8f%'],
    });
    expect(
      where({ loginType: { nin: ['A'] }, loginTime: { gt: '2026-11-01T10:00:00Z', lte: '2026-11-02' } }).sql,
    ).toBe(
      '(login_type <> ALL($2::text[]) AND (login_time > $3::timestamptz AND login_time <= $4::timestamptz))',
    );
  });

  it('handles the edge cases of loopback', () => {
    expect(where(undefined).sql).toBe('TRUE');
    expect(where({}).sql).toBe('TRUE');
    expect(where({ and: [] }).sql).toBe('TRUE');
    expect(where({ or: [] }).sql).toBe('FALSE');
    expect(where({ loginType: { inq: [] } }).sql).toBe('FALSE');
    expect(where({ loginType: { nin: [] } }).sql).toBe('TRUE');
    expect(where({ loginType: null }).sql).toBe('login_type IS NULL');
    expect(where({ loginType: { neq: null } }).sql).toBe('login_type IS NOT NULL');
  });

  it('keeps injection attempts as bound data', () => {
    const evil = "x'; DROP TABLE login_activity; --";
    const out = where({ loginType: evil, authMethod: { like: evil } });
    expect(out.sql).not.toContain('DROP');
    expect(out.values).toContain(evil);
  });

  it('refuses anything outside the whitelist with INVALID_FILTER', () => {
    for (const w of [
      { userAgent: 'x' },
      { tokenPayload: 'x' },
      { constructor: 'x' },
      JSON.parse('{"__proto__": {"loginType": "x"}}'),
      { loginType: { regexp: 'x' } },
      { loginType: { ilike: 'x' } },
      { loginType: { inq: 'x' } },
      { loginType: {} },
      { loginType: ['x'] },
      { loginType: 5 },
      { loginType: 'x'.repeat(201) },
      { actor: 'nope' },
      { loginTime: { like: '2026%' } },
      { loginTime: '2026-99-99' },
      { loginTime: 'tomorrow' },
      { loginTime: { between: [1] } },
      { and: { loginType: 'x' } },
      { or: ['x'] },
      [],
      'x',
    ]) {
      expectInvalid(() => where(w));
    }
    let deep: unknown = { loginType: 'x' };
    for (let i = 0; i < 10; i++) deep = { or: [deep] };
    expectInvalid(() => where(deep));
    const wide = { or: Array.from({ length: 250 }, () => ({ loginType: 'x' })) };
    expectInvalid(() => where(wide));
  });
});

describe('filter parsing', () => {
  it('defaults: every field, newest first, 100 rows from 0', () => {
    expect(parseListFilter(undefined)).toEqual({
      where: undefined,
      fields: [...ANSWER_FIELDS],
      order: ['login_time DESC', 'id DESC'],
      limit: 100,
      offset: 0,
    });
  });

  it('fields as an array or an object of booleans, in answer order', () => {
    expect(parseListFilter({ fields: ['loginType', 'id'] }).fields).toEqual(['id', 'loginType']);
    expect(parseListFilter({ fields: { id: true, actor: false } }).fields).toEqual(['id']);
    expect(parseListFilter({ fields: { tokenPayload: false } }).fields).toEqual(
      ANSWER_FIELDS.filter((f) => f !== 'tokenPayload'),
    );
    expect(parseListFilter({ fields: [] }).fields).toEqual([...ANSWER_FIELDS]);
    expectInvalid(() => parseListFilter({ fields: ['nope'] }));
    expectInvalid(() => parseListFilter({ fields: { id: 1 } }));
  });

  it('order as a string, a comma list or an array; ties broken by id', () => {
    expect(parseListFilter({ order: 'loginTime' }).order).toEqual(['login_time ASC', 'id ASC']);
    expect(parseListFilter({ order: 'loginType desc, loginTime ASC' }).order).toEqual([
      'login_type DESC',
      'login_time ASC',
      'id ASC',
    ]);
    expect(parseListFilter({ order: ['id DESC'] }).order).toEqual(['id DESC']);
    for (const order of ['loginTime; DROP', 'ipAddress ASC', 'loginTime UP', [], [1], 'toString', '']) {
      expectInvalid(() => parseListFilter({ order }));
    }
  });

  it('limit 1-1000, skip/offset >= 0 and consistent, nothing else', () => {
    expect(parseListFilter({ limit: 1000, skip: 5 })).toMatchObject({ limit: 1000, offset: 5 });
    expect(parseListFilter({ offset: '7' }).offset).toBe(7);
    for (const f of [{ limit: 1001 }, { limit: 0 }, { limit: 2.5 }, { skip: -1 }, { skip: 1, offset: 2 }]) {
      expectInvalid(() => parseListFilter(f));
    }
    expectInvalid(() => parseListFilter({ include: [] }));
    expectInvalid(() => parseListFilter([]));
    expectInvalid(() => parseListFilter({ where: [] }));
    expect(parseFieldsFilter({ fields: ['id'] })).toEqual(['id']);
    expectInvalid(() => parseFieldsFilter({ limit: 1 }));
  });

  it('JSON query parameters', () => {
    expect(parseJsonParam(undefined, 'filter')).toBeUndefined();
    expect(parseJsonParam('', 'filter')).toBeUndefined();
    expect(parseJsonParam('null', 'filter')).toBeUndefined();
    expect(parseJsonParam('{"limit":5}', 'filter')).toEqual({ limit: 5 });
    expectInvalid(() => parseJsonParam('{', 'filter'));
    expectInvalid(() => parseJsonParam(['{}', '{}'], 'filter'));
    expectInvalid(() => parseJsonParam({ where: {} }, 'filter'));
  });
});
