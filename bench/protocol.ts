/**
 * What bench/run.ts asks a measuring child process (bench/child.ts) to do, and what it gets back
 * over the IPC channel. Types only: the parent loads none of the child's code.
 */
import type { RequestCounts } from './stores.js';

export type ChildRequest =
  | IngestRequest
  | DuckdbRequest
  | LogHandlerRequest
  | FirstQueryRequest
  | RequestsRequest
  | CompactRequest
  | CompactAtScaleRequest
  | LatencyRequest;

/** The whole local ingest (`sparkify-lake ingest` without the printing): ingestFolder. */
export interface IngestRequest {
  readonly mode: 'ingest';
  readonly dataDir: string;
  readonly lakeDir: string;
  /** Which kinds (default both): the profiler looks at one at a time. */
  readonly kinds?: readonly ('song' | 'log')[];
  /** A what-if: a local batch's input bytes instead of LOCAL_BATCH_BYTES. */
  readonly batchBytes?: number;
}

/** DuckDB's native JSON → Parquet of the same files into the same partitioned base tables. */
export interface DuckdbRequest {
  readonly mode: 'duckdb';
  readonly dataDir: string;
  readonly lakeDir: string;
  readonly threads: number;
  /** source_line as row_number() over each file (needs one thread to follow line order), or NULL. */
  readonly sourceLine: boolean;
  readonly tables: readonly ('songs' | 'plays')[];
}

/** The log worker's handler over every log file, in SQS batches of the stack's size. */
export interface LogHandlerRequest {
  readonly mode: 'log-handler';
  readonly dataDir: string;
  readonly lakeDir: string;
}

/** A fresh process's first analyst query on a lake, through LakeSql. */
export interface FirstQueryRequest {
  readonly mode: 'first-query';
  readonly lakeDir: string;
  readonly queryName: string;
}

/** The song worker's handler over every song file at the stack's settings, counting S3 requests. */
export interface RequestsRequest {
  readonly mode: 'requests';
  readonly dataDir: string;
  readonly lakeDir: string;
}

/** compactLake on a lake folder, then once more after the grace period (the deletes). */
export interface CompactRequest {
  readonly mode: 'compact';
  readonly lakeDir: string;
}

/** compactLake as the scheduled Lambda runs it, over a simulated-latency store of many small objects. */
export interface CompactAtScaleRequest {
  readonly mode: 'compact-at-scale';
  /** One-song batches: twice as many small objects (base_songs + ledger). */
  readonly songFiles: number;
  readonly seed: string;
  readonly clock: 'virtual' | 'real';
  /** Where the built lake is kept between bench runs (building it is the slow part). */
  readonly snapshotFile: string;
  readonly maxRuns: number;
  readonly latency: { readonly minMs: number; readonly maxMs: number; readonly maxInFlight: number };
  /** A what-if: compaction's S3 requests at once instead of DEFAULT_COMPACTION's. */
  readonly concurrency?: number;
}

export interface LatencyRequest {
  readonly mode: 'latency';
  readonly lakeDir: string;
  readonly inputDir: string;
  readonly files: number;
  readonly eventsPerFile: number;
  readonly firstDate: string;
  readonly seed: string;
}

export interface MemoryFigures {
  /** RSS when the work started (after the modules were loaded), bytes. */
  readonly rssAtStart: number;
  /** Highest RSS seen by the 10 ms sampler, bytes. */
  readonly rssPeakSampled: number;
  /** process.resourceUsage().maxRSS (the kernel's high-water mark, what /usr/bin/time -v shows), bytes. */
  readonly maxRss: number;
}

export interface Timed extends MemoryFigures {
  /** Wall time of the work, inside the process (module loading excluded). */
  readonly seconds: number;
  /** CPU seconds (user + system) the process used for the work, all threads. */
  readonly cpuSeconds: number;
}

export interface IngestResult extends Timed {
  readonly mode: 'ingest';
  /** Lake objects ingestFolder reports it wrote (Parquet files, ledger included). */
  readonly objectsWritten: number;
  readonly rowsWritten: Readonly<Record<string, number>>;
  readonly logEvents: number;
  readonly failures: readonly string[];
}

export interface DuckdbResult extends Timed {
  readonly mode: 'duckdb';
  readonly songsSeconds: number;
  readonly playsSeconds: number;
  readonly note: string;
}

export interface LogHandlerResult extends Timed {
  readonly mode: 'log-handler';
  readonly invocations: number;
  readonly messagesPerInvocation: number;
  readonly fileConcurrency: number;
  readonly failures: readonly string[];
}

export interface FirstQueryResult extends Timed {
  readonly mode: 'first-query';
  /** LakeSql.open alone (views over the lake's files), s. */
  readonly openSeconds: number;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}

export interface BatchRequests {
  readonly files: number;
  readonly counts: RequestCounts;
  /** base_songs partitions the batch wrote to (= its base_songs PUTs). */
  readonly songPartitions: number;
}

export interface RequestsResult extends MemoryFigures {
  readonly mode: 'requests';
  readonly batchSize: number;
  readonly fileConcurrency: number;
  readonly songFiles: number;
  readonly source: RequestCounts;
  readonly lake: RequestCounts;
  readonly batches: readonly BatchRequests[];
  readonly failures: readonly string[];
  readonly seconds: number;
}

export interface GroupFigures {
  readonly table: string;
  readonly partition: string;
  readonly filesMerged: number;
  readonly rows: number;
  readonly droppedRows: number;
}

export interface CompactResult extends MemoryFigures {
  readonly mode: 'compact';
  readonly merge: {
    readonly seconds: number;
    readonly cpuSeconds: number;
    readonly groups: readonly GroupFigures[];
    readonly stoppedAtDeadline: boolean;
  };
  /** The run after the grace period: deletes the files the merge replaced. */
  readonly cleanup: { readonly seconds: number; readonly filesDeleted: number; readonly groups: number };
}

export interface ScaleRun {
  readonly run: number;
  /** When the run started, hours after the first (the stack schedules compaction hourly). */
  readonly startHour: number;
  /** Simulated duration (virtual clock: CPU + simulated waits; real clock: wall), s. */
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly requests: RequestCounts;
  /** The same by the key's first folder (base_songs, base_sources, _compaction). */
  readonly requestsByArea: Readonly<Record<string, RequestCounts>>;
  readonly groups: number;
  readonly filesMerged: number;
  readonly filesDeleted: number;
  readonly stoppedAtDeadline: boolean;
  /** The run was still going at the Lambda timeout (15 min) and was cut off there. */
  readonly killedAtTimeout: boolean;
  /**
   * After the run: batch objects still to merge (in a partition with another live object), merged
   * objects, replaced objects awaiting deletion, and all objects.
   */
  readonly after: {
    readonly smallLive: number;
    readonly compacted: number;
    readonly retired: number;
    readonly objects: number;
  };
  /** Where the run's time went: deleting replaced files (and reading the journal), reading the ledger, merging. */
  readonly phases: {
    readonly cleanupSeconds: number;
    readonly ledgerReadSeconds: number;
    readonly mergeSeconds: number;
  };
}

export interface CompactAtScaleResult extends MemoryFigures {
  readonly mode: 'compact-at-scale';
  readonly clock: 'virtual' | 'real';
  readonly songFiles: number;
  readonly before: Readonly<Record<string, { objects: number; partitions: number; bytes: number }>>;
  readonly buildSeconds: number;
  readonly snapshotReused: boolean;
  readonly compaction: { readonly concurrency: number; readonly maxGroupFiles: number; readonly maxGroupBytes: number };
  readonly deadlineMinutes: number;
  readonly timeoutMinutes: number;
  readonly runs: readonly ScaleRun[];
}

export interface LatencySample {
  readonly key: string;
  readonly rows: number;
  /** processBatch of the one file, ms. */
  readonly processMs: number;
  /** From the end of processing until the count query saw every row (LakeSql.open + count, retried), ms. */
  readonly visibleMs: number;
  /** Object written → rows visible, ms. */
  readonly totalMs: number;
  readonly attempts: number;
}

export interface LatencyResult extends MemoryFigures {
  readonly mode: 'latency';
  readonly samples: readonly LatencySample[];
}

export type ChildResult =
  | IngestResult
  | DuckdbResult
  | LogHandlerResult
  | FirstQueryResult
  | RequestsResult
  | CompactResult
  | CompactAtScaleResult
  | LatencyResult;

export type ResultOf<R extends ChildRequest> = Extract<ChildResult, { mode: R['mode'] }>;
