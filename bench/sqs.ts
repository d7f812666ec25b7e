/**
 * The worker handler as Lambda calls it: SQS batches whose messages are S3 ObjectCreated
 * notifications (one object per message, increasing sequencers as S3 gives them), a Lambda
 * context, and the handler built with the stack's settings around the stores the bench chooses.
 */
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { SourceKind } from '../src/domain/layout.js';
import { s3EventBody, s3EventRecord, type EventOrigin } from '../src/pipeline/s3-event.js';
import type { ObjectStore } from '../src/storage/object-store.js';

export const BENCH_BUCKET = 'bench-landing';

/** One message per key, in SQS batches of `batchSize`; sequencers increase over all of them. */
export function sqsBatches(keys: readonly string[], batchSize: number, bucket = BENCH_BUCKET): SQSEvent[] {
  const batches: SQSEvent[] = [];
  for (let start = 0; start < keys.length; start += batchSize) {
    batches.push({
      Records: keys.slice(start, start + batchSize).map((key, i) => sqsRecord(bucket, key, start + i + 1)),
    });
  }
  return batches;
}

/** S3's sequencer: hex, growing with each event on a key; fixed width here so text order is number order. */
function sequencer(n: number): string {
  return n.toString(16).toUpperCase().padStart(16, '0');
}

const BENCH_ORIGIN: EventOrigin = {
  principalId: 'AWS:BENCH',
  sourceIp: '203.0.113.10',
  requestId: 'BENCH',
  hostId: 'BENCH',
  configurationId: 'landing-to-queue',
  bucketOwnerId: 'BENCH',
};

function sqsRecord(bucket: string, key: string, n: number): SQSRecord {
  const body = s3EventBody(s3EventRecord({ bucket, key, sequencer: sequencer(n), origin: BENCH_ORIGIN }));
  const now = String(Date.now());
  return {
    messageId: `bench-${n}`,
    receiptHandle: 'bench',
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: now,
      SenderId: 'BENCH',
      ApproximateFirstReceiveTimestamp: now,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:bench-queue',
    awsRegion: 'us-east-1',
  };
}

export function lambdaContext(functionName: string, memoryMb: number, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: `bench-${Math.random().toString(16).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface BenchWorker {
  /** Runs one SQS batch; returns the ids of failed messages. */
  readonly invoke: (event: SQSEvent) => Promise<string[]>;
  readonly batchSize: number;
  readonly fileConcurrency: number;
}

/**
 * createWorkerHandler with the stack's settings for the kind (lib/settings.ts: batch size, file
 * concurrency, memory, timeout), real Powertools Logger (INFO, as deployed) and Metrics writing to
 * stdout, and the real warm-container partition cache in front of a catalog that is not there.
 */
export async function benchWorker(kind: SourceKind, source: ObjectStore, lake: ObjectStore): Promise<BenchWorker> {
  const { createWorkerHandler } = await import('../lambdas/worker-handler.js');
  const { cachedPartitionRegistrar } = await import('../src/catalog/partition-cache.js');
  const { Logger } = await import('@aws-lambda-powertools/logger');
  const { Metrics } = await import('@aws-lambda-powertools/metrics');
  const { METRICS_NAMESPACE, SOURCE_KIND_FACTS } = await import('../src/contract/index.js');
  const { WORKER_SETTINGS } = await import('../lib/settings.js');
  const settings = WORKER_SETTINGS[kind];
  const { serviceName } = SOURCE_KIND_FACTS[kind];
  const handler = createWorkerHandler({
    kind,
    sourceStore: () => source,
    lake,
    registerPartitions: cachedPartitionRegistrar(async () => undefined),
    logger: new Logger({ serviceName, logLevel: 'INFO' }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName }),
    fileConcurrency: settings.fileConcurrency,
  });
  const functionName = serviceName;
  return {
    batchSize: settings.batchSize,
    fileConcurrency: settings.fileConcurrency,
    invoke: async (event) => {
      const response = await handler(
        event,
        lambdaContext(functionName, settings.memorySizeMb, settings.timeout.toMilliseconds()),
      );
      return response.batchItemFailures.map((failure) => failure.itemIdentifier);
    },
  };
}

/** The landing keys under a prefix (in Lambda they come from S3 events: listing is harness work). */
export async function landingKeys(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of store.list(prefix)) if (key.endsWith('.json')) keys.push(key);
  return keys;
}
