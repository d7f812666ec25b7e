/**
 * The two SQS-triggered workers (lambdas/song-worker.ts, lambdas/log-worker.ts), bundled locally
 * with esbuild as ESM, each with its own least-privilege role and log group.
 *
 * What a worker does, and so all it may do (src/pipeline/process-source-object.ts):
 * - read the landing object named in the event: s3:GetObject on `<landing>/<kind>_data/*` only;
 * - write its outputs: s3:PutObject/DeleteObject on its own tables' prefixes in the lake
 *   (base_songs/ or base_plays/, and its own partition of rejects/), and s3:GetObject there too:
 *   a replaced or deleted source is cut out of a compacted file by reading and rewriting it
 *   (src/pipeline/shared-files.ts);
 * - read, write and delete the manifest of each source key: `_manifests/*`;
 * - s3:ListBucket on both buckets, without which S3 answers 403 AccessDenied instead of 404 for a
 *   missing object, and a first-time file (no manifest yet) or a vanished source would fail
 *   instead of being handled (ListBucket reveals key names, never content);
 * - glue:BatchCreatePartition on the catalog, the database and its own base tables;
 * - write its own log group; metrics go through the log (Powertools EMF), no CloudWatch API call.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { WorkerEnvironment } from '../lambdas/environment.js';
import { MANIFEST_PREFIX, partitionPrefix, sourcePrefix, type SourceKind } from '../src/domain/layout.js';
import { REJECTS, type BaseTableName } from '../src/domain/tables.js';
import { bundledFunction, defaultPolicyOf } from './bundled-function.js';
import type { LakeCatalog } from './lake-catalog.js';
import { acknowledgeWildcardResources } from './nag.js';
import type { WorkerSettings } from './settings.js';

export { ESM_REQUIRE_BANNER, WORKER_RUNTIME } from './bundled-function.js';

const ENTRIES: Record<SourceKind, string> = { song: 'lambdas/song-worker.ts', log: 'lambdas/log-worker.ts' };

/** The base table each kind of worker writes, besides its own partition of rejects. */
export const WORKER_TABLE: Readonly<Record<SourceKind, BaseTableName>> = { song: 'base_songs', log: 'base_plays' };

/** Song files are tiny and processed in parallel; a log file can be large: one at a time. */
const PROCESS_IN_PARALLEL: Readonly<Record<SourceKind, boolean>> = { song: true, log: false };

/** `rejects/source=song_data/` or `rejects/source=log_data/`: the rejects partition of a kind. */
export function rejectsPrefix(kind: SourceKind): string {
  const source = sourcePrefix(kind).replace(/\/$/, '');
  return partitionPrefix(REJECTS.name, REJECTS.partitionKeys.map((k) => k.name), [source]);
}

/** Lake key prefixes a worker reads and writes: its base table, its rejects partition, the manifests. */
export function lakeWritePrefixes(kind: SourceKind): string[] {
  return [`${WORKER_TABLE[kind]}/`, rejectsPrefix(kind), MANIFEST_PREFIX];
}

/** The worker's configuration as lambdas/environment.ts reads it back. */
export function workerEnvironmentVariables(env: WorkerEnvironment): Record<string, string> {
  return {
    LAKE_BUCKET: env.lakeBucket,
    GLUE_DATABASE: env.glueDatabase,
    PROCESS_IN_PARALLEL: String(env.processInParallel),
  };
}

export interface IngestWorkerProps {
  readonly kind: SourceKind;
  readonly settings: WorkerSettings;
  readonly queue: sqs.IQueue;
  readonly landingBucket: s3.IBucket;
  readonly lakeBucket: s3.IBucket;
  readonly catalog: LakeCatalog;
}

export class IngestWorker extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: IngestWorkerProps) {
    super(scope, id);
    const { kind, settings } = props;

    const built = bundledFunction(this, {
      entry: ENTRIES[kind],
      description: `Sparkify lake: ${sourcePrefix(kind)} files from the ${kind} queue to Parquet and Glue partitions`,
      roleDescription: `Sparkify ${kind} worker: reads ${sourcePrefix(kind)} of the landing bucket, writes its part of the lake and catalog.`,
      memorySizeMb: settings.memorySizeMb,
      timeout: settings.timeout,
      environment: workerEnvironmentVariables({
        lakeBucket: props.lakeBucket.bucketName,
        glueDatabase: props.catalog.databaseName,
        processInParallel: PROCESS_IN_PARALLEL[kind],
      }),
    });
    this.function = built.function;
    this.role = built.role;
    this.logGroup = built.logGroup;
    this.addPermissions(props);

    this.eventSource = new SqsEventSource(props.queue, {
      batchSize: settings.batchSize,
      maxBatchingWindow: settings.maxBatchingWindow.toSeconds() > 0 ? settings.maxBatchingWindow : undefined,
      maxConcurrency: settings.maxConcurrency,
      reportBatchItemFailures: true,
    });
    this.function.addEventSource(this.eventSource);
  }

  private addPermissions(props: IngestWorkerProps): void {
    const { kind, landingBucket, lakeBucket, catalog } = props;
    const sourceObjects = landingBucket.arnForObjects(`${sourcePrefix(kind)}*`);
    const writable = lakeWritePrefixes(kind).map((prefix) => lakeBucket.arnForObjects(`${prefix}*`));
    const tables = [WORKER_TABLE[kind], REJECTS.name].map((t) => catalog.tableArn(t));

    const statements = [
      new iam.PolicyStatement({ sid: 'ReadOwnLandingPrefix', actions: ['s3:GetObject'], resources: [sourceObjects] }),
      new iam.PolicyStatement({
        sid: 'ReadWriteOwnLakePrefixes',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: writable,
      }),
      new iam.PolicyStatement({
        sid: 'MissingObjectIs404',
        actions: ['s3:ListBucket'],
        resources: [landingBucket.bucketArn, lakeBucket.bucketArn],
      }),
      new iam.PolicyStatement({
        sid: 'RegisterPartitions',
        actions: ['glue:BatchCreatePartition'],
        resources: [catalog.catalogArn, catalog.databaseArn, ...tables],
      }),
    ];
    for (const statement of statements) this.role.addToPrincipalPolicy(statement);

    const reason =
      'Object ARNs under a key prefix need a trailing wildcard: the object keys are only known when files arrive. ' +
      'The prefix limits the worker to its own landing folder, its own lake tables and partitions, and the manifests.';
    acknowledgeWildcardResources(defaultPolicyOf(this.role), [sourceObjects, ...writable], reason);
  }
}
