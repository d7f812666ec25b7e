/**
 * The scheduled compaction of the lake, as a handler over its dependencies (the entry point,
 * lambdas/compaction-worker.ts, composes the real ones). Each run compacts as many partitions as
 * fit in its time budget and leaves the rest to the next run; compaction is safe to interrupt.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { COMPACTION_METRICS } from '../src/contract/index.js';
import { compactLake, DEFAULT_COMPACTION, type CompactionOptions } from '../src/pipeline/compact.js';
import type { ObjectStore } from '../src/storage/object-store.js';

export interface CompactionDependencies {
  readonly lake: ObjectStore;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Compaction settings; DEFAULT_COMPACTION unless a test changes them (the deadline is always the handler's). */
  readonly options?: Omit<CompactionOptions, 'deadline'>;
}

export interface CompactionResult {
  readonly groups: number;
  readonly stoppedAtDeadline: boolean;
}

/**
 * Time kept back for the group in progress: no read starts after the deadline, and what was read
 * is then written (a group is capped at DEFAULT_COMPACTION.maxGroupBytes, well under a minute).
 */
export const SAFETY_MARGIN_MS = 2 * 60 * 1000;

export function createCompactionHandler(
  deps: CompactionDependencies,
): (event: unknown, context: Context) => Promise<CompactionResult> {
  const { lake, logger, metrics } = deps;
  return async (_event, context) => {
    logger.addContext(context);
    const deadline = Date.now() + context.getRemainingTimeInMillis() - SAFETY_MARGIN_MS;
    try {
      const run = await compactLake(lake, { ...(deps.options ?? DEFAULT_COMPACTION), deadline }, (group) => {
        logger.info('files merged', { ...group });
        metrics.addMetric(COMPACTION_METRICS.filesCompacted, MetricUnit.Count, group.filesMerged);
        metrics.addMetric(COMPACTION_METRICS.rowsDropped, MetricUnit.Count, group.droppedRows);
      });
      metrics.addMetric(COMPACTION_METRICS.groupsCompacted, MetricUnit.Count, run.groups.length);
      metrics.addMetric(COMPACTION_METRICS.retiredFilesDeleted, MetricUnit.Count, run.filesDeleted);
      logger.info('compaction run finished', {
        runId: run.runId,
        groups: run.groups.length,
        filesDeleted: run.filesDeleted,
        stoppedAtDeadline: run.stoppedAtDeadline,
      });
      return { groups: run.groups.length, stoppedAtDeadline: run.stoppedAtDeadline };
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}
