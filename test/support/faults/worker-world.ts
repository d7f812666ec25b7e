/**
 * The fault suite's Lambda harness: the real worker handler (`createWorkerHandler`) with the real
 * S3ObjectStores on an in-process fauxqs server, the real partition registration
 * (`registerPartitions` behind `cachedPartitionRegistrar`) sending to a GlueClient mocked with
 * aws-sdk-client-mock, whose fake catalog remembers partitions as Glue would (AlreadyExists for a
 * partition it holds) and can inject errors.
 *
 * Each `worker()` is one Lambda container: its own handler instance and its own warm partition
 * cache. Concurrent invocations use one worker each, as Lambda never runs two invocations at once
 * in one container (the Powertools BatchProcessor keeps per-invocation state on its instance).
 */
import { join } from 'node:path';
import { BatchCreatePartitionCommand, GlueClient, type BatchCreatePartitionCommandInput, type PartitionError } from '@aws-sdk/client-glue';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { createWorkerHandler, type SqsHandler } from '../../../lambdas/worker-handler.js';
import { registerPartitions } from '../../../src/catalog/partitions.js';
import { cachedPartitionRegistrar } from '../../../src/catalog/partition-cache.js';
import { sourceKindOf, type SourceKind } from '../../../src/domain/layout.js';
import type { ObjectStore } from '../../../src/storage/object-store.js';
import { S3ObjectStore } from '../../../src/storage/s3-store.js';
import { createBucket, lambdaContext, putLocalFile, s3EventBody, s3EventRecord, sqsEvent, sqsRecord, type LocalAws } from '../local-s3.js';
import { forEachLimit } from './lake-compare.js';
import { folderKeys } from './inputs.js';
import { sharedObservability } from './observability.js';

export { folderKeys } from './inputs.js';
export { quietObservability, restoreObservability, sharedObservability } from './observability.js';

export const DATABASE = 'sparkify_faults';

/** Glue as far as partitions go: what BatchCreatePartition created, and every call made. */
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

export interface WorkerOptions {
  /** Wraps the landing store of a bucket (e.g. in a FaultyObjectStore). */
  readonly source?: (store: ObjectStore, bucket: string) => ObjectStore;
  /** Wraps the lake store. */
  readonly lake?: (store: ObjectStore) => ObjectStore;
  /** Default: songs in parallel, logs one at a time, as deployed. */
  readonly processInParallel?: boolean;
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
    processInParallel: options.processInParallel ?? kind === 'song',
  });
  return { kind, handler, run: (records) => handler(sqsEvent(...records), lambdaContext(`${kind}-worker`)) };
}

/** The SQS record of an S3 event notification for one key (ObjectCreated:Put unless told). */
export function eventRecord(bucket: string, key: string, options: { eventName?: string; receiveCount?: number } = {}): SQSRecord {
  return sqsRecord(s3EventBody(s3EventRecord({ bucket, key, eventName: options.eventName ?? 'ObjectCreated:Put' })), {
    receiveCount: options.receiveCount ?? 1,
    queueName: `${sourceKindOf(key) ?? 'unknown'}-queue`,
  });
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
    .map((entry) => JSON.stringify(entry).slice(0, 400));
  throw new Error(`${what}: ${response.batchItemFailures.length} message(s) failed: ${JSON.stringify(response.batchItemFailures)}\n${errors.join('\n')}`);
}
