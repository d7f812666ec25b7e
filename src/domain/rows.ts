/**
 * Row shapes of the base tables. Property names are the schema's column names (partition keys
 * included), so the Parquet writer can take a row's cells by column name; a test checks that these
 * shapes and src/domain/tables.ts stay in step. write_id is not here: it is the same for every row
 * of a batch, and the batch writer adds it as a constant column.
 */
export type Cell = string | number | null;

export interface SongRow {
  song_id: string;
  title: string | null;
  artist_id: string;
  artist_name: string | null;
  artist_location: string | null;
  artist_latitude: number | null;
  artist_longitude: number | null;
  duration: number | null;
  num_songs: number | null;
  source_key: string;
  /** Fields the schema does not know, as a JSON object of their raw text; null when none. */
  rescued_data: string | null;
  year: number;
}

export interface PlayRow {
  songplay_id: string;
  /** Epoch milliseconds, UTC. */
  start_time: number;
  user_id: number;
  level: string | null;
  session_id: number;
  item_in_session: number;
  location: string | null;
  user_agent: string | null;
  first_name: string | null;
  last_name: string | null;
  gender: string | null;
  song: string | null;
  artist: string | null;
  length: number | null;
  hour: number;
  day: number;
  week: number;
  weekday: number;
  source_key: string;
  source_line: number;
  /** Fields the schema does not know, as a JSON object of their raw text; null when none. */
  rescued_data: string | null;
  year: number;
  month: number;
}

/** A user's latest NextSong event within one log file (see base_user_latest). */
export interface UserLatestRow {
  user_id: number;
  first_name: string | null;
  last_name: string | null;
  gender: string | null;
  level: string | null;
  start_time: number;
  session_id: number;
  item_in_session: number;
  source_key: string;
  source_line: number;
}

export interface RejectRow {
  source_key: string;
  line: number | null;
  reason: string;
  raw: string;
  /** The field set aside (stored as NULL, record kept); null when the whole record or file was set aside. */
  field: string | null;
  source: 'song_data' | 'log_data';
}

/** One committed version of a landing object: a row of the ledger, base_sources. */
export interface SourceRow {
  source_key: string;
  seq: string;
  write_id: string;
  status: 'present' | 'removed';
  content_sha256: string | null;
  bytes: number | null;
  rows: number;
  /** JSON list of partition ids (`base_plays/2018/11`). */
  partitions: string;
  format_version: number;
  source: 'song_data' | 'log_data';
}

export const MAX_RAW_REJECT_CHARS = 4096;

export function rejectRow(
  source: RejectRow['source'],
  sourceKey: string,
  line: number | null,
  reason: string,
  raw: string,
  field: string | null = null,
): RejectRow {
  return { source_key: sourceKey, line, reason, raw: truncateText(raw, MAX_RAW_REJECT_CHARS), field, source };
}

/** Cuts at most `max` UTF-16 units without splitting a surrogate pair (an emoji) in two. */
function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const last = text.charCodeAt(max - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max);
}
