/**
 * The fault suite's Lambda harness: the real worker handler (`createWorkerHandler`) with the real
 * S3ObjectStores on an in-process fauxqs server, the real partition registration
 * (`registerPartitions` behind `cachedPartitionRegistrar`) sending to a GlueClient mocked with
 * aws-sdk-client-mock, whose fake catalog remembers partitions as Glue would (AlreadyExists for a
 * partition it holds) and can inject errors.
 *
 * Each `worker()` is one Lambda container: its own handler instance and its own warm partition
 * cache. Concurrent invocations use one worker each, as Lambda never runs two invocations at once
 * in one container.
 */
import { join } from 'node:path';
import { BatchCreatePartitionCommand, GlueClient, InvalidInputException, type BatchCreatePartitionCommandInput, type PartitionError } from '@aws-sdk/client-glue';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { createWorkerHandler, type SqsHandler } from '../../../lambdas/worker-handler.js';
import { registerPartitions } from '../../../src/catalog/partitions.js';
import { cachedPartitionRegistrar } from '../../../src/catalog/partition-cache.js';
import type { SourceKind } from '../../../src/domain/layout.js';
import { BASE_TABLES } from '../../../src/domain/tables.js';
import type { ObjectStore } from '../../../src/storage/object-store.js';
import { S3ObjectStore } from '../../../src/storage/s3-store.js';
import { createBucket, lambdaContext, putLocalFile, sqsEvent, type LocalAws } from '../local-s3.js';
import { DEPLOYED_FILE_CONCURRENCY } from './events.js';
import { forEachLimit } from './lake-compare.js';
import { folderKeys } from './inputs.js';
import { sharedObservability } from './observability.js';

export { eventRecord, nextSequencer } from './events.js';
export { folderKeys } from './inputs.js';
export { quietObservability, restoreObservability, sharedObservability } from './observability.js';

export const DATABASE = 'sparkify_faults';

/**
 * Glue as far as partitions go: what BatchCreatePartition created, and every call made. Like Glue
 * it refuses a partition whose values do not match the table's partition keys (a PartitionInput's
 * Values hold at least one string, one per key: the Glue API reference, Partition API), failing the
 * whole call as a request that breaks a constraint does.
 */
export class FakeGlueCatalog {
  /** `table/v1/v2` → how many times a call created it (Glue would refuse a second time). */
  readonly created = new Map<string, number>();
  readonly calls: BatchCreatePartitionCommandInput[] = [];
  /** Errors the next calls throw instead of answering, in order. */
  readonly failNext: Error[] = [];
  alreadyExistsAnswers = 0;

  constructor(readonly mock: AwsClientStub<GlueClient>) {
    mock.on(BatchCreatePartitionCommand).callsFake(async (input: BatchCreatePartitionCommandInput) => {
      this.calls.push(input);
      await Promise.resolve();
      const error = this.failNext.shift();
      if (error) throw error;
      const keys = BASE_TABLES.find((table) => table.name === input.TableName)?.partitionKeys;
      for (const partition of input.PartitionInputList ?? []) {
        const values = partition.Values ?? [];
        if (!keys || values.length === 0 || values.length !== keys.length) {
          throw new InvalidInputException({
            message: keys ? `${input.TableName}: ${values.length} partition value(s) for ${keys.length} partition key(s)` : `no table ${input.TableName}`,
            $metadata: { httpStatusCode: 400 },
          });
        }
      }
      const errors: PartitionError[] = [];
      for (const partition of input.PartitionInputList ?? []) {
        const id = [input.TableName, ...(partition.Values ?? [])].join('/');
        if (this.created.has(id)) {
          this.alreadyExistsAnswers += 1;
          errors.push({ PartitionValues: partition.Values, ErrorDetail: { ErrorCode: 'AlreadyExistsException', ErrorMessage: 'Partition already exists.' } });
        } else {
          this.created.set(id, 1);
        }
      }
      return { Errors: errors };
    });
  }

  /** Sorted ids of the partitions the catalog holds. */
  partitions(): string[] {
    return [...this.created.keys()].sort();
  }

  /** How many BatchCreatePartition calls named this partition. */
  callsNaming(id: string): number {
    return this.calls.filter((input) => (input.PartitionInputList ?? []).some((p) => [input.TableName, ...(p.Values ?? [])].join('/') === id)).length;
  }
}

export interface World {
  readonly aws: LocalAws;
  readonly landing: string;
  readonly lake: string;
  readonly glue: GlueClient;
  readonly catalog: FakeGlueCatalog;
  restore(): void;
}

/** Fresh landing and lake buckets on the shared fauxqs server and a fresh fake Glue catalog. */
export async function createWorld(aws: LocalAws, options: { landing?: string } = {}): Promise<World> {
  const landing = options.landing ?? (await createBucket(aws.s3Client, 'landing'));
  const lake = await createBucket(aws.s3Client, 'lake');
  const glue = new GlueClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' } });
  const mock = mockClient(glue);
  return { aws, landing, lake, glue, catalog: new FakeGlueCatalog(mock), restore: () => mock.restore() };
}

/** The world's lake bucket as the workers (and compaction) see it. */
export function lakeStore(world: World): ObjectStore {
  return new S3ObjectStore(world.aws.s3Client, world.lake);
}

export interface WorkerOptions {
  /** Wraps the landing store of a bucket (e.g. in a FaultyObjectStore). */
  readonly source?: (store: ObjectStore, bucket: string) => ObjectStore;
  /** Wraps the lake store. */
  readonly lake?: (store: ObjectStore) => ObjectStore;
  /** Landing files read at once within a batch. Default as deployed (lib/settings.ts): 32 songs, 1 log. */
  readonly fileConcurrency?: number;
}

export interface Worker {
  readonly kind: SourceKind;
  readonly handler: SqsHandler;
  run(records: readonly SQSRecord[]): Promise<SQSBatchResponse>;
}

/** One Lambda container of the song or log worker, composed as awsWorkerDependencies does. */
export function worker(world: World, kind: SourceKind, options: WorkerOptions = {}): Worker {
  const obs = sharedObservability();
  const catalog = { databaseName: DATABASE, lakeRootUri: `s3://${world.lake}` };
  const lakeStore = new S3ObjectStore(world.aws.s3Client, world.lake);
  const handler = createWorkerHandler({
    kind,
    sourceStore: (bucket) => {
      const store = new S3ObjectStore(world.aws.s3Client, bucket);
      return options.source ? options.source(store, bucket) : store;
    },
    lake: options.lake ? options.lake(lakeStore) : lakeStore,
    registerPartitions: cachedPartitionRegistrar((partitions) => registerPartitions(world.glue, catalog, partitions)),
    logger: obs.logger,
    metrics: obs.metrics,
    fileConcurrency: options.fileConcurrency ?? DEPLOYED_FILE_CONCURRENCY[kind],
  });
  return { kind, handler, run: (records) => handler(sqsEvent(...records), lambdaContext(`${kind}-worker`)) };
}


/** Uploads every file of a folder to the bucket under its relative key; returns the keys. */
export async function landFolder(aws: LocalAws, bucket: string, dir: string, keys = folderKeys(dir)): Promise<string[]> {
  await forEachLimit(keys, 16, async (key) => {
    await putLocalFile(aws.s3Client, bucket, key, join(dir, key));
  });
  return keys;
}

/** Fails the test with the failed message ids and the errors logged for them. */
export function expectNoFailures(response: SQSBatchResponse, what: string): void {
  if (response.batchItemFailures.length === 0) return;
  const errors = sharedObservability()
    .logs()
    .filter((entry) => entry.level === 'ERROR')
    .slice(-5)
    .map((entry) => `${entry.message} (${String(entry.key ?? entry.bucket ?? '')}): ${JSON.stringify(entry.error ?? {}).slice(0, 400)}`);
  throw new Error(`${what}: ${response.batchItemFailures.length} message(s) failed: ${JSON.stringify(response.batchItemFailures)}\n${errors.join('\n')}`);
}
