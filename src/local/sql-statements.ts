/**
 * Runs a SQL text of one or more statements on a DuckDB connection, in order, and keeps each
 * statement's result. DuckDB's own parser splits the text, so `;` inside strings and comments are
 * handled. The rows kept per statement can be bounded: the rest are counted, never converted, so
 * `SELECT *` over a large table stays cheap when only its first rows are shown.
 */
import { JsonDuckDBValueConverter, ResultReturnType, type DuckDBConnection, type DuckDBResult } from '@duckdb/node-api';
import { jsonRows } from './duckdb-json.js';
import type { JsonValue } from './lake-sql.js';

export interface StatementResult {
  readonly columns: readonly string[];
  /** The first rows, at most `maxRows`. */
  readonly rows: readonly (readonly JsonValue[])[];
  /** How many rows the statement returned in all. */
  readonly totalRows: number;
  /** False for statements that return no result set (CREATE, SET, …): there is nothing to print. */
  readonly hasResultSet: boolean;
}

export interface RunStatementsOptions {
  /** Rows kept per statement (default: all). */
  readonly maxRows?: number;
}

/** The SQL holds no statement (only blanks and comments). */
export class EmptySqlError extends Error {}

/** A statement failed; the statements before it ran, and their results are here. */
export class StatementError extends Error {
  constructor(
    message: string,
    readonly completed: readonly StatementResult[],
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

export async function runStatements(
  connection: DuckDBConnection,
  sql: string,
  options: RunStatementsOptions = {},
): Promise<StatementResult[]> {
  // The whole text is parsed first: a syntax error anywhere refuses it before any statement runs.
  const statements = await connection.extractStatements(sql).catch((error: unknown) => {
    // DuckDB fails without a message on a text with no statement in it.
    throw isBlankSql(sql) ? new EmptySqlError('no SQL statement to run (only blanks, comments or ;)') : error;
  });
  if (statements.count === 0) throw new EmptySqlError('no SQL statement to run (only blanks, comments or ;)');
  const results: StatementResult[] = [];
  for (let index = 0; index < statements.count; index++) {
    try {
      const prepared = await statements.prepare(index);
      results.push(await readResult(await prepared.stream(), options.maxRows ?? Number.POSITIVE_INFINITY));
    } catch (error) {
      if (statements.count === 1) throw error;
      const ran = index === 0 ? 'none ran' : `statement${index > 1 ? 's' : ''} 1${index > 1 ? `-${index}` : ''} ran`;
      throw new StatementError(
        `statement ${index + 1} of ${statements.count} failed (${ran}): ${(error as Error).message}`,
        results,
        { cause: error },
      );
    }
  }
  return results;
}

/** Only whitespace, semicolons, line comments (--) and block comments. */
export function isBlankSql(sql: string): boolean {
  return (
    sql
      .replace(/--[^\n]*/g, '')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/[\s;]/g, '') === ''
  );
}

async function readResult(result: DuckDBResult, maxRows: number): Promise<StatementResult> {
  const types = result.columnTypes();
  const rows: JsonValue[][] = [];
  let totalRows = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    totalRows += chunk.rowCount;
    if (rows.length >= maxRows) continue;
    const wanted = maxRows - rows.length;
    rows.push(...jsonRows(types, (chunk.convertRows(JsonDuckDBValueConverter) as JsonValue[][]).slice(0, wanted)));
  }
  return {
    columns: result.columnNames(),
    rows,
    totalRows,
    hasResultSet: result.returnType === ResultReturnType.QUERY_RESULT,
  };
}
