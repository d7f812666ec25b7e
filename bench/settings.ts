/** The benchmark's command line: sizes, runs, and which optional sections to skip. */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

export const SKIPPABLE = ['log-path', 'requests', 'compaction', 'compaction-at-scale', 'latency', 'bundles'] as const;
export type Skippable = (typeof SKIPPABLE)[number];

export interface Settings {
  readonly songs: number;
  readonly events: number;
  readonly days: number;
  readonly runs: number;
  readonly seed: string;
  readonly quick: boolean;
  readonly workDir: string;
  readonly report: string | undefined;
  readonly latencyFiles: number;
  readonly latencyEventsPerFile: number;
  readonly initRuns: number;
  /** One-song batches for compaction at scale: as many small base_songs objects, and as many ledger objects. */
  readonly compactionFiles: number;
  readonly compactionClock: 'virtual' | 'real';
  readonly compactionRuns: number;
  /** A what-if for the real-shape ingest: a local batch's input bytes instead of LOCAL_BATCH_BYTES. */
  readonly localBatchBytes: number | undefined;
  /** A what-if for compaction at scale: S3 requests at once instead of DEFAULT_COMPACTION's. */
  readonly compactionConcurrency: number | undefined;
  readonly skip: ReadonlySet<Skippable>;
  readonly profile: boolean;
}

/**
 * The real shape of issue 9: 15,000 one-song files and 30 daily log files of ~8,000 events each
 * (the sample has ~270 events a day; 8,000 is the sample's whole month in a day, i.e. ~30x).
 */
const DEFAULTS = {
  songs: 15_000,
  events: 240_000,
  days: 30,
  runs: 3,
  latencyFiles: 30,
  latencyEventsPerFile: 1_000,
  initRuns: 10,
  compactionFiles: 100_000,
};
/**
 * Small enough for the smoke test (well under a minute on 2 cores), but one full song batch at the
 * stack's batch size (1,000), so that the requests-per-song-file count means what it means at scale.
 */
const QUICK = {
  songs: 1_000,
  events: 3_000,
  days: 3,
  runs: 1,
  latencyFiles: 3,
  latencyEventsPerFile: 200,
  initRuns: 1,
  compactionFiles: 250,
};

export const START_DATE = '2018-11-01';

export function parseSettings(argv: readonly string[], repoRoot: string): Settings {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      songs: { type: 'string' },
      events: { type: 'string' },
      days: { type: 'string' },
      runs: { type: 'string' },
      seed: { type: 'string', default: '1' },
      quick: { type: 'boolean', default: false },
      'work-dir': { type: 'string' },
      report: { type: 'string' },
      'latency-files': { type: 'string' },
      'init-runs': { type: 'string' },
      'compaction-files': { type: 'string' },
      'compaction-clock': { type: 'string', default: 'virtual' },
      'compaction-runs': { type: 'string' },
      'compaction-concurrency': { type: 'string' },
      'local-batch-mib': { type: 'string' },
      skip: { type: 'string', default: '' },
      profile: { type: 'boolean', default: false },
    },
  });
  const base = values.quick ? QUICK : DEFAULTS;
  const clock = values['compaction-clock'];
  if (clock !== 'virtual' && clock !== 'real')
    throw new Error(`--compaction-clock must be virtual or real, not ${clock}`);
  return {
    songs: whole('songs', values.songs, base.songs, 0),
    events: whole('events', values.events, base.events, 0),
    days: whole('days', values.days, base.days, 1),
    runs: whole('runs', values.runs, base.runs, 1),
    seed: values.seed,
    quick: values.quick,
    workDir: resolve(values['work-dir'] ?? join(repoRoot, '.bench')),
    report: values.report === undefined ? undefined : resolve(values.report),
    latencyFiles: whole('latency-files', values['latency-files'], base.latencyFiles, 1),
    latencyEventsPerFile: base.latencyEventsPerFile,
    initRuns: whole('init-runs', values['init-runs'], base.initRuns, 1),
    compactionFiles: whole('compaction-files', values['compaction-files'], base.compactionFiles, 2),
    compactionClock: clock,
    compactionRuns: whole('compaction-runs', values['compaction-runs'], 8, 1),
    localBatchBytes:
      values['local-batch-mib'] === undefined
        ? undefined
        : whole('local-batch-mib', values['local-batch-mib'], 0, 1) * 1024 * 1024,
    compactionConcurrency:
      values['compaction-concurrency'] === undefined
        ? undefined
        : whole('compaction-concurrency', values['compaction-concurrency'], 0, 1),
    skip: skipped(values.skip),
    profile: values.profile,
  };
}

function whole(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const n = Number(text.replaceAll('_', ''));
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}, not ${text}`);
  return n;
}

function skipped(text: string): Set<Skippable> {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  for (const name of names) {
    if (!(SKIPPABLE as readonly string[]).includes(name))
      throw new Error(`--skip takes a comma-separated list of ${SKIPPABLE.join(', ')}; not ${name}`);
  }
  return new Set(names as Skippable[]);
}
