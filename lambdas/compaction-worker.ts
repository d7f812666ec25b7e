/** Lambda entry point: the scheduled compaction of the lake, composed from the environment. */
import { S3Client } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { COMPACTION_SERVICE, METRICS_NAMESPACE, readCompactionEnvironment } from '../src/contract/index.js';
import { S3ObjectStore } from '../src/storage/s3-store.js';
import { createCompactionHandler } from './compaction-handler.js';

const env = readCompactionEnvironment(process.env);

export const handler = createCompactionHandler({
  lake: new S3ObjectStore(new S3Client({}), env.lakeBucket),
  logger: new Logger({ serviceName: COMPACTION_SERVICE }),
  metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: COMPACTION_SERVICE }),
});
