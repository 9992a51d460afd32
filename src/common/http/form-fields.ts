import { applyDecorators } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { IsString, Matches, validateSync } from 'class-validator';

/**
 * A field of a hosted page's form: a non-empty string of at most `max` UTF-16 units, without NUL
 * (Postgres cannot store it). Read with `readFormFields`, a field that breaks these rules is
 * simply absent.
 */
export const FormField = (max: number) =>
  applyDecorators(IsString(), Matches(new RegExp(`^[^\\u0000]{1,${max}}$`)));

/**
 * The fields of a form our own pages post (the hosted login, the logout confirmation), as a DTO of
 * `FormField`s. Unlike an API body, a bad form never answers 422: the page comes back with the
 * reason instead, so each invalid field reads as absent and unknown fields are dropped (a form
 * post of the standard request carries its own parameters beside them).
 */
export function readFormFields<T extends object>(cls: new () => T, body: unknown): T {
  const plain = body !== null && typeof body === 'object' && !Array.isArray(body) ? body : {};
  const form = plainToInstance(cls, plain);
  const errors = validateSync(form, {
    whitelist: true,
    skipUndefinedProperties: true,
    forbidUnknownValues: false,
  });
  for (const e of errors) delete (form as Record<string, unknown>)[e.property];
  return form;
}
