import { parseArgs } from 'node:util';
import { AppError } from '../common/errors/app-error.js';
import { ConfigError } from '../config/config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.js';
import { COMMANDS, CliCommand, Connect, DatabaseUrl } from './commands.js';
import { CliInput, refusePasswordValues } from './input.js';

/** The CLI's terminal: JSON answers on `out` (stdout), errors and prompts on `err` (stderr). */
export interface CliIO extends CliInput {
  out(text: string): void;
  err(text: string): void;
}

export function helpText(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const list = Object.entries(COMMANDS)
    .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}\n  ${' '.repeat(width)}  ${c.usage}`)
    .join('\n');
  return `Provisioning from the command line: the operations of the admin routes, for first-time set-up;
and the database migrations, for deploying them as a step of their own.

Usage: npm run -s cli -- <command> [options]   (or: node dist/src/cli/main.js <command> ...)

Run \`npm run build\` (or \`npm start\`) first: the CLI runs the compiled code in dist/. It reads the
same environment as the service (DATABASE_URL, ENCRYPTION_KEY, ...); without DATABASE_URL it uses the
embedded development database in ./.data, like \`npm start\` (also while the service runs).
It prints only JSON on stdout (-s keeps npm's own banner off stdout, so \`npm run -s cli -- tenants:list | jq\`
works); errors print "CODE: message" on stderr and exit with status 1. Arguments are validated exactly
like the HTTP routes' bodies. --tenant takes a tenant's key or its id. Passwords are never arguments:
--password asks on the terminal without echo, --password-stdin reads standard input.

Commands:
${list}
  help${' '.repeat(Math.max(0, width - 4))}  Show this help (also: <command> --help)
`;
}

/** `CODE: message`, with the flag to fix for each validation failure. */
function describeError(err: unknown, command: CliCommand | undefined): string {
  if (err instanceof AppError) {
    const details = (err.extra.details ?? []) as { field: string; message: string }[];
    if (!details.length) return `${err.code}: ${err.message}`;
    const list = details.map((d) => `${command?.flags[d.field] ?? d.field}: ${d.message}`).join('; ');
    return `${err.code}: ${list}`;
  }
  if (err instanceof ConfigError) return `CONFIG_ERROR: ${err.message}`;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
    return `INVALID_ARGUMENTS: ${(err as Error).message}`;
  }
  return `INTERNAL_ERROR: ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * Runs one command line; answers the exit status. `connect` boots (or hands over) the application;
 * `databaseUrl` answers the database's URL without booting it (by default: the application's).
 */
export async function runCli(
  argv: string[],
  io: CliIO,
  connect: Connect,
  databaseUrl: DatabaseUrl = async () => (await connect()).get<AppConfig>(APP_CONFIG).databaseUrl!,
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || ['help', '--help', '-h'].includes(name)) {
    io.out(helpText());
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`UNKNOWN_COMMAND: "${name}" is not a command; run \`npm run -s cli -- help\`\n`);
    return 1;
  }
  try {
    refusePasswordValues(rest);
    const { values } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      io.out(`Usage: npm run -s cli -- ${command.usage}\n${command.summary}.\n`);
      return 0;
    }
    const result = await command.run(values, connect, io, databaseUrl);
    io.out(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (err) {
    io.err(`${describeError(err, command)}\n`);
    return 1;
  }
}
