import { describe, expect, it } from 'vitest';
import { assignments, columns, insertion } from './columns.js';

interface Thing {
  id: string;
  communityId: number;
  createdAt: Date;
}

describe('columns', () => {
  const THING = { id: 'id', communityId: 'community_id::float8', createdAt: 'created_at' };

  it('aliases each column to its camelCase field, leaving same-named ones bare', () => {
    expect(columns<Thing>(THING)).toBe(
      'id, community_id::float8 AS "communityId", created_at AS "createdAt"',
    );
  });

  it('qualifies every column by the alias of a join', () => {
    expect(columns<Thing>(THING, 't')).toBe(
      't.id, t.community_id::float8 AS "communityId", t.created_at AS "createdAt"',
    );
  });
});

describe('assignments', () => {
  it('sets only the defined fields it knows, numbered from `first`', () => {
    expect(assignments({ a: 'col_a', b: 'col_b', c: 'col_c' }, { a: 1, b: undefined, c: null }, 2)).toEqual({
      sets: ['col_a = $2', 'col_c = $3'],
      values: [1, null],
    });
  });
});

describe('insertion', () => {
  it('lists every column with its placeholder and value', () => {
    expect(insertion({ a: 'col_a', b: 'col_b' }, { a: 1, b: 'x' })).toEqual({
      names: 'col_a, col_b',
      placeholders: '$1, $2',
      values: [1, 'x'],
    });
  });

  it('numbers the placeholders from `first`, for a step after other parameters', () => {
    expect(insertion({ a: 'col_a', b: 'col_b' }, { a: 1, b: 'x' }, 7).placeholders).toBe('$7, $8');
  });
});
