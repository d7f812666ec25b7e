/**
 * docs/TABLES.md, generated from the schema source so the docs cannot drift from what the workers
 * write and the catalog declares (a test compares the committed file with this output).
 */
import { ANALYST_VIEWS, BASE_TABLES, type Column } from '../domain/tables.js';
import { PARQUET_TYPES } from '../parquet/writer.js';
import { prestoType } from '../catalog/presto-types.js';
import { DUCKDB_TYPES } from '../local/duckdb-types.js';

export function renderTableDocs(): string {
  const out: string[] = [
    '# Tables',
    '',
    '<!-- Generated from src/domain/tables.ts by `npm run docs`; do not edit by hand. -->',
    '',
    'Analysts query the five star-schema tables. In Athena they are views in the Glue database; locally',
    '(`sparkify-lake query`) they are DuckDB views with the same SQL. The views read the base tables, which',
    'the workers write as Parquet, one object per batch of landing files and table partition, every row tagged',
    'with its landing file (`source_key`) and batch (`write_id`); the views read only the current version of each',
    'landing file (see ARCHITECTURE.md).',
    '',
    "Weekday is numbered 1 = Sunday … 7 = Saturday (Spark's numbering). Athena's own `day_of_week()` is",
    'ISO (1 = Monday … 7 = Sunday): use the `weekday` column, or `day_of_week(start_time) % 7 + 1`.',
    'All times are UTC. Filter on the partition columns (`year`, `month`) to scan less.',
    '`time` is a reserved word in SQL: write `"time"` in queries, in Athena and locally.',
    '',
    ...VALUE_RULES,
    '## Analyst tables (views)',
    '',
  ];
  for (const view of ANALYST_VIEWS) {
    out.push(`### ${view.name}`, '', view.comment, '');
    if (view.partitionedBy.length > 0)
      out.push(
        `Partition columns (filter on them to prune): ${view.partitionedBy.map((c) => `\`${c}\``).join(', ')}.`,
        '',
      );
    out.push('| column | Athena type | description |', '| --- | --- | --- |');
    for (const column of view.columns) out.push(`| ${column.name} | ${prestoType(column.type)} | ${column.comment} |`);
    out.push('', '```sql', view.sql, '```', '');
  }
  out.push(
    '## Base tables (written by the workers)',
    '',
    "Each column's Glue type, the Parquet type the workers write for it, and the DuckDB type of the local",
    'views. Partition keys are folders (`<table>/<key>=<value>/`), not columns in the files.',
    '',
  );
  for (const table of BASE_TABLES) {
    out.push(
      `### ${table.name}`,
      '',
      table.comment,
      '',
      '| column | Glue type | Parquet type | DuckDB type | description |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const column of table.columns) out.push(baseRow(column, ''));
    for (const column of table.partitionKeys) out.push(baseRow(column, ' (partition key)'));
    out.push('');
  }
  return out.join('\n');
}

/** How input values become column values, and how to read what was set aside or rescued. */
const VALUE_RULES: readonly string[] = [
  '## How values arrive in the tables',
  '',
  '- **Types are fixed, never inferred.** A text column that arrives as a JSON number or boolean holds the exact',
  '  characters of the token as they appear in the file (`4.60` stays `4.60`, `12345678901234567890` keeps every',
  '  digit, `true` stays `true`). A numeric column accepts a JSON number, or a JSON string holding a number',
  '  literal (`"1541105830796"`, `"4.6"`; leading zeros allowed, so user `"012"` is user 12), when the value',
  '  fits the type.',
  '- **Text is kept as it arrives**: no trimming, no case folding, no repair. A log line or song file with',
  '  invalid UTF-8 bytes, a `\\uD83D`-style escape without its pair, or a duplicated key is set aside whole;',
  '  text that is valid but looks mis-decoded (`BeyoncÃ©`) is kept as it is.',
  "- **An event's identity** is (userId, sessionId, itemInSession, ts): `songplay_id` is",
  '  `userId-sessionId-itemInSession-ts`, so the same event delivered twice is one songplay, and the same first',
  '  three with another ts are two. `start_time` is usable only from 1990-01-01 to 2100-01-01 (UTC, exclusive):',
  '  a ts in seconds or microseconds by mistake makes the event bad.',
  '',
  '### Copies, duplicates and removed files',
  '',
  '- **The same event twice** (same identity, in one file or in two): one row in `songplays`, the copy from the',
  '  smallest (source key, line); `users` and `time` are computed from the same de-duplicated rows.',
  '- **The same song_id in several song files**: the copy from the smallest source key wins, and that one copy is',
  '  what `songs` shows, what `artists` takes its attributes from, and what plays are matched against.',
  '- **Several songs match a play** (same title, artist name and exact duration): the smallest song_id wins. A play',
  '  whose song has not landed yet has a null `song_id` until it does.',
  '- **A replaced landing file** (same key, new content) replaces everything its old content contributed; **a',
  '  removed one** removes it (in AWS on the ObjectRemoved event; locally with `ingest --mirror`). Files arriving',
  '  late, twice or out of order give the same answers.',
  '',
  '### Set-aside records and fields (`rejects`)',
  '',
  'Nothing is dropped silently: every problem is a row in `rejects`, with `source_key`, `line` (of a log',
  'file; null for a song file), `reason` and the `raw` text. The `field` column tells the two kinds apart:',
  '',
  '| `field` | what happened | rows in the star schema |',
  '| --- | --- | --- |',
  '| null | the whole record (log line) or file (song file) was set aside: not JSON, not one object, invalid UTF-8, a duplicated key, or a missing or invalid **key field** (ts, userId, sessionId, itemInSession of a NextSong event; song_id, artist_id of a song) | none from that record |',
  "| a JSON field name, e.g. `length` | the record was **kept**; that field's value was invalid (wrong type, out of range, an object or array where text belongs) and is stored as NULL (a song's `year` as 0, unknown) | the record's row, with NULL there |",
  '',
  '```sql',
  'SELECT source_key, line, reason FROM rejects WHERE field IS NULL;              -- records and files lost',
  'SELECT field, count(*) AS values_set_aside FROM rejects WHERE field IS NOT NULL GROUP BY field;',
  '```',
  '',
  '### Fields the schema does not know (`rescued_data`)',
  '',
  'When the app starts sending a field the schema does not have yet, it is not lost: `base_plays.rescued_data`',
  "and `base_songs.rescued_data` hold the record's unknown fields as the text of one JSON object, each value",
  "exactly as it arrived (null when there are none). Read one with Athena's",
  "`json_extract_scalar(rescued_data, '$.deviceId')` or DuckDB's `json_extract_string(rescued_data, '$.deviceId')`.",
  'Once such a field is added to the schema (ARCHITECTURE.md, "Adding a column"), new rows carry it in its own column.',
  '',
];

function baseRow(column: Column, note: string): string {
  const parquet = PARQUET_TYPES[column.type];
  const physical = note
    ? 'folder name'
    : `${parquet.type}${parquet.converted_type ? ` (${parquet.converted_type})` : ''}`;
  return `| ${column.name} | ${column.type} | ${physical} | ${DUCKDB_TYPES[column.type]} | ${column.comment}${note} |`;
}
