/**
 * One manifest per source key, written last, listing the objects that hold its rows: its own output
 * files and, after compaction, the compacted files its rows were merged into. It is how a replaced
 * or deleted source finds what to remove, and how a redelivery of unchanged content becomes a no-op.
 */
import { manifestKey } from '../domain/layout.js';
import { readText, type ObjectStore } from '../storage/object-store.js';

/**
 * Bump when the rows written for the same content change (a new column, a new rule): manifests of
 * an older format do not count as "already processed", so a redelivery or re-ingest rewrites them.
 */
export const LAKE_FORMAT_VERSION = 1;

export interface Manifest {
  readonly version: 1;
  readonly formatVersion: number;
  readonly sourceKey: string;
  /** SHA-256 of the source object's bytes when it was processed. */
  readonly contentSha256: string;
  readonly outputs: readonly string[];
}

export async function readManifest(lake: ObjectStore, sourceKey: string): Promise<Manifest | undefined> {
  const key = manifestKey(sourceKey);
  const text = await readText(lake, key);
  if (text === undefined) return undefined;
  try {
    const manifest = JSON.parse(text) as Manifest;
    if (manifest.version !== 1 || manifest.sourceKey !== sourceKey || !Array.isArray(manifest.outputs)) {
      throw new Error('unknown manifest format');
    }
    return manifest;
  } catch (error) {
    throw new Error(`corrupt manifest ${lake.description}/${key}: ${(error as Error).message}`, { cause: error });
  }
}

export async function writeManifest(lake: ObjectStore, manifest: Manifest): Promise<void> {
  await lake.put(manifestKey(manifest.sourceKey), JSON.stringify({ ...manifest, outputs: [...manifest.outputs].sort() }, null, 2), 'application/json');
}

export async function deleteManifest(lake: ObjectStore, sourceKey: string): Promise<void> {
  await lake.delete(manifestKey(sourceKey));
}

export function isCurrent(manifest: Manifest | undefined, contentSha256: string): manifest is Manifest {
  return manifest !== undefined && manifest.formatVersion === LAKE_FORMAT_VERSION && manifest.contentSha256 === contentSha256;
}
