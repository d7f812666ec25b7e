/**
 * The one schema source. The Parquet writer, the Glue tables, the local DuckDB views and the
 * table docs are all derived from these declarations; nothing infers a type from data.
 *
 * Two kinds of table:
 * - base tables are written by the workers: one immutable Parquet object per batch of landing
 *   files and table partition, every row tagged with its landing object (source_key) and the
 *   batch that wrote it (write_id); base_sources is the ledger of which write is current for each
 *   landing object;
 * - analyst tables are views over the base tables that read only current rows, so that replaced,
 *   removed, redelivered and out-of-order files all give the same answers without coordination
 *   between workers (see docs/ARCHITECTURE.md).
 */
import { ANALYST_VIEW_SQL } from './view-sql.js';

/** Logical column types, named as Glue/Athena (Hive DDL) names them. */
export type ColumnType = 'string' | 'int' | 'bigint' | 'double' | 'timestamp';

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  readonly comment: string;
  /** Never null: the transforms reject a record without it. Written as a REQUIRED Parquet column. */
  readonly required?: boolean;
  /**
   * false: no min/max statistics in the Parquet files. For free text that every file holds the
   * whole spread of (names, agents, titles): each row group's range then covers nearly every value
   * and lets no query skip anything, while computing it was ~18% of encoding a log file
   * (docs/PARQUET.md). A filter on such a column can still skip a row group by its dictionary.
   */
  readonly statistics?: false;
}

export interface BaseTable {
  readonly kind: 'base';
  readonly name: BaseTableName;
  readonly comment: string;
  /** Columns stored in the Parquet files, in file order. */
  readonly columns: readonly Column[];
  /** Hive-style partition columns: part of the object key, not of the file. */
  readonly partitionKeys: readonly Column[];
}

export interface AnalystView {
  readonly kind: 'view';
  readonly name: AnalystViewName;
  readonly comment: string;
  /** Every column the view returns, partition-derived ones included, in order. */
  readonly columns: readonly Column[];
  /** The columns an analyst should filter on to prune partitions of the base table. */
  readonly partitionedBy: readonly string[];
  /** SQL in the subset that Athena (Trino) and DuckDB both accept. */
  readonly sql: string;
}

export type BaseTableName = 'base_songs' | 'base_plays' | 'base_user_latest' | 'base_rejects' | 'base_sources';
export type AnalystViewName = 'songplays' | 'users' | 'songs' | 'artists' | 'time' | 'rejects';

const RESCUED_COMMENT =
  'Fields of the source record that the schema does not know, as a JSON object of their values exactly as they arrived; null when there are none';

const col = (name: string, type: ColumnType, comment: string): Column => ({ name, type, comment });
const nonNull = (name: string, type: ColumnType, comment: string): Column => ({ name, type, comment, required: true });
/** Free text spread over every file: no min/max statistics (see Column.statistics). */
const spreadText = (name: string, comment: string): Column => ({ name, type: 'string', comment, statistics: false });

export const BASE_SONGS: BaseTable = {
  kind: 'base',
  name: 'base_songs',
  comment: 'One row per song file version, as it arrived. Read through the songs and artists views.',
  columns: [
    nonNull('song_id', 'string', 'Million Song Dataset song id'),
    col('title', 'string', 'Song title, kept exactly as it arrived'),
    nonNull('artist_id', 'string', 'Artist id'),
    col('artist_name', 'string', 'Artist name as given in this song file'),
    col('artist_location', 'string', 'Artist location as given in this song file'),
    col('artist_latitude', 'double', 'Artist latitude, null when unknown'),
    col('artist_longitude', 'double', 'Artist longitude, null when unknown'),
    col('duration', 'double', 'Song length in seconds'),
    col('num_songs', 'int', 'num_songs field of the source file'),
    nonNull('source_key', 'string', 'Key of the source object this row came from'),
    nonNull('write_id', 'string', 'The batch that wrote this row; current when base_sources says so'),
    col('rescued_data', 'string', RESCUED_COMMENT),
  ],
  partitionKeys: [
    col('year', 'int', 'Release year, 0 to 9999; 0 means unknown (also when the file has no valid year)'),
  ],
};

export const BASE_PLAYS: BaseTable = {
  kind: 'base',
  name: 'base_plays',
  comment:
    'One row per NextSong event of a log file version, as it arrived, with the time parts computed once. Read through the songplays and time views.',
  columns: [
    nonNull(
      'songplay_id',
      'string',
      'userId-sessionId-itemInSession-ts: the event identity, the same in every file and rerun',
    ),
    nonNull('start_time', 'timestamp', 'Event time (ts), UTC, millisecond precision'),
    nonNull('user_id', 'int', 'userId'),
    spreadText('level', 'free or paid at the time of the event'),
    nonNull('session_id', 'int', 'sessionId'),
    nonNull('item_in_session', 'int', 'itemInSession'),
    spreadText('location', 'User location'),
    spreadText('user_agent', 'User agent'),
    spreadText('first_name', 'firstName'),
    spreadText('last_name', 'lastName'),
    spreadText('gender', 'gender'),
    spreadText('song', 'Song title as played, used to match songs'),
    spreadText('artist', 'Artist name as played, used to match songs'),
    col('length', 'double', 'Song length as played, used to match songs'),
    nonNull('hour', 'int', 'Hour of start_time (UTC), 0-23'),
    nonNull('day', 'int', 'Day of month of start_time (UTC)'),
    nonNull('week', 'int', 'ISO-8601 week of start_time (UTC)'),
    nonNull('weekday', 'int', 'Day of week of start_time (UTC), 1 = Sunday ... 7 = Saturday'),
    nonNull('source_key', 'string', 'Key of the source log object'),
    nonNull('source_line', 'int', 'Line number (1-based) in the source log object'),
    nonNull('write_id', 'string', 'The batch that wrote this row; current when base_sources says so'),
    spreadText('rescued_data', RESCUED_COMMENT),
  ],
  partitionKeys: [col('year', 'int', 'Year of start_time (UTC)'), col('month', 'int', 'Month of start_time (UTC)')],
};

export const BASE_USER_LATEST: BaseTable = {
  kind: 'base',
  name: 'base_user_latest',
  comment:
    "Per log file version and user, that user's latest NextSong event in the file: what the users view needs, one row per user and file instead of one per play.",
  columns: [
    nonNull('user_id', 'int', 'userId'),
    col('first_name', 'string', 'firstName of that event'),
    col('last_name', 'string', 'lastName of that event'),
    col('gender', 'string', 'gender of that event'),
    col('level', 'string', 'level of that event'),
    nonNull('start_time', 'timestamp', 'Event time (ts), UTC'),
    nonNull('session_id', 'int', 'sessionId'),
    nonNull('item_in_session', 'int', 'itemInSession'),
    nonNull('source_key', 'string', 'Key of the source log object'),
    nonNull('source_line', 'int', 'Line number (1-based) of that event'),
    nonNull('write_id', 'string', 'The batch that wrote this row'),
  ],
  partitionKeys: [],
};

export const BASE_REJECTS: BaseTable = {
  kind: 'base',
  name: 'base_rejects',
  comment:
    'Quarantine as written, per file version: every bad record or bad file set aside, and every field of a kept record stored as NULL because its value was invalid (field names it). Read through the rejects view.',
  columns: [
    nonNull('source_key', 'string', 'Key of the source object'),
    col('line', 'int', 'Line number (1-based) of a bad log record; null for a whole bad file'),
    nonNull('reason', 'string', 'Why it was set aside'),
    nonNull('raw', 'string', 'The rejected text (truncated to 4,096 characters)'),
    nonNull('write_id', 'string', 'The batch that wrote this row'),
    col(
      'field',
      'string',
      'The JSON field set aside (stored as NULL, the record kept); null when the whole record or file was set aside',
    ),
  ],
  partitionKeys: [col('source', 'string', 'song_data or log_data')],
};

/** Values of base_sources.status. */
export const SOURCE_PRESENT = 'present';
export const SOURCE_REMOVED = 'removed';

export const BASE_SOURCES: BaseTable = {
  kind: 'base',
  name: 'base_sources',
  comment:
    'The ledger: one row per landing object version a batch committed. The current version of an object is its row with the greatest seq, then write_id; the views read only rows of current writes.',
  columns: [
    nonNull('source_key', 'string', 'Key of the landing object'),
    nonNull('seq', 'string', 'Order of versions of this key: the S3 event sequencer (normalised), or the local clock'),
    nonNull('write_id', 'string', "The batch that wrote this version's rows (and this row)"),
    nonNull('status', 'string', "present: the rows of write_id are this object's; removed: the object is gone"),
    col('content_sha256', 'string', 'SHA-256 of the object bytes read; null when removed'),
    col('bytes', 'bigint', 'Size of the object read'),
    nonNull('rows', 'int', 'Rows this version wrote, all tables'),
    nonNull(
      'partitions',
      'string',
      'JSON list of the table partitions holding its rows (what compaction must clean when it is superseded)',
    ),
    nonNull('format_version', 'int', 'Version of the rules that produced the rows; a change rewrites unchanged files'),
  ],
  partitionKeys: [col('source', 'string', 'song_data or log_data')],
};

export const BASE_TABLES: readonly BaseTable[] = [BASE_SONGS, BASE_PLAYS, BASE_USER_LATEST, BASE_REJECTS, BASE_SOURCES];

export const ANALYST_VIEWS: readonly AnalystView[] = [
  {
    kind: 'view',
    name: 'songplays',
    comment: 'Fact table: one row per NextSong event. song_id/artist_id are null until the song lands.',
    columns: [
      col('songplay_id', 'string', 'Event identity: userId-sessionId-itemInSession-ts'),
      col('start_time', 'timestamp', 'Event time, UTC'),
      col('user_id', 'int', 'User'),
      col('level', 'string', 'free or paid at the time of the play'),
      col('song_id', 'string', 'Matched song (title, artist name, exact duration); null when none matches yet'),
      col('artist_id', 'string', 'Artist of the matched song'),
      col('session_id', 'int', 'Session'),
      col('location', 'string', 'User location'),
      col('user_agent', 'string', 'User agent'),
      col('year', 'int', 'Year of start_time (partition)'),
      col('month', 'int', 'Month of start_time (partition)'),
    ],
    partitionedBy: ['year', 'month'],
    sql: ANALYST_VIEW_SQL.songplays,
  },
  {
    kind: 'view',
    name: 'users',
    comment: "One row per user; names and level from the user's latest NextSong event.",
    columns: [
      col('user_id', 'int', 'User'),
      col('first_name', 'string', 'First name'),
      col('last_name', 'string', 'Last name'),
      col('gender', 'string', 'Gender'),
      col('level', 'string', 'Level at the latest play: free or paid'),
    ],
    partitionedBy: [],
    sql: ANALYST_VIEW_SQL.users,
  },
  {
    kind: 'view',
    name: 'songs',
    comment: 'One row per song_id.',
    columns: [
      col('song_id', 'string', 'Song'),
      col('title', 'string', 'Title'),
      col('artist_id', 'string', 'Artist'),
      col('year', 'int', 'Release year, 0 = unknown (partition)'),
      col('duration', 'double', 'Length in seconds'),
    ],
    partitionedBy: ['year'],
    sql: ANALYST_VIEW_SQL.songs,
  },
  {
    kind: 'view',
    name: 'artists',
    comment: "One row per artist_id, from that artist's song with the smallest song_id.",
    columns: [
      col('artist_id', 'string', 'Artist'),
      col('name', 'string', 'Name'),
      col('location', 'string', 'Location'),
      col('latitude', 'double', 'Latitude'),
      col('longitude', 'double', 'Longitude'),
    ],
    partitionedBy: [],
    sql: ANALYST_VIEW_SQL.artists,
  },
  {
    kind: 'view',
    name: 'time',
    comment: 'One row per distinct start_time. weekday: 1 = Sunday ... 7 = Saturday (not ISO).',
    columns: [
      col('start_time', 'timestamp', 'Event time, UTC'),
      col('hour', 'int', 'Hour 0-23'),
      col('day', 'int', 'Day of month'),
      col('week', 'int', 'ISO-8601 week'),
      col('month', 'int', 'Month (partition)'),
      col('year', 'int', 'Year (partition)'),
      col('weekday', 'int', '1 = Sunday ... 7 = Saturday'),
    ],
    partitionedBy: ['year', 'month'],
    sql: ANALYST_VIEW_SQL.time,
  },
  {
    kind: 'view',
    name: 'rejects',
    comment:
      'Quarantine: every bad record or bad file of the current landing files, and every field of a kept record stored as NULL because its value was invalid (field names it), with where it came from and why.',
    columns: [
      col('source', 'string', 'song_data or log_data (partition of base_rejects)'),
      col('source_key', 'string', 'Key of the source object'),
      col('line', 'int', 'Line number (1-based) of a bad log record; null for a whole bad file'),
      col('reason', 'string', 'Why it was set aside'),
      col('raw', 'string', 'The rejected text (truncated to 4,096 characters)'),
      col(
        'field',
        'string',
        'The JSON field set aside (stored as NULL, the record kept); null when the whole record or file was set aside',
      ),
    ],
    partitionedBy: ['source'],
    sql: ANALYST_VIEW_SQL.rejects,
  },
];

export function baseTable(name: BaseTableName): BaseTable {
  const table = BASE_TABLES.find((t) => t.name === name);
  if (!table) throw new Error(`unknown base table ${name}`);
  return table;
}
