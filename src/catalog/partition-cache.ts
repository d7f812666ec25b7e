/**
 * Remembers, for the life of a warm Lambda container, which partitions the catalog already has, so
 * the steady state (files landing in partitions that exist) makes no Glue call at all.
 */
import { partitionId, type PartitionRef } from '../domain/layout.js';

export function cachedPartitionRegistrar(
  register: (partitions: readonly PartitionRef[]) => Promise<unknown>,
): (partitions: readonly PartitionRef[]) => Promise<void> {
  const known = new Set<string>();
  return async (partitions) => {
    const fresh = partitions.filter((partition) => !known.has(partitionId(partition)));
    if (fresh.length === 0) return;
    await register(fresh);
    for (const partition of fresh) known.add(partitionId(partition));
  };
}
