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

/**
 * Time kept back for the group in progress: no read starts after the deadline, and what was read
 * is then written (a group is capped at DEFAULT_COMPACTION.maxGroupBytes, well under a minute).
 */
const SAFETY_MARGIN_MS = 2 * 60 * 1000;

export async function handler(_event: unknown, context: Context): Promise<{ groups: number; stoppedAtDeadline: boolean }> {
  logger.addContext(context);
  const deadline = Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS;
  try {
    const run = await compactLake(lake, { ...DEFAULT_COMPACTION, deadline }, (group) => {
      logger.info('files merged', { ...group });
      metrics.addMetric('FilesCompacted', MetricUnit.Count, group.filesMerged);
      metrics.addMetric('RowsDropped', MetricUnit.Count, group.droppedRows);
    });
    metrics.addMetric('GroupsCompacted', MetricUnit.Count, run.groups.length);
    metrics.addMetric('RetiredFilesDeleted', MetricUnit.Count, run.filesDeleted);
    logger.info('compaction run finished', { runId: run.runId, groups: run.groups.length, filesDeleted: run.filesDeleted, stoppedAtDeadline: run.stoppedAtDeadline });
    return { groups: run.groups.length, stoppedAtDeadline: run.stoppedAtDeadline };
  } finally {
    metrics.publishStoredMetrics();
  }
}
