/**
 * Where an erasure runs: a local landing folder and lake folder, or the deployed stack's buckets.
 * The difference is how the lake catches up with the rewritten landing files, and what else keeps
 * a copy: S3 versions (deleted here), CloudWatch Logs and Athena results (out of reach, reported).
 */
import { DeleteObjectCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { ingestFolder } from '../local/ingest.js';
import { Ledger } from '../pipeline/ledger.js';
import { FsObjectStore } from '../storage/fs-store.js';
import { streamBytes, type ObjectStore } from '../storage/object-store.js';
import { S3ObjectStore } from '../storage/s3-store.js';
import type { ErasureTargets } from './erase.js';

export function localTargets(
  inputDir: string,
  lakeDir: string,
  onProgress?: (message: string) => void,
): ErasureTargets {
  return {
    landing: new FsObjectStore(inputDir),
    lake: new FsObjectStore(lakeDir),
    // The local run processes the changed files itself, as `ingest` would.
    catchUp: async () => {
      const summary = await ingestFolder(inputDir, lakeDir, { kinds: ['log'] });
      if (summary.failures.length > 0)
        throw new Error(`could not process ${summary.failures[0]?.sourceKey}: ${summary.failures[0]?.error}`);
    },
    unreachable: ['copies of the landing files or of the lake outside these two folders (backups, exports, downloads)'],
    ...(onProgress ? { onProgress } : {}),
  };
}

export interface AwsErasureOptions {
  readonly s3: S3Client;
  readonly landingBucket: string;
  readonly lakeBucket: string;
  /** How long to wait for the workers to process the rewritten files. */
  readonly waitMs: number;
  readonly pollMs?: number;
  readonly onProgress?: (message: string) => void;
}

export function awsTargets(options: AwsErasureOptions): ErasureTargets {
  const landing = new S3ObjectStore(options.s3, options.landingBucket);
  const lake = new S3ObjectStore(options.s3, options.lakeBucket);
  return {
    landing,
    lake,
    // The S3 events of the rewrites reach the workers through the queues; wait for their commits.
    catchUp: (keys) => waitForLedger(landing, lake, keys, options),
    deleteOlderVersions: (keys) => deleteOlderVersions(options.s3, options.landingBucket, keys),
    unreachable: [
      "the workers' CloudWatch Logs (kept 30 days): they name files and counts, and the reason of a set-aside field can quote up to 40 characters of its value",
      'Athena query results written before the erasure (the workgroup deletes them after 30 days)',
      'copies outside the stack (exports, downloads, other accounts)',
    ],
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
}

async function waitForLedger(
  landing: ObjectStore,
  lake: ObjectStore,
  keys: readonly string[],
  options: AwsErasureOptions,
): Promise<void> {
  const expected = new Map<string, string>();
  for (const key of keys) {
    const stream = await landing.openRead(key);
    if (stream)
      expected.set(
        key,
        createHash('sha256')
          .update(await streamBytes(stream))
          .digest('hex'),
      );
  }
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const ledger = await Ledger.read(lake);
    const waiting = [...expected].filter(([key, sha256]) => ledger.current(key)?.contentSha256 !== sha256);
    if (waiting.length === 0) return;
    if (Date.now() >= deadline) {
      throw new Error(
        `the log worker has not processed ${waiting.length} rewritten file(s) after ${Math.round(options.waitMs / 60_000)} min (e.g. ${waiting[0]?.[0]}): check its dead-letter queue, then run the erasure again`,
      );
    }
    options.onProgress?.(`waiting for the log worker: ${waiting.length} rewritten file(s) not processed yet`);
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 10_000));
  }
}

/** In a versioned bucket, a rewritten object's earlier versions still hold the user's lines. */
async function deleteOlderVersions(s3: S3Client, bucket: string, keys: readonly string[]): Promise<number> {
  let deleted = 0;
  for (const key of keys) {
    let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
    for (;;) {
      const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, ...markers }));
      for (const version of page.Versions ?? []) {
        if (version.Key !== key || version.IsLatest || !version.VersionId) continue;
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: version.VersionId }));
        deleted += 1;
      }
      if (!page.IsTruncated) break;
      markers = {
        ...(page.NextKeyMarker ? { KeyMarker: page.NextKeyMarker } : {}),
        ...(page.NextVersionIdMarker ? { VersionIdMarker: page.NextVersionIdMarker } : {}),
      };
    }
  }
  return deleted;
}
