/**
 * The SQS-triggered worker, shared by the song and log functions: parse the S3 event in each
 * message, run the per-file pipeline, register the partitions it wrote, and report failed messages
 * individually (partial batch response) so one poison file never sends its whole batch back.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { sourceKindOf, type SourceKind } from '../src/domain/layout.js';
import { parseS3EventMessage, type ParsedMessage } from '../src/pipeline/s3-event.js';
import { processSourceObject, type FileOutcome } from '../src/pipeline/process-source-object.js';
import type { ObjectStore } from '../src/storage/object-store.js';
import type { PartitionRef } from '../src/domain/layout.js';

export interface WorkerDependencies {
  readonly kind: SourceKind;
  /** The landing store for a bucket named in an event. */
  readonly sourceStore: (bucket: string) => ObjectStore;
  readonly lake: ObjectStore;
  /** Makes the catalog know these partitions; idempotent. */
  readonly registerPartitions: (partitions: readonly PartitionRef[]) => Promise<void>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly processInParallel: boolean;
}

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export function createWorkerHandler(deps: WorkerDependencies): SqsHandler {
  const processor = new BatchProcessor(EventType.SQS);
  const recordHandler = async (record: SQSRecord): Promise<void> => {
    const receiveCount = Number(record.attributes?.ApproximateReceiveCount ?? '1');
    let message: ParsedMessage;
    try {
      message = parseS3EventMessage(record.body);
    } catch (error) {
      deps.logger.error('message is not an S3 event notification; it will be retried, then sent to the dead-letter queue', {
        messageId: record.messageId,
        receiveCount,
        error: error as Error,
        body: record.body.slice(0, 1000),
      });
      deps.metrics.addMetric('MessagesMalformed', MetricUnit.Count, 1);
      throw error;
    }
    if (message.kind === 'test-event') {
      deps.logger.info('ignoring s3:TestEvent', { messageId: record.messageId });
      return;
    }
    for (const event of message.events) {
      const where = { messageId: record.messageId, receiveCount, bucket: event.bucket, key: event.key, eventName: event.eventName };
      if (sourceKindOf(event.key) !== deps.kind) {
        deps.logger.warn(`not a ${deps.kind} file: skipped`, where);
        deps.metrics.addMetric('FilesSkipped', MetricUnit.Count, 1);
        continue;
      }
      const started = performance.now();
      let outcome: FileOutcome;
      try {
        outcome = await processSourceObject(event.key, { source: deps.sourceStore(event.bucket), lake: deps.lake });
        await deps.registerPartitions(outcome.partitions);
      } catch (error) {
        deps.logger.error('file failed; the message will be retried, then sent to the dead-letter queue', { ...where, error: error as Error });
        deps.metrics.addMetric('FilesFailed', MetricUnit.Count, 1);
        throw new Error(`s3://${event.bucket}/${event.key}: ${(error as Error).message}`, { cause: error });
      }
      recordOutcome(deps, outcome, performance.now() - started, where);
    }
  };
  return async (event, context) => {
    deps.logger.addContext(context);
    try {
      return await processPartialResponse(event, recordHandler, processor, {
        context,
        throwOnFullBatchFailure: false,
        processInParallel: deps.processInParallel,
      });
    } finally {
      deps.metrics.publishStoredMetrics();
    }
  };
}

function recordOutcome(deps: WorkerDependencies, outcome: FileOutcome, millis: number, where: Record<string, unknown>): void {
  const { metrics, logger } = deps;
  metrics.addMetric('FileDuration', MetricUnit.Milliseconds, millis);
  metrics.addMetric('BytesRead', MetricUnit.Bytes, outcome.bytesRead);
  metrics.addMetric(`Files${outcome.status[0]?.toUpperCase()}${outcome.status.slice(1)}`, MetricUnit.Count, 1);
  for (const [table, rows] of Object.entries(outcome.rows)) metrics.addMetric(`RowsWritten_${table}`, MetricUnit.Count, rows);
  metrics.addMetric('RecordsRejected', MetricUnit.Count, outcome.rejects.length);
  if (outcome.logStats) metrics.addMetric('EventsRead', MetricUnit.Count, outcome.logStats.events);
  const summary = { ...where, status: outcome.status, rows: outcome.rows, rejected: outcome.rejects.length, millis: Math.round(millis), outputs: outcome.outputs.length };
  if (outcome.rejects.length > 0) {
    logger.warn('file processed with records set aside', { ...summary, firstReasons: outcome.rejects.slice(0, 5).map((r) => r.reason) });
  } else {
    logger.info('file processed', summary);
  }
}
