/**
 * The headline: the whole local ingest (ingestFolder, what `sparkify-lake ingest` runs) against
 * DuckDB's native JSON → Parquet into the same partitioned base tables, on the real-shape dataset;
 * after each of our runs, a fresh process's first analyst query on the fresh, uncompacted lake.
 */
import { runChild } from '../fork.js';
import { mib, out, section } from '../output.js';
import type { DuckdbResult, FirstQueryResult, IngestResult } from '../protocol.js';
import { fmtInt, median, table } from '../support.js';
import type { BenchContext } from './context.js';
import {
  interleavedRuns,
  lastCounts,
  medianOf,
  timedMedians,
  type RunRecord,
  type TimedMedians,
} from './interleave.js';

/** The analyst query timed on the fresh lake (src/domain/analyst-queries.ts): every view, counted. */
export const FIRST_QUERY = 'lake-overview';

export interface FirstQueryRun {
  readonly run: number;
  readonly result: FirstQueryResult;
  readonly processMs: number;
  /** The answer matches the generator's counts (songplays, users, songs, artists). */
  readonly answerOk: boolean;
}

export interface RealShapeReport {
  readonly runs: readonly RunRecord<IngestResult | DuckdbResult>[];
  readonly ours: TimedMedians & { readonly objectsWritten: number };
  readonly duckdb: TimedMedians & { readonly songsSeconds: number; readonly playsSeconds: number };
  readonly firstQueries: readonly FirstQueryRun[];
  readonly firstQuery: {
    readonly seconds: number;
    readonly cpuSeconds: number;
    readonly openSeconds: number;
    readonly processMs: number;
    readonly rssPeakSampled: number;
    readonly maxRss: number;
  };
  readonly counts: {
    readonly ours: { plays: number; songs: number };
    readonly duckdb: { plays: number; songs: number };
  };
  /** DuckDB's wall time ÷ ours, medians: the headline. */
  readonly ratio: number;
}

export async function realShapeIngestSection(context: BenchContext): Promise<RealShapeReport> {
  const { settings, data, repoRoot } = context;
  section(
    `real-shape ingest: ours (ingestFolder) vs DuckDB native, ${settings.runs} interleaved run(s) each in a fresh process; first query after each of ours`,
  );
  const firstQueries: FirstQueryRun[] = [];
  const records = await interleavedRuns<IngestResult | DuckdbResult>(context, [
    {
      name: 'ours',
      label: 'ours: ingestFolder (whole local ingest)',
      measure: (lakeDir) =>
        runChild(repoRoot, {
          mode: 'ingest',
          dataDir: data.dir,
          lakeDir,
          ...(settings.localBatchBytes ? { batchBytes: settings.localBatchBytes } : {}),
        }),
      after: async (lakeDir, run) => {
        const { result, processMs } = await runChild(repoRoot, {
          mode: 'first-query',
          lakeDir,
          queryName: FIRST_QUERY,
        });
        firstQueries.push({ run, result, processMs, answerOk: overviewMatches(result, context) });
      },
    },
    {
      name: 'duckdb',
      label: 'DuckDB, 1 thread, same tables',
      measure: (lakeDir) =>
        runChild(repoRoot, {
          mode: 'duckdb',
          dataDir: data.dir,
          lakeDir,
          threads: 1,
          sourceLine: true,
          tables: ['songs', 'plays'],
        }),
    },
  ]);
  const report = summarise(records, firstQueries);
  printRuns(records, context);
  printMedians(report, context);
  printFirstQueries(firstQueries);
  return report;
}

function summarise(
  records: readonly RunRecord<IngestResult | DuckdbResult>[],
  firstQueries: readonly FirstQueryRun[],
): RealShapeReport {
  const ours = timedMedians(records, 'ours');
  const duckdb = timedMedians(records, 'duckdb');
  const duckOnly = (pick: (r: DuckdbResult) => number) =>
    medianOf(records, 'duckdb', (r) => (r.result.mode === 'duckdb' ? pick(r.result) : Number.NaN));
  return {
    runs: records,
    ours: {
      ...ours,
      objectsWritten: medianOf(records, 'ours', (r) =>
        r.result.mode === 'ingest' ? r.result.objectsWritten : Number.NaN,
      ),
    },
    duckdb: { ...duckdb, songsSeconds: duckOnly((r) => r.songsSeconds), playsSeconds: duckOnly((r) => r.playsSeconds) },
    firstQueries,
    firstQuery: {
      seconds: median(firstQueries.map((q) => q.result.seconds)),
      cpuSeconds: median(firstQueries.map((q) => q.result.cpuSeconds)),
      openSeconds: median(firstQueries.map((q) => q.result.openSeconds)),
      processMs: median(firstQueries.map((q) => q.processMs)),
      rssPeakSampled: median(firstQueries.map((q) => q.result.rssPeakSampled)),
      maxRss: median(firstQueries.map((q) => q.result.maxRss)),
    },
    counts: { ours: lastCounts(records, 'ours'), duckdb: lastCounts(records, 'duckdb') },
    ratio: duckdb.seconds / ours.seconds,
  };
}

/** lake-overview's rows: table_name, row_count, with_song. */
function overviewMatches(result: FirstQueryResult, context: BenchContext): boolean {
  const { data } = context;
  const expected: Record<string, number> = {
    songplays: data.plays,
    users: data.users,
    songs: data.songs,
    artists: data.artists,
  };
  const rows = new Map(result.rows.map((row) => [String(row[0]), Number(row[1])]));
  return Object.entries(expected).every(([name, count]) => rows.get(name) === count);
}

function printRuns(records: readonly RunRecord<IngestResult | DuckdbResult>[], context: BenchContext): void {
  const { data } = context;
  out('\nper run:');
  out(
    table([
      ['run', 'engine', 'total s', 'songs s', 'logs s', 'CPU s', 'peak RSS', 'maxRSS', 'objects', 'load1', 'rows ok'],
      ...records.map((r) => {
        const duck = r.result.mode === 'duckdb' ? r.result : undefined;
        const ok = r.counts.plays === data.plays && r.counts.songs === data.songs;
        return [
          String(r.run),
          r.engine,
          r.result.seconds.toFixed(2),
          duck ? duck.songsSeconds.toFixed(2) : '–',
          duck ? duck.playsSeconds.toFixed(2) : '–',
          r.result.cpuSeconds.toFixed(1),
          mib(r.result.rssPeakSampled),
          mib(r.result.maxRss),
          r.result.mode === 'ingest' ? fmtInt(r.result.objectsWritten) : '',
          r.load1.toFixed(2),
          ok ? 'yes' : `NO: plays ${r.counts.plays}, songs ${r.counts.songs}`,
        ];
      }),
    ]),
  );
  const failures = records.flatMap((r) => (r.result.mode === 'ingest' ? r.result.failures : []));
  if (failures.length > 0) throw new Error(`ours: ${failures.length} files failed, e.g. ${failures[0]}`);
}

function printMedians(report: RealShapeReport, context: BenchContext): void {
  const { data, settings } = context;
  const inputMB = (data.songBytes + data.logBytes) / 1e6;
  const row = (label: string, m: TimedMedians, objects: string) => [
    label,
    m.seconds.toFixed(2),
    (inputMB / m.seconds).toFixed(1),
    fmtInt((data.songFiles + data.logFiles) / m.seconds),
    m.cpuSeconds.toFixed(1),
    mib(m.rssAtStart),
    mib(m.rssPeakSampled),
    mib(m.maxRss),
    objects,
  ];
  out(
    `\nmedian of ${settings.runs} run(s) (${fmtInt(data.songFiles)} song files + ${fmtInt(data.logFiles)} log files, ${inputMB.toFixed(1)} MB of JSON):`,
  );
  out(
    table([
      ['engine', 'wall s', 'input MB/s', 'files/s', 'CPU s', 'RSS start', 'peak RSS', 'maxRSS', 'objects written'],
      row('ours: ingestFolder (whole local ingest)', report.ours, fmtInt(report.ours.objectsWritten)),
      row('DuckDB, 1 thread, same tables', report.duckdb, 'see files written'),
    ]),
  );
  out(
    `  DuckDB split: songs ${report.duckdb.songsSeconds.toFixed(2)} s, logs ${report.duckdb.playsSeconds.toFixed(2)} s`,
  );
  out(`  ratio to DuckDB (DuckDB wall ÷ ours, medians): ${report.ratio.toFixed(2)}  (target ≥ 0.25, aim 0.5)`);
  out(
    `  the same in CPU time (DuckDB CPU ÷ ours, medians; moves less with the machine's load): ${(report.duckdb.cpuSeconds / report.ours.cpuSeconds).toFixed(2)}`,
  );
  if (settings.localBatchBytes)
    out(
      `  WHAT-IF: ours ran with local batches of ${(settings.localBatchBytes / 1024 / 1024).toFixed(0)} MiB of input (--local-batch-mib), not LOCAL_BATCH_BYTES`,
    );
  out(
    '  ours writes every base table the views need (songs, plays, user_latest, the ledger); DuckDB writes base_songs and base_plays only.',
  );
  out(
    '  wall s: inside the process, from the call to its return (module loading excluded); CPU s: user + system, all threads;',
  );
  out(
    '  peak RSS: process.memoryUsage.rss() sampled every 10 ms; maxRSS: process.resourceUsage().maxRSS (kernel high-water mark).',
  );
}

function printFirstQueries(queries: readonly FirstQueryRun[]): void {
  out(
    `\nfirst query on the fresh, uncompacted lake (\`${FIRST_QUERY}\` through LakeSql, a fresh process after each of our runs):`,
  );
  out(
    table([
      ['run', 'open s', 'open + query s', 'CPU s', 'process (fork → exit) s', 'peak RSS', 'maxRSS', 'answer ok'],
      ...queries.map((q) => [
        String(q.run),
        q.result.openSeconds.toFixed(2),
        q.result.seconds.toFixed(2),
        q.result.cpuSeconds.toFixed(2),
        (q.processMs / 1000).toFixed(2),
        mib(q.result.rssPeakSampled),
        mib(q.result.maxRss),
        q.answerOk ? 'yes' : 'NO',
      ]),
    ]),
  );
  out(
    "  target: open + query < 2 s and maxRSS ≤ 400 MiB; CPU s is DuckDB's threads together; the process column adds Node, tsx and module start.",
  );
}
