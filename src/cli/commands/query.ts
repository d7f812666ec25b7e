import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { withLakeSql } from '../../local/lake-sql.js';
import { FsObjectStore } from '../../storage/fs-store.js';
import { renderJsonLines, renderTable } from '../format.js';
import { UsageError, type CommandIo } from '../usage-error.js';

export const QUERY_USAGE = `sparkify-lake query --lake <dir> [--engine duckdb|trino] [--json] "<SQL>"
sparkify-lake query --engine trino --stop
  Runs SQL over the analyst tables (songplays, users, songs, artists, "time"), the base tables
  (base_plays, base_songs) and the quarantine (rejects). --json prints one object per row.
  --engine duckdb (default) reads the lake folder with DuckDB. --engine trino runs the SQL on the
  local Athena: Trino (Athena's engine) over a Glue catalog and S3 emulated by moto, built from the
  stack's own template (install the engines first: npm run engines:install). It starts on first use
  (a minute or two), is reused while it runs, and stops after 30 idle minutes or with --stop.`;

export async function queryCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      lake: { type: 'string' },
      json: { type: 'boolean', default: false },
      engine: { type: 'string', default: 'duckdb' },
      stop: { type: 'boolean', default: false },
    },
  });
  if (values.engine !== 'duckdb' && values.engine !== 'trino') throw new UsageError(`--engine must be duckdb or trino, not ${values.engine}`);
  if (values.stop) {
    if (values.engine !== 'trino') throw new UsageError('--stop goes with --engine trino');
    if (positionals.length > 0) throw new UsageError('--stop takes no SQL');
    const { stopLocalAthena } = await import('../../athena-local/service.js');
    io.err((await stopLocalAthena()) ? 'local Athena stopped' : 'no local Athena was running');
    return 0;
  }
  if (!values.lake) throw new UsageError('query needs --lake <dir>');
  if (positionals.length !== 1 || !positionals[0]) throw new UsageError('query needs exactly one SQL statement (quote it)');
  const lakeDir = resolve(values.lake);
  const sql = positionals[0];
  const result = values.engine === 'trino' ? await queryOnTrino(lakeDir, sql, io) : await withLakeSql(lakeDir, new FsObjectStore(lakeDir), (session) => session.query(sql));
  io.out(values.json ? renderJsonLines(result) : renderTable(result));
  return 0;
}

/** Loaded only for --engine trino: the DuckDB path needs none of it. */
async function queryOnTrino(lakeDir: string, sql: string, io: CommandIo) {
  const { ensureLocalAthena } = await import('../../athena-local/service.js');
  const { queryLakeOnTrino } = await import('../../athena-local/lake-on-trino.js');
  const state = await ensureLocalAthena({ onStart: () => io.err('starting the local Athena (Trino + moto); the first start takes a minute or two...') });
  return queryLakeOnTrino(state, lakeDir, sql);
}
