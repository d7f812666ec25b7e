/**
 * The analyst-facing views, written once in the SQL subset that both Athena (Trino) and DuckDB
 * accept: window functions, joins, DISTINCT, explicit column lists (a `*` would make a Glue view
 * stale as soon as a base table gains a column). Date arithmetic differs between the two engines,
 * so the time parts are computed by the workers and stored in base_plays instead.
 *
 * Every view reads only **current** rows: rows whose (source_key, write_id) is the latest version
 * the ledger (base_sources) records for their landing object, unless that version says the object
 * was removed. That one join is what makes a replaced or deleted landing file, a redelivered or
 * out-of-order event, and an abandoned half-written batch all invisible, without ever changing or
 * deleting an object a running query may be reading. On top of it each view applies the contract's
 * own rules (one row per event identity, the winning copy of a song, the latest event of a user),
 * which also absorb the copies a compaction leaves for a while (docs/ARCHITECTURE.md).
 *
 * Names are unqualified: Athena resolves them in the view's own Glue database, DuckDB in the local
 * connection where the base tables are defined as views over the Parquet folders.
 */

type LandingSource = 'song_data' | 'log_data';

/**
 * (source_key, write_id) of the current version of every landing object of one kind. `source`
 * leads the window's PARTITION BY so the engine can prune base_sources to one partition.
 */
function currentWrites(source: LandingSource): string {
  return `SELECT source_key, write_id
  FROM (
    SELECT source_key, write_id, status,
           row_number() OVER (PARTITION BY source, source_key ORDER BY seq DESC, write_id DESC) AS recency
    FROM base_sources
    WHERE source = '${source}'
  ) versions
  WHERE recency = 1 AND status = 'present'`;
}

/** `FROM <table> <alias>` restricted to current rows. */
function currentRowsOf(table: string, alias: string, source: LandingSource): string {
  return `${table} ${alias}
  JOIN (
  ${currentWrites(source)}
  ) current_${alias} ON current_${alias}.source_key = ${alias}.source_key AND current_${alias}.write_id = ${alias}.write_id`;
}

/**
 * One row per song_id: the current copy from the smallest source key. songs, artists and the
 * matching of plays all read this same winning copy, so the star schema stays consistent when one
 * song_id arrives in several files.
 */
function winningSongs(columns: readonly string[]): string {
  return `SELECT ${columns.join(', ')}
FROM (
  SELECT ${columns.map((c) => `s.${c}`).join(', ')},
         row_number() OVER (PARTITION BY s.song_id ORDER BY s.source_key) AS copy
  FROM ${currentRowsOf('base_songs', 's', 'song_data')}
) song_copies
WHERE copy = 1`;
}

export const ANALYST_VIEW_SQL = {
  // One row per event identity (the same event can arrive in two files, and sits in two objects for
  // a while after a compaction): the copy from the smallest (source_key, source_line) wins. year and
  // month lead the window's PARTITION BY so a filter on them is pushed below it and prunes
  // partitions. The song a play matches: same title, artist name and exact duration among the
  // winning song copies; the smallest song_id wins.
  songplays: `SELECT p.songplay_id, p.start_time, p.user_id, p.level, m.song_id, m.artist_id,
       p.session_id, p.location, p.user_agent, p.year, p.month
FROM (
  SELECT p.songplay_id, p.start_time, p.user_id, p.level, p.session_id, p.location, p.user_agent,
         p.song, p.artist, p.length, p.year, p.month,
         row_number() OVER (PARTITION BY p.year, p.month, p.songplay_id ORDER BY p.source_key, p.source_line) AS copy
  FROM ${currentRowsOf('base_plays', 'p', 'log_data')}
) p
LEFT JOIN (
  SELECT title, artist_name, duration, song_id, artist_id
  FROM (
    SELECT title, artist_name, duration, song_id, artist_id,
           row_number() OVER (PARTITION BY title, artist_name, duration ORDER BY song_id) AS pick
    FROM (
${winningSongs(['song_id', 'title', 'artist_id', 'artist_name', 'duration'])}
    ) winners
  ) candidates
  WHERE pick = 1
) m ON m.title = p.song AND m.artist_name = p.artist AND m.duration = p.length
WHERE p.copy = 1`,

  // base_user_latest holds, per log file version, each user's latest NextSong event in that file;
  // the latest of those is the user's latest event overall (ties on the event identity: the copy
  // from the smallest source key and line, as in songplays). Reading one row per user and file
  // instead of every play keeps this view's cost flat as years of plays accumulate.
  users: `SELECT user_id, first_name, last_name, gender, level
FROM (
  SELECT u.user_id, u.first_name, u.last_name, u.gender, u.level,
         row_number() OVER (PARTITION BY u.user_id
                            ORDER BY u.start_time DESC, u.session_id DESC, u.item_in_session DESC, u.source_key, u.source_line) AS recency
  FROM ${currentRowsOf('base_user_latest', 'u', 'log_data')}
) latest
WHERE recency = 1`,

  songs: `SELECT song_id, title, artist_id, year, duration
FROM (
${winningSongs(['song_id', 'title', 'artist_id', 'year', 'duration'])}
) songs`,

  artists: `SELECT artist_id, name, location, latitude, longitude
FROM (
  SELECT artist_id, artist_name AS name, artist_location AS location,
         artist_latitude AS latitude, artist_longitude AS longitude,
         row_number() OVER (PARTITION BY artist_id ORDER BY song_id) AS pick
  FROM (
${winningSongs(['song_id', 'artist_id', 'artist_name', 'artist_location', 'artist_latitude', 'artist_longitude'])}
  ) winners
) one_per_artist
WHERE pick = 1`,

  time: `SELECT DISTINCT p.start_time, p.hour, p.day, p.week, p.month, p.year, p.weekday
FROM ${currentRowsOf('base_plays', 'p', 'log_data')}`,

  rejects: `SELECT DISTINCT r.source, r.source_key, r.line, r.reason, r.raw, r.field
FROM base_rejects r
JOIN (
  SELECT source, source_key, write_id
  FROM (
    SELECT source, source_key, write_id, status,
           row_number() OVER (PARTITION BY source, source_key ORDER BY seq DESC, write_id DESC) AS recency
    FROM base_sources
  ) versions
  WHERE recency = 1 AND status = 'present'
) current_r ON current_r.source = r.source AND current_r.source_key = r.source_key AND current_r.write_id = r.write_id`,
} as const;
