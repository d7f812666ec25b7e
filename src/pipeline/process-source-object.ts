/**
 * The per-file work shared by the Lambda workers and the local run: read one landing object, turn
 * it into base-table rows, write one Parquet object per table partition, and make the lake hold
 * exactly what the object's *current* content contributes.
 *
 * Why this is safe under at-least-once, out-of-order delivery:
 * - output names derive from the source key, so a redelivery overwrites its own objects;
 * - the worker reads the object as it is now, not as the event describes it, so a stale or
 *   duplicated event converges on the latest content, and a vanished object removes its rows;
 * - a manifest per source key lists what it wrote; outputs of an older version that the new one
 *   no longer writes (another partition) are deleted after the new ones are in place, and a crash
 *   at any step is repaired by the retry, which redoes every step.
 */
import { BASE_PLAYS, BASE_SONGS, REJECTS, type BaseTableName } from '../domain/tables.js';
import { manifestKey, sourceKindOf, type PartitionRef, type SourceKind } from '../domain/layout.js';
import { transformSongFile } from '../domain/song-transform.js';
import { transformLogLinesInto, type LogFileStats } from '../domain/log-transform.js';
import type { PlayRow, RejectRow, SongRow } from '../domain/rows.js';
import { PartitionedOutput, type OutputFile } from './partitioned-output.js';
import { readText, streamText, utf8Lines, type ObjectStore } from '../storage/object-store.js';

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

interface Manifest {
  readonly version: 1;
  readonly sourceKey: string;
  readonly outputs: readonly string[];
}

export async function processSourceObject(sourceKey: string, stores: Stores): Promise<FileOutcome> {
  const kind = sourceKindOf(sourceKey);
  if (!kind) {
    return { sourceKey, kind, status: 'ignored', rows: {}, rejects: [], partitions: [], outputs: [], bytesRead: 0 };
  }
  const stream = await stores.source.openRead(sourceKey);
  if (!stream) {
    await replaceOutputs(stores.lake, sourceKey, []);
    return { sourceKey, kind, status: 'removed', rows: {}, rejects: [], partitions: [], outputs: [], bytesRead: 0 };
  }
  const counted = countBytes(stream);
  const transformed = kind === 'song' ? await songFiles(sourceKey, counted.stream) : await logFiles(sourceKey, counted.stream);
  const outputs: string[] = [];
  const rows: Partial<Record<BaseTableName, number>> = {};
  for (const file of transformed.files) {
    await stores.lake.put(file.key, file.body, 'application/vnd.apache.parquet');
    outputs.push(file.key);
    rows[file.partition.table] = (rows[file.partition.table] ?? 0) + file.rows;
  }
  await replaceOutputs(stores.lake, sourceKey, outputs);
  return {
    sourceKey,
    kind,
    status: transformed.fileRejected ? 'rejected' : 'processed',
    rows,
    rejects: transformed.rejects,
    partitions: transformed.files.map((file) => file.partition),
    outputs,
    bytesRead: counted.bytes(),
    ...(transformed.logStats ? { logStats: transformed.logStats } : {}),
  };
}

interface Transformed {
  readonly files: readonly OutputFile[];
  readonly rejects: readonly RejectRow[];
  readonly fileRejected: boolean;
  readonly logStats?: LogFileStats;
}

async function songFiles(sourceKey: string, stream: AsyncIterable<Uint8Array>): Promise<Transformed> {
  const result = transformSongFile(sourceKey, await streamText(stream));
  if (!result.ok) {
    const rejects = new PartitionedOutput<RejectRow>(REJECTS, sourceKey);
    rejects.add(result.reject);
    return { files: rejects.finish(), rejects: [result.reject], fileRejected: true };
  }
  const songs = new PartitionedOutput<SongRow>(BASE_SONGS, sourceKey);
  songs.add(result.row);
  return { files: songs.finish(), rejects: [], fileRejected: false };
}

async function logFiles(sourceKey: string, stream: AsyncIterable<Uint8Array>): Promise<Transformed> {
  const plays = new PartitionedOutput<PlayRow>(BASE_PLAYS, sourceKey, byStartTime);
  const rejectRows: RejectRow[] = [];
  const rejects = new PartitionedOutput<RejectRow>(REJECTS, sourceKey);
  const logStats = await transformLogLinesInto(sourceKey, utf8Lines(stream), {
    play: (row) => plays.add(row),
    reject: (row) => {
      rejectRows.push(row);
      rejects.add(row);
    },
  });
  return { files: [...plays.finish(), ...rejects.finish()], rejects: rejectRows, fileRejected: false, logStats };
}

function byStartTime(a: PlayRow, b: PlayRow): number {
  return a.start_time - b.start_time || a.source_line - b.source_line;
}

async function replaceOutputs(lake: ObjectStore, sourceKey: string, outputs: readonly string[]): Promise<void> {
  const key = manifestKey(sourceKey);
  const previous = await readManifest(lake, key);
  const current = new Set(outputs);
  for (const stale of previous?.outputs ?? []) {
    if (!current.has(stale)) await lake.delete(stale);
  }
  if (outputs.length === 0) {
    await lake.delete(key);
    return;
  }
  const manifest: Manifest = { version: 1, sourceKey, outputs: [...outputs].sort() };
  await lake.put(key, JSON.stringify(manifest, null, 2), 'application/json');
}

async function readManifest(lake: ObjectStore, key: string): Promise<Manifest | undefined> {
  const text = await readText(lake, key);
  if (text === undefined) return undefined;
  try {
    const manifest = JSON.parse(text) as Manifest;
    if (manifest.version !== 1 || !Array.isArray(manifest.outputs)) throw new Error('unknown manifest format');
    return manifest;
  } catch (error) {
    throw new Error(`corrupt manifest ${lake.description}/${key}: ${(error as Error).message}`, { cause: error });
  }
}

function countBytes(stream: AsyncIterable<Uint8Array>): { stream: AsyncIterable<Uint8Array>; bytes: () => number } {
  let bytes = 0;
  async function* counting(): AsyncGenerator<Uint8Array> {
    for await (const chunk of stream) {
      bytes += chunk.length;
      yield chunk;
    }
  }
  return { stream: counting(), bytes: () => bytes };
}
