/**
 * The scheduled compaction of the lake (lambdas/compaction-worker.ts, src/pipeline/compact.ts):
 * once a day it rewrites each partition's many small Parquet files (one per source file) into few
 * large sorted ones, as many partitions as fit in one run, the rest on the next run. It is safe to
 * interrupt and safe beside the ingest workers (see src/pipeline/compact.ts).
 *
 * Its role: list the lake (and get 404, not 403, for a missing manifest), read/write/delete the
 * base tables' files and the manifests. No Glue: partitions do not change, only their files.
 */
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { MANIFEST_PREFIX } from '../src/domain/layout.js';
import { BASE_TABLES } from '../src/domain/tables.js';
import { bundledFunction, defaultPolicyOf } from './bundled-function.js';
import { acknowledgeWildcardResources } from './nag.js';
import { COMPACTION_SETTINGS } from './settings.js';

export interface CompactionProps {
  readonly lakeBucket: s3.IBucket;
}

/** Lake prefixes compaction rewrites: every base table, and the manifests that point into them. */
export function compactionPrefixes(): string[] {
  return [...BASE_TABLES.map((t) => `${t.name}/`), MANIFEST_PREFIX];
}

export class Compaction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: CompactionProps) {
    super(scope, id);
    const built = bundledFunction(this, {
      entry: 'lambdas/compaction-worker.ts',
      description: 'Sparkify lake: daily compaction of small Parquet files into large sorted ones',
      roleDescription: 'Sparkify compaction: reads and rewrites the base tables and manifests of the lake.',
      memorySizeMb: COMPACTION_SETTINGS.memorySizeMb,
      timeout: COMPACTION_SETTINGS.timeout,
      environment: { LAKE_BUCKET: props.lakeBucket.bucketName },
      // A failed run is not retried: the next scheduled run picks up where it stopped.
      retryAttempts: 0,
    });
    this.function = built.function;
    this.role = built.role;
    this.logGroup = built.logGroup;

    const objects = compactionPrefixes().map((prefix) => props.lakeBucket.arnForObjects(`${prefix}*`));
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'MissingObjectIs404', actions: ['s3:ListBucket'], resources: [props.lakeBucket.bucketArn] }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RewriteBaseTablesAndManifests',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: objects,
      }),
    );
    acknowledgeWildcardResources(
      defaultPolicyOf(this.role),
      objects,
      'Compaction rewrites files whose keys are only known by listing: the trailing wildcard is limited to the base tables and the manifests of the lake bucket.',
    );

    this.rule = new events.Rule(this, 'Schedule', {
      description: 'Runs the lake compaction once a day',
      schedule: COMPACTION_SETTINGS.schedule,
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
  }
}
