/**
 * Every tunable number of the stack in one place, with its reason. The queues, the functions, the
 * event source mappings, the alarms, the tests and docs/OPERATIONS.md all read them from here, so
 * that e.g. a queue's visibility timeout cannot drift away from its function's timeout.
 */
import { Duration } from 'aws-cdk-lib';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { SOURCE_KIND_FACTS, type SourceKind } from '../src/contract/index.js';

export interface WorkerSettings {
  /** Lambda memory; CPU share grows with it (1,769 MB = one full vCPU). */
  readonly memorySizeMb: number;
  /** Lambda timeout for one whole batch. */
  readonly timeout: Duration;
  /** Messages (= files) per invocation: one Parquet object per table partition and one ledger commit per batch. */
  readonly batchSize: number;
  /** Landing files read and transformed at once within a batch. */
  readonly fileConcurrency: number;
  /** How long the poller may wait to fill a batch before invoking. */
  readonly maxBatchingWindow: Duration;
  /** ScalingConfig.MaximumConcurrency of the event source mapping (2..1000). */
  readonly maxConcurrency: number;
  /** Receives before a message goes to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** How long an unprocessed message stays in the main queue. */
  readonly retentionPeriod: Duration;
  /** Alarm when the oldest message of the main queue is older than this. */
  readonly oldestMessageAlarmAge: Duration;
}

export const WORKER_SETTINGS: Readonly<Record<SourceKind, WorkerSettings>> = {
  song: {
    // A song file is one JSON object of ~250 bytes; the worker holds a batch of them (~1 MB of
    // rows) and the batch's Parquet objects. 1,024 MB gives ~0.6 vCPU for parsing and encoding.
    memorySizeMb: 1024,
    // A batch of 1,000 files reads 32 at a time (~30 S3 GETs of 20-40 ms each) and writes one
    // object per year partition: a few seconds; 60 s leaves room for SDK retries of throttled calls.
    timeout: Duration.seconds(60),
    // The cost per song file is one GET plus this batch's share of its writes: (one object per
    // year partition + rejects + ledger) / files. At 1,000 files a batch holds ~60-90 distinct
    // years, so ~1.1 S3 requests per file (docs/SCALING.md, `npm run bench` counts them). Lambda
    // caps an SQS batch at 6 MB of payload; 1,000 S3 notifications are ~2 MB.
    batchSize: 1000,
    // S3 latency, not CPU, bounds a song file: read many at once. Also the worker's default, so
    // it is kept with the kind (src/contract).
    fileConcurrency: SOURCE_KIND_FACTS.song.fileConcurrency,
    // Batches of 1,000 need a window (SQS allows up to 10 without one). During a backfill they
    // fill at once; for a trickle, a file waits at most 30 s to be batched with others.
    maxBatchingWindow: Duration.seconds(30),
    // 20 concurrent invocations x 1,000 files: ~1M files in minutes of backfill, far under S3's
    // per-prefix request rates (song keys spread over 17,576 A/B/C prefixes) and Glue's API rate
    // for BatchCreatePartition (cached per container), within a default account's concurrency.
    maxConcurrency: 20,
    // High enough that throttles or a burst of transient S3/Glue errors never dead-letter a
    // good file; a poison file still reaches the DLQ within 10 x 6 min.
    maxReceiveCount: 10,
    retentionPeriod: Duration.days(7),
    // At 20 x 10 files every few seconds a backlog of more than 30 min means the workers are
    // failing or a backfill is running (the alarm then tells you it is).
    oldestMessageAlarmAge: Duration.minutes(30),
  },
  log: {
    // A log file is one day of events, JSON lines, streamed; the worker holds a row group per
    // partition and the file's encoded Parquet outputs until they are written. 2,048 MB leaves
    // room for log files of hundreds of MB and gives ~1.2 vCPU for JSON parsing and Parquet
    // encoding, which is what bounds this worker's duration (more memory = more CPU).
    memorySizeMb: 2048,
    // Generous for one day of events (the sample's files take well under a second); a file so
    // large it takes 5 min is a sign to split log files, not to wait longer.
    timeout: Duration.minutes(5),
    // Log files are processed one after another in an invocation (fileConcurrency 1), so the
    // timeout must hold the whole batch: two files keep the worst case at 2 x file time.
    batchSize: 2,
    // One at a time: memory, not latency, bounds a log file (src/contract).
    fileConcurrency: SOURCE_KIND_FACTS.log.fileConcurrency,
    // Log files arrive about once a day each: no reason to wait for a second one.
    maxBatchingWindow: Duration.seconds(0),
    // Five big files at once are ~10 GB of Lambda memory; enough for a year of daily logs in a
    // few minutes of backfill.
    maxConcurrency: 5,
    // Each retry waits a whole visibility timeout (30 min), so 5 receives already means
    // ~2.5 h of trying; throttling is unlikely at 5 concurrent invocations.
    maxReceiveCount: 5,
    retentionPeriod: Duration.days(7),
    oldestMessageAlarmAge: Duration.hours(1),
  },
};

/**
 * AWS's guidance for SQS event sources: visibility timeout at least six times the function
 * timeout, plus the batching window, so retries of a throttled invocation finish before the
 * message becomes visible again.
 */
export function queueVisibilityTimeout(settings: WorkerSettings): Duration {
  return Duration.seconds(6 * settings.timeout.toSeconds() + settings.maxBatchingWindow.toSeconds());
}

/** Dead-letter queues keep messages as long as SQS allows; see docs/OPERATIONS.md (redrive). */
export const DEAD_LETTER_RETENTION = Duration.days(14);

export const LAMBDA_LOG_RETENTION_DAYS = 30;

/** Athena query results are re-runnable; keep them a month. */
export const ATHENA_RESULTS_EXPIRY = Duration.days(30);

/** A query that would scan more than this is cancelled (the lake's sample is a few MB). */
export const ATHENA_BYTES_SCANNED_CUTOFF = 10 * 1024 ** 3;

/** S3 server access logs: kept for investigations, then expired. */
export const ACCESS_LOG_EXPIRY = Duration.days(90);

export const COMPACTION_SETTINGS = {
  // A run holds one group of files, decoded column by column, at a time (at most
  // DEFAULT_COMPACTION.maxGroupBytes of Parquet), and the ledger; 4 GB leaves room for both and
  // gives ~2.3 vCPU for Parquet decode/encode.
  memorySizeMb: 4096,
  // The longest a Lambda run can last; the worker stops starting groups 2 min before it.
  timeout: Duration.minutes(15),
  // Hourly by default, so small files never pile up for long: a run with nothing to do lists the
  // lake and stops. Change it per deployment with `-c compactionSchedule="rate(6 hours)"` (any
  // EventBridge schedule expression); runs never overlap in effect, and are safe if they do.
  schedule: Schedule.rate(Duration.hours(1)),
} as const;

export const DEFAULT_GLUE_DATABASE = 'sparkify_lake';
export const DEFAULT_ATHENA_WORKGROUP = 'sparkify-lake';
