/** The composition root of a deployed worker: real S3, Glue, logger and metrics from the environment. */
import { S3Client } from '@aws-sdk/client-s3';
import { GlueClient } from '@aws-sdk/client-glue';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SourceKind } from '../src/domain/layout.js';
import { registerPartitions } from '../src/catalog/partitions.js';
import { cachedPartitionRegistrar } from '../src/catalog/partition-cache.js';
import { S3ObjectStore, s3StorePerBucket } from '../src/storage/s3-store.js';
import { readWorkerEnvironment } from './environment.js';
import type { WorkerDependencies } from './worker-handler.js';

export const METRICS_NAMESPACE = 'SparkifyLake';

/** Used when FILE_CONCURRENCY is not set; the stack sets it from lib/settings.ts. */
const DEFAULT_FILE_CONCURRENCY: Readonly<Record<SourceKind, number>> = { song: 32, log: 1 };

export function awsWorkerDependencies(kind: SourceKind): WorkerDependencies {
  const env = readWorkerEnvironment(process.env, { fileConcurrency: DEFAULT_FILE_CONCURRENCY[kind] });
  const serviceName = `${kind}-worker`;
  const s3 = new S3Client({});
  const glue = new GlueClient({});
  const catalog = { databaseName: env.glueDatabase, lakeRootUri: `s3://${env.lakeBucket}` };
  return {
    kind,
    sourceStore: s3StorePerBucket(s3),
    lake: new S3ObjectStore(s3, env.lakeBucket),
    registerPartitions: cachedPartitionRegistrar((partitions) => registerPartitions(glue, catalog, partitions)),
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName }),
    fileConcurrency: env.fileConcurrency,
  };
}
