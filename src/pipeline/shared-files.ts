/**
 * Compacted files hold the rows of many source files. When one of those sources is replaced or
 * deleted, its rows are taken out by rewriting the compacted file without them (same key, so the
 * object is swapped atomically), instead of deleting rows that belong to others.
 */
import { isCompactedKey, partitionOfKey } from '../domain/layout.js';
import { BASE_TABLES, baseTable } from '../domain/tables.js';
import { decodeParquet } from '../parquet/reader.js';
import { encodeParquet } from '../parquet/writer.js';
import type { ObjectStore } from '../storage/object-store.js';

/** Removes what a source contributed to an output: the whole object, or its rows of a compacted one. */
export async function removeSourceFrom(lake: ObjectStore, outputKey: string, sourceKey: string): Promise<void> {
  if (!isCompactedKey(outputKey)) {
    await lake.delete(outputKey);
    return;
  }
  const stored = await lake.readVersioned(outputKey);
  if (!stored) return;
  const table = baseTable(partitionOfKey(outputKey, BASE_TABLES).table);
  const rows = await decodeParquet(table, stored.body);
  const kept = rows.filter((row) => row.source_key !== sourceKey);
  if (kept.length === rows.length) return;
  // Conditional: two sources cut out of the same compacted file at once must not undo each other's
  // cut; the loser gets a ConditionFailedError and its whole attempt starts over.
  if (kept.length === 0) await lake.deleteIfVersion(outputKey, stored.version);
  else await lake.putIfVersion(outputKey, encodeParquet(table, kept), stored.version, 'application/vnd.apache.parquet');
}
