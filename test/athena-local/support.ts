/**
 * Helpers for the tests against the local Athena started by global-setup.ts: the service, the CLI
 * on either engine, and comparison of the two engines' rows.
 */
import { inject } from 'vitest';
import type { ServiceState } from '../../src/athena-local/service.js';
import { runCli } from '../support/cli.js';

export type Row = Record<string, unknown>;

/** The running local Athena; `sparkify-lake query --engine trino` in this process reuses it. */
export function localAthena(): ServiceState {
  const state = inject('localAthena');
  process.env.SPARKIFY_LOCAL_ATHENA_DIR = state.stateDir;
  return state;
}

export type Engine = 'duckdb' | 'trino';

/** `sparkify-lake query --engine <engine> --lake <dir> --json <sql>`, parsed: one object per row. */
export async function queryEngine(engine: Engine, lakeDir: string, sql: string): Promise<Row[]> {
  const run = await runCli('query', '--engine', engine, '--lake', lakeDir, '--json', sql);
  if (run.code !== 0) throw new Error(`${engine} query failed (${run.code}): ${run.err}\n${sql}`);
  return run.out === '' ? [] : run.out.split('\n').map((line) => JSON.parse(line) as Row);
}

/** Both engines' rows for the same SQL. */
export async function bothEngines(lakeDir: string, sql: string): Promise<{ trino: Row[]; duckdb: Row[] }> {
  const trino = await queryEngine('trino', lakeDir, sql);
  const duckdb = await queryEngine('duckdb', lakeDir, sql);
  return { trino, duckdb };
}

/** Rows as a sorted list of JSON texts: equal multisets of rows, whatever order they came in. */
export function rowSet(rows: readonly Row[]): string[] {
  return rows.map((row) => JSON.stringify(row)).sort();
}
