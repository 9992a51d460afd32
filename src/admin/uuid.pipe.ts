import type { PipeTransform } from '@nestjs/common';
import { Errors } from '../common/errors/app-error.js';
import { isUuid } from '../common/validation/ids.js';

/**
 * A path id that must be a UUID. Anything else cannot name a row, so it answers 404 like an
 * unknown id (and never reaches Postgres, which would fail on the uuid cast). Used as an instance,
 * `new UuidPipe('Role')`, so the message names what was not found.
 */
export class UuidPipe implements PipeTransform<string, string> {
  constructor(private readonly what = 'Resource') {}

  transform(value: string): string {
    if (!isUuid(value)) throw Errors.notFound(`${this.what} not found`);
    return value;
  }
}
