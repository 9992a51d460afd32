import type { Range } from './api.ts';

/** The periods of the active-users report (API.md section 6), in UTC, and their keys. */
const pad = (n: number) => String(n).padStart(2, '0');
const DAY = 86_400_000;

export function isoWeekKey(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const dow = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - dow); // the Thursday of this ISO week
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((t.getTime() - yearStart) / DAY + 1) / 7);
  return `${t.getUTCFullYear()}-W${pad(week)}`;
}

export function periodKey(range: Range, d: Date): string {
  if (range === 'daily') return d.toISOString().slice(0, 10);
  if (range === 'weekly') return isoWeekKey(d);
  return `${pad(d.getUTCMonth() + 1)}-${d.getUTCFullYear()}`;
}

/** The last 30 days, 12 ISO weeks or 12 months up to now: the window and every period key in it. */
export function lastPeriods(range: Range, now = new Date()): { start: Date; end: Date; keys: string[] } {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  let start: Date;
  const keys: string[] = [];
  if (range === 'daily') {
    start = new Date(today - 29 * DAY);
    for (let i = 0; i < 30; i++) keys.push(periodKey('daily', new Date(start.getTime() + i * DAY)));
  } else if (range === 'weekly') {
    const dow = new Date(today).getUTCDay() || 7;
    start = new Date(today - (dow - 1) * DAY - 11 * 7 * DAY);
    for (let i = 0; i < 12; i++) keys.push(periodKey('weekly', new Date(start.getTime() + i * 7 * DAY)));
  } else {
    start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1));
    for (let i = 0; i < 12; i++) {
      keys.push(periodKey('monthly', new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + i, 1))));
    }
  }
  return { start, end: now, keys };
}
