/**
 * The scheduled compaction of the lake (lambdas/compaction-worker.ts, src/pipeline/compact.ts):
 * on a schedule it rewrites each partition's many small Parquet files (one per batch of landing
 * files) into few large sorted ones, drops rows no view reads any more, and deletes the files it
 * replaced once running queries can no longer be reading them. As much as fits in one run, the
 * rest on the next. It is safe to interrupt and safe beside the ingest workers (src/pipeline/compact.ts).
 *
 * Its role: list the lake, read/write/delete the base tables' files and its own journal. No Glue:
 * partitions do not change, only their files.
 */
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { COMPACTION_ENTRY, compactionEnvironmentVariables } from '../src/contract/index.js';
import { COMPACTION_JOURNAL_PREFIX } from '../src/domain/layout.js';
import { BASE_TABLES } from '../src/domain/tables.js';
import { bundledFunction, defaultPolicyOf } from './bundled-function.js';
import { acknowledgeWildcardResources } from './nag.js';
import { COMPACTION_SETTINGS } from './settings.js';

export interface CompactionProps {
  readonly lakeBucket: s3.IBucket;
  /** @default COMPACTION_SETTINGS.schedule */
  readonly schedule?: events.Schedule;
}

/** Lake prefixes compaction rewrites: every base table, and its journal of replaced files. */
export function compactionPrefixes(): string[] {
  return [...BASE_TABLES.map((t) => `${t.name}/`), COMPACTION_JOURNAL_PREFIX];
}

export class Compaction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: CompactionProps) {
    super(scope, id);
    const built = bundledFunction(this, {
      entry: COMPACTION_ENTRY,
      description: 'Sparkify lake: scheduled compaction of small Parquet files into large sorted ones',
      roleDescription: 'Sparkify compaction: reads and rewrites the base tables of the lake, and its journal.',
      memorySizeMb: COMPACTION_SETTINGS.memorySizeMb,
      timeout: COMPACTION_SETTINGS.timeout,
      environment: compactionEnvironmentVariables({ lakeBucket: props.lakeBucket.bucketName }),
      // A failed run is not retried: the next scheduled run picks up where it stopped.
      retryAttempts: 0,
    });
    this.function = built.function;
    this.role = built.role;
    this.logGroup = built.logGroup;

    const objects = compactionPrefixes().map((prefix) => props.lakeBucket.arnForObjects(`${prefix}*`));
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'MissingObjectIs404',
        actions: ['s3:ListBucket'],
        resources: [props.lakeBucket.bucketArn],
      }),
    );
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RewriteBaseTablesAndJournal',
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: objects,
      }),
    );
    acknowledgeWildcardResources(
      defaultPolicyOf(this.role),
      objects,
      'Compaction rewrites files whose keys are only known by listing: the trailing wildcard is limited to the base tables and the compaction journal of the lake bucket.',
    );

    this.rule = new events.Rule(this, 'Schedule', {
      description: 'Runs the lake compaction',
      schedule: props.schedule ?? COMPACTION_SETTINGS.schedule,
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
  }
}
