/**
 * The per-file work shared by the Lambda workers and the local run: read one landing object, turn
 * it into base-table rows, write one Parquet object per table partition, and make the lake hold
 * exactly what the object's *current* content contributes.
 *
 * Why this is safe under at-least-once, out-of-order delivery:
 * - output names derive from the source key, so a redelivery overwrites its own objects;
 * - the worker reads the object as it is now, not as the event describes it, so a stale or
 *   duplicated event converges on the latest content, and a vanished object removes its rows;
 * - a manifest per source key lists what it wrote and the hash of the content it read; the same
 *   content again (a redelivery, a re-ingest) writes nothing, so it cannot undo a compaction;
 * - outputs of an older version that the new one no longer writes are removed after the new ones
 *   are in place (rows in a compacted file are cut out of it), and the manifest is written last,
 *   so a crash at any step is repaired by the retry, which redoes every step.
 */
import { createHash } from 'node:crypto';
import { BASE_PLAYS, BASE_SONGS, BASE_TABLES, REJECTS, type BaseTableName } from '../domain/tables.js';
import { partitionOfKey, sourceKindOf, type PartitionRef, type SourceKind } from '../domain/layout.js';
import { transformSongBytes } from '../domain/song-transform.js';
import { transformLogStreamInto, type LogFileStats } from '../domain/log-transform.js';
import type { PlayRow, RejectRow, SongRow } from '../domain/rows.js';
import { PartitionedOutput, type FilledOutput, type OutputFile } from './partitioned-output.js';
import { ConditionFailedError, streamBytes, type ObjectStore } from '../storage/object-store.js';
import { deleteManifest, isCurrent, LAKE_FORMAT_VERSION, readManifest, writeManifest, type Manifest, type StoredManifest } from './manifest.js';
import { removeSourceFrom } from './shared-files.js';

export interface Stores {
  /** Where the landing files are (the input bucket or folder). */
  readonly source: ObjectStore;
  /** Where the lake is written. */
  readonly lake: ObjectStore;
}

export type FileStatus =
  /** Rows written (possibly with some bad records set aside). */
  | 'processed'
  /** The whole file was set aside as bad; it contributes no rows. */
  | 'rejected'
  /** The source object no longer exists; what it contributed was removed. */
  | 'removed'
  /** The same content was already processed: nothing was written. */
  | 'unchanged'
  /** Not a song_data/ or log_data/ JSON file. */
  | 'ignored';

export interface FileOutcome {
  readonly sourceKey: string;
  readonly kind: SourceKind | undefined;
  readonly status: FileStatus;
  /** Rows written per base table, rejects included. */
  readonly rows: Readonly<Partial<Record<BaseTableName, number>>>;
  readonly rejects: readonly RejectRow[];
  /** Partitions that now hold an output of this file: the catalog must know them. */
  readonly partitions: readonly PartitionRef[];
  readonly outputs: readonly string[];
  /** Bytes read from the source object. */
  readonly bytesRead: number;
  readonly logStats?: LogFileStats;
}

/** Attempts before giving up on a source whose manifest other workers keep changing under this one. */
const MAX_ATTEMPTS = 5;

export async function processSourceObject(sourceKey: string, stores: Stores): Promise<FileOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await processOnce(sourceKey, stores);
    } catch (error) {
      // Another worker changed this source's manifest since this one read it (the same key, two
      // versions, processed at once): start over from what it wrote, reading the object anew.
      if (!(error instanceof ConditionFailedError)) throw error;
      if (attempt >= MAX_ATTEMPTS) throw new Error(`${sourceKey}: its manifest kept changing under this worker (${attempt} attempts)`, { cause: error });
    }
  }
}

async function processOnce(sourceKey: string, stores: Stores): Promise<FileOutcome> {
  const kind = sourceKindOf(sourceKey);
  if (!kind) {
    return { sourceKey, kind, status: 'ignored', rows: {}, rejects: [], partitions: [], outputs: [], bytesRead: 0 };
  }
  const previous = await readManifest(stores.lake, sourceKey);
  const stream = await stores.source.openRead(sourceKey);
  if (!stream) {
    await replaceOutputs(stores.lake, sourceKey, previous, undefined);
    return { sourceKey, kind, status: 'removed', rows: {}, rejects: [], partitions: [], outputs: [], bytesRead: 0 };
  }
  const read = hashing(stream);
  const transformed = kind === 'song' ? await songFiles(sourceKey, read.stream) : await logFiles(sourceKey, read.stream);
  const contentSha256 = read.sha256();
  const rows: Partial<Record<BaseTableName, number>> = {};
  for (const output of transformed.outputs) if (output.rowCount > 0) rows[output.table.name] = output.rowCount;
  const common = { sourceKey, kind, rows, rejects: transformed.rejects, bytesRead: read.bytes(), ...(transformed.logStats ? { logStats: transformed.logStats } : {}) };
  if (isCurrent(previous?.manifest, contentSha256)) {
    const { outputs } = previous.manifest;
    return { ...common, status: 'unchanged', outputs, partitions: outputs.map((key) => partitionOfKey(key, BASE_TABLES)) };
  }
  // Encoded only now: a redelivery of unchanged content skips the Parquet encoding altogether.
  const files = transformed.outputs.flatMap((output) => output.finish());
  await replaceOutputs(stores.lake, sourceKey, previous, { files, contentSha256 });
  return {
    ...common,
    status: transformed.fileRejected ? 'rejected' : 'processed',
    partitions: files.map((file) => file.partition),
    outputs: files.map((file) => file.key),
  };
}

interface Transformed {
  /** Filled but not yet finished (encoded): finishing waits until the content is known to be new. */
  readonly outputs: readonly FilledOutput[];
  readonly rejects: readonly RejectRow[];
  readonly fileRejected: boolean;
  readonly logStats?: LogFileStats;
}

async function songFiles(sourceKey: string, stream: AsyncIterable<Uint8Array>): Promise<Transformed> {
  // Bytes, not text: invalid UTF-8 makes the file bad rather than being repaired into U+FFFD.
  const result = transformSongBytes(sourceKey, await streamBytes(stream));
  if (!result.ok) {
    const rejects = new PartitionedOutput<RejectRow>(REJECTS, sourceKey);
    rejects.add(result.reject);
    return { outputs: [rejects], rejects: [result.reject], fileRejected: true };
  }
  const songs = new PartitionedOutput<SongRow>(BASE_SONGS, sourceKey);
  songs.add(result.row);
  // Fields set aside in a kept song (stored as NULL, year 0) each have a rejects row too.
  if (result.rejects.length === 0) return { outputs: [songs], rejects: [], fileRejected: false };
  const rejects = new PartitionedOutput<RejectRow>(REJECTS, sourceKey);
  for (const reject of result.rejects) rejects.add(reject);
  return { outputs: [songs, rejects], rejects: result.rejects, fileRejected: false };
}

async function logFiles(sourceKey: string, stream: AsyncIterable<Uint8Array>): Promise<Transformed> {
  const plays = new PartitionedOutput<PlayRow>(BASE_PLAYS, sourceKey, byStartTime);
  const rejectRows: RejectRow[] = [];
  const rejects = new PartitionedOutput<RejectRow>(REJECTS, sourceKey);
  const logStats = await transformLogStreamInto(sourceKey, stream, {
    play: (row) => plays.add(row),
    reject: (row) => {
      rejectRows.push(row);
      rejects.add(row);
    },
  });
  return { outputs: [plays, rejects], rejects: rejectRows, fileRejected: false, logStats };
}

function byStartTime(a: PlayRow, b: PlayRow): number {
  return a.start_time - b.start_time || a.source_line - b.source_line;
}

/**
 * Makes the lake hold exactly `next` for this source (nothing, when the source is gone).
 *
 * Write-ahead: before touching any output, a manifest names every object this attempt may leave
 * behind (the old outputs and the new ones) with a content hash no content has. If the attempt dies
 * at any point and the source then changes, is deleted, or comes back with the old bytes, the next
 * attempt still finds every output to clean up, and never takes the half-done state for current.
 * The real manifest is written last.
 */
async function replaceOutputs(
  lake: ObjectStore,
  sourceKey: string,
  previous: StoredManifest | undefined,
  next: { files: readonly OutputFile[]; contentSha256: string } | undefined,
): Promise<void> {
  const previousOutputs = previous?.manifest.outputs ?? [];
  const newKeys = (next?.files ?? []).map((file) => file.key);
  const stale = previousOutputs.filter((key) => !newKeys.includes(key));
  const manifest = (contentSha256: string, outputs: readonly string[]): Manifest => ({ version: 1, formatVersion: LAKE_FORMAT_VERSION, sourceKey, contentSha256, outputs });
  let version = previous?.version;
  if (newKeys.length > 0 || stale.length > 0) {
    version = await writeManifest(lake, manifest(PENDING, [...new Set([...previousOutputs, ...newKeys])]), version);
  }
  for (const file of next?.files ?? []) await lake.put(file.key, file.body, 'application/vnd.apache.parquet');
  for (const key of stale) await removeSourceFrom(lake, key, sourceKey);
  if (next) await writeManifest(lake, manifest(next.contentSha256, newKeys), version);
  else if (version !== undefined) await deleteManifest(lake, sourceKey, version);
}

/** The content hash of a write-ahead manifest: matches no content, so it is never "already processed". */
const PENDING = '';

/** Passes the stream through, counting its bytes and hashing its content on the way. */
function hashing(stream: AsyncIterable<Uint8Array>): { stream: AsyncIterable<Uint8Array>; bytes: () => number; sha256: () => string } {
  let bytes = 0;
  const hash = createHash('sha256');
  async function* passThrough(): AsyncGenerator<Uint8Array> {
    for await (const chunk of stream) {
      bytes += chunk.length;
      hash.update(chunk);
      yield chunk;
    }
  }
  return { stream: passThrough(), bytes: () => bytes, sha256: () => hash.digest('hex') };
}
