/**
 * Compacted files hold the rows of many source files. When one of those sources is replaced or
 * deleted, its rows are taken out by rewriting the compacted file without them (same key, so the
 * object is swapped atomically), instead of deleting rows that belong to others.
 */
import { isCompactedKey, partitionOfKey } from '../domain/layout.js';
import { BASE_TABLES, baseTable } from '../domain/tables.js';
import { decodeParquet } from '../parquet/reader.js';
import { encodeParquet } from '../parquet/writer.js';
import { streamBytes, type ObjectStore } from '../storage/object-store.js';

/** Removes what a source contributed to an output: the whole object, or its rows of a compacted one. */
export async function removeSourceFrom(lake: ObjectStore, outputKey: string, sourceKey: string): Promise<void> {
  if (!isCompactedKey(outputKey)) {
    await lake.delete(outputKey);
    return;
  }
  const stream = await lake.openRead(outputKey);
  if (!stream) return;
  const table = baseTable(partitionOfKey(outputKey, BASE_TABLES).table);
  const rows = await decodeParquet(table, await streamBytes(stream));
  const kept = rows.filter((row) => row.source_key !== sourceKey);
  if (kept.length === rows.length) return;
  if (kept.length === 0) await lake.delete(outputKey);
  else await lake.put(outputKey, encodeParquet(table, kept), 'application/vnd.apache.parquet');
}
