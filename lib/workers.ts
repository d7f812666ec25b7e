/**
 * The two SQS-triggered workers (lambdas/song-worker.ts, lambdas/log-worker.ts), bundled locally
 * with esbuild as ESM, each with its own least-privilege role and log group.
 *
 * What a worker does, and so all it may do (src/pipeline/process-batch.ts):
 * - read the landing objects named in the events: s3:GetObject on `<landing>/<kind>_data/*` only;
 * - write its batch's new objects: s3:PutObject on its own tables' prefixes in the lake (its base
 *   tables, its own partition of base_rejects and of the ledger base_sources). Nothing else: it
 *   never reads, overwrites or deletes a lake object (every name it writes is new), so a worker
 *   cannot destroy data whatever goes wrong;
 * - s3:ListBucket on the landing bucket, without which S3 answers 403 AccessDenied instead of 404
 *   for a missing object, and a removed landing file could not be recorded as removed (ListBucket
 *   reveals key names, never content);
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
import { SOURCE_KIND_FACTS, workerEnvironmentVariables, type SourceKind } from '../src/contract/index.js';
import { partitionPrefix } from '../src/domain/layout.js';
import { BASE_REJECTS, BASE_SOURCES } from '../src/domain/tables.js';
import { bundledFunction, defaultPolicyOf } from './bundled-function.js';
import type { LakeCatalog } from './lake-catalog.js';
import { acknowledgeWildcardResources } from './nag.js';
import type { WorkerSettings } from './settings.js';

export { ESM_REQUIRE_BANNER, WORKER_RUNTIME } from './bundled-function.js';

/** `base_rejects/source=log_data/`, `base_sources/source=log_data/`: a kind's partition of a table partitioned by source. */
export function sourcePartitionPrefix(table: typeof BASE_REJECTS | typeof BASE_SOURCES, kind: SourceKind): string {
  return partitionPrefix(
    table.name,
    table.partitionKeys.map((k) => k.name),
    [SOURCE_KIND_FACTS[kind].landingSource],
  );
}

/** Lake key prefixes a worker writes new objects under: its base tables, its quarantine and ledger partitions. */
export function lakeWritePrefixes(kind: SourceKind): string[] {
  return [
    ...SOURCE_KIND_FACTS[kind].baseTables.map((table) => `${table}/`),
    sourcePartitionPrefix(BASE_REJECTS, kind),
    sourcePartitionPrefix(BASE_SOURCES, kind),
  ];
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
    const { workerEntry, landingPrefix } = SOURCE_KIND_FACTS[kind];

    const built = bundledFunction(this, {
      entry: workerEntry,
      description: `Sparkify lake: ${landingPrefix} files from the ${kind} queue to Parquet and Glue partitions`,
      roleDescription: `Sparkify ${kind} worker: reads ${landingPrefix} of the landing bucket, writes its part of the lake and catalog.`,
      memorySizeMb: settings.memorySizeMb,
      timeout: settings.timeout,
      environment: workerEnvironmentVariables({
        lakeBucket: props.lakeBucket.bucketName,
        glueDatabase: props.catalog.databaseName,
        fileConcurrency: settings.fileConcurrency,
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
    const sourceObjects = landingBucket.arnForObjects(`${SOURCE_KIND_FACTS[kind].landingPrefix}*`);
    const writable = lakeWritePrefixes(kind).map((prefix) => lakeBucket.arnForObjects(`${prefix}*`));
    const tables = [...SOURCE_KIND_FACTS[kind].baseTables, BASE_REJECTS.name, BASE_SOURCES.name].map((t) =>
      catalog.tableArn(t),
    );

    const statements = [
      new iam.PolicyStatement({ sid: 'ReadOwnLandingPrefix', actions: ['s3:GetObject'], resources: [sourceObjects] }),
      new iam.PolicyStatement({
        sid: 'WriteNewObjectsUnderOwnLakePrefixes',
        actions: ['s3:PutObject'],
        resources: writable,
      }),
      new iam.PolicyStatement({
        sid: 'MissingObjectIs404',
        actions: ['s3:ListBucket'],
        resources: [landingBucket.bucketArn],
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
      'The prefix limits the worker to its own landing folder, and to writing new objects under its own lake tables and partitions.';
    acknowledgeWildcardResources(defaultPolicyOf(this.role), [sourceObjects, ...writable], reason);
  }
}
