import { registerDecorator, ValidationOptions } from 'class-validator';

/** A string Postgres can store: no NUL character (it would make the query fail, a 5xx). */
export function NoNul(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'noNul',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: '$property must not contain NUL characters', ...options },
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !value.includes('\u0000'),
      },
    });
}
