/**
 * Every figure of the table contract (shared/semantics.md, "Expected figures"), as SQL in the
 * subset both engines accept, with its value on the bundled sample. On other data the two engines
 * must agree with each other.
 */
export interface Figure {
  readonly name: string;
  readonly sql: string;
  /** The rows the contract gives for data/sample. */
  readonly sample: readonly Record<string, unknown>[];
}

export const CONTRACT_FIGURES: readonly Figure[] = [
  {
    name: 'songs: rows, year 0',
    sql: `SELECT count(*) AS n, count(*) FILTER (WHERE year = 0) AS unknown_year, count(DISTINCT song_id) AS ids FROM songs`,
    sample: [{ n: 71, unknown_year: 43, ids: 71 }],
  },
  {
    name: 'artists: rows, with latitude',
    sql: `SELECT count(*) AS n, count(latitude) AS with_latitude, count(DISTINCT artist_id) AS ids FROM artists`,
    sample: [{ n: 69, with_latitude: 31, ids: 69 }],
  },
  {
    name: 'users: rows, paid, free',
    sql: `SELECT count(*) AS n, count(*) FILTER (WHERE level = 'paid') AS paid, count(*) FILTER (WHERE level = 'free') AS free, count(DISTINCT user_id) AS ids FROM users`,
    sample: [{ n: 96, paid: 22, free: 74, ids: 96 }],
  },
  {
    name: 'time: rows and the sums of hour, day, week, weekday',
    sql: `SELECT count(*) AS n, count(DISTINCT start_time) AS distinct_times, sum(hour) AS hours, sum(day) AS days, sum(week) AS weeks, sum(weekday) AS weekdays FROM "time"`,
    sample: [{ n: 6813, distinct_times: 6813, hours: 91815, days: 117546, weeks: 315992, weekdays: 28486 }],
  },
  {
    name: 'songplays: rows, sums, paid, distinct start times',
    sql: `SELECT count(*) AS n, count(DISTINCT songplay_id) AS ids, sum(session_id) AS sessions, sum(user_id) AS users,
       count(*) FILTER (WHERE level = 'paid') AS paid, count(DISTINCT start_time) AS distinct_times FROM songplays`,
    sample: [{ n: 6820, ids: 6820, sessions: 4086420, users: 372926, paid: 5591, distinct_times: 6813 }],
  },
  {
    name: 'songplays: the plays that found their song',
    sql: `SELECT sp.start_time, s.title, a.name, sp.song_id, sp.artist_id FROM songplays sp
JOIN songs s ON s.song_id = sp.song_id JOIN artists a ON a.artist_id = sp.artist_id
ORDER BY sp.start_time, sp.songplay_id`,
    sample: [
      {
        start_time: '2018-11-21 21:56:47.796',
        title: 'Setanta matins',
        name: 'Elena',
        song_id: 'SOZCTXZ12AB0182364',
        artist_id: 'AR5KOSW1187FB35FF4',
      },
    ],
  },
  {
    name: 'songplays: with song_id, with artist_id',
    sql: `SELECT count(song_id) AS matched, count(artist_id) AS with_artist FROM songplays`,
    sample: [{ matched: 1, with_artist: 1 }],
  },
  {
    name: 'songplays and time: partitions',
    sql: `SELECT 'songplays' AS t, year, month, count(*) AS n FROM songplays GROUP BY year, month
UNION ALL SELECT 'time', year, month, count(*) FROM "time" GROUP BY year, month ORDER BY t, year, month`,
    sample: [
      { t: 'songplays', year: 2018, month: 11, n: 6820 },
      { t: 'time', year: 2018, month: 11, n: 6813 },
    ],
  },
  {
    name: 'songplays: start_time range (UTC)',
    sql: `SELECT min(start_time) AS first, max(start_time) AS last FROM songplays`,
    sample: [{ first: '2018-11-01 21:01:46.796', last: '2018-11-30 19:54:24.796' }],
  },
];
