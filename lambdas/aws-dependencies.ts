/** The composition root of a deployed worker: real S3, Glue, logger and metrics from the environment. */
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { cachedPartitionRegistrar } from '../src/catalog/partition-cache.js';
import { registerPartitions } from '../src/catalog/partitions.js';
import { METRICS_NAMESPACE, readWorkerEnvironment, SOURCE_KIND_FACTS, type SourceKind } from '../src/contract/index.js';
import { S3ObjectStore, s3StorePerBucket } from '../src/storage/s3-store.js';
import type { WorkerDependencies } from './worker-handler.js';

export function awsWorkerDependencies(kind: SourceKind): WorkerDependencies {
  const { serviceName, fileConcurrency } = SOURCE_KIND_FACTS[kind];
  const env = readWorkerEnvironment(process.env, { fileConcurrency });
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
