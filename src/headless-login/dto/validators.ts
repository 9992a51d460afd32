import { registerDecorator, ValidationOptions } from 'class-validator';

export { NoNul } from '../../common/http/no-nul.js';

/** `YYYY-MM-DD`, a real calendar date (no 2023-02-30). */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isCalendarDate',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must be a date YYYY-MM-DD', ...options },
      validator: {
        validate: (value: unknown) => {
          if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
          const date = new Date(`${value}T00:00:00.000Z`);
          return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
        },
      },
    });
}

const MAX_DEPTH = 5;
const MAX_KEYS = 200;

/** Whether a JSON value stays small and storable: bounded depth and keys, no NUL anywhere. */
function isStorableJson(value: unknown, depth: number, budget: { keys: number }): boolean {
  if (value === null || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value === 'string') return !value.includes('\u0000') && value.length <= 10_000;
  if (depth >= MAX_DEPTH || typeof value !== 'object') return false;
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  budget.keys -= entries.length;
  if (budget.keys < 0) return false;
  return entries.every(
    ([k, v]) => k.length <= 200 && !k.includes('\u0000') && isStorableJson(v, depth + 1, budget),
  );
}

/** A plain JSON object (not an array) of bounded size: `customFields`. */
export function IsSmallJsonObject(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isSmallJsonObject',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `$property must be an object (at most ${MAX_DEPTH} levels and ${MAX_KEYS} keys, no NUL characters)`,
        ...options,
      },
      validator: {
        validate: (value: unknown) =>
          value !== null &&
          typeof value === 'object' &&
          !Array.isArray(value) &&
          isStorableJson(value, 0, { keys: MAX_KEYS }),
      },
    });
}
