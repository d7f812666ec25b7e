import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { withLakeSql } from '../../local/lake-sql.js';
import { FsObjectStore } from '../../storage/fs-store.js';
import { renderJsonLines, renderTable } from '../format.js';
import { openLakeToRead } from '../lake-paths.js';
import { QUIET_OPTION } from '../options.js';
import { UsageError, type CommandIo } from '../usage-error.js';

export const QUERY_USAGE = `sparkify-lake query --lake <dir> [--json] "<SQL>"
  Runs SQL with DuckDB over the analyst tables (songplays, users, songs, artists, "time"), the
  base tables (base_plays, base_songs) and the quarantine (rejects). --json prints one object per row.
  --lake must be a lake made by ingest or demo.`;

export const QUERY_OPTIONS = { lake: { type: 'string' }, json: { type: 'boolean', default: false }, ...QUIET_OPTION } as const;

export async function queryCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...args], allowPositionals: true, options: QUERY_OPTIONS });
  if (!values.lake) throw new UsageError('query needs --lake <dir>');
  if (positionals.length !== 1 || !positionals[0]) throw new UsageError('query needs the SQL: exactly one statement (quote it)');
  const lakeDir = resolve(values.lake);
  await openLakeToRead(lakeDir);
  const sql = positionals[0];
  const result = await withLakeSql(lakeDir, new FsObjectStore(lakeDir), (session) => session.query(sql));
  io.out(values.json ? renderJsonLines(result) : renderTable(result));
  return 0;
}
