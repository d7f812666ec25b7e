/** Query-visibility latency on the local run: a new log file's rows, from "object written" to "a query sees them". */
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { visiblePlaysSql } from '../child-query.js';
import { runChild } from '../fork.js';
import { out, section } from '../output.js';
import type { LatencyResult, LatencySample } from '../protocol.js';
import { START_DATE } from '../settings.js';
import { addDays, fmtInt, median, percentile, table } from '../support.js';
import { lakeOf, type BenchContext } from './context.js';

export interface Spread {
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

export interface LatencyReport {
  readonly total: Spread;
  readonly process: Spread;
  readonly visible: Spread;
  readonly samples: readonly LatencySample[];
  /** The same count through `sparkify-lake query`, a fresh process each time, ms (median). */
  readonly cliQueryMs: number;
}

export async function latencySection(context: BenchContext, compacted: boolean): Promise<LatencyReport> {
  const { settings, repoRoot } = context;
  section(
    `latency: ${settings.latencyFiles} new small log files, object written → rows visible through LakeSql (local run)`,
  );
  const lakeDir = lakeOf(context, 'ours');
  const inputDir = join(settings.workDir, 'latency-input');
  await rm(inputDir, { recursive: true, force: true });
  const { result } = await runChild(repoRoot, {
    mode: 'latency',
    lakeDir,
    inputDir,
    files: settings.latencyFiles,
    eventsPerFile: settings.latencyEventsPerFile,
    firstDate: addDays(START_DATE, settings.days),
    seed: settings.seed,
  });
  const report = {
    ...summarise(result),
    cliQueryMs: measureCliQuery(repoRoot, lakeDir, result.samples[0]?.key ?? '', settings.quick ? 1 : 3),
  };
  printLatency(report, context, compacted);
  return report;
}

function spread(values: readonly number[]): Spread {
  return { p50: percentile(values, 50), p95: percentile(values, 95), max: Math.max(...values) };
}

function summarise(latency: LatencyResult): Omit<LatencyReport, 'cliQueryMs'> {
  return {
    total: spread(latency.samples.map((s) => s.totalMs)),
    process: spread(latency.samples.map((s) => s.processMs)),
    visible: spread(latency.samples.map((s) => s.visibleMs)),
    samples: latency.samples,
  };
}

function printLatency(report: LatencyReport, context: BenchContext, compacted: boolean): void {
  const ms = (s: Spread) => [s.p50.toFixed(0), s.p95.toFixed(0), s.max.toFixed(0)];
  out(
    table([
      ['', 'p50 ms', 'p95 ms', 'max ms'],
      ['object written → rows visible', ...ms(report.total)],
      ['  processBatch (the one file)', ...ms(report.process)],
      ['  LakeSql.open + count (until seen)', ...ms(report.visible)],
    ]),
  );
  out(
    `  ${report.samples.length} files of ${fmtInt(context.settings.latencyEventsPerFile)} events (${fmtInt(median(report.samples.map((s) => s.rows)))} plays each, median), ` +
      `into the ${compacted ? 'compacted ' : ''}real-shape lake; queries per file: max ${Math.max(...report.samples.map((s) => s.attempts))}`,
  );
  out(
    `  the same count through \`sparkify-lake query\` (a fresh process each time, as an analyst runs it): median ${report.cliQueryMs.toFixed(0)} ms wall`,
  );
  out(
    '  This measures the worker + query path on local disk only. Not measured (cannot be, here): S3 event → SQS delivery,',
  );
  out('  the SQS poller and batching window, Lambda start, S3/Glue round trips, Athena. See the estimate below.');
}

function measureCliQuery(repoRoot: string, lakeDir: string, key: string, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const child = spawnSync(
      process.execPath,
      [join(repoRoot, 'bin', 'sparkify-lake.mjs'), 'query', '--lake', lakeDir, '--json', visiblePlaysSql(key)],
      {
        cwd: repoRoot,
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    if (child.status !== 0) throw new Error(`sparkify-lake query failed: ${child.stderr}`);
    times.push(performance.now() - started);
  }
  return median(times);
}
