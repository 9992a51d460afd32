import { registerDecorator, ValidateIf, ValidationArguments, ValidationOptions } from 'class-validator';

/**
 * Optional, but when present it must be valid: unlike `@IsOptional()`, `null` is not skipped
 * (a `null` password or client id must be a 422, not reach a service as "absent").
 */
export const IsOptionalField = () => ValidateIf((_: object, value: unknown) => value !== undefined);

/** The decorated field may not be sent together with any of `others`. */
export function NotWith(others: string[], options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'notWith',
      target: target.constructor,
      propertyName,
      constraints: others,
      options,
      validator: {
        validate: (value: unknown, args: ValidationArguments) =>
          value === undefined ||
          others.every((o) => (args.object as Record<string, unknown>)[o] === undefined),
        defaultMessage: (args: ValidationArguments) =>
          `${args.property} cannot be combined with ${others.join(', ')}`,
      },
    });
}
