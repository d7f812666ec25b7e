/**
 * The analyst-facing views, written once in the SQL subset that both Athena (Trino) and DuckDB
 * accept: window functions, LEFT JOIN, DISTINCT. Date arithmetic differs between the two engines,
 * so the time parts are computed by the workers and stored in base_plays instead.
 *
 * Names are unqualified: Athena resolves them in the view's own Glue database, DuckDB in the
 * local connection where the base tables are defined as views over the Parquet folders.
 */
export const ANALYST_VIEW_SQL = {
  // One row per event: the same event can sit in two objects for a moment (a compaction writes its
  // merged file before deleting the small ones; two source files may overlap), so keep one per
  // songplay_id. year and month lead the window's PARTITION BY so that a filter on them is pushed
  // below the window and still prunes partitions. The song a play matches: same title, artist name
  // and exact duration; the smallest song_id wins.
  songplays: `SELECT p.songplay_id, p.start_time, p.user_id, p.level, m.song_id, m.artist_id,
       p.session_id, p.location, p.user_agent, p.year, p.month
FROM (
  SELECT *, row_number() OVER (PARTITION BY year, month, songplay_id ORDER BY source_key, source_line) AS copy
  FROM base_plays
) p
LEFT JOIN (
  SELECT title, artist_name, duration, song_id, artist_id
  FROM (
    SELECT title, artist_name, duration, song_id, artist_id,
           row_number() OVER (PARTITION BY title, artist_name, duration ORDER BY song_id, source_key) AS pick
    FROM base_songs
  ) candidates
  WHERE pick = 1
) m ON m.title = p.song AND m.artist_name = p.artist AND m.duration = p.length
WHERE p.copy = 1`,

  users: `SELECT user_id, first_name, last_name, gender, level
FROM (
  SELECT user_id, first_name, last_name, gender, level,
         row_number() OVER (PARTITION BY user_id
                            ORDER BY start_time DESC, session_id DESC, item_in_session DESC, source_key DESC) AS recency
  FROM base_plays
) latest
WHERE recency = 1`,

  songs: `SELECT song_id, title, artist_id, year, duration
FROM (
  SELECT song_id, title, artist_id, year, duration,
         row_number() OVER (PARTITION BY song_id ORDER BY source_key) AS pick
  FROM base_songs
) one_per_song
WHERE pick = 1`,

  artists: `SELECT artist_id, name, location, latitude, longitude
FROM (
  SELECT artist_id, artist_name AS name, artist_location AS location,
         artist_latitude AS latitude, artist_longitude AS longitude,
         row_number() OVER (PARTITION BY artist_id ORDER BY song_id, source_key) AS pick
  FROM base_songs
) one_per_artist
WHERE pick = 1`,

  time: `SELECT DISTINCT start_time, hour, day, week, month, year, weekday
FROM base_plays`,
} as const;
