/**
 * S3 event notifications for the fault suite, and worker containers over any pair of stores.
 *
 * The lake orders the versions of a landing key by the sequencer of their S3 events. The events
 * made here carry sequencers minted from the clock in the local run's format (16 hex digits of
 * microseconds, src/domain/versions.ts) and a second ahead of it: an event made after a local
 * ingest into the same lake is a later version than every file that ingest wrote, as the event of
 * an upload made after it would be in S3. A test that needs an OLD event (a late or redelivered
 * one) makes it first and delivers it later, or passes `sequencer` explicitly.
 */
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { createWorkerHandler, type SqsHandler } from '../../../lambdas/worker-handler.js';
import { sourceKindOf, type PartitionRef, type SourceKind } from '../../../src/domain/layout.js';
import type { ObjectStore } from '../../../src/storage/object-store.js';
import { lambdaContext, s3EventBody, s3EventRecord, sqsEvent, sqsRecord } from '../local-s3.js';
import { quietObservability, sharedObservability } from './observability.js';

/** fileConcurrency as deployed (lib/settings.ts): song files 32 at a time, log files one at a time. */
export const DEPLOYED_FILE_CONCURRENCY: Readonly<Record<SourceKind, number>> = { song: 32, log: 1 };

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
  const record = s3EventRecord({ bucket, key, eventName: options.eventName ?? 'ObjectCreated:Put' });
  record.s3.object.sequencer = options.sequencer ?? nextSequencer();
  return sqsRecord(s3EventBody(record), { receiveCount: options.receiveCount ?? 1, queueName: `${sourceKindOf(key) ?? 'unknown'}-queue` });
}

/** The same SQS message delivered again: same id, body (and so sequencer), a higher receive count. */
export function redelivered(record: SQSRecord, receiveCount: number): SQSRecord {
  return { ...record, attributes: { ...record.attributes, ApproximateReceiveCount: String(receiveCount) } };
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
}

/** One container of the real worker handler over these stores (folder stores, or faulty ones). */
export function container(kind: SourceKind, source: ObjectStore, lake: ObjectStore, options: ContainerOptions = {}): Container {
  const obs = options.quiet ? quietObservability() : sharedObservability();
  const handler = createWorkerHandler({
    kind,
    sourceStore: () => source,
    lake,
    registerPartitions: options.registerPartitions ?? (async () => undefined),
    logger: obs.logger,
    metrics: obs.metrics,
    fileConcurrency: options.fileConcurrency ?? DEPLOYED_FILE_CONCURRENCY[kind],
  });
  return {
    kind,
    handler,
    run: async (records) => failedIds(await handler(sqsEvent(...records), lambdaContext(`${kind}-worker`))),
  };
}

export function failedIds(response: SQSBatchResponse): string[] {
  return response.batchItemFailures.map((failure) => failure.itemIdentifier);
}
