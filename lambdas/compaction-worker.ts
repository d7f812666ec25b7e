/**
 * Lambda entry point: the scheduled compaction of the lake. Each run compacts as many partitions as
 * fit in its time budget and leaves the rest to the next run; compaction is safe to interrupt.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { compactLake, DEFAULT_COMPACTION } from '../src/pipeline/compact.js';
import { S3ObjectStore } from '../src/storage/s3-store.js';
import { METRICS_NAMESPACE } from './aws-dependencies.js';

const lakeBucket = process.env.LAKE_BUCKET;
if (!lakeBucket) throw new Error('compaction worker misconfigured: environment variable LAKE_BUCKET not set');
const lake = new S3ObjectStore(new S3Client({}), lakeBucket);
const logger = new Logger({ serviceName: 'compaction-worker' });
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'compaction-worker' });

/** Time kept back for the partition in progress to finish. */
const SAFETY_MARGIN_MS = 5 * 60 * 1000;

export async function handler(_event: unknown, context: Context): Promise<{ partitions: number }> {
  logger.addContext(context);
  const deadline = Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS;
  try {
    const results = await compactLake(lake, { ...DEFAULT_COMPACTION, deadline }, (result) => {
      logger.info('partition compacted', { ...result });
      metrics.addMetric('FilesCompacted', MetricUnit.Count, result.filesBefore - result.filesAfter);
      metrics.addMetric('RowsDroppedAsLeftovers', MetricUnit.Count, result.droppedRows);
    });
    metrics.addMetric('PartitionsCompacted', MetricUnit.Count, results.length);
    return { partitions: results.length };
  } finally {
    metrics.publishStoredMetrics();
  }
}
