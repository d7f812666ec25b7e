/**
 * The analysts' standard questions. The same SQL becomes Athena named queries in the stack and is
 * what `npm start` prints from the local lake, so it stays in the subset both engines accept.
 */
export interface AnalystQuery {
  readonly name: string;
  readonly title: string;
  readonly sql: string;
}

export const ANALYST_QUERIES: readonly AnalystQuery[] = [
  {
    name: 'lake-overview',
    title: 'Rows per table, and how many plays found their song',
    sql: `SELECT 'songplays' AS table_name, count(*) AS row_count, count(song_id) AS with_song FROM songplays
UNION ALL SELECT 'users', count(*), NULL FROM users
UNION ALL SELECT 'songs', count(*), NULL FROM songs
UNION ALL SELECT 'artists', count(*), NULL FROM artists
UNION ALL SELECT 'time', count(*), NULL FROM "time"`,
  },
  {
    name: 'top-songs',
    title: 'Most played songs (plays matched to a song)',
    sql: `SELECT s.title, a.name AS artist, count(*) AS plays
FROM songplays sp
JOIN songs s ON s.song_id = sp.song_id
JOIN artists a ON a.artist_id = sp.artist_id
GROUP BY s.title, a.name
ORDER BY plays DESC, s.title
LIMIT 10`,
  },
  {
    name: 'plays-by-hour',
    title: 'Plays by hour of day (UTC)',
    sql: `SELECT t.hour, count(*) AS plays
FROM songplays sp
JOIN "time" t ON t.start_time = sp.start_time AND t.year = sp.year AND t.month = sp.month
GROUP BY t.hour
ORDER BY t.hour`,
  },
  {
    name: 'plays-by-weekday',
    title: 'Plays by weekday (1 = Sunday ... 7 = Saturday)',
    sql: `SELECT t.weekday, count(*) AS plays
FROM songplays sp
JOIN "time" t ON t.start_time = sp.start_time AND t.year = sp.year AND t.month = sp.month
GROUP BY t.weekday
ORDER BY t.weekday`,
  },
  {
    name: 'free-vs-paid',
    title: 'Plays and users by level (level at the time of each play; users by current level)',
    sql: `SELECT p.level, p.plays, p.playing_users, u.current_users
FROM (SELECT level, count(*) AS plays, count(DISTINCT user_id) AS playing_users FROM songplays GROUP BY level) p
LEFT JOIN (SELECT level, count(*) AS current_users FROM users GROUP BY level) u ON u.level = p.level
ORDER BY p.level`,
  },
  {
    name: 'most-active-users',
    title: 'Most active users',
    sql: `SELECT u.user_id, u.first_name, u.last_name, u.level, count(*) AS plays
FROM songplays sp
JOIN users u ON u.user_id = sp.user_id
GROUP BY u.user_id, u.first_name, u.last_name, u.level
ORDER BY plays DESC, u.user_id
LIMIT 10`,
  },
  {
    name: 'plays-per-day',
    title: 'Plays per day (UTC)',
    sql: `SELECT CAST(start_time AS date) AS play_date, count(*) AS plays, count(DISTINCT user_id) AS users
FROM songplays
GROUP BY CAST(start_time AS date)
ORDER BY play_date`,
  },
];
