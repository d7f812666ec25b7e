/**
 * The work shared by the Lambda workers and the local run: take a batch of landing objects, turn
 * each into base-table rows, write ONE Parquet object per table partition for the whole batch,
 * then commit the batch by writing its rows of the ledger (base_sources).
 *
 * Why this is safe under at-least-once, out-of-order delivery, with no lock and no read of the
 * ledger on the way (docs/ARCHITECTURE.md, "Which rows are current"):
 * - every object this writes has a name no other write uses (it carries the batch's write id), so
 *   no object is ever changed in place and a late or duplicated PUT can never replace newer data;
 * - the ledger rows are written last: a batch that dies before it commits leaves only rows that no
 *   view reads (compaction later deletes them), and one that commits is visible whole;
 * - each ledger row carries the version of its landing object (the S3 event's sequencer), and the
 *   views read, per landing object, only the rows of its latest version: a replaced object's old
 *   rows and a removed object's rows disappear from every answer, and an old event delivered late
 *   stays invisible;
 * - the worker reads the object as it is now, not as the event describes it, so whatever the order
 *   of events, the latest one reads the latest content.
 */
import { createHash } from 'node:crypto';
import type { FileStatus } from '../contract/index.js';
import { landingSourceOf, sourceKindOf, type PartitionRef, type SourceKind } from '../domain/layout.js';
import { transformLogStreamInto, type LogFileStats } from '../domain/log-transform.js';
import {
  rejectRow,
  type PlayRow,
  type RejectRow,
  type SongRow,
  type SourceRow,
  type UserLatestRow,
} from '../domain/rows.js';
import { transformSongBytes } from '../domain/song-transform.js';
import {
  BASE_PLAYS,
  BASE_REJECTS,
  BASE_SONGS,
  BASE_SOURCES,
  BASE_USER_LATEST,
  SOURCE_PRESENT,
  SOURCE_REMOVED,
  type BaseTableName,
} from '../domain/tables.js';
import { LatestEventPerUser } from '../domain/user-latest.js';
import { newWriteId, writeTimeOf } from '../domain/versions.js';
import { streamBytes, type ObjectStore } from '../storage/object-store.js';
import { LAKE_FORMAT_VERSION } from './ledger.js';
import { PartitionedOutput, type OutputFile } from './partitioned-output.js';
import { rowCheckFor } from './row-check.js';
import { decodeSource } from './source-encoding.js';
import { forEachConcurrently } from './work-limits.js';

export interface Stores {
  /** Where the landing files are (the input bucket or folder). */
  readonly source: ObjectStore;
  /** Where the lake is written. */
  readonly lake: ObjectStore;
}

/** A landing object to bring up to date, with the version of it the event announced. */
export interface LandingEvent {
  readonly key: string;
  /** Normalised sequencer (src/domain/versions.ts). */
  readonly seq: string;
}

/** Defined with the metrics that count each outcome (src/contract). */
export type { FileStatus };

export interface FileOutcome {
  readonly sourceKey: string;
  readonly kind: SourceKind | undefined;
  readonly status: FileStatus;
  /** Rows written per base table, rejects included. */
  readonly rows: Readonly<Partial<Record<BaseTableName, number>>>;
  readonly rejects: readonly RejectRow[];
  /** Bytes read from the source object. */
  readonly bytesRead: number;
  /** Fields the schema does not know, kept in rescued_data (schema evolution: nothing is dropped). */
  readonly rescuedFields: number;
  readonly logStats?: LogFileStats;
  /** Why a `failed` file failed. */
  readonly error?: Error;
}

export interface BatchOptions {
  /** Landing files read and transformed at once. */
  readonly concurrency?: number;
  readonly now?: () => number;
  /**
   * The content hash of the version the lake holds as current, when the caller knows it (the local
   * run reads the ledger): a file whose bytes hash the same is `unchanged` and nothing is written.
   */
  readonly currentContent?: (sourceKey: string) => string | undefined;
  /** Called with every partition the batch wrote, before the commit: the catalog must know them. */
  readonly beforeCommit?: (partitions: readonly PartitionRef[]) => Promise<void>;
  /** Called as each file's outcome is known. */
  readonly onFile?: (outcome: FileOutcome) => void;
  /** A batch older than this does not commit (compaction may already treat its objects as abandoned). */
  readonly maxBatchAgeMs?: number;
}

export interface BatchResult {
  readonly writeId: string;
  readonly outcomes: readonly FileOutcome[];
  /** Keys of the objects written, the ledger's included. */
  readonly objectsWritten: readonly string[];
  /** Partitions written to, the ledger's included. */
  readonly partitions: readonly PartitionRef[];
  /** The ledger rows committed. */
  readonly committed: readonly SourceRow[];
}

/** Compaction treats a write without a commit as abandoned after ABANDONED_WRITE_AGE_MS (ledger.ts). */
export const MAX_BATCH_AGE_MS = 60 * 60 * 1000;

export async function processBatch(
  events: readonly LandingEvent[],
  stores: Stores,
  options: BatchOptions = {},
): Promise<BatchResult> {
  const now = options.now ?? Date.now;
  const writeId = newWriteId(now());
  const batch = new BatchTables(writeId);
  const outcomes: FileOutcome[] = [];
  const report = (outcome: FileOutcome): void => {
    outcomes.push(outcome);
    options.onFile?.(outcome);
  };
  await forEachConcurrently(latestPerKey(events), options.concurrency ?? 8, async (event) => {
    report(await processOne(event, stores, batch, options));
  });

  if (batch.sources.rowCount === 0) return { writeId, outcomes, objectsWritten: [], partitions: [], committed: [] };
  const age = now() - writeTimeOf(writeId);
  if (age > (options.maxBatchAgeMs ?? MAX_BATCH_AGE_MS)) {
    throw new Error(
      `batch ${writeId} took ${Math.round(age / 1000)} s, too long to commit safely; its files will be retried`,
    );
  }
  const dataFiles = batch.finishData();
  const commitFiles = batch.sources.finish();
  const partitions = [...dataFiles, ...commitFiles].map((file) => file.partition);
  await forEachConcurrently(dataFiles, 8, (file) => putParquet(stores.lake, file));
  await options.beforeCommit?.(partitions);
  // The commit point: until the ledger rows exist, no view reads a row of this batch.
  for (const file of commitFiles) await putParquet(stores.lake, file);
  return {
    writeId,
    outcomes,
    objectsWritten: [...dataFiles, ...commitFiles].map((file) => file.key),
    partitions,
    committed: batch.committed,
  };
}

/** Two events for one key in a batch (a redelivery, a create then a delete): the latest decides. */
function latestPerKey(events: readonly LandingEvent[]): LandingEvent[] {
  const latest = new Map<string, LandingEvent>();
  for (const event of events) {
    const seen = latest.get(event.key);
    if (!seen || event.seq > seen.seq) latest.set(event.key, event);
  }
  return [...latest.values()];
}

/** The batch's outputs, one per base table, all under one write id. */
class BatchTables {
  readonly songs: PartitionedOutput<SongRow>;
  readonly plays: PartitionedOutput<PlayRow>;
  readonly users: PartitionedOutput<UserLatestRow>;
  readonly rejects: PartitionedOutput<RejectRow>;
  readonly sources: PartitionedOutput<SourceRow>;
  readonly committed: SourceRow[] = [];

  constructor(readonly writeId: string) {
    this.songs = new PartitionedOutput<SongRow>(BASE_SONGS, writeId, bySongOrder);
    this.plays = new PartitionedOutput<PlayRow>(BASE_PLAYS, writeId, byStartTime);
    this.users = new PartitionedOutput<UserLatestRow>(BASE_USER_LATEST, writeId, byUser);
    this.rejects = new PartitionedOutput<RejectRow>(BASE_REJECTS, writeId);
    this.sources = new PartitionedOutput<SourceRow>(BASE_SOURCES, writeId);
  }

  commit(row: Omit<SourceRow, 'write_id'>): void {
    const committed = { ...row, write_id: this.writeId };
    this.committed.push(committed);
    this.sources.add(committed);
  }

  finishData(): OutputFile[] {
    return [this.songs, this.plays, this.users, this.rejects].flatMap((output) => output.finish());
  }
}

/** What one landing file contributed to the batch, counted as it goes. */
class FileContribution {
  readonly rows: Partial<Record<BaseTableName, number>> = {};
  readonly rejects: RejectRow[] = [];
  readonly partitions = new Set<string>();
  /** Fields the schema does not know, kept in rescued_data. */
  rescuedFields = 0;

  add<Row extends object>(output: PartitionedOutput<Row>, row: Row): void {
    this.partitions.add(output.add(row));
    this.rows[output.table.name] = (this.rows[output.table.name] ?? 0) + 1;
  }

  reject(output: PartitionedOutput<RejectRow>, row: RejectRow): void {
    this.rejects.push(row);
    this.add(output, row);
  }

  get rowCount(): number {
    return Object.values(this.rows).reduce((sum, n) => sum + (n ?? 0), 0);
  }
}

async function processOne(
  event: LandingEvent,
  stores: Stores,
  batch: BatchTables,
  options: BatchOptions,
): Promise<FileOutcome> {
  const sourceKey = event.key;
  const kind = sourceKindOf(sourceKey);
  if (!kind) return { sourceKey, kind, status: 'ignored', rows: {}, rejects: [], bytesRead: 0, rescuedFields: 0 };
  const source = landingSourceOf(kind);
  try {
    const known = options.currentContent?.(sourceKey);
    if (known !== undefined) {
      const content = await hashObject(stores.source, sourceKey);
      if (content?.sha256 === known)
        return {
          sourceKey,
          kind,
          status: 'unchanged',
          rows: {},
          rejects: [],
          bytesRead: content.bytes,
          rescuedFields: 0,
        };
    }
    const stream = await stores.source.openRead(sourceKey);
    if (!stream) {
      batch.commit(ledgerRow(event, source, SOURCE_REMOVED, undefined, new FileContribution()));
      return { sourceKey, kind, status: 'removed', rows: {}, rejects: [], bytesRead: 0, rescuedFields: 0 };
    }
    const read = hashing(stream);
    const contribution = new FileContribution();
    let fileRejected = false;
    let logStats: LogFileStats | undefined;
    // Hash and size are of the stored bytes; the transforms read the JSON (gunzipped for .json.gz).
    const json = decodeSource(sourceKey, read.stream);
    if (kind === 'song') fileRejected = addSongFile(sourceKey, await streamBytes(json), batch, contribution);
    else logStats = await addLogFile(sourceKey, json, batch, contribution);
    const content = { sha256: read.sha256(), bytes: read.bytes() };
    batch.commit(ledgerRow(event, source, SOURCE_PRESENT, content, contribution));
    return {
      sourceKey,
      kind,
      status: fileRejected ? 'rejected' : 'processed',
      rows: contribution.rows,
      rejects: contribution.rejects,
      bytesRead: content.bytes,
      rescuedFields: contribution.rescuedFields,
      ...(logStats ? { logStats } : {}),
    };
  } catch (error) {
    // Rows it already added stay in the batch's files under a write the ledger never names for
    // this key: invisible, and deleted by compaction.
    return {
      sourceKey,
      kind,
      status: 'failed',
      rows: {},
      rejects: [],
      bytesRead: 0,
      rescuedFields: 0,
      error: error as Error,
    };
  }
}

/** Returns true when the whole file was set aside. */
function addSongFile(
  sourceKey: string,
  bytes: Uint8Array,
  batch: BatchTables,
  contribution: FileContribution,
): boolean {
  // Bytes, not text: invalid UTF-8 makes the file bad rather than being repaired into U+FFFD.
  const result = transformSongBytes(sourceKey, bytes);
  if (!result.ok) {
    contribution.reject(batch.rejects, result.reject);
    return true;
  }
  const problem = rowCheckFor(BASE_SONGS)(result.row);
  if (problem !== undefined) {
    contribution.reject(
      batch.rejects,
      rejectRow('song_data', sourceKey, null, `cannot be stored: ${problem}`, Buffer.from(bytes).toString('utf8')),
    );
    return true;
  }
  contribution.add(batch.songs, result.row);
  contribution.rescuedFields += result.rescuedFields;
  // Fields set aside in a kept song (stored as NULL, year 0) each have a rejects row too.
  for (const reject of result.rejects) contribution.reject(batch.rejects, reject);
  return false;
}

async function addLogFile(
  sourceKey: string,
  stream: AsyncIterable<Uint8Array>,
  batch: BatchTables,
  contribution: FileContribution,
): Promise<LogFileStats> {
  const latest = new LatestEventPerUser();
  const checkPlay = rowCheckFor(BASE_PLAYS);
  const stats = await transformLogStreamInto(sourceKey, stream, {
    play: (row) => {
      const problem = checkPlay(row);
      if (problem !== undefined) {
        contribution.reject(
          batch.rejects,
          rejectRow(
            'log_data',
            sourceKey,
            row.source_line,
            `line ${row.source_line}: cannot be stored: ${problem}`,
            JSON.stringify(row),
          ),
        );
        return;
      }
      contribution.add(batch.plays, row);
      latest.add(row);
    },
    reject: (row) => contribution.reject(batch.rejects, row),
  });
  for (const row of latest.rows()) contribution.add(batch.users, row);
  contribution.rescuedFields += stats.rescuedFields;
  return stats;
}

function ledgerRow(
  event: LandingEvent,
  source: SourceRow['source'],
  status: SourceRow['status'],
  content: { sha256: string; bytes: number } | undefined,
  contribution: FileContribution,
): Omit<SourceRow, 'write_id'> {
  return {
    source_key: event.key,
    seq: event.seq,
    status,
    content_sha256: content?.sha256 ?? null,
    bytes: content?.bytes ?? null,
    rows: contribution.rowCount,
    partitions: JSON.stringify([...contribution.partitions].sort()),
    format_version: LAKE_FORMAT_VERSION,
    source,
  };
}

async function putParquet(lake: ObjectStore, file: OutputFile): Promise<void> {
  await lake.put(file.key, file.body, 'application/vnd.apache.parquet');
}

function byStartTime(a: PlayRow, b: PlayRow): number {
  return (
    a.start_time - b.start_time ||
    (a.source_key < b.source_key ? -1 : a.source_key > b.source_key ? 1 : 0) ||
    a.source_line - b.source_line
  );
}

function bySongOrder(a: SongRow, b: SongRow): number {
  return compareText(a.artist_id, b.artist_id) || compareText(a.song_id, b.song_id);
}

function byUser(a: UserLatestRow, b: UserLatestRow): number {
  return a.user_id - b.user_id;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function hashObject(store: ObjectStore, key: string): Promise<{ sha256: string; bytes: number } | undefined> {
  const stream = await store.openRead(key);
  if (!stream) return undefined;
  const read = hashing(stream);
  for await (const chunk of read.stream) void chunk;
  return { sha256: read.sha256(), bytes: read.bytes() };
}

/** Passes the stream through, counting its bytes and hashing its content on the way. */
function hashing(stream: AsyncIterable<Uint8Array>): {
  stream: AsyncIterable<Uint8Array>;
  bytes: () => number;
  sha256: () => string;
} {
  let bytes = 0;
  const hash = createHash('sha256');
  async function* passThrough(): AsyncGenerator<Uint8Array> {
    for await (const chunk of stream) {
      bytes += chunk.length;
      hash.update(chunk);
      yield chunk;
    }
  }
  let digest: string | undefined;
  return { stream: passThrough(), bytes: () => bytes, sha256: () => (digest ??= hash.digest('hex')) };
}
