import { AppError } from '../../common/errors/app-error.js';
import { isUuid } from '../../common/validation/ids.js';

/**
 * The loopback-style `filter` / `where` of API.md section 6, translated to parameterised SQL over a
 * whitelist. Only the field names below ever reach the SQL text (as fixed column names); every
 * value travels as a bind parameter with an explicit cast. Anything outside the whitelist, of the
 * wrong shape or too big is 400 INVALID_FILTER.
 */

type FieldType = 'uuid' | 'time' | 'text';

/** Filterable and sortable fields: the API name and its column. */
export const FILTER_FIELDS: Readonly<Record<string, { column: string; type: FieldType }>> = {
  id: { column: 'id', type: 'uuid' },
  actor: { column: 'actor', type: 'uuid' },
  tenantId: { column: 'tenant_id', type: 'uuid' },
  loginTime: { column: 'login_time', type: 'time' },
  loginType: { column: 'login_type', type: 'text' },
  authMethod: { column: 'auth_method', type: 'text' },
};

/** The fields of a LoginActivity answer, in answer order (what `filter.fields` may name). */
export const ANSWER_FIELDS = [
  'id',
  'actor',
  'tenantId',
  'loginTime',
  'tokenPayload',
  'loginType',
  'authMethod',
  'deviceInfo',
  'ipAddress',
] as const;
export type AnswerField = (typeof ANSWER_FIELDS)[number];

export const OPERATORS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'inq', 'nin', 'between', 'like'] as const;

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
const MAX_SKIP = 10_000_000;
const MAX_DEPTH = 8;
const MAX_CONDITIONS = 200;
const MAX_LIST = 1000;
const MAX_TEXT = 200;
const MAX_ORDER_ITEMS = 6;

/** ISO 8601 date or date-time (the forms `new Date` parses the same way everywhere). */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

export function invalidFilter(message: string): AppError {
  return new AppError(400, 'INVALID_FILTER', message);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A JSON query parameter (`filter`, `where`): absent, empty or `null` is undefined; anything that
 * is not one JSON text (repeated parameters, bad JSON) is 400 INVALID_FILTER.
 */
export function parseJsonParam(raw: unknown, name: string): unknown {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') throw invalidFilter(`${name} must be given once, as JSON`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidFilter(`${name} is not valid JSON`);
  }
  return parsed === null ? undefined : parsed;
}

/** Bind parameters of one statement; `add` answers the placeholder. */
export class SqlParams {
  readonly values: unknown[] = [];

  constructor(first: unknown[] = []) {
    this.values.push(...first);
  }

  add(value: unknown, cast: string): string {
    this.values.push(value);
    return `$${this.values.length}::${cast}`;
  }
}

const CASTS: Record<FieldType, string> = { uuid: 'uuid', time: 'timestamptz', text: 'text' };

/** One value of `type`, checked and normalised for binding. */
function scalar(field: string, type: FieldType, value: unknown): string {
  if (type === 'uuid') {
    if (typeof value !== 'string' || !isUuid(value)) throw invalidFilter(`${field} must be a UUID`);
    return value.toLowerCase();
  }
  if (type === 'time') {
    const time =
      typeof value === 'number' && Number.isFinite(value)
        ? new Date(value)
        : typeof value === 'string' && ISO_DATE.test(value)
          ? new Date(value)
          : undefined;
    if (!time || Number.isNaN(time.getTime())) {
      throw invalidFilter(`${field} must be an ISO 8601 date-time or epoch milliseconds`);
    }
    return time.toISOString();
  }
  if (typeof value !== 'string' || value.length > MAX_TEXT) {
    throw invalidFilter(`${field} must be a string of at most ${MAX_TEXT} characters`);
  }
  return value;
}

function list(field: string, op: string, value: unknown, exact?: number): unknown[] {
  if (!Array.isArray(value)) throw invalidFilter(`${field}.${op} must be an array`);
  if (exact !== undefined && value.length !== exact) {
    throw invalidFilter(`${field}.${op} must be an array of ${exact} values`);
  }
  if (value.length > MAX_LIST) throw invalidFilter(`${field}.${op} may hold at most ${MAX_LIST} values`);
  return value;
}

interface Budget {
  conditions: number;
}

function condition(field: string, op: string, value: unknown, params: SqlParams): string {
  const spec = FILTER_FIELDS[field]!;
  const col = spec.column;
  const cast = CASTS[spec.type];
  switch (op) {
    case 'eq':
      return value === null
        ? `${col} IS NULL`
        : `${col} = ${params.add(scalar(field, spec.type, value), cast)}`;
    case 'neq':
      return value === null
        ? `${col} IS NOT NULL`
        : `${col} <> ${params.add(scalar(field, spec.type, value), cast)}`;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const sign = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[op];
      return `${col} ${sign} ${params.add(scalar(field, spec.type, value), cast)}`;
    }
    case 'inq':
    case 'nin': {
      const values = list(field, op, value).map((v) => scalar(field, spec.type, v));
      if (!values.length) return op === 'inq' ? 'FALSE' : 'TRUE';
      const ref = params.add(values, `${cast}[]`);
      return op === 'inq' ? `${col} = ANY(${ref})` : `${col} <> ALL(${ref})`;
    }
    case 'between': {
      const [from, to] = list(field, op, value, 2).map((v) => scalar(field, spec.type, v));
      return `${col} BETWEEN ${params.add(from, cast)} AND ${params.add(to, cast)}`;
    }
    case 'like': {
      if (spec.type === 'time') throw invalidFilter(`like does not apply to ${field}`);
      if (typeof value !== 'string' || value.length > MAX_TEXT) {
        throw invalidFilter(`${field}.like must be a string of at most ${MAX_TEXT} characters`);
      }
      const column = spec.type === 'uuid' ? `${col}::text` : col;
      return `${column} LIKE ${params.add(value, 'text')}`;
    }
    default:
      throw invalidFilter(`Operator "${op}" is not allowed (allowed: ${OPERATORS.join(', ')}, and, or)`);
  }
}

function fieldClause(field: string, value: unknown, params: SqlParams, budget: Budget): string {
  if (isPlainObject(value)) {
    const ops = Object.entries(value);
    if (!ops.length) throw invalidFilter(`${field} needs an operator`);
    const parts = ops.map(([op, v]) => {
      if (++budget.conditions > MAX_CONDITIONS) throw invalidFilter('where is too large');
      return condition(field, op, v, params);
    });
    return parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
  }
  if (Array.isArray(value)) throw invalidFilter(`${field} takes a value or an operator object, not an array`);
  if (++budget.conditions > MAX_CONDITIONS) throw invalidFilter('where is too large');
  return condition(field, 'eq', value, params);
}

function whereClause(where: unknown, params: SqlParams, depth: number, budget: Budget): string {
  if (!isPlainObject(where)) throw invalidFilter('where must be a JSON object');
  if (depth > MAX_DEPTH) throw invalidFilter(`where nests deeper than ${MAX_DEPTH} levels`);
  const parts: string[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value)) throw invalidFilter(`${key} must be an array of where objects`);
      if (value.length > MAX_LIST) throw invalidFilter(`${key} is too long`);
      const inner = value.map((w) => whereClause(w, params, depth + 1, budget));
      if (!inner.length) parts.push(key === 'and' ? 'TRUE' : 'FALSE');
      else parts.push(`(${inner.join(key === 'and' ? ' AND ' : ' OR ')})`);
    } else if (Object.hasOwn(FILTER_FIELDS, key)) {
      parts.push(fieldClause(key, value, params, budget));
    } else {
      throw invalidFilter(
        `Field "${key}" cannot be filtered (allowed: ${Object.keys(FILTER_FIELDS).join(', ')}, and, or)`,
      );
    }
  }
  if (!parts.length) return 'TRUE';
  return parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
}

/** A `where` object as one SQL boolean expression (TRUE when empty or absent). */
export function buildWhere(where: unknown, params: SqlParams): string {
  if (where === undefined) return 'TRUE';
  return whereClause(where, params, 0, { conditions: 0 });
}

function parseFields(fields: unknown): AnswerField[] {
  if (fields === undefined || fields === null) return [...ANSWER_FIELDS];
  const known = (name: unknown): name is AnswerField =>
    typeof name === 'string' && (ANSWER_FIELDS as readonly string[]).includes(name);
  if (Array.isArray(fields)) {
    for (const f of fields) {
      if (!known(f)) throw invalidFilter(`fields: unknown field ${JSON.stringify(f)}`);
    }
    if (!fields.length) return [...ANSWER_FIELDS];
    return ANSWER_FIELDS.filter((f) => fields.includes(f));
  }
  if (!isPlainObject(fields))
    throw invalidFilter('fields must be an object of booleans or an array of names');
  for (const [name, on] of Object.entries(fields)) {
    if (!known(name)) throw invalidFilter(`fields: unknown field ${JSON.stringify(name)}`);
    if (typeof on !== 'boolean') throw invalidFilter(`fields.${name} must be true or false`);
  }
  const entries = fields as Record<string, boolean>;
  // Loopback: any `true` selects only the true ones; otherwise every field but the false ones.
  const anyTrue = Object.values(entries).some(Boolean);
  return ANSWER_FIELDS.filter((f) => (anyTrue ? entries[f] === true : entries[f] !== false));
}

function parseOrder(order: unknown): string[] {
  if (order === undefined || order === null) return ['login_time DESC', 'id DESC'];
  const items = typeof order === 'string' ? order.split(',') : order;
  if (!Array.isArray(items) || !items.length || items.length > MAX_ORDER_ITEMS) {
    throw invalidFilter(`order must be a string or an array of at most ${MAX_ORDER_ITEMS} strings`);
  }
  const out: string[] = [];
  for (const item of items) {
    const match = typeof item === 'string' ? /^\s*([A-Za-z]+)(?:\s+(ASC|DESC))?\s*$/i.exec(item) : null;
    const spec = match ? FILTER_FIELDS[match[1]!] : undefined;
    if (!match || !spec || !Object.hasOwn(FILTER_FIELDS, match[1]!)) {
      throw invalidFilter(
        `order: ${JSON.stringify(item)} is not "<field> [ASC|DESC]" with a field of ${Object.keys(FILTER_FIELDS).join(', ')}`,
      );
    }
    out.push(`${spec.column} ${(match[2] ?? 'ASC').toUpperCase()}`);
  }
  // A stable order for paging: ties broken by id.
  if (!out.some((o) => o.startsWith('id '))) out.push('id ASC');
  return out;
}

function integer(name: string, value: unknown, min: number, max: number): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw invalidFilter(`${name} must be an integer from ${min} to ${max}`);
  }
  return n;
}

export interface ParsedFilter {
  where: unknown;
  fields: AnswerField[];
  /** ORDER BY items over whitelisted columns. */
  order: string[];
  limit: number;
  offset: number;
}

const LIST_KEYS = new Set(['where', 'fields', 'order', 'limit', 'skip', 'offset']);

/** The `filter` of `GET /login-activity` (already JSON-parsed). */
export function parseListFilter(filter: unknown): ParsedFilter {
  if (filter === undefined) filter = {};
  if (!isPlainObject(filter)) throw invalidFilter('filter must be a JSON object');
  for (const key of Object.keys(filter)) {
    if (!LIST_KEYS.has(key)) {
      throw invalidFilter(`filter.${key} is not supported (allowed: ${[...LIST_KEYS].join(', ')})`);
    }
  }
  const skip = filter.skip === undefined ? undefined : integer('skip', filter.skip, 0, MAX_SKIP);
  const offset = filter.offset === undefined ? undefined : integer('offset', filter.offset, 0, MAX_SKIP);
  if (skip !== undefined && offset !== undefined && skip !== offset) {
    throw invalidFilter('skip and offset are the same thing: give one');
  }
  if (filter.where !== undefined && !isPlainObject(filter.where)) {
    throw invalidFilter('where must be a JSON object');
  }
  return {
    where: filter.where,
    fields: parseFields(filter.fields),
    order: parseOrder(filter.order),
    limit: filter.limit === undefined ? DEFAULT_LIMIT : integer('limit', filter.limit, 1, MAX_LIMIT),
    offset: skip ?? offset ?? 0,
  };
}

/** The `filter` of `GET /login-activity/{id}`: only `fields` applies to one row. */
export function parseFieldsFilter(filter: unknown): AnswerField[] {
  if (filter === undefined) return [...ANSWER_FIELDS];
  if (!isPlainObject(filter)) throw invalidFilter('filter must be a JSON object');
  for (const key of Object.keys(filter)) {
    if (key !== 'fields') throw invalidFilter(`filter.${key} does not apply to one row (only fields)`);
  }
  return parseFields(filter.fields);
}
