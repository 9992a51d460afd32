import { expect } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import type { TestApp } from './test-app.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
  /** Whether the command needed the database. */
  connected: boolean;
}

/** What the CLI's terminal holds: standard input, and the answers typed at a prompt (none: no terminal). */
export interface CliInputs {
  stdin?: string;
  typed?: string[];
  /** Collects the questions asked at the terminal. */
  prompts?: string[];
}

/**
 * Runs the CLI in process against a test app: the command code itself, no build needed.
 * (The compiled CLI in a real process is tested in test/admin-cli-process.e2e-spec.ts.)
 */
export function cliRunner(app: () => TestApp) {
  async function cliWith(input: CliInputs, ...argv: string[]): Promise<CliResult> {
    let out = '';
    let err = '';
    let connected = false;
    const typed = [...(input.typed ?? [])];
    const code = await runCli(
      argv,
      {
        out: (s) => (out += s),
        err: (s) => (err += s),
        readStdin: async () => input.stdin ?? '',
        promptSecret: input.typed
          ? async (question) => {
              input.prompts?.push(question);
              return typed.shift() ?? '';
            }
          : undefined,
      },
      async () => {
        connected = true;
        return app().app;
      },
    );
    return { code, out, err, connected };
  }
  return {
    cliWith,
    cli: (...argv: string[]) => cliWith({}, ...argv),
    /** The parsed JSON answer of a command that must have succeeded. */
    json: (r: CliResult) => {
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      return JSON.parse(r.out);
    },
  };
}
