/**
 * Engines measured the same way: N rounds, each engine once per round in a fresh process on a
 * fresh lake, interleaved (ours, DuckDB, …, ours, …) so that changes in the machine's load hit
 * every engine alike; the figures reported are medians over the rounds.
 */
import { mkdir, rm } from 'node:fs/promises';
import type { ChildRun } from '../fork.js';
import { load1, out } from '../output.js';
import type { Timed } from '../protocol.js';
import { median } from '../support.js';
import type { Counts } from '../verify.js';
import { lakeOf, type BenchContext } from './context.js';

export interface EngineSpec<R extends Timed> {
  readonly name: string;
  readonly label: string;
  readonly measure: (lakeDir: string) => Promise<ChildRun<R>>;
  /** Runs after each measurement of this engine, on its fresh lake (not timed with it). */
  readonly after?: (lakeDir: string, run: number) => Promise<void>;
}

export interface RunRecord<R extends Timed> {
  readonly engine: string;
  readonly run: number;
  readonly result: R;
  readonly processMs: number;
  /** 1-minute load average just before the run. */
  readonly load1: number;
  /** Rows in the engine's lake after the run. */
  readonly counts: Counts;
}

export async function interleavedRuns<R extends Timed>(
  context: BenchContext,
  specs: readonly EngineSpec<R>[],
): Promise<RunRecord<R>[]> {
  const records: RunRecord<R>[] = [];
  for (let run = 1; run <= context.settings.runs; run++) {
    for (const spec of specs) {
      const lakeDir = lakeOf(context, spec.name);
      await rm(lakeDir, { recursive: true, force: true });
      await mkdir(lakeDir, { recursive: true });
      const loadBefore = load1();
      const { result, processMs } = await spec.measure(lakeDir);
      const counts = await context.verifier.counts(lakeDir);
      records.push({ engine: spec.name, run, result, processMs, load1: loadBefore, counts });
      out(
        `  run ${run}/${context.settings.runs} ${spec.name.padEnd(14)} ${result.seconds.toFixed(2)} s, CPU ${result.cpuSeconds.toFixed(1)} s, load ${loadBefore.toFixed(2)}`,
      );
      await spec.after?.(lakeDir, run);
    }
  }
  return records;
}

/** The median of a figure over an engine's runs. */
export function medianOf<R extends Timed>(
  records: readonly RunRecord<R>[],
  engine: string,
  pick: (record: RunRecord<R>) => number,
): number {
  return median(records.filter((record) => record.engine === engine).map(pick));
}

export interface TimedMedians {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly rssAtStart: number;
  readonly rssPeakSampled: number;
  readonly maxRss: number;
}

export function timedMedians<R extends Timed>(records: readonly RunRecord<R>[], engine: string): TimedMedians {
  return {
    seconds: medianOf(records, engine, (r) => r.result.seconds),
    cpuSeconds: medianOf(records, engine, (r) => r.result.cpuSeconds),
    rssAtStart: medianOf(records, engine, (r) => r.result.rssAtStart),
    rssPeakSampled: medianOf(records, engine, (r) => r.result.rssPeakSampled),
    maxRss: medianOf(records, engine, (r) => r.result.maxRss),
  };
}

/** The row counts of the engine's last run. */
export function lastCounts<R extends Timed>(records: readonly RunRecord<R>[], engine: string): Counts {
  return (
    records.filter((record) => record.engine === engine).at(-1)?.counts ?? { plays: Number.NaN, songs: Number.NaN }
  );
}
