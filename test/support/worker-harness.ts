/**
 * The one worker test harness: the real worker handler (`createWorkerHandler` of
 * lambdas/worker-handler.ts) composed as lambdas/aws-dependencies.ts composes it, over
 *
 * - a `World` (`createWorld`, `worker`): real S3ObjectStores on an in-process fauxqs server, the real
 *   partition registration (`registerPartitions` behind `cachedPartitionRegistrar`) sending to a
 *   GlueClient mocked with aws-sdk-client-mock, whose fake catalog remembers partitions as Glue
 *   would (AlreadyExists for a partition it holds), refuses partitions that do not match the
 *   table's keys, and can inject errors; or
 * - any pair of stores (`container`): folder stores, or faulty ones, without Glue.
 *
 * Each `worker()` or `container()` is one Lambda container: its own handler instance and its own
 * warm partition cache. Concurrent invocations use one each, as Lambda never runs two invocations
 * at once in one container.
 *
 * The S3 event notifications are built with src/pipeline/s3-event.ts (through test/support/
 * local-s3.ts). The events made here carry sequencers minted from the clock in the local run's
 * format (16 hex digits of microseconds, src/domain/versions.ts) and a second ahead of it: an event
 * made after a local ingest into the same lake is a later version than every file that ingest
 * wrote, as the event of an upload made after it would be in S3. A test that needs an OLD event (a
 * late or redelivered one) makes it first and delivers it later, or passes `sequencer` explicitly.
 */
import { join } from 'node:path';
import {
  BatchCreatePartitionCommand,
  GlueClient,
  InvalidInputException,
  type BatchCreatePartitionCommandInput,
  type PartitionError,
} from '@aws-sdk/client-glue';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { createWorkerHandler, type SqsHandler } from '../../lambdas/worker-handler.js';
import { cachedPartitionRegistrar } from '../../src/catalog/partition-cache.js';
import { registerPartitions } from '../../src/catalog/partitions.js';
import { SOURCE_KIND_FACTS } from '../../src/contract/index.js';
import { sourceKindOf, type PartitionRef, type SourceKind } from '../../src/domain/layout.js';
import { BASE_TABLES } from '../../src/domain/tables.js';
import type { ObjectStore } from '../../src/storage/object-store.js';
import { S3ObjectStore, s3StorePerBucket } from '../../src/storage/s3-store.js';
import { folderKeys } from './faults/inputs.js';
import { forEachLimit } from './faults/lake-compare.js';
import { quietObservability, sharedObservability } from './faults/observability.js';
import {
  createBucket,
  lambdaContext,
  putLocalFile,
  s3EventBody,
  s3EventRecord,
  sqsEvent,
  sqsRecord,
  type LocalAws,
} from './local-s3.js';

export { folderKeys } from './faults/inputs.js';
export { quietObservability, restoreObservability, sharedObservability } from './faults/observability.js';

/** A worker's logger and metrics: captured for assertions, or quiet. */
export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

let lastSequencer = 0;

/** A fresh S3-style sequencer (hex), greater than every one minted before in this process. */
export function nextSequencer(): string {
  lastSequencer = Math.max(lastSequencer + 1, Math.floor((Date.now() + 1000) * 1000));
  return lastSequencer.toString(16).toUpperCase().padStart(16, '0');
}

export interface EventOptions {
  /** Default ObjectCreated:Put. */
  readonly eventName?: string;
  readonly receiveCount?: number;
  /** Default: a fresh one (nextSequencer). */
  readonly sequencer?: string;
}

/** The SQS record of an S3 event notification for one key, as the worker's queue delivers it. */
export function eventRecord(bucket: string, key: string, options: EventOptions = {}): SQSRecord {
  const record = s3EventRecord({
    bucket,
    key,
    eventName: options.eventName ?? 'ObjectCreated:Put',
    sequencer: options.sequencer ?? nextSequencer(),
  });
  return sqsRecord(s3EventBody(record), {
    receiveCount: options.receiveCount ?? 1,
    queueName: `${sourceKindOf(key) ?? 'unknown'}-queue`,
  });
}

/** The same SQS message delivered again: same id, body (and so sequencer), a higher receive count. */
export function redelivered(record: SQSRecord, receiveCount: number): SQSRecord {
  return { ...record, attributes: { ...record.attributes, ApproximateReceiveCount: String(receiveCount) } };
}

// ---------------------------------------------------------------------------------------------
// Containers of the worker handler
// ---------------------------------------------------------------------------------------------

interface HandlerParts {
  readonly sourceStore: (bucket: string) => ObjectStore;
  readonly lake: ObjectStore;
  readonly registerPartitions: (partitions: readonly PartitionRef[]) => Promise<void>;
  readonly observability: Observability;
  /** Default as deployed (src/contract): 32 song files at a time, one log file. */
  readonly fileConcurrency?: number;
}

/** The handler as awsWorkerDependencies composes it, with these parts in. */
function handlerOf(kind: SourceKind, parts: HandlerParts): SqsHandler {
  return createWorkerHandler({
    kind,
    sourceStore: parts.sourceStore,
    lake: parts.lake,
    registerPartitions: parts.registerPartitions,
    logger: parts.observability.logger,
    metrics: parts.observability.metrics,
    fileConcurrency: parts.fileConcurrency ?? SOURCE_KIND_FACTS[kind].fileConcurrency,
  });
}

/** One invocation, with a Lambda context named as the deployed function's service. */
function invoke(kind: SourceKind, handler: SqsHandler, event: SQSEvent): Promise<SQSBatchResponse> {
  return handler(event, lambdaContext(SOURCE_KIND_FACTS[kind].serviceName));
}

export interface Container {
  readonly kind: SourceKind;
  readonly handler: SqsHandler;
  /** One invocation with these records; the ids of the messages it reports as failed. */
  run(records: readonly SQSRecord[]): Promise<string[]>;
}

export interface ContainerOptions {
  readonly fileConcurrency?: number;
  /** Partition registration (default: none, as for a folder lake). */
  readonly registerPartitions?: (partitions: readonly PartitionRef[]) => Promise<void>;
  /** Capture every log line and metric (default), or log only errors for high-volume runs. */
  readonly quiet?: boolean;
  /** Its own logger and metrics instead (e.g. captured per container, with the deployed names). */
  readonly observability?: Observability;
}

/** One container of the real worker handler over these stores (folder stores, or faulty ones). */
export function container(
  kind: SourceKind,
  source: ObjectStore,
  lake: ObjectStore,
  options: ContainerOptions = {},
): Container {
  const handler = handlerOf(kind, {
    sourceStore: () => source,
    lake,
    registerPartitions: options.registerPartitions ?? (async () => undefined),
    observability: options.observability ?? (options.quiet ? quietObservability() : sharedObservability()),
    fileConcurrency: options.fileConcurrency,
  });
  return { kind, handler, run: async (records) => failedIds(await invoke(kind, handler, sqsEvent(...records))) };
}

export function failedIds(response: SQSBatchResponse): string[] {
  return response.batchItemFailures.map((failure) => failure.itemIdentifier);
}

// ---------------------------------------------------------------------------------------------
// A world of buckets on fauxqs and a fake Glue catalog
// ---------------------------------------------------------------------------------------------

export const DATABASE = 'sparkify_faults';

/** What Glue checks of every partition: one value per partition key of its table, at least one. */
export function checkPartitionValues(input: BatchCreatePartitionCommandInput): void {
  const keys = BASE_TABLES.find((table) => table.name === input.TableName)?.partitionKeys;
  for (const partition of input.PartitionInputList ?? []) {
    const values = partition.Values ?? [];
    if (!keys || values.length === 0 || values.length !== keys.length) {
      throw new InvalidInputException({
        message: keys
          ? `${input.TableName}: ${values.length} partition value(s) for ${keys.length} partition key(s)`
          : `no table ${input.TableName}`,
        $metadata: { httpStatusCode: 400 },
      });
    }
  }
}

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
      checkPartitionValues(input);
      const errors: PartitionError[] = [];
      for (const partition of input.PartitionInputList ?? []) {
        const id = [input.TableName, ...(partition.Values ?? [])].join('/');
        if (this.created.has(id)) {
          this.alreadyExistsAnswers += 1;
          errors.push({
            PartitionValues: partition.Values,
            ErrorDetail: { ErrorCode: 'AlreadyExistsException', ErrorMessage: 'Partition already exists.' },
          });
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
    return this.calls.filter((input) =>
      (input.PartitionInputList ?? []).some((p) => [input.TableName, ...(p.Values ?? [])].join('/') === id),
    ).length;
  }
}

export interface World {
  readonly aws: LocalAws;
  /** The Glue database the workers register partitions in. */
  readonly databaseName: string;
  readonly landing: string;
  readonly lake: string;
  readonly glue: GlueClient;
  readonly catalog: FakeGlueCatalog;
  restore(): void;
}

/** Fresh landing and lake buckets on the shared fauxqs server and a fresh fake Glue catalog. */
export async function createWorld(
  aws: LocalAws,
  options: { landing?: string; databaseName?: string } = {},
): Promise<World> {
  const landing = options.landing ?? (await createBucket(aws.s3Client, 'landing'));
  const lake = await createBucket(aws.s3Client, 'lake');
  const glue = new GlueClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' },
  });
  const mock = mockClient(glue);
  return {
    aws,
    databaseName: options.databaseName ?? DATABASE,
    landing,
    lake,
    glue,
    catalog: new FakeGlueCatalog(mock),
    restore: () => mock.restore(),
  };
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
  /** Landing files read at once within a batch. Default as deployed (src/contract): 32 songs, 1 log. */
  readonly fileConcurrency?: number;
  /** Its own logger and metrics (default: the test file's shared, captured ones). */
  readonly observability?: Observability;
}

export interface Worker {
  readonly kind: SourceKind;
  readonly handler: SqsHandler;
  /** One invocation with these records, as one SQS batch. */
  run(records: readonly SQSRecord[]): Promise<SQSBatchResponse>;
  /** One invocation with this SQS event. */
  invoke(event: SQSEvent): Promise<SQSBatchResponse>;
}

/** One Lambda container of the song or log worker, composed as awsWorkerDependencies does. */
export function worker(world: World, kind: SourceKind, options: WorkerOptions = {}): Worker {
  const catalog = { databaseName: world.databaseName, lakeRootUri: `s3://${world.lake}` };
  const lakeStore = new S3ObjectStore(world.aws.s3Client, world.lake);
  const sources = s3StorePerBucket(world.aws.s3Client);
  const handler = handlerOf(kind, {
    sourceStore: (bucket) => (options.source ? options.source(sources(bucket), bucket) : sources(bucket)),
    lake: options.lake ? options.lake(lakeStore) : lakeStore,
    registerPartitions: cachedPartitionRegistrar((partitions) => registerPartitions(world.glue, catalog, partitions)),
    observability: options.observability ?? sharedObservability(),
    fileConcurrency: options.fileConcurrency,
  });
  return {
    kind,
    handler,
    run: (records) => invoke(kind, handler, sqsEvent(...records)),
    invoke: (event) => invoke(kind, handler, event),
  };
}

/** Uploads every file of a folder to the bucket under its relative key; returns the keys. */
export async function landFolder(
  aws: LocalAws,
  bucket: string,
  dir: string,
  keys = folderKeys(dir),
): Promise<string[]> {
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
    .map(
      (entry) =>
        `${entry.message} (${String(entry.key ?? entry.bucket ?? '')}): ${JSON.stringify(entry.error ?? {}).slice(0, 400)}`,
    );
  throw new Error(
    `${what}: ${response.batchItemFailures.length} message(s) failed: ${JSON.stringify(response.batchItemFailures)}\n${errors.join('\n')}`,
  );
}
