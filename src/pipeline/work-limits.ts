/** Bounding work: how many things at once, and how much per unit. Shared by ingest batches and compaction groups. */
import type { ObjectInfo } from '../storage/object-store.js';

/** Runs `work` over the items with at most `limit` in flight; rejects with the first failure. */
export async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) await work(items[next++] as T);
  });
  await Promise.all(lanes);
}

/**
 * Consecutive objects in chunks of at most `maxCount` objects and `maxBytes` bytes; an object larger
 * than `maxBytes` gets a chunk of its own rather than being left out.
 */
export function boundedChunks(objects: readonly ObjectInfo[], maxCount: number, maxBytes: number): ObjectInfo[][] {
  const chunks: ObjectInfo[][] = [];
  let current: ObjectInfo[] = [];
  let bytes = 0;
  for (const object of objects) {
    if (current.length > 0 && (current.length >= maxCount || bytes + object.size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(object);
    bytes += object.size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
