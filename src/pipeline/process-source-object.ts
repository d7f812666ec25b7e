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
import { BASE_PLAYS, BASE_SONGS, REJECTS, type BaseTable, type BaseTableName } from '../domain/tables.js';
import { manifestKey, outputKey, sourceKindOf, type PartitionRef, type SourceKind } from '../domain/layout.js';
import { transformSongFile } from '../domain/song-transform.js';
import { transformLogLines, type LogFileStats } from '../domain/log-transform.js';
import type { Cell, PlayRow, RejectRow, SongRow } from '../domain/rows.js';
import { encodeParquet } from '../parquet/writer.js';
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

interface TableRows {
  readonly table: BaseTable;
  readonly rows: readonly object[];
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
  const transformed = kind === 'song' ? await songTables(sourceKey, counted.stream) : await logTables(sourceKey, counted.stream);
  const written = await writeTables(stores.lake, sourceKey, transformed.tables);
  await replaceOutputs(stores.lake, sourceKey, written.outputs);
  return {
    sourceKey,
    kind,
    status: transformed.fileRejected ? 'rejected' : 'processed',
    rows: written.rows,
    rejects: transformed.rejects,
    partitions: written.partitions,
    outputs: written.outputs,
    bytesRead: counted.bytes(),
    ...(transformed.logStats ? { logStats: transformed.logStats } : {}),
  };
}

interface Transformed {
  readonly tables: readonly TableRows[];
  readonly rejects: readonly RejectRow[];
  readonly fileRejected: boolean;
  readonly logStats?: LogFileStats;
}

async function songTables(sourceKey: string, stream: AsyncIterable<Uint8Array>): Promise<Transformed> {
  const text = await streamText(stream);
  const result = transformSongFile(sourceKey, text);
  if (!result.ok) {
    return { tables: [{ table: REJECTS, rows: [result.reject] }], rejects: [result.reject], fileRejected: true };
  }
  const songs: SongRow[] = [result.row];
  return { tables: [{ table: BASE_SONGS, rows: songs }], rejects: [], fileRejected: false };
}

async function logTables(sourceKey: string, stream: AsyncIterable<Uint8Array>): Promise<Transformed> {
  const result = await transformLogLines(sourceKey, utf8Lines(stream));
  const plays: PlayRow[] = result.plays.sort(byStartTime);
  return {
    tables: [
      { table: BASE_PLAYS, rows: plays },
      { table: REJECTS, rows: result.rejects },
    ],
    rejects: result.rejects,
    fileRejected: false,
    logStats: result.stats,
  };
}

// Sorted files give tight min/max statistics on start_time, so time-filtered queries skip data.
function byStartTime(a: PlayRow, b: PlayRow): number {
  return a.start_time - b.start_time || a.source_line - b.source_line;
}

interface Written {
  readonly outputs: string[];
  readonly partitions: PartitionRef[];
  readonly rows: Partial<Record<BaseTableName, number>>;
}

async function writeTables(lake: ObjectStore, sourceKey: string, tables: readonly TableRows[]): Promise<Written> {
  const written: Written = { outputs: [], partitions: [], rows: {} };
  for (const { table, rows } of tables) {
    if (rows.length === 0) continue;
    for (const { values, rows: partitionRows } of groupByPartition(table, rows)) {
      const key = outputKey(table.name, table.partitionKeys.map((k) => k.name), values, sourceKey);
      await lake.put(key, encodeParquet(table, partitionRows), 'application/vnd.apache.parquet');
      written.outputs.push(key);
      written.partitions.push({ table: table.name, values });
    }
    written.rows[table.name] = (written.rows[table.name] ?? 0) + rows.length;
  }
  return written;
}

function groupByPartition(table: BaseTable, rows: readonly object[]): { values: string[]; rows: object[] }[] {
  const byId = new Map<string, { values: string[]; rows: object[] }>();
  for (const row of rows) {
    const cells = row as Readonly<Record<string, Cell>>;
    const values = table.partitionKeys.map((key) => partitionValue(table, key.name, cells[key.name]));
    const id = values.join('\u0000');
    let group = byId.get(id);
    if (!group) byId.set(id, (group = { values, rows: [] }));
    group.rows.push(row);
  }
  return [...byId.values()];
}

function partitionValue(table: BaseTable, key: string, value: Cell | undefined): string {
  if (value === null || value === undefined || value === '') {
    throw new Error(`${table.name}: row without a value for partition key ${key}`);
  }
  return String(value);
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
