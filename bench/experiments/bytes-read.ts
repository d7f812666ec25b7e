/**
 * Bytes read (what Athena bills as "data scanned") by the analysts' queries on a year of generated
 * plays, on the local Athena (Trino over moto), before and after `users` stopped windowing over
 * every play (issue 9, item 4: dimensions that don't scan all history).
 *
 *   JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64 npx tsx bench/experiments/bytes-read.ts [--events N] [--users N] [--work-dir DIR]
 *
 * "Before" is the view SQL of the previous design (commit 1b3f781, copied below as it was: windows
 * over all of base_plays and base_songs, no ledger), put in front of each query as WITH clauses,
 * which shadow the views of the same names. "After" is the deployed views. The lake is compacted
 * and its replaced files deleted first, so both read the same current rows and must give the same
 * answers (checked). Needs the engines: npm run engines:install.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { queryLakeOnTrino } from '../../src/athena-local/lake-on-trino.js';
import { ensureLocalAthena } from '../../src/athena-local/service.js';
import { ANALYST_QUERIES } from '../../src/domain/analyst-queries.js';
import { generateDataset } from '../../src/generate/index.js';
import { ingestFolder } from '../../src/local/ingest.js';
import { compactLake, DEFAULT_COMPACTION } from '../../src/pipeline/compact.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import { table } from '../support.js';

const BEFORE_VIEWS = {
  songplays: `SELECT p.songplay_id, p.start_time, p.user_id, p.level, m.song_id, m.artist_id, p.session_id, p.location, p.user_agent, p.year, p.month
FROM (SELECT *, row_number() OVER (PARTITION BY year, month, songplay_id ORDER BY source_key, source_line) AS copy FROM base_plays) p
LEFT JOIN (SELECT title, artist_name, duration, song_id, artist_id FROM (
  SELECT title, artist_name, duration, song_id, artist_id, row_number() OVER (PARTITION BY title, artist_name, duration ORDER BY song_id, source_key) AS pick FROM base_songs
) candidates WHERE pick = 1) m ON m.title = p.song AND m.artist_name = p.artist AND m.duration = p.length
WHERE p.copy = 1`,
  users: `SELECT user_id, first_name, last_name, gender, level FROM (
  SELECT user_id, first_name, last_name, gender, level,
         row_number() OVER (PARTITION BY user_id ORDER BY start_time DESC, session_id DESC, item_in_session DESC, source_key DESC) AS recency
  FROM base_plays) latest WHERE recency = 1`,
  songs: `SELECT song_id, title, artist_id, year, duration FROM (
  SELECT song_id, title, artist_id, year, duration, row_number() OVER (PARTITION BY song_id ORDER BY source_key) AS pick FROM base_songs) one_per_song WHERE pick = 1`,
  artists: `SELECT artist_id, name, location, latitude, longitude FROM (
  SELECT artist_id, artist_name AS name, artist_location AS location, artist_latitude AS latitude, artist_longitude AS longitude,
         row_number() OVER (PARTITION BY artist_id ORDER BY song_id, source_key) AS pick FROM base_songs) one_per_artist WHERE pick = 1`,
  time: `SELECT DISTINCT start_time, hour, day, week, month, year, weekday FROM base_plays`,
};

function before(sql: string): string {
  const ctes = Object.entries(BEFORE_VIEWS).map(([name, body]) => `"${name}" AS (${body})`);
  return `WITH ${ctes.join(',\n')}\n${sql}`;
}

const QUERIES: readonly { name: string; sql: string }[] = [
  { name: 'users WHERE user_id = 42', sql: 'SELECT * FROM users WHERE user_id = 42' },
  { name: 'users (all)', sql: "SELECT count(*) AS n, count(*) FILTER (WHERE level = 'paid') AS paid FROM users" },
  ...ANALYST_QUERIES.map((query) => ({ name: query.name, sql: query.sql })),
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '1000000' },
      users: { type: 'string', default: '1000' },
      'work-dir': { type: 'string' },
    },
  });
  const workDir = resolve(values['work-dir'] ?? join(process.cwd(), '.bench', 'bytes-read'));
  const input = join(workDir, `input-${values.events}-${values.users}`);
  const lake = join(workDir, `lake-${values.events}-${values.users}`);
  if (!existsSync(join(input, 'summary.done'))) {
    rmSync(input, { recursive: true, force: true });
    mkdirSync(input, { recursive: true });
    process.stderr.write(`generating a year of plays: ${values.events} events, ${values.users} users …\n`);
    await generateDataset(input, {
      seed: 'bytes-read',
      songs: 3_000,
      users: Number(values.users),
      totalEvents: Number(values.events),
      days: 365,
      startDate: '2018-01-01',
      matchShare: 0.3,
      overwrite: true,
    });
    writeFileSync(join(input, 'summary.done'), '');
  }
  rmSync(lake, { recursive: true, force: true });
  const summary = await ingestFolder(input, lake);
  if (summary.failures.length > 0) throw new Error(`ingest failed: ${summary.failures[0]?.error}`);
  for (let run = 0; run < 2; run++)
    await compactLake(new FsObjectStore(lake), { ...DEFAULT_COMPACTION, retiredGraceMs: 0 });
  process.stderr.write(
    `lake ready: ${summary.rowsWritten.base_plays} plays, ${summary.rowsWritten.base_user_latest} user-and-file rows; starting the local Athena …\n`,
  );

  const state = await ensureLocalAthena({ onStart: () => process.stderr.write('starting Trino and moto …\n') });
  await queryLakeOnTrino(state, lake, 'SELECT 1');
  const rows: string[][] = [['query', 'before: bytes read', 'after: bytes read', 'after ÷ before', 'same answer']];
  for (const query of QUERIES) {
    const old = await queryLakeOnTrino(state, lake, before(query.sql));
    const now = await queryLakeOnTrino(state, lake, query.sql);
    const same = JSON.stringify(old.rows) === JSON.stringify(now.rows);
    rows.push([
      query.name,
      mib(old.physicalInputBytes),
      mib(now.physicalInputBytes),
      (now.physicalInputBytes / Math.max(1, old.physicalInputBytes)).toFixed(2),
      same ? 'yes' : 'NO',
    ]);
  }
  process.stdout.write(
    `a year of plays: ${summary.rowsWritten.base_plays} plays of ${values.users} users over 365 daily log files, compacted\n`,
  );
  process.stdout.write(`${table(rows)}\n`);
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
