import { describe, expect, it } from 'vitest';
import { activeUsersWindow, parseActiveUsersFilter, parseRange } from './active-users.js';

describe('active users', () => {
  it('accepts exactly daily, weekly and monthly', () => {
    expect(parseRange('weekly')).toBe('weekly');
    for (const r of ['Daily', 'yearly', '', 'daily ']) {
      expect(() => parseRange(r)).toThrow(expect.objectContaining({ code: 'INVALID_RANGE' }));
    }
  });

  it('defaults the window to the 30 days before endDate (itself defaulting to now)', () => {
    const now = new Date('2026-11-23T16:00:00.000Z');
    expect(activeUsersWindow(undefined, undefined, now)).toEqual({
      start: new Date('2026-10-24T16:00:00.000Z'),
      end: now,
    });
    expect(activeUsersWindow(undefined, '2026-02-01T00:00:00Z', now).start).toEqual(
      new Date('2026-01-02T00:00:00.000Z'),
    );
    expect(() => activeUsersWindow('2026-02-02', '2026-02-01', now)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it('checks the filter shape and dedupes identifiers', () => {
    expect(
      parseActiveUsersFilter({ inclusion: false, userIdentity: 'userName', userIdentifier: ['a', 'a', 'b'] }),
    ).toEqual({ inclusion: false, userIdentity: 'userName', userIdentifier: ['a', 'b'] });
    expect(parseActiveUsersFilter(undefined)).toBeUndefined();
    for (const f of [
      null,
      [],
      { inclusion: 1, userIdentity: 'actorId', userIdentifier: [] },
      { inclusion: true, userIdentity: 'id', userIdentifier: [] },
      { inclusion: true, userIdentity: 'actorId', userIdentifier: ['x'] },
      { inclusion: true, userIdentity: 'userName', userIdentifier: [''] },
      { inclusion: true, userIdentity: 'userName' },
      { inclusion: true, userIdentity: 'userName', userIdentifier: [], more: 1 },
    ]) {
      expect(() => parseActiveUsersFilter(f)).toThrow(expect.objectContaining({ code: 'INVALID_FILTER' }));
    }
  });
});
