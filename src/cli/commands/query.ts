import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { smallFiles, SUGGEST_COMPACT_FROM } from '../../local/lake-health.js';
import { withLakeSql } from '../../local/lake-sql.js';
import { EmptySqlError, StatementError, type StatementResult } from '../../local/sql-statements.js';
import { FsObjectStore } from '../../storage/fs-store.js';
import { openLakeToRead } from '../lake-paths.js';
import { QUIET_OPTION } from '../options.js';
import {
  DEFAULT_TABLE_ROWS,
  OUTPUT_FORMATS,
  outputFormatOf,
  renderResult,
  rowLimitOf,
  TABLE_CELL_WIDTH,
  type OutputFormat,
} from '../output-format.js';
import { protectSqlComments, readSql } from '../sql-input.js';
import { UsageError, type CommandIo } from '../usage-error.js';

export const QUERY_USAGE = `sparkify-lake query --lake <dir> [--engine duckdb|trino] [--format ${OUTPUT_FORMATS.join('|')}] [--json] [--limit N] [-q]
                    ("<SQL>" | --file <path> | -)
sparkify-lake query --engine trino --stop
  Runs SQL over the analyst tables (songplays, users, songs, artists, "time", rejects) and the
  base tables (base_plays, base_songs, base_user_latest, base_rejects, base_sources).
  --engine duckdb (default) reads the lake folder with DuckDB. --engine trino runs the SQL on the
  local Athena: Trino (Athena's engine) over a Glue catalog and S3 emulated by moto, built from the
  stack's own template (install the engines first: npm run engines:install). It starts on first use
  (a minute or two), is reused while it runs, and stops after 30 idle minutes or with --stop; it
  runs one statement at a time. The SQL is one quoted
  argument, a file (--file q.sql), or standard input (- or --file -); it may start with comments.
  Several statements separated by ; all run, in order, in one session (a SET or CREATE TEMP VIEW
  can prepare a query), and the result of each one that returns rows is printed; if one fails,
  the command stops there with exit 1 and says which.
  --format table (default) shows at most ${DEFAULT_TABLE_ROWS} rows (--limit N, --limit 0 for all) and cuts
  values after ${TABLE_CELL_WIDTH} characters, saying so; json prints one object per row (--json is short
  for it) and csv a header and RFC 4180 rows, every row unless --limit is given.
  --lake must be a lake made by ingest or demo. On a lake of many small files a note on stderr
  suggests compact; -q, --quiet leaves it out.`;

export const QUERY_OPTIONS = {
  lake: { type: 'string' },
  format: { type: 'string' },
  json: { type: 'boolean', default: false },
  limit: { type: 'string' },
  file: { type: 'string' },
  engine: { type: 'string', default: 'duckdb' },
  stop: { type: 'boolean', default: false },
  ...QUIET_OPTION,
} as const;

export async function queryCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: protectSqlComments(args),
    allowPositionals: true,
    options: QUERY_OPTIONS,
  });
  if (values.engine !== 'duckdb' && values.engine !== 'trino')
    throw new UsageError(`--engine must be duckdb or trino, not ${values.engine}`);
  if (values.stop) {
    if (values.engine !== 'trino') throw new UsageError('--stop goes with --engine trino');
    if (positionals.length > 0 || values.file !== undefined) throw new UsageError('--stop takes no SQL');
    const { stopLocalAthena } = await import('../../athena-local/service.js');
    io.err((await stopLocalAthena()) ? 'local Athena stopped' : 'no local Athena was running');
    return 0;
  }
  if (!values.lake) throw new UsageError('query needs --lake <dir>');
  const format = outputFormatOf(values.format, values.json);
  const maxRows = rowLimitOf(values.limit, format);
  const sql = await readSql(positionals, values.file, io);
  const lakeDir = resolve(values.lake);
  await openLakeToRead(lakeDir);
  try {
    const results =
      values.engine === 'trino'
        ? await runOnTrino(lakeDir, sql, maxRows, io)
        : await runOnLocalLake(lakeDir, sql, maxRows);
    printResults(results, format, io);
  } catch (error) {
    // The statements before the one that failed ran: show what they returned, then the error.
    if (error instanceof StatementError) printResults(error.completed, format, io);
    throw error;
  }
  if (!values.quiet) await suggestCompaction(lakeDir, io);
  return 0;
}

/** The statements on the local lake with DuckDB. */
async function runOnLocalLake(lakeDir: string, sql: string, maxRows: number | undefined): Promise<StatementResult[]> {
  try {
    return await withLakeSql(lakeDir, new FsObjectStore(lakeDir), (session) =>
      session.runStatements(sql, maxRows === undefined ? {} : { maxRows }),
    );
  } catch (error) {
    if (error instanceof EmptySqlError) throw new UsageError(error.message);
    throw error;
  }
}

/** The statement on the local Athena (Trino over moto), loaded only for --engine trino. */
async function runOnTrino(
  lakeDir: string,
  sql: string,
  maxRows: number | undefined,
  io: CommandIo,
): Promise<StatementResult[]> {
  const { ensureLocalAthena } = await import('../../athena-local/service.js');
  const { queryLakeOnTrino } = await import('../../athena-local/lake-on-trino.js');
  const state = await ensureLocalAthena({
    onStart: () => io.err('starting the local Athena (Trino + moto); the first start takes a minute or two...'),
  });
  const result = await queryLakeOnTrino(state, lakeDir, sql);
  return [
    {
      columns: result.columns,
      rows: maxRows === undefined ? result.rows : result.rows.slice(0, maxRows),
      totalRows: result.rows.length,
      hasResultSet: true,
    },
  ];
}

/** Each result set in the format, one after another (a blank line apart for table and csv). */
function printResults(results: readonly StatementResult[], format: OutputFormat, io: CommandIo): void {
  const shown = results.filter((result) => result.hasResultSet);
  shown.forEach((result, i) => {
    const { text, notice } = renderResult(result, format);
    if (i > 0 && format !== 'json') io.out('');
    if (text !== '') io.out(text);
    if (notice) io.err(notice);
  });
}

async function suggestCompaction(lakeDir: string, io: CommandIo): Promise<void> {
  const { files, mergeable } = await smallFiles(new FsObjectStore(lakeDir));
  if (mergeable < SUGGEST_COMPACT_FROM) return;
  io.err(
    `Note: this lake has ${files} Parquet files, ${mergeable} of them small enough to merge; every query opens them all. ` +
      `\`sparkify-lake compact --lake ${lakeDir}\` merges them (safe at any time, answers unchanged).`,
  );
}
