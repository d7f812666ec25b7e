/**
 * DuckDB in a measuring child: the same input files to the same base tables, in the same Hive
 * layout, with DuckDB's native JSON reader and Parquet writer.
 */
import { join } from 'node:path';
import { timed } from './measure.js';
import type { DuckdbRequest, DuckdbResult } from './protocol.js';

/** Explicit types, as our schema declares them (never inferred). */
const LOG_COLUMNS =
  "{artist: 'VARCHAR', auth: 'VARCHAR', firstName: 'VARCHAR', gender: 'VARCHAR', itemInSession: 'INTEGER', lastName: 'VARCHAR', " +
  "length: 'DOUBLE', level: 'VARCHAR', location: 'VARCHAR', method: 'VARCHAR', page: 'VARCHAR', registration: 'DOUBLE', " +
  "sessionId: 'INTEGER', song: 'VARCHAR', status: 'INTEGER', ts: 'BIGINT', userAgent: 'VARCHAR', userId: 'VARCHAR'}";

const SONG_COLUMNS =
  "{song_id: 'VARCHAR', title: 'VARCHAR', artist_id: 'VARCHAR', artist_name: 'VARCHAR', artist_location: 'VARCHAR', " +
  "artist_latitude: 'DOUBLE', artist_longitude: 'DOUBLE', duration: 'DOUBLE', num_songs: 'INTEGER', year: 'INTEGER'}";

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * base_plays: one row per NextSong event, the stored columns our workers write except write_id
 * (which names our batch), and the 2 partition columns. source_line is the 1-based line number:
 * row_number() over the file *before* the NextSong filter, which follows line order only when
 * DuckDB reads single-threaded (checked by the bench against our lake, cell by cell).
 */
export function duckdbPlaysSql(dataDir: string, lakeDir: string, sourceLine: boolean): string {
  const prefixLength = dataDir.length + 2; // substr is 1-based; drop "<dataDir>/"
  const reader = `read_json(${sqlString(`${dataDir}/log_data/**/*.json`)}, format = 'newline_delimited', columns = ${LOG_COLUMNS}, filename = true)`;
  const from = sourceLine ? `(SELECT *, row_number() OVER (PARTITION BY filename) AS line FROM ${reader})` : reader;
  const ts = 'make_timestamp_ms(ts)';
  return `COPY (
  SELECT CAST(CAST(userId AS INTEGER) AS VARCHAR) || '-' || sessionId || '-' || itemInSession || '-' || ts AS songplay_id,
         ${ts} AS start_time, CAST(userId AS INTEGER) AS user_id, level, sessionId AS session_id,
         itemInSession AS item_in_session, location, userAgent AS user_agent, firstName AS first_name,
         lastName AS last_name, gender, song, artist, length,
         CAST(hour(${ts}) AS INTEGER) AS hour, CAST(day(${ts}) AS INTEGER) AS day,
         CAST(week(${ts}) AS INTEGER) AS week, CAST(dayofweek(${ts}) + 1 AS INTEGER) AS weekday,
         substr(filename, ${prefixLength}) AS source_key,
         ${sourceLine ? 'CAST(line AS INTEGER)' : 'CAST(NULL AS INTEGER)'} AS source_line,
         CAST(NULL AS VARCHAR) AS rescued_data,
         CAST(year(${ts}) AS INTEGER) AS year, CAST(month(${ts}) AS INTEGER) AS month
  FROM ${from}
  WHERE page = 'NextSong'
) TO ${sqlString(join(lakeDir, 'base_plays'))} (FORMAT parquet, PARTITION_BY (year, month), COMPRESSION snappy)`;
}

export function duckdbSongsSql(dataDir: string, lakeDir: string): string {
  const prefixLength = dataDir.length + 2;
  return `COPY (
  SELECT song_id, title, artist_id, artist_name, artist_location, artist_latitude, artist_longitude,
         duration, num_songs, substr(filename, ${prefixLength}) AS source_key, CAST(NULL AS VARCHAR) AS rescued_data, year
  FROM read_json(${sqlString(`${dataDir}/song_data/**/*.json`)}, format = 'auto', columns = ${SONG_COLUMNS}, filename = true)
) TO ${sqlString(join(lakeDir, 'base_songs'))} (FORMAT parquet, PARTITION_BY (year), COMPRESSION snappy)`;
}

export async function runDuckdb(request: DuckdbRequest): Promise<DuckdbResult> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const { mkdir } = await import('node:fs/promises');
  let songsSeconds = 0;
  let playsSeconds = 0;
  const { figures } = await timed(async () => {
    await mkdir(request.lakeDir, { recursive: true });
    const instance = await DuckDBInstance.create(':memory:', { threads: String(request.threads) });
    const connection = await instance.connect();
    await connection.run(`SET TimeZone = 'UTC'`);
    const step = async (sql: string) => {
      const started = performance.now();
      await connection.run(sql);
      return (performance.now() - started) / 1000;
    };
    if (request.tables.includes('songs')) songsSeconds = await step(duckdbSongsSql(request.dataDir, request.lakeDir));
    if (request.tables.includes('plays'))
      playsSeconds = await step(duckdbPlaysSql(request.dataDir, request.lakeDir, request.sourceLine));
    connection.closeSync();
    instance.closeSync();
  });
  return {
    mode: 'duckdb',
    ...figures,
    songsSeconds,
    playsSeconds,
    note: `DuckDB ${request.threads} thread(s), read_json → COPY … PARTITION_BY, SNAPPY${request.sourceLine ? '' : '; source_line left NULL'}`,
  };
}
