/**
 * Compaction at scale: the scheduled compaction Lambda's runs (hourly, 15-minute timeout, the
 * worker's deadline 2 minutes before it, DEFAULT_COMPACTION) over a lake of many small objects
 * behind a store that makes every request a simulated S3 round trip of 20–40 ms.
 */
import { join } from 'node:path';
import { runChild } from '../fork.js';
import { mib, out, section } from '../output.js';
import type { CompactAtScaleResult, ScaleRun } from '../protocol.js';
import { totalRequests } from '../stores.js';
import { fmtBytes, fmtInt, table } from '../support.js';
import type { BenchContext } from './context.js';

/** Simulated S3 round trip per request, ms, and requests in flight at once (the AWS SDK's default connection pool). */
export const SIMULATED_LATENCY = { minMs: 20, maxMs: 40, maxInFlight: 50 } as const;

export interface CompactionAtScaleReport {
  readonly result: CompactAtScaleResult;
  readonly smallObjects: number;
  /** Every small object merged by the end of the first run. */
  readonly mergedInOneRun: boolean;
  /** Small objects left after each run never grew. */
  readonly monotonic: boolean;
  /** Runs until no small object was left unmerged, and until every replaced object was deleted. */
  readonly runsToMerge: number | undefined;
  readonly runsToClean: number | undefined;
}

export async function compactionAtScaleSection(context: BenchContext): Promise<CompactionAtScaleReport> {
  const { settings, repoRoot } = context;
  const n = settings.compactionFiles;
  section(
    `compaction at scale: ${fmtInt(2 * n)} small objects (${fmtInt(n)} one-song batches), ${SIMULATED_LATENCY.minMs}–${SIMULATED_LATENCY.maxMs} ms per request, ` +
      `${settings.compactionClock} clock, the Lambda's hourly runs`,
  );
  const request = {
    mode: 'compact-at-scale',
    songFiles: n,
    seed: settings.seed,
    clock: settings.compactionClock,
    snapshotFile: join(settings.workDir, `small-file-lake-${settings.seed}-${n}.bin`),
    maxRuns: settings.compactionRuns,
    latency: SIMULATED_LATENCY,
    ...(settings.compactionConcurrency === undefined ? {} : { concurrency: settings.compactionConcurrency }),
  } as const;
  const { result } = await runChild(repoRoot, request, [], (line) => out(`  … ${line}`));
  const report = summarise(result);
  printLake(result, settings.compactionConcurrency !== undefined);
  printRuns(result);
  printVerdict(report);
  return report;
}

function summarise(result: CompactAtScaleResult): CompactionAtScaleReport {
  const smallObjects = Object.values(result.before).reduce((sum, t) => sum + t.objects, 0);
  const left = result.runs.map((run) => run.after.smallLive);
  const firstClean = result.runs.findIndex((run) => run.after.smallLive === 0);
  const firstEmpty = result.runs.findIndex((run) => run.after.smallLive === 0 && run.after.retired === 0);
  return {
    result,
    smallObjects,
    mergedInOneRun: result.runs[0]?.after.smallLive === 0 && !result.runs[0].killedAtTimeout,
    monotonic: left.every((value, i) => i === 0 || value <= (left[i - 1] as number)),
    runsToMerge: firstClean === -1 ? undefined : firstClean + 1,
    runsToClean: firstEmpty === -1 ? undefined : firstEmpty + 1,
  };
}

function printLake(result: CompactAtScaleResult, whatIf: boolean): void {
  const how = result.snapshotReused
    ? 'reused from the snapshot of an earlier bench run'
    : `built in ${result.buildSeconds.toFixed(0)} s (processBatch, one song per batch, into memory)`;
  out(`  the lake before: ${how}`);
  out(
    table([
      ['table', 'objects', 'partitions', 'bytes', 'avg object'],
      ...Object.entries(result.before).map(([name, t]) => [
        name,
        fmtInt(t.objects),
        fmtInt(t.partitions),
        fmtBytes(t.bytes),
        fmtBytes(t.bytes / t.objects),
      ]),
    ]),
  );
  out(
    `  each run: deadline ${result.deadlineMinutes} min (the worker's), cut off at ${result.timeoutMinutes} min (the Lambda timeout); ` +
      `${SIMULATED_LATENCY.maxInFlight} requests in flight at most; DEFAULT_COMPACTION (reads and deletes ${result.compaction.concurrency} at a time${whatIf ? ', WHAT-IF: --compaction-concurrency' : ''}, groups of at most ${fmtInt(result.compaction.maxGroupFiles)} files)`,
  );
}

function printRuns(result: CompactAtScaleResult): void {
  const clockNote = result.clock === 'virtual' ? 'simulated s = CPU + simulated waits' : 'wall s';
  out(
    table([
      [
        'run',
        'at',
        clockNote,
        'CPU s',
        'GET',
        'PUT',
        'LIST',
        'DELETE',
        'groups',
        'merged',
        'deleted',
        'end',
        'small left',
        'replaced, awaiting delete',
        'cleanup / ledger / merge s',
      ],
      ...result.runs.map((run) => [
        String(run.run),
        `+${run.startHour} h`,
        run.seconds.toFixed(0),
        run.cpuSeconds.toFixed(0),
        fmtInt(run.requests.GET),
        fmtInt(run.requests.PUT),
        fmtInt(run.requests.LIST),
        fmtInt(run.requests.DELETE),
        fmtInt(run.groups),
        fmtInt(run.filesMerged),
        fmtInt(run.filesDeleted),
        runEnd(run),
        fmtInt(run.after.smallLive),
        fmtInt(run.after.retired),
        `${run.phases.cleanupSeconds.toFixed(0)} / ${run.phases.ledgerReadSeconds.toFixed(0)} / ${run.phases.mergeSeconds.toFixed(0)}`,
      ]),
    ]),
  );
  out(
    `  peak RSS ${mib(result.rssPeakSampled)}, maxRSS ${mib(result.maxRss)} (the in-memory lake included; RSS at start ${mib(result.rssAtStart)})`,
  );
}

function runEnd(run: ScaleRun): string {
  if (run.killedAtTimeout) return 'TIMEOUT';
  return run.stoppedAtDeadline ? 'deadline' : 'done';
}

function printVerdict(report: CompactionAtScaleReport): void {
  const first = report.result.runs[0];
  out(
    `  all ${fmtInt(report.smallObjects)} small objects merged in the first run: ${report.mergedInOneRun ? 'yes' : 'no'}; ` +
      `merged after run ${report.runsToMerge ?? '– (not within the runs simulated)'}; every replaced object deleted after run ${report.runsToClean ?? '– (not within the runs simulated)'}; ` +
      `small objects left never grew: ${report.monotonic ? 'yes' : 'NO'}`,
  );
  if (first) {
    out(`  requests of the first run: ${dominant(first)}`);
    out(`    by folder: ${byArea(first)}`);
  }
  const cleanup = report.result.runs.find((run) => run.filesDeleted > 0);
  if (cleanup) out(`  the first run that deletes (run ${cleanup.run}): ${dominant(cleanup)}`);
}

/** The request kinds of a run, largest first, with their share. */
function dominant(run: ScaleRun): string {
  const total = totalRequests(run.requests);
  return Object.entries(run.requests)
    .sort(([, a], [, b]) => b - a)
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${kind} ${fmtInt(count)} (${((100 * count) / total).toFixed(0)}%)`)
    .join(', ');
}

function byArea(run: ScaleRun): string {
  return Object.entries(run.requestsByArea)
    .map(
      ([area, counts]) =>
        `${area}: ${Object.entries(counts)
          .filter(([, n]) => n > 0)
          .map(([kind, n]) => `${kind} ${fmtInt(n)}`)
          .join(', ')}`,
    )
    .join('; ');
}
