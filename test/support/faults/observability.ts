/**
 * Powertools Logger and Metrics for the fault suite's workers: captured (every line kept for
 * assertions, nothing printed) or quiet (errors only, metrics off) for high-volume runs.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { captureObservability, type CapturedObservability } from '../powertools.js';

// Not lambdas/aws-dependencies.ts's constant: importing it would load the Glue client for nothing.
const METRICS_NAMESPACE = 'SparkifyLakeFaults';

/** Logger and metrics shared by every worker of a test file: every line captured, nothing printed. */
let observability: CapturedObservability | undefined;
export function sharedObservability(): CapturedObservability {
  observability ??= captureObservability({ serviceName: 'fault-worker', namespace: METRICS_NAMESPACE });
  return observability;
}
/**
 * Logger and metrics for high-volume runs: only errors are logged (to stdout, so a failure shows
 * its cause), metrics are disabled (no EMF output). Cheaper than capturing every line.
 */
export function quietObservability(): { logger: Logger; metrics: Metrics } {
  const saved = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  try {
    return {
      logger: new Logger({ serviceName: 'fault-worker', logLevel: 'ERROR' }),
      metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'fault-worker' }),
    };
  } finally {
    if (saved === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = saved;
  }
}

export function restoreObservability(): void {
  observability?.restore();
  observability = undefined;
}
