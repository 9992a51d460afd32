import { ValidationError, ValidationPipe } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { Errors } from '../errors/app-error.js';

/** Constraints that say what type a field must have: the first thing to fix when one fails. */
const TYPE_CONSTRAINTS = [
  'isString',
  'isInt',
  'isNumber',
  'isBoolean',
  'isArray',
  'isObject',
  'nestedValidation',
  'isIn',
  'isEnum',
  'isUuid',
  'isEmail',
  'isDateString',
  'isISO8601',
];

/**
 * The one message a field gets: a missing field is "required"; else a failed type check (a
 * number where a string belongs says so, not also that the string is too short); else the first
 * rule in the order the DTO lists them (decorators register bottom-up, so that is the last key).
 */
function fieldMessage(e: ValidationError): string | undefined {
  const constraints = e.constraints ?? {};
  const keys = Object.keys(constraints);
  if (!keys.length) return undefined;
  if (constraints.whitelistValidation) return constraints.whitelistValidation;
  if (e.value === undefined) return `${e.property} is required`;
  const type = TYPE_CONSTRAINTS.find((k) => constraints[k] !== undefined);
  return constraints[type ?? keys[keys.length - 1]!];
}

/**
 * Flattens class-validator errors into the contract's `details: [{field, message}]`: one entry per
 * invalid field (dotted path for nested fields), so a client can show one message next to each.
 */
export function validationDetails(
  errors: ValidationError[],
  parent = '',
): { field: string; message: string }[] {
  const out: { field: string; message: string }[] = [];
  for (const e of errors) {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const message = fieldMessage(e);
    if (message !== undefined) out.push({ field, message });
    else if (e.children?.length) out.push(...validationDetails(e.children, field));
  }
  return out;
}

/**
 * `value: true` keeps the offending value on each ValidationError so a missing field can be told
 * from a wrong one; it is only read by `fieldMessage`, never answered or logged.
 */
export const VALIDATION_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  forbidUnknownValues: true,
  transform: true,
  validationError: { target: false, value: true },
} as const;

/** The global pipe: unknown fields, missing or mistyped ones answer 422 VALIDATION_FAILED. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    ...VALIDATION_OPTIONS,
    exceptionFactory: (errors) => Errors.validation(validationDetails(errors)),
  });
}

/** Validates a body against a DTO where the pipe has not run yet (guards that need the body). */
export async function validateBody<T extends object>(cls: new () => T, body: unknown): Promise<T> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw Errors.validation([{ field: 'body', message: 'body must be a JSON object' }]);
  }
  const instance = plainToInstance(cls, body);
  const errors = await validate(instance, VALIDATION_OPTIONS);
  if (errors.length) throw Errors.validation(validationDetails(errors));
  return instance;
}
