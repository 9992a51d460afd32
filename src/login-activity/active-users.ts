import { AppError } from '../common/errors/app-error.js';
import { invalidFilter } from './filter/loopback-filter.js';
import { isUuid } from '../common/validation/ids.js';

export const ACTIVE_USERS_RANGES = ['daily', 'weekly', 'monthly'] as const;
export type ActiveUsersRange = (typeof ACTIVE_USERS_RANGES)[number];

/**
 * How each range buckets `login_time` (in UTC) and names the bucket: `date_trunc` unit and
 * `to_char` pattern. Weeks are ISO weeks (Monday first, ISO week-numbering year: 2027-01-01 is in
 * 2026-W53).
 */
export const RANGE_BUCKETS: Readonly<Record<ActiveUsersRange, { unit: string; format: string }>> = {
  daily: { unit: 'day', format: 'YYYY-MM-DD' },
  weekly: { unit: 'week', format: 'IYYY-"W"IW' },
  monthly: { unit: 'month', format: 'MM-YYYY' },
};

export function parseRange(range: string): ActiveUsersRange {
  if (!(ACTIVE_USERS_RANGES as readonly string[]).includes(range)) {
    throw new AppError(400, 'INVALID_RANGE', 'range must be one of daily, weekly, monthly');
  }
  return range as ActiveUsersRange;
}

export const DEFAULT_WINDOW_DAYS = 30;

/** `endDate` defaults to now, `startDate` to 30 days before `endDate`; start after end is 422. */
export function activeUsersWindow(
  startDate: string | undefined,
  endDate: string | undefined,
  now = new Date(),
): { start: Date; end: Date } {
  const end = endDate ? new Date(endDate) : now;
  const start = startDate ? new Date(startDate) : new Date(end.getTime() - DEFAULT_WINDOW_DAYS * 86_400_000);
  for (const [field, d] of [
    ['startDate', start],
    ['endDate', end],
  ] as const) {
    if (Number.isNaN(d.getTime())) {
      throw new AppError(422, 'VALIDATION_FAILED', 'Validation failed', {
        details: [{ field, message: `${field} must be a valid ISO 8601 date-time` }],
      });
    }
  }
  if (start > end) {
    throw new AppError(422, 'VALIDATION_FAILED', 'Validation failed', {
      details: [{ field: 'startDate', message: 'startDate must not be after endDate' }],
    });
  }
  return { start, end };
}

export type UserIdentity = 'actorId' | 'userName';

export interface ActiveUsersFilter {
  inclusion: boolean;
  userIdentity: UserIdentity;
  userIdentifier: string[];
}

export const MAX_ACTOR_IDS = 1000;
export const MAX_USER_NAMES = 100;

/** The `filter` of `/active-users/{range}` (already JSON-parsed); 400 INVALID_FILTER when off-shape. */
export function parseActiveUsersFilter(filter: unknown): ActiveUsersFilter | undefined {
  if (filter === undefined) return undefined;
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) {
    throw invalidFilter('filter must be a JSON object');
  }
  const f = filter as Record<string, unknown>;
  for (const key of Object.keys(f)) {
    if (!['inclusion', 'userIdentity', 'userIdentifier'].includes(key)) {
      throw invalidFilter(`filter.${key} is not supported (inclusion, userIdentity, userIdentifier)`);
    }
  }
  if (typeof f.inclusion !== 'boolean') throw invalidFilter('filter.inclusion must be true or false');
  if (f.userIdentity !== 'actorId' && f.userIdentity !== 'userName') {
    throw invalidFilter('filter.userIdentity must be "actorId" or "userName"');
  }
  const max = f.userIdentity === 'actorId' ? MAX_ACTOR_IDS : MAX_USER_NAMES;
  const ids = f.userIdentifier;
  if (!Array.isArray(ids) || ids.length > max) {
    throw invalidFilter(`filter.userIdentifier must be an array of at most ${max} strings`);
  }
  for (const id of ids) {
    if (typeof id !== 'string' || id.length < 1 || id.length > 320) {
      throw invalidFilter('filter.userIdentifier must hold non-empty strings');
    }
    if (f.userIdentity === 'actorId' && !isUuid(id)) {
      throw invalidFilter('filter.userIdentifier must hold user ids (UUIDs) with userIdentity "actorId"');
    }
  }
  return {
    inclusion: f.inclusion,
    userIdentity: f.userIdentity,
    userIdentifier: [...new Set(ids as string[])],
  };
}
