import { main } from '../../src/cli/main.js';
import type { Terminal } from '../../src/cli/usage-error.js';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs the `sparkify-lake` command in process, capturing what it prints. */
export async function runCli(...argv: string[]): Promise<CliRun> {
  const { code, out, err } = await runCliWith({}, ...argv);
  return { code, out, err };
}

export interface CliSetup {
  /** Standard input, for `query -`. */
  readonly stdin?: string;
  /** A terminal of this width: progress is drawn into `terminalText`. */
  readonly columns?: number;
}

/** runCli with standard input and/or a terminal; `terminal` holds what was drawn on it. */
export async function runCliWith(setup: CliSetup, ...argv: string[]): Promise<CliRun & { terminal: string }> {
  const out: string[] = [];
  const err: string[] = [];
  let drawn = '';
  const terminal: Terminal | undefined =
    setup.columns === undefined
      ? undefined
      : {
          columns: setup.columns,
          write: (text) => {
            drawn += text;
          },
        };
  const code = await main(argv, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    ...(terminal ? { terminal } : {}),
    ...(setup.stdin === undefined ? {} : { readStdin: async () => setup.stdin ?? '' }),
  });
  return { code, out: out.join('\n'), err: err.join('\n'), terminal: drawn };
}

/** `sparkify-lake query --lake <dir> --json <sql>`, parsed: one object per row. */
export async function queryLake(lakeDir: string, sql: string): Promise<Record<string, unknown>[]> {
  const run = await runCli('query', '--lake', lakeDir, '--json', sql);
  if (run.code !== 0) throw new Error(`query failed (${run.code}): ${run.err}`);
  return run.out === '' ? [] : run.out.split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}
