/**
 * Puts a local lake folder into the emulator as the workers would have left it in AWS: every file of
 * the folder in the lake bucket under the same key, and every partition folder of every base table
 * registered in Glue by the workers' own registrar (`registerPartitions`, BatchCreatePartition).
 */
import type { Dirent } from 'node:fs';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { BatchDeletePartitionCommand, paginateGetPartitions, type GlueClient } from '@aws-sdk/client-glue';
import { DeleteObjectsCommand, PutObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { registerPartitions, type RegisterPartitionsResult } from '../catalog/partitions.js';
import type { PartitionRef } from '../domain/layout.js';
import { BASE_TABLES, type BaseTable } from '../domain/tables.js';

/** Every file under dir, as `/`-separated keys relative to it. */
export function folderFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) out.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

export interface MirrorResult {
  readonly uploaded: number;
  readonly unchanged: number;
  readonly deleted: number;
}

/** Makes the bucket hold exactly the folder's files: uploads new and changed ones, deletes the rest. */
export async function mirrorFolderToBucket(
  s3: S3Client,
  bucket: string,
  dir: string,
  concurrency = 8,
): Promise<MirrorResult> {
  const remote = new Map<string, string>();
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket })) {
    for (const object of page.Contents ?? [])
      if (object.Key) remote.set(object.Key, (object.ETag ?? '').replaceAll('"', ''));
  }
  const keys = folderFiles(dir);
  let uploaded = 0;
  let unchanged = 0;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < keys.length) {
      const key = keys[next++] as string;
      const bytes = readFileSync(join(dir, key));
      const md5 = createHash('md5').update(bytes).digest('hex');
      if (remote.get(key) === md5) {
        unchanged += 1;
      } else {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
        uploaded += 1;
      }
      remote.delete(key);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const stale = [...remote.keys()];
  for (let i = 0; i < stale.length; i += 1000) {
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: stale.slice(i, i + 1000).map((Key) => ({ Key })) },
      }),
    );
  }
  return { uploaded, unchanged, deleted: stale.length };
}

/**
 * The partitions a lake folder holds: for every base table, every `k1=v1/k2=v2/` folder (keys in the
 * table's order) with at least one file in it.
 */
export function lakePartitions(lakeDir: string, tables: readonly BaseTable[] = BASE_TABLES): PartitionRef[] {
  const out: PartitionRef[] = [];
  for (const table of tables) {
    const keys = table.partitionKeys.map((k) => k.name);
    const walk = (folder: string, values: string[]): void => {
      let entries: Dirent[];
      try {
        entries = readdirSync(folder, { withFileTypes: true });
      } catch {
        return;
      }
      if (values.length === keys.length) {
        if (entries.some((e) => e.isFile())) out.push({ table: table.name, values });
        return;
      }
      const key = keys[values.length] as string;
      for (const entry of entries) {
        if (entry.isDirectory() && entry.name.startsWith(`${key}=`))
          walk(join(folder, entry.name), [...values, entry.name.slice(key.length + 1)]);
      }
    };
    if (keys.length > 0) walk(join(lakeDir, table.name), []);
  }
  return out;
}

export interface LoadLakeParams {
  readonly databaseName: string;
  readonly bucket: string;
}

export interface LoadLakeResult extends MirrorResult {
  readonly partitions: RegisterPartitionsResult;
  readonly partitionsDropped: number;
}

/**
 * Mirrors the folder into the bucket, registers its partitions with the workers' registrar, and
 * drops registered partitions whose folder is gone (a lake folder replaced by another one).
 */
export async function loadLakeFolder(
  clients: { s3: S3Client; glue: GlueClient },
  lakeDir: string,
  params: LoadLakeParams,
): Promise<LoadLakeResult> {
  if (!statSync(lakeDir, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`no lake folder at ${lakeDir}`);
  const mirrored = await mirrorFolderToBucket(clients.s3, params.bucket, lakeDir);
  const present = lakePartitions(lakeDir);
  const partitions = await registerPartitions(
    clients.glue,
    { databaseName: params.databaseName, lakeRootUri: `s3://${params.bucket}` },
    present,
  );
  let partitionsDropped = 0;
  const wanted = new Set(present.map((p) => JSON.stringify([p.table, p.values])));
  for (const table of BASE_TABLES.filter((t) => t.partitionKeys.length > 0)) {
    const stale: string[][] = [];
    for await (const page of paginateGetPartitions(
      { client: clients.glue },
      { DatabaseName: params.databaseName, TableName: table.name },
    )) {
      for (const partition of page.Partitions ?? []) {
        const values = partition.Values ?? [];
        if (!wanted.has(JSON.stringify([table.name, values]))) stale.push(values);
      }
    }
    for (let i = 0; i < stale.length; i += 25) {
      await clients.glue.send(
        new BatchDeletePartitionCommand({
          DatabaseName: params.databaseName,
          TableName: table.name,
          PartitionsToDelete: stale.slice(i, i + 25).map((Values) => ({ Values })),
        }),
      );
    }
    partitionsDropped += stale.length;
  }
  return { ...mirrored, partitions, partitionsDropped };
}
