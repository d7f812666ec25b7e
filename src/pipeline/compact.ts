/**
 * Compaction: rewrites a partition's many small Parquet files (one per source file) into few large,
 * sorted ones, because Athena slows down with many small objects.
 *
 * Why a query never sees a row twice or misses one, and redeliveries stay no-ops:
 * 1. the compacted files are written first; until the small ones are deleted a row may exist twice,
 *    and the analyst views keep one row per songplay_id / song_id / artist_id / user / start time;
 * 2. only rows that their source's manifest says live in the file they were read from are kept,
 *    so leftovers of an interrupted compaction or of a replaced source never come back;
 * 3. each affected source's manifest is rewritten to list the compacted files that now hold its
 *    rows (its content hash unchanged, so a redelivery of that source still writes nothing, and a
 *    replacement cuts its rows out of the compacted file);
 * 4. the small files are deleted last. A crash anywhere is repaired by running compaction again.
 */
import { createHash } from 'node:crypto';
import { compactedKey, partitionFolderOf } from '../domain/layout.js';
import { BASE_TABLES, type BaseTable, type BaseTableName } from '../domain/tables.js';
import type { Cell } from '../domain/rows.js';
import { decodeParquet } from '../parquet/reader.js';
import { encodeParquet } from '../parquet/writer.js';
import { ConditionFailedError, streamBytes, type ObjectInfo, type ObjectStore } from '../storage/object-store.js';
import { readManifest, writeManifest, type StoredManifest } from './manifest.js';
import { removeSourceFrom } from './shared-files.js';

export interface CompactionOptions {
  /**
   * Files smaller than this are merged, in groups of up to this many bytes of input, each group
   * into one file. It bounds a run's memory: a group is decoded at once, and the benchmark measured
   * ~2.1-2.7 KB of memory per decoded play at ~30 bytes a play on disk, so 16 MiB is ~550,000 plays
   * and ~1.4 GB, well inside the 4 GB compaction worker. AWS advises files of ~128 MB for Athena;
   * going there needs a columnar merge instead of row objects (docs/SCALING.md).
   */
  readonly targetFileBytes: number;
  /** A group is compacted when it holds at least this many files. */
  readonly minFiles: number;
  /** Stop starting new partitions after this time (epoch ms): a Lambda run leaves the rest to the next. */
  readonly deadline?: number;
}

export const DEFAULT_COMPACTION: CompactionOptions = { targetFileBytes: 16 * 1024 * 1024, minFiles: 2 };

/** One compacted group of a partition's files; the before/after figures are for the whole partition. */
export interface PartitionCompaction {
  readonly table: BaseTableName;
  readonly partition: string;
  readonly filesMerged: number;
  readonly filesBefore: number;
  readonly bytesBefore: number;
  readonly filesAfter: number;
  readonly bytesAfter: number;
  readonly rows: number;
  /** Rows read that no manifest claims any more (leftovers), dropped. */
  readonly droppedRows: number;
}

/** The order rows are written in: what analysts filter on first, for tight min/max statistics. */
const SORT_COLUMNS: Record<BaseTableName, readonly string[]> = {
  base_plays: ['start_time', 'source_key', 'source_line'],
  base_songs: ['artist_id', 'song_id', 'source_key'],
  rejects: ['source_key', 'line'],
};

export async function compactLake(
  lake: ObjectStore,
  options: CompactionOptions = DEFAULT_COMPACTION,
  onPartition?: (result: PartitionCompaction) => void,
): Promise<PartitionCompaction[]> {
  const results: PartitionCompaction[] = [];
  for (const table of BASE_TABLES) {
    for (const [folder, files] of await partitionsOf(lake, table)) {
      const small = files.filter((file) => file.size < options.targetFileBytes);
      for (const group of groupsOf(small, options.targetFileBytes)) {
        if (group.length < options.minFiles) continue;
        if (options.deadline !== undefined && Date.now() >= options.deadline) return results;
        const result = await compactGroup(lake, table, folder, group, files);
        results.push(result);
        onPartition?.(result);
      }
    }
  }
  return results;
}

/** Consecutive files (in key order: by day for logs) up to `maxBytes` of input each. */
function groupsOf(files: readonly ObjectInfo[], maxBytes: number): ObjectInfo[][] {
  const groups: ObjectInfo[][] = [];
  let current: ObjectInfo[] = [];
  let bytes = 0;
  for (const file of files) {
    if (current.length > 0 && bytes + file.size > maxBytes) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(file);
    bytes += file.size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

async function partitionsOf(lake: ObjectStore, table: BaseTable): Promise<Map<string, ObjectInfo[]>> {
  const partitions = new Map<string, ObjectInfo[]>();
  for await (const object of lake.listObjects(`${table.name}/`)) {
    if (!object.key.endsWith('.parquet')) continue;
    const folder = partitionFolderOf(object.key);
    partitions.set(folder, [...(partitions.get(folder) ?? []), object]);
  }
  return partitions;
}

interface SourcedRow {
  readonly row: Record<string, Cell>;
  readonly sourceKey: string;
}

async function compactGroup(
  lake: ObjectStore,
  table: BaseTable,
  folder: string,
  inputs: readonly ObjectInfo[],
  allFiles: readonly ObjectInfo[],
): Promise<PartitionCompaction> {
  const manifests = new Map<string, StoredManifest | undefined>();
  const kept: SourcedRow[] = [];
  const listedSources = new Map<string, Set<string>>(); // input key → sources whose manifest lists it
  let droppedRows = 0;
  for (const input of inputs) {
    const stream = await lake.openRead(input.key);
    if (!stream) continue;
    for (const row of await decodeParquet(table, await streamBytes(stream))) {
      const sourceKey = row.source_key;
      if (typeof sourceKey !== 'string') throw new Error(`${input.key}: a row without source_key`);
      if (!manifests.has(sourceKey)) manifests.set(sourceKey, await readManifest(lake, sourceKey));
      if (manifests.get(sourceKey)?.manifest.outputs.includes(input.key)) {
        kept.push({ row, sourceKey });
        listedSources.set(input.key, (listedSources.get(input.key) ?? new Set()).add(sourceKey));
      } else {
        droppedRows += 1;
      }
    }
  }
  kept.sort(byColumns(SORT_COLUMNS[table.name]));

  const inputKeys = inputs.map((input) => input.key).sort();
  const runId = createHash('sha256').update(inputKeys.join('\n')).digest('hex').slice(0, 12);
  const written = new Map<string, Set<string>>(); // compacted key → source keys with rows in it
  let bytesWritten = 0;
  if (kept.length > 0) {
    const key = compactedKey(folder, runId);
    const body = encodeParquet(table, kept.map((sourced) => sourced.row));
    await lake.put(key, body, 'application/vnd.apache.parquet');
    bytesWritten = body.length;
    written.set(key, new Set(kept.map((sourced) => sourced.sourceKey)));
  }

  const replaced = new Set(inputKeys);
  const raced = new Set<string>();
  for (const [sourceKey, stored] of manifests) {
    if (!stored) continue;
    const holding = [...written].filter(([, sources]) => sources.has(sourceKey)).map(([key]) => key);
    const outputs = [...new Set([...stored.manifest.outputs.filter((key) => !replaced.has(key)), ...holding])].sort();
    if (outputs.join('\n') === [...stored.manifest.outputs].sort().join('\n')) continue;
    try {
      await writeManifest(lake, { ...stored.manifest, outputs }, stored.version);
    } catch (error) {
      // A worker changed this source while we merged it (a new version, a deletion): its old rows
      // must not stay in the compacted file, and the small files it still names must stay.
      if (!(error instanceof ConditionFailedError)) throw error;
      raced.add(sourceKey);
    }
  }
  for (const [key] of written) for (const sourceKey of raced) await removeSourceFrom(lake, key, sourceKey);
  for (const key of inputKeys) {
    const listedByRaced = [...(listedSources.get(key) ?? [])].some((sourceKey) => raced.has(sourceKey));
    if (!written.has(key) && !listedByRaced) await lake.delete(key);
  }

  const untouched = allFiles.filter((file) => !replaced.has(file.key));
  return {
    table: table.name,
    partition: folder,
    filesMerged: inputs.length,
    filesBefore: allFiles.length,
    bytesBefore: allFiles.reduce((sum, file) => sum + file.size, 0),
    filesAfter: untouched.length + written.size,
    bytesAfter: untouched.reduce((sum, file) => sum + file.size, 0) + bytesWritten,
    rows: kept.length,
    droppedRows,
  };
}

function byColumns(columns: readonly string[]): (a: SourcedRow, b: SourcedRow) => number {
  return (a, b) => {
    for (const column of columns) {
      const x = a.row[column] ?? null;
      const y = b.row[column] ?? null;
      if (x === y) continue;
      if (x === null) return -1;
      if (y === null) return 1;
      return x < y ? -1 : 1;
    }
    return 0;
  };
}
