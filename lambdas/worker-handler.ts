/**
 * The SQS-triggered worker, shared by the song and log functions: parse the S3 events of a whole
 * SQS batch, process their files as ONE batch (one Parquet object per table partition, one ledger
 * commit), register the partitions it wrote, and report failed messages individually (partial
 * batch response): a file that fails sends only its own message back to the queue, and after
 * maxReceiveCount to the dead-letter queue, while the rest of its batch commits.
 */
import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { FILE_OUTCOME_METRICS, rowsWrittenMetric, WORKER_METRICS } from '../src/contract/index.js';
import { sourceKindOf, type PartitionRef, type SourceKind } from '../src/domain/layout.js';
import { processBatch, type BatchResult, type FileOutcome, type LandingEvent } from '../src/pipeline/process-batch.js';
import { parseS3EventMessage, type ObjectEvent, type ParsedMessage } from '../src/pipeline/s3-event.js';
import type { BaseTableName } from '../src/domain/tables.js';
import type { ObjectStore } from '../src/storage/object-store.js';

export interface WorkerDependencies {
  readonly kind: SourceKind;
  /** The landing store for a bucket named in an event. */
  readonly sourceStore: (bucket: string) => ObjectStore;
  readonly lake: ObjectStore;
  /** Makes the catalog know these partitions; idempotent. */
  readonly registerPartitions: (partitions: readonly PartitionRef[]) => Promise<void>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Landing files read and transformed at once within the batch. */
  readonly fileConcurrency: number;
}

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

interface MessageEvent {
  readonly messageId: string;
  readonly receiveCount: number;
  readonly event: ObjectEvent;
}

export function createWorkerHandler(deps: WorkerDependencies): SqsHandler {
  return async (sqsEvent, context) => {
    deps.logger.addContext(context);
    const failed = new Set<string>();
    try {
      const events = parseMessages(deps, sqsEvent, failed);
      for (const [bucket, inBucket] of groupBy(events, (item) => item.event.bucket)) {
        await processBucketBatch(deps, bucket, inBucket, failed);
      }
    } finally {
      deps.metrics.publishStoredMetrics();
    }
    const batchItemFailures: SQSBatchItemFailure[] = [...failed].map((itemIdentifier) => ({ itemIdentifier }));
    return { batchItemFailures };
  };
}

/** The object events of every message; a message that is not an S3 notification fails alone. */
function parseMessages(deps: WorkerDependencies, sqsEvent: SQSEvent, failed: Set<string>): MessageEvent[] {
  const events: MessageEvent[] = [];
  for (const record of sqsEvent.Records) {
    const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? '1');
    let message: ParsedMessage;
    try {
      message = parseS3EventMessage(record.body);
    } catch (error) {
      deps.logger.error(
        'message is not an S3 event notification; it will be retried, then sent to the dead-letter queue',
        {
          messageId: record.messageId,
          receiveCount,
          error: error as Error,
          body: record.body.slice(0, 1000),
        },
      );
      deps.metrics.addMetric(WORKER_METRICS.messagesMalformed, MetricUnit.Count, 1);
      failed.add(record.messageId);
      continue;
    }
    if (message.kind === 'test-event') {
      deps.logger.info('ignoring s3:TestEvent', { messageId: record.messageId });
      continue;
    }
    for (const event of message.events) {
      if (sourceKindOf(event.key) !== deps.kind) {
        deps.logger.warn(`not a ${deps.kind} file: skipped`, {
          messageId: record.messageId,
          bucket: event.bucket,
          key: event.key,
          eventName: event.eventName,
        });
        deps.metrics.addMetric(WORKER_METRICS.filesSkipped, MetricUnit.Count, 1);
        continue;
      }
      events.push({ messageId: record.messageId, receiveCount, event });
    }
  }
  return events;
}

async function processBucketBatch(
  deps: WorkerDependencies,
  bucket: string,
  items: readonly MessageEvent[],
  failed: Set<string>,
): Promise<void> {
  const messagesOf = groupBy(items, (item) => item.event.key);
  const landingEvents: LandingEvent[] = items.map(({ event }) => ({ key: event.key, seq: event.sequencer }));
  const started = performance.now();
  let result: BatchResult;
  try {
    result = await processBatch(
      landingEvents,
      { source: deps.sourceStore(bucket), lake: deps.lake },
      {
        concurrency: deps.fileConcurrency,
        beforeCommit: deps.registerPartitions,
      },
    );
  } catch (error) {
    // Writing or committing the batch failed: nothing of it is visible, every file is retried.
    deps.logger.error('batch could not be written; every message of it will be retried', {
      bucket,
      files: messagesOf.size,
      error: error as Error,
    });
    deps.metrics.addMetric(WORKER_METRICS.batchesFailed, MetricUnit.Count, 1);
    for (const item of items) failed.add(item.messageId);
    return;
  }
  const millis = performance.now() - started;
  for (const outcome of result.outcomes) {
    const messages = messagesOf.get(outcome.sourceKey) ?? [];
    const where = {
      bucket,
      key: outcome.sourceKey,
      messageIds: messages.map((m) => m.messageId),
      receiveCount: Math.max(...messages.map((m) => m.receiveCount)),
      writeId: result.writeId,
    };
    if (outcome.status === 'failed') {
      deps.logger.error('file failed; its message will be retried, then sent to the dead-letter queue', {
        ...where,
        error: outcome.error,
      });
      for (const message of messages) failed.add(message.messageId);
    }
    recordOutcome(deps, outcome, where);
  }
  deps.metrics.addMetric(WORKER_METRICS.batchDuration, MetricUnit.Milliseconds, millis);
  deps.metrics.addMetric(WORKER_METRICS.batchFiles, MetricUnit.Count, messagesOf.size);
  deps.metrics.addMetric(WORKER_METRICS.objectsWritten, MetricUnit.Count, result.objectsWritten.length);
  deps.logger.info('batch committed', {
    bucket,
    writeId: result.writeId,
    files: messagesOf.size,
    committed: result.committed.length,
    objectsWritten: result.objectsWritten.length,
    millis: Math.round(millis),
  });
}

function recordOutcome(deps: WorkerDependencies, outcome: FileOutcome, where: Record<string, unknown>): void {
  const { metrics, logger } = deps;
  metrics.addMetric(FILE_OUTCOME_METRICS[outcome.status], MetricUnit.Count, 1);
  if (outcome.status === 'failed') return;
  metrics.addMetric(WORKER_METRICS.bytesRead, MetricUnit.Bytes, outcome.bytesRead);
  for (const [table, rows] of Object.entries(outcome.rows) as [BaseTableName, number | undefined][]) {
    metrics.addMetric(rowsWrittenMetric(table), MetricUnit.Count, rows ?? 0);
  }
  metrics.addMetric(WORKER_METRICS.recordsRejected, MetricUnit.Count, outcome.rejects.length);
  // A field the schema does not know is kept in rescued_data: a rise says the app changed its events.
  if (outcome.rescuedFields > 0)
    metrics.addMetric(WORKER_METRICS.fieldsRescued, MetricUnit.Count, outcome.rescuedFields);
  if (outcome.logStats) metrics.addMetric(WORKER_METRICS.eventsRead, MetricUnit.Count, outcome.logStats.events);
  const summary = { ...where, status: outcome.status, rows: outcome.rows, rejected: outcome.rejects.length };
  if (outcome.rejects.length > 0) {
    logger.warn('file processed with records set aside', {
      ...summary,
      firstReasons: outcome.rejects.slice(0, 5).map((r) => r.reason),
    });
  } else {
    logger.info('file processed', summary);
  }
}

function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
