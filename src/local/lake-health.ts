/**
 * How many small Parquet files a query over the lake has to open. Opening a lake reads the footer
 * of every file, so thousands of small ones make even `SELECT 1` take seconds: `compact` merges them.
 */
import { partitionFolderOf } from '../domain/layout.js';
import { BASE_TABLES } from '../domain/tables.js';
import { DEFAULT_COMPACTION, replacedFiles } from '../pipeline/compact.js';
import type { ObjectStore } from '../storage/object-store.js';

export interface SmallFiles {
  /** Parquet files in the base tables. */
  readonly files: number;
  /** Of them, those `compact` would merge: below its target size, in a partition with several (files it already replaced do not count). */
  readonly mergeable: number;
}

/** From this many mergeable files on, `query` suggests `compact`. */
export const SUGGEST_COMPACT_FROM = 200;

export async function smallFiles(lake: ObjectStore): Promise<SmallFiles> {
  let files = 0;
  let mergeable = 0;
  const replaced = await replacedFiles(lake);
  for (const table of BASE_TABLES) {
    const smallPerPartition = new Map<string, number>();
    for await (const object of lake.listObjects(`${table.name}/`)) {
      if (!object.key.endsWith('.parquet')) continue;
      files += 1;
      if (object.size >= DEFAULT_COMPACTION.targetFileBytes || replaced.has(object.key)) continue;
      const folder = partitionFolderOf(object.key);
      smallPerPartition.set(folder, (smallPerPartition.get(folder) ?? 0) + 1);
    }
    for (const count of smallPerPartition.values()) if (count >= DEFAULT_COMPACTION.minFiles) mergeable += count;
  }
  return { files, mergeable };
}
