/** The summary: issue 9's targets against what this run measured. The headline line itself is printed by run.ts, last. */
import { elapsedSeconds, machineLoad, mib, out, section } from '../output.js';
import { MiB, fmtInt, table } from '../support.js';
import type { CompactionAtScaleReport } from './compaction-at-scale.js';
import type { LogPathReport } from './log-path.js';
import type { RealShapeReport } from './real-shape.js';
import { REQUESTS_PER_SONG_FILE_TARGET, type RequestsReport } from './requests.js';

export interface SummaryInput {
  readonly realShape: RealShapeReport;
  readonly logPath: LogPathReport | undefined;
  readonly requests: RequestsReport | undefined;
  readonly compactionAtScale: CompactionAtScaleReport | undefined;
  readonly loadAtStart: string;
}

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | undefined;
  /** A timing (moves with the machine's load) or a count (does not). */
  readonly kind: 'timing' | 'memory' | 'count' | 'simulated';
}

export function summarySection(input: SummaryInput): TargetCheck[] {
  section('summary');
  const checks = targetChecks(input);
  out(
    table([
      ['target (issue 9)', 'measured', 'met', 'kind'],
      ...checks.map((c) => [c.target, c.measured, c.met === undefined ? 'not measured' : c.met ? 'yes' : 'NO', c.kind]),
    ]),
  );
  out(
    "  timings move with the machine's load (see the load lines); counts do not; simulated = simulated S3 latency + this process's CPU time.",
  );
  if (input.logPath)
    out(
      `  log-path ratio: ${input.logPath.ratio.toFixed(2)} (ours ÷ DuckDB 1 thread, log events/s); 2 threads without source_line: ${input.logPath.ratioTwoThreads.toFixed(2)}`,
    );
  out(`  load at start: ${input.loadAtStart}`);
  out(`  load at end: ${machineLoad()}`);
  out(`  bench wall time: ${elapsedSeconds().toFixed(0)} s`);
  return checks;
}

function targetChecks(input: SummaryInput): TargetCheck[] {
  const { realShape, logPath, requests, compactionAtScale } = input;
  const scale = compactionAtScale;
  return [
    {
      target: 'real-shape ingest ≥ 0.25× DuckDB native (aim 0.5)',
      measured: `${realShape.ratio.toFixed(2)}×`,
      met: realShape.ratio >= 0.25,
      kind: 'timing',
    },
    {
      target: 'real-shape ingest peak RSS ≤ 400 MiB',
      measured: `maxRSS ${mib(realShape.ours.maxRss)}`,
      met: realShape.ours.maxRss <= 400 * MiB,
      kind: 'memory',
    },
    {
      target: 'first query on the fresh lake < 2 s',
      measured: `${realShape.firstQuery.seconds.toFixed(2)} s`,
      met: realShape.firstQuery.seconds < 2,
      kind: 'timing',
    },
    {
      target: 'first query ≤ 400 MiB',
      measured: `maxRSS ${mib(realShape.firstQuery.maxRss)}`,
      met: realShape.firstQuery.maxRss <= 400 * MiB,
      kind: 'memory',
    },
    {
      target: `≤ ${REQUESTS_PER_SONG_FILE_TARGET} S3 requests per song file (stack settings)`,
      measured: requests ? requests.perSongFile.toFixed(3) : '–',
      met: requests ? requests.perSongFile <= REQUESTS_PER_SONG_FILE_TARGET : undefined,
      kind: 'count',
    },
    {
      target: `compaction of ${scale ? fmtInt(scale.smallObjects) : 'many'} small objects: one run, or monotonic progress`,
      measured: scale
        ? scale.mergedInOneRun
          ? 'merged in run 1'
          : `merged after run ${scale.runsToMerge ?? '–'}, monotonic: ${scale.monotonic ? 'yes' : 'no'}`
        : '–',
      met: scale ? scale.mergedInOneRun || (scale.monotonic && scale.runsToMerge !== undefined) : undefined,
      kind: 'simulated',
    },
    {
      target: 'log path ≥ 0.25× one-thread DuckDB',
      measured: logPath ? `${logPath.ratio.toFixed(2)}×` : '–',
      met: logPath ? logPath.ratio >= 0.25 : undefined,
      kind: 'timing',
    },
  ];
}
