/**
 * What the deployed code and the stack that deploys it must agree on, written once: the kinds of
 * landing file and what belongs to each (prefix, queue, base tables, worker), the environment
 * variables a function reads and how they are parsed, the Powertools service names, and the
 * metric names and dimensions the workers emit and the dashboard graphs.
 *
 * lib/ (the CDK stack) and lambdas/ (the functions) both import this module; neither spells any
 * of these facts itself. Side-effect free and dependency free (no AWS SDK, no CDK, no Powertools),
 * so it costs the Lambda bundles nothing and the stack can import it without loading a function.
 */
import { landingSourceOf, sourcePrefix, type LandingSource, type SourceKind } from '../domain/layout.js';
import type { BaseTableName } from '../domain/tables.js';

export { perSourceKind, SOURCE_KINDS, type SourceKind } from '../domain/layout.js';

/** What became of one landing file in a batch (`processBatch`); each outcome is a metric. */
export type FileStatus =
  /** Rows written (possibly with some bad records set aside). */
  | 'processed'
  /** The whole file was set aside as bad; it contributes no rows. */
  | 'rejected'
  /** The source object no longer exists: the ledger now says so, and its rows left every view. */
  | 'removed'
  /** The same content is already current in the lake: nothing was written. */
  | 'unchanged'
  /** Not a song_data/ or log_data/ JSON file. */
  | 'ignored'
  /** Could not be read or processed; nothing of it was committed. Retried by the caller. */
  | 'failed';

// ---------------------------------------------------------------------------------------------
// Source kinds
// ---------------------------------------------------------------------------------------------

/** Everything that differs between the song path and the log path. */
export interface SourceKindFacts {
  readonly kind: SourceKind;
  /** `Song`, `Log`: construct ids (`SongWorker`, the `Song` queue), stack output names (`SongQueueUrl`), dashboard labels. */
  readonly title: string;
  /** `song_data`: the landing folder, and the `source` partition of base_rejects and base_sources. */
  readonly landingSource: LandingSource;
  /** `song_data/`: the landing prefix the bucket notifications filter on and the worker may read. */
  readonly landingPrefix: string;
  /** The base tables the kind's worker writes, besides its own partitions of base_rejects and base_sources. */
  readonly baseTables: readonly BaseTableName[];
  /** The Lambda entry file, relative to the repository root, exporting `handler`. */
  readonly workerEntry: string;
  /** Powertools' service name: the `service` dimension of the worker's metrics and a field of its logs. */
  readonly serviceName: string;
  /** `--song-queue-url`: the backfill command's option naming the kind's queue. */
  readonly queueUrlOption: string;
  /**
   * The outcomes a file of this kind can have in a worker, each counted (FILE_OUTCOME_METRICS).
   * A log file is never rejected whole: each line stands on its own, so its bad lines are set
   * aside and the file is processed.
   */
  readonly fileOutcomes: readonly FileStatus[];
  /**
   * Landing files read and transformed at once within a batch, as deployed and as the worker's
   * default when FILE_CONCURRENCY is unset. Song files are a few hundred bytes each, so S3
   * latency, not CPU, bounds them: read many at once. Log files are up to hundreds of MB each, so
   * memory does: one at a time.
   */
  readonly fileConcurrency: number;
}

function facts(
  kind: SourceKind,
  title: string,
  baseTables: readonly BaseTableName[],
  fileOutcomes: readonly FileStatus[],
  fileConcurrency: number,
): SourceKindFacts {
  return {
    kind,
    title,
    landingSource: landingSourceOf(kind),
    landingPrefix: sourcePrefix(kind),
    baseTables,
    workerEntry: `lambdas/${kind}-worker.ts`,
    serviceName: `${kind}-worker`,
    queueUrlOption: `${kind}-queue-url`,
    fileOutcomes,
    fileConcurrency,
  };
}

export const SOURCE_KIND_FACTS: Readonly<Record<SourceKind, SourceKindFacts>> = {
  song: facts('song', 'Song', ['base_songs'], ['processed', 'rejected', 'removed', 'failed'], 32),
  log: facts('log', 'Log', ['base_plays', 'base_user_latest'], ['processed', 'removed', 'failed'], 1),
};

// ---------------------------------------------------------------------------------------------
// Environment variables
// ---------------------------------------------------------------------------------------------

/** The names of the environment variables the stack sets and the functions read. */
export const ENVIRONMENT = {
  /** Bucket the lake is written to (both workers and compaction). */
  lakeBucket: 'LAKE_BUCKET',
  /** Glue database holding the base tables and analyst views (the workers). */
  glueDatabase: 'GLUE_DATABASE',
  /** Landing files read at once within a batch (the workers); optional. */
  fileConcurrency: 'FILE_CONCURRENCY',
} as const;

/** The workers' configuration, read and validated once at cold start so a bad deploy fails loudly. */
export interface WorkerEnvironment {
  /** Bucket the lake is written to. */
  readonly lakeBucket: string;
  /** Glue database holding the base tables and analyst views. */
  readonly glueDatabase: string;
  /** Landing files read and transformed at once within a batch (SourceKindFacts.fileConcurrency). */
  readonly fileConcurrency: number;
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** The variables the stack sets on a worker function. */
export function workerEnvironmentVariables(env: WorkerEnvironment): Record<string, string> {
  return {
    [ENVIRONMENT.lakeBucket]: env.lakeBucket,
    [ENVIRONMENT.glueDatabase]: env.glueDatabase,
    [ENVIRONMENT.fileConcurrency]: String(env.fileConcurrency),
  };
}

/** A worker's configuration from its environment; throws, naming what is wrong, when it is incomplete. */
export function readWorkerEnvironment(env: Environment, defaults: { fileConcurrency: number }): WorkerEnvironment {
  const lakeBucket = env[ENVIRONMENT.lakeBucket];
  const glueDatabase = env[ENVIRONMENT.glueDatabase];
  const missing = [
    ...(lakeBucket ? [] : [ENVIRONMENT.lakeBucket]),
    ...(glueDatabase ? [] : [ENVIRONMENT.glueDatabase]),
  ];
  if (!lakeBucket || !glueDatabase) {
    throw new Error(`worker misconfigured: environment variable(s) ${missing.join(', ')} not set`);
  }
  const concurrency = env[ENVIRONMENT.fileConcurrency];
  if (concurrency !== undefined && !/^[1-9]\d{0,3}$/.test(concurrency)) {
    throw new Error(
      `worker misconfigured: ${ENVIRONMENT.fileConcurrency} must be a whole number from 1 to 9999, not ${concurrency}`,
    );
  }
  return {
    lakeBucket,
    glueDatabase,
    fileConcurrency: concurrency === undefined ? defaults.fileConcurrency : Number(concurrency),
  };
}

/** The compaction function's configuration. */
export interface CompactionEnvironment {
  readonly lakeBucket: string;
}

/** The variables the stack sets on the compaction function. */
export function compactionEnvironmentVariables(env: CompactionEnvironment): Record<string, string> {
  return { [ENVIRONMENT.lakeBucket]: env.lakeBucket };
}

export function readCompactionEnvironment(env: Environment): CompactionEnvironment {
  const lakeBucket = env[ENVIRONMENT.lakeBucket];
  if (!lakeBucket) {
    throw new Error(`compaction worker misconfigured: environment variable ${ENVIRONMENT.lakeBucket} not set`);
  }
  return { lakeBucket };
}

// ---------------------------------------------------------------------------------------------
// Metrics (Powertools, embedded metric format: no CloudWatch API call)
// ---------------------------------------------------------------------------------------------

/** The CloudWatch namespace of every metric the functions emit. */
export const METRICS_NAMESPACE = 'SparkifyLake';

/** The dimension Powertools Metrics adds to every metric: the function's service name. */
export const SERVICE_DIMENSION = 'service';

/** Powertools' service name of the compaction function. */
export const COMPACTION_SERVICE = 'compaction-worker';

/** The compaction function's entry file, relative to the repository root, exporting `handler`. */
export const COMPACTION_ENTRY = 'lambdas/compaction-worker.ts';

/** Metrics of a worker invocation that are not per file outcome or per table. */
export const WORKER_METRICS = {
  /** A message that is not an S3 event notification (it fails alone). */
  messagesMalformed: 'MessagesMalformed',
  /** An event for a key of the other kind, or not a landing file: skipped. */
  filesSkipped: 'FilesSkipped',
  /** A batch whose writes or commit failed: every message of it is retried. */
  batchesFailed: 'BatchesFailed',
  batchDuration: 'BatchDuration',
  batchFiles: 'BatchFiles',
  objectsWritten: 'ObjectsWritten',
  bytesRead: 'BytesRead',
  /** Records set aside (rows of rejects) of the files processed. */
  recordsRejected: 'RecordsRejected',
  /** Fields the schema does not know, kept in rescued_data: a rise says the app changed its events. */
  fieldsRescued: 'FieldsRescued',
  /** Lines read from log files. */
  eventsRead: 'EventsRead',
} as const;

/**
 * One count per file and outcome. A worker never sees `unchanged` (it reads no ledger before
 * writing) nor `ignored` (it skips other keys itself), but their names are the same rule's.
 */
export const FILE_OUTCOME_METRICS = {
  processed: 'FilesProcessed',
  rejected: 'FilesRejected',
  removed: 'FilesRemoved',
  failed: 'FilesFailed',
  unchanged: 'FilesUnchanged',
  ignored: 'FilesIgnored',
} as const satisfies Record<FileStatus, string>;

export type RowsWrittenMetric = `RowsWritten_${BaseTableName}`;

/** Rows written to one base table by the files of a batch. */
export function rowsWrittenMetric(table: BaseTableName): RowsWrittenMetric {
  return `RowsWritten_${table}`;
}

export type WorkerMetricName =
  | (typeof WORKER_METRICS)[keyof typeof WORKER_METRICS]
  | (typeof FILE_OUTCOME_METRICS)[FileStatus]
  | RowsWrittenMetric;

/** Metrics of a compaction run. */
export const COMPACTION_METRICS = {
  groupsCompacted: 'GroupsCompacted',
  filesCompacted: 'FilesCompacted',
  rowsDropped: 'RowsDropped',
  retiredFilesDeleted: 'RetiredFilesDeleted',
} as const;

export type CompactionMetricName = (typeof COMPACTION_METRICS)[keyof typeof COMPACTION_METRICS];
