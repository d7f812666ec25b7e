import { main } from '../../src/cli/main.js';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs the `sparkify-lake` command in process, capturing what it prints. */
export async function runCli(...argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** `sparkify-lake query --lake <dir> --json <sql>`, parsed: one object per row. */
export async function queryLake(lakeDir: string, sql: string): Promise<Record<string, unknown>[]> {
  const run = await runCli('query', '--lake', lakeDir, '--json', sql);
  if (run.code !== 0) throw new Error(`query failed (${run.code}): ${run.err}`);
  return run.out === '' ? [] : run.out.split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}
