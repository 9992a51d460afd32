import { AppError, Errors } from '../common/errors/app-error.js';
import { isUuid } from '../common/validation/ids.js';
import { IDENTIFIER } from '../admin/dto/validators.js';
import { Db } from '../database/db.js';
import type { Connect, Values } from './commands.js';

/** How `--tenant` is written in usage lines: a tenant's key or its id. */
export const TENANT = '<tenant key or id>';

/** What a command may ask of its terminal besides printing: secrets, never echoed. */
export interface CliInput {
  /** Everything on standard input (for `--password-stdin`); undefined where there is none. */
  readStdin?: () => Promise<string>;
  /** Asks on the terminal without echoing what is typed; undefined when stdin is not a terminal. */
  promptSecret?: (question: string) => Promise<string>;
}

/** A bad command line: printed as `INVALID_ARGUMENTS: ...`, exit status 1. */
export function invalidArguments(message: string): AppError {
  return new AppError(400, 'INVALID_ARGUMENTS', message);
}

const PASSWORD_FLAG_HELP =
  'use --password to be asked for it (not echoed), or pipe it with --password-stdin; a password on the ' +
  'command line is echoed by npm and kept in your shell history';

/**
 * Refuses `--password <value>` and `--password=<value>` before anything parses the line, so the
 * value is never printed back in an error message.
 */
export function refusePasswordValues(argv: string[]): void {
  argv.forEach((arg, i) => {
    if (arg.startsWith('--password='))
      throw invalidArguments(`--password takes no value: ${PASSWORD_FLAG_HELP}`);
    const next = argv[i + 1];
    if (arg === '--password' && next !== undefined && !next.startsWith('-')) {
      throw invalidArguments(`--password takes no value: ${PASSWORD_FLAG_HELP}`);
    }
  });
}

/** One trailing line break of piped input is not part of the secret (`echo pw | ...`). */
export function stripFinalNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

/**
 * The password of `--password` (asked twice on the terminal) or `--password-stdin` (read from
 * standard input); undefined when neither flag is given.
 */
export async function readPassword(v: Values, input: CliInput): Promise<string | undefined> {
  const ask = v.password === true;
  const piped = v['password-stdin'] === true;
  if (ask && piped) throw invalidArguments('give either --password or --password-stdin, not both');
  if (piped) {
    if (!input.readStdin) throw invalidArguments('--password-stdin: there is no standard input to read');
    const value = stripFinalNewline(await input.readStdin());
    if (!value) throw invalidArguments('--password-stdin read an empty password from standard input');
    return value;
  }
  if (!ask) return undefined;
  if (!input.promptSecret) {
    throw invalidArguments(
      '--password asks on a terminal, and standard input is not one: pipe the password with --password-stdin',
    );
  }
  const first = await input.promptSecret('Password: ');
  const second = await input.promptSecret('Password (again): ');
  if (first !== second) throw invalidArguments('the two passwords differ; nothing was changed');
  if (!first) throw invalidArguments('the password is empty');
  return first;
}

/**
 * A client secret of `--secret-stdin` (read from standard input, so it is never in `ps` or the
 * shell history) or `--secret`; undefined when neither is given.
 */
export async function readClientSecret(v: Values, input: CliInput): Promise<unknown> {
  if (v['secret-stdin'] !== true) return v.secret;
  if (v.secret !== undefined) throw invalidArguments('give either --secret or --secret-stdin, not both');
  if (!input.readStdin) throw invalidArguments('--secret-stdin: there is no standard input to read');
  const value = stripFinalNewline(await input.readStdin());
  if (!value) throw invalidArguments('--secret-stdin read an empty secret from standard input');
  return value;
}

/**
 * `--tenant` takes a tenant's id (UUID) or its key. `forValidation` stands in for the DTO's
 * `tenantId` so that every other argument is checked before the database is touched; `resolve`
 * answers the id (looking a key up, case-insensitively, as keys are unique).
 */
export function tenantArgument(value: Values[string]): {
  forValidation: unknown;
  resolve(connect: Connect): Promise<string | undefined>;
} {
  if (typeof value !== 'string' || isUuid(value)) {
    return { forValidation: value, resolve: async () => value as string | undefined };
  }
  if (value.length > 100 || !IDENTIFIER.test(value)) {
    throw Errors.validation([
      { field: 'tenantId', message: '--tenant must be a tenant id (UUID) or a tenant key' },
    ]);
  }
  return {
    forValidation: '00000000-0000-4000-8000-000000000000',
    async resolve(connect) {
      const row = await (
        await connect()
      )
        .get(Db)
        .row<{ id: string }>('SELECT id FROM tenant WHERE lower(key) = lower($1)', [value]);
      if (!row) throw Errors.notFound(`No tenant has the key "${value}" (tenants:list shows them)`);
      return row.id;
    },
  };
}
