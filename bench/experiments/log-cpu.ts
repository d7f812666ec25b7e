/**
 * Where the CPU of the log path goes, on one log file, in memory and warm (no I/O, no process
 * start): JSON.parse alone, the whole line transform, the Parquet encode (and per column), and
 * whether calling hyparquet-writer differently (REQUIRED columns, typed arrays, PLAIN for unique
 * columns) changes the encode cost. CPU time (process.cpuUsage), median of 5, so that other
 * processes on the machine disturb it less than wall time.
 *
 *   tsx bench/experiments/log-cpu.ts <log file>     e.g. .bench/data-1-s1500-e300000-d10/log_data/2018/11/2018-11-05-events.json
 */
import { readFileSync } from 'node:fs';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { LogFileTransform } from '../../src/domain/log-transform.js';
import type { PlayRow } from '../../src/domain/rows.js';
import { BASE_PLAYS } from '../../src/domain/tables.js';
import { PARQUET_CODEC, PARQUET_TYPES, WRITER_NAME, encodeParquet } from '../../src/parquet/writer.js';
import { median } from '../support.js';

const file = process.argv[2];
if (!file) {
  console.error('usage: tsx bench/experiments/log-cpu.ts <log file>');
  process.exit(2);
}
const lines = readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => line !== '');
const n = lines.length;

function cpuMs(work: () => unknown, runs = 5): number {
  work(); // warm
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.cpuUsage();
    work();
    const used = process.cpuUsage(start);
    times.push((used.user + used.system) / 1000);
  }
  return median(times);
}

function transform(): PlayRow[] {
  const plays: PlayRow[] = [];
  const t = new LogFileTransform('log_data/x.json', { play: (row) => plays.push(row), reject: () => undefined });
  let line = 0;
  for (const text of lines) t.addLine(text, ++line);
  return plays;
}

const plays = transform();
const report = (label: string, ms: number, per = n, unit = 'event') =>
  console.log(
    `${label.padEnd(52)} ${ms.toFixed(0).padStart(6)} ms  ${((ms * 1000) / per).toFixed(2).padStart(6)} µs/${unit}`,
  );

console.log(`${file}: ${n} lines, ${plays.length} plays`);
report(
  'JSON.parse of every line',
  cpuMs(() => {
    for (const line of lines) JSON.parse(line);
  }),
);
report('LogFileTransform.addLine (parse, checks, rows)', cpuMs(transform));
report(
  'encodeParquet(BASE_PLAYS, plays)',
  cpuMs(() => encodeParquet(BASE_PLAYS, plays)),
);
for (const column of BASE_PLAYS.columns) {
  report(
    `  one column: ${column.name}`,
    cpuMs(() => encodeParquet({ ...BASE_PLAYS, columns: [column] }, plays), 3),
    plays.length,
    'play',
  );
}

// Calling the writer differently.
const NEVER_NULL = new Set([
  'songplay_id',
  'start_time',
  'user_id',
  'session_id',
  'item_in_session',
  'hour',
  'day',
  'week',
  'weekday',
  'source_key',
  'source_line',
]);
const UNIQUE = new Set(['songplay_id', 'start_time', 'source_line']);
function encodeVariant(options: { required?: boolean; typed?: boolean; plainUnique?: boolean }): number {
  const output = new ByteWriter();
  const writer = new ParquetWriter({
    writer: output,
    schema: [
      { name: 'root', num_children: BASE_PLAYS.columns.length },
      ...BASE_PLAYS.columns.map((c) => ({
        name: c.name,
        repetition_type: options.required && NEVER_NULL.has(c.name) ? ('REQUIRED' as const) : ('OPTIONAL' as const),
        ...PARQUET_TYPES[c.type],
      })),
    ],
    codec: PARQUET_CODEC,
    createdBy: WRITER_NAME,
  });
  const columnData = BASE_PLAYS.columns.map((c) => {
    const name = c.name as keyof PlayRow;
    let data: unknown;
    if (options.typed && c.type === 'int' && NEVER_NULL.has(c.name))
      data = Int32Array.from(plays, (p) => p[name] as number);
    else if (options.typed && c.type === 'timestamp')
      data = BigInt64Array.from(plays, (p) => BigInt(p[name] as number));
    else data = plays.map((p) => p[name] ?? null);
    return {
      name: c.name,
      data: data as never,
      ...(options.plainUnique && UNIQUE.has(c.name) ? { encoding: 'PLAIN' as const } : {}),
    };
  });
  void writer.write({ columnData, rowGroupSize: plays.length });
  writer.finish();
  return output.getBuffer().byteLength;
}
console.log('\ncalling hyparquet-writer differently (same file):');
for (const [label, options] of [
  ['as src/parquet/writer.ts does', {}],
  ['REQUIRED for never-null columns', { required: true }],
  ['+ Int32Array / BigInt64Array columns', { required: true, typed: true }],
  ['+ PLAIN for unique columns', { required: true, typed: true, plainUnique: true }],
] as const) {
  const bytes = encodeVariant(options);
  report(
    `  ${label} (${(bytes / 1e6).toFixed(2)} MB)`,
    cpuMs(() => encodeVariant(options)),
    plays.length,
    'play',
  );
}
