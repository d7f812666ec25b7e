/**
 * The log path alone: the log worker's handler (the code Lambda runs, at the stack's batch size and
 * file concurrency) against DuckDB writing the same base_plays, in log events per second.
 */
import { runChild } from '../fork.js';
import { mib, out, section } from '../output.js';
import type { DuckdbResult, LogHandlerResult } from '../protocol.js';
import { fmtInt, table } from '../support.js';
import type { BenchContext } from './context.js';
import {
  interleavedRuns,
  lastCounts,
  medianOf,
  timedMedians,
  type RunRecord,
  type TimedMedians,
} from './interleave.js';

const ENGINES = [
  { name: 'ours-logs', label: 'ours: log worker handler' },
  { name: 'duckdb-logs', label: 'DuckDB, 1 thread, same table' },
  { name: 'duckdb-2t-logs', label: 'DuckDB, 2 threads, no source_line' },
] as const;

export interface LogPathReport {
  readonly runs: readonly RunRecord<LogHandlerResult | DuckdbResult>[];
  readonly medians: readonly (TimedMedians & {
    readonly engine: string;
    readonly label: string;
    readonly logSeconds: number;
    readonly eventsPerSecond: number;
  })[];
  readonly playsCounts: Readonly<Record<string, number>>;
  /** Ours ÷ DuckDB 1 thread, events/s, medians. */
  readonly ratio: number;
  /** Ours ÷ DuckDB 2 threads without source_line. */
  readonly ratioTwoThreads: number;
}

export async function logPathSection(context: BenchContext): Promise<LogPathReport> {
  const { settings, data, repoRoot } = context;
  section(
    `log path: ${fmtInt(data.logFiles)} log files, ours (log worker handler) vs DuckDB, ${settings.runs} interleaved run(s)`,
  );
  const duck = (threads: number, sourceLine: boolean) => (lakeDir: string) =>
    runChild(repoRoot, { mode: 'duckdb', dataDir: data.dir, lakeDir, threads, sourceLine, tables: ['plays'] });
  const records = await interleavedRuns<LogHandlerResult | DuckdbResult>(context, [
    { ...ENGINES[0], measure: (lakeDir) => runChild(repoRoot, { mode: 'log-handler', dataDir: data.dir, lakeDir }) },
    { ...ENGINES[1], measure: duck(1, true) },
    { ...ENGINES[2], measure: duck(2, false) },
  ]);
  const failures = records.flatMap((r) => (r.result.mode === 'log-handler' ? r.result.failures : []));
  if (failures.length > 0) throw new Error(`log handler: ${failures.length} messages failed, e.g. ${failures[0]}`);
  const report = summarise(records, context);
  printLogPath(report, records, context);
  return report;
}

/** The log phase's own time: DuckDB's plays statement, or the whole handler run. */
function logSeconds(record: RunRecord<LogHandlerResult | DuckdbResult>): number {
  return record.result.mode === 'duckdb' ? record.result.playsSeconds : record.result.seconds;
}

function summarise(
  records: readonly RunRecord<LogHandlerResult | DuckdbResult>[],
  context: BenchContext,
): LogPathReport {
  const medians = ENGINES.map(({ name, label }) => {
    const seconds = medianOf(records, name, logSeconds);
    return {
      engine: name,
      label,
      ...timedMedians(records, name),
      logSeconds: seconds,
      eventsPerSecond: medianOf(records, name, (r) => context.data.events / logSeconds(r)),
    };
  });
  const eps = (name: string) => medians.find((m) => m.engine === name)?.eventsPerSecond ?? Number.NaN;
  return {
    runs: records,
    medians,
    playsCounts: Object.fromEntries(ENGINES.map(({ name }) => [name, lastCounts(records, name).plays])),
    ratio: eps('ours-logs') / eps('duckdb-logs'),
    ratioTwoThreads: eps('ours-logs') / eps('duckdb-2t-logs'),
  };
}

function printLogPath(
  report: LogPathReport,
  records: readonly RunRecord<LogHandlerResult | DuckdbResult>[],
  context: BenchContext,
): void {
  const { data } = context;
  const wrong = records.filter((r) => r.counts.plays !== data.plays);
  out(
    `\nmedian of ${context.settings.runs} run(s) (${fmtInt(data.events)} events, ${(data.logBytes / 1e6).toFixed(1)} MB; plays ok in every run: ${wrong.length === 0 ? 'yes' : `NO (${wrong.map((r) => `${r.engine} run ${r.run}: ${r.counts.plays}`).join(', ')})`}):`,
  );
  out(
    table([
      ['engine', 'logs s', 'events/s', 'log MB/s', 'CPU s', 'peak RSS', 'maxRSS'],
      ...report.medians.map((m) => [
        m.label,
        m.logSeconds.toFixed(2),
        fmtInt(m.eventsPerSecond),
        (data.logBytes / 1e6 / m.logSeconds).toFixed(1),
        m.cpuSeconds.toFixed(1),
        mib(m.rssPeakSampled),
        mib(m.maxRss),
      ]),
    ]),
  );
  const handler = records.find((r) => r.result.mode === 'log-handler')?.result;
  if (handler?.mode === 'log-handler') {
    out(
      `  ours: createWorkerHandler (Powertools logger INFO + metrics EMF to a discarded stdout), ${handler.invocations} invocations of ${handler.messagesPerInvocation} messages, fileConcurrency ${handler.fileConcurrency} (lib/settings.ts)`,
    );
  }
  out(
    "  why DuckDB 1 thread: source_line needs row_number() over each file's lines, which follows line order only single-threaded",
  );
  out(
    `  log-path ratio (ours ÷ DuckDB 1 thread, events/s): ${report.ratio.toFixed(2)}  (target ≥ 0.25); against 2 threads without source_line: ${report.ratioTwoThreads.toFixed(2)}`,
  );
}
