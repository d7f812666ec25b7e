/**
 * One manifest per source key, written last, listing the objects that hold its rows: its own output
 * files and, after compaction, the compacted files its rows were merged into. It is how a replaced
 * or deleted source finds what to remove, and how a redelivery of unchanged content becomes a no-op.
 */
import { manifestKey } from '../domain/layout.js';
import type { ObjectStore } from '../storage/object-store.js';

/**
 * Bump when the rows written for the same content change (a new column, a new rule): manifests of
 * an older format do not count as "already processed", so a redelivery or re-ingest rewrites them.
 */
// 2: songplay_id includes ts; rescued_data and rejects.field columns; issue 10 value rules.
export const LAKE_FORMAT_VERSION = 2;

export interface Manifest {
  readonly version: 1;
  readonly formatVersion: number;
  readonly sourceKey: string;
  /** SHA-256 of the source object's bytes when it was processed. */
  readonly contentSha256: string;
  readonly outputs: readonly string[];
}

/** A manifest as read, with the version a conditional write must name to replace it. */
export interface StoredManifest {
  readonly manifest: Manifest;
  readonly version: string;
}

export async function readManifest(lake: ObjectStore, sourceKey: string): Promise<StoredManifest | undefined> {
  const key = manifestKey(sourceKey);
  const stored = await lake.readVersioned(key);
  if (stored === undefined) return undefined;
  try {
    const manifest = JSON.parse(Buffer.from(stored.body).toString('utf8')) as Manifest;
    if (manifest.version !== 1 || manifest.sourceKey !== sourceKey || !Array.isArray(manifest.outputs)) {
      throw new Error('unknown manifest format');
    }
    return { manifest, version: stored.version };
  } catch (error) {
    throw new Error(`corrupt manifest ${lake.description}/${key}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Replaces the manifest only if it is still the one read (`expected`; undefined: only if there is
 * none), so two writers racing on one source key cannot both win: the loser gets a
 * ConditionFailedError and starts over from what the winner wrote. Returns the new version.
 */
export async function writeManifest(lake: ObjectStore, manifest: Manifest, expected: string | undefined): Promise<string> {
  const body = JSON.stringify({ ...manifest, outputs: [...manifest.outputs].sort() }, null, 2);
  return lake.putIfVersion(manifestKey(manifest.sourceKey), body, expected, 'application/json');
}

export async function deleteManifest(lake: ObjectStore, sourceKey: string, expected: string): Promise<void> {
  await lake.deleteIfVersion(manifestKey(sourceKey), expected);
}

export function isCurrent(manifest: Manifest | undefined, contentSha256: string): manifest is Manifest {
  return manifest !== undefined && manifest.formatVersion === LAKE_FORMAT_VERSION && manifest.contentSha256 === contentSha256;
}
