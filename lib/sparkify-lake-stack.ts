/**
 * S3 JSON files -> SQS -> Lambda workers -> Parquet lake + Glue catalog -> Athena.
 * Composition only: each concern is its own construct in lib/.
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Schedule } from 'aws-cdk-lib/aws-events';
import type { Construct } from 'constructs';
import { perSourceKind, SOURCE_KIND_FACTS, SOURCE_KINDS, type SourceKind } from '../src/contract/index.js';
import { Analytics } from './analytics.js';
import { Compaction } from './compaction.js';
import { IngestQueues } from './ingest-queues.js';
import { Landing } from './landing.js';
import { LakeCatalog } from './lake-catalog.js';
import { LakeStorage } from './lake-storage.js';
import { Monitoring } from './monitoring.js';
import { DEFAULT_ATHENA_WORKGROUP, DEFAULT_GLUE_DATABASE, WORKER_SETTINGS } from './settings.js';
import { IngestWorker } from './workers.js';

const S3_ACCESS_LOGS_USE_BUCKET_POLICY = '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy';

export interface SparkifyLakeStackProps extends StackProps {
  /** Ingest from this existing bucket instead of creating a landing bucket. */
  readonly inputBucketName?: string;
  /** @default sparkify_lake */
  readonly glueDatabaseName?: string;
  /** @default sparkify-lake */
  readonly athenaWorkGroupName?: string;
  /** @default RemovalPolicy.RETAIN */
  readonly lakeRemovalPolicy?: RemovalPolicy;
  /** An existing SNS topic for alarm notifications. */
  readonly alarmTopicArn?: string;
  /** @default COMPACTION_SETTINGS.schedule (hourly) */
  readonly compactionSchedule?: Schedule;
}

export class SparkifyLakeStack extends Stack {
  readonly storage: LakeStorage;
  readonly landing: Landing;
  readonly queues: IngestQueues;
  readonly catalog: LakeCatalog;
  readonly workers: Readonly<Record<SourceKind, IngestWorker>>;
  readonly compaction: Compaction;
  readonly analytics: Analytics;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: SparkifyLakeStackProps = {}) {
    super(scope, id, {
      description: 'Sparkify lake: S3 JSON files -> SQS -> Lambda workers -> Parquet + Glue catalog -> Athena',
      ...props,
    });
    // Access logs are delivered through the log bucket's policy, not an ACL (every bucket here has
    // ACLs disabled). cdk.json sets this flag too; setting it here keeps the stack correct in an
    // app without that cdk.json.
    this.node.setContext(S3_ACCESS_LOGS_USE_BUCKET_POLICY, true);
    const databaseName = props.glueDatabaseName ?? DEFAULT_GLUE_DATABASE;

    this.storage = new LakeStorage(this, 'Storage', { removalPolicy: props.lakeRemovalPolicy ?? RemovalPolicy.RETAIN });
    this.landing = new Landing(this, 'Landing', {
      existingBucketName: props.inputBucketName,
      accessLogs: this.storage.accessLogs,
    });
    this.queues = new IngestQueues(this, 'Queues');
    this.catalog = new LakeCatalog(this, 'Catalog', { databaseName, lakeRootUri: this.storage.lakeRootUri });

    const worker = (kind: SourceKind) => {
      this.landing.notify(kind, this.queues.of(kind).queue);
      return new IngestWorker(this, `${SOURCE_KIND_FACTS[kind].title}Worker`, {
        kind,
        settings: WORKER_SETTINGS[kind],
        queue: this.queues.of(kind).queue,
        landingBucket: this.landing.bucket,
        lakeBucket: this.storage.lake,
        catalog: this.catalog,
      });
    };
    this.workers = perSourceKind(worker);

    this.compaction = new Compaction(this, 'Compaction', {
      lakeBucket: this.storage.lake,
      schedule: props.compactionSchedule,
    });

    this.analytics = new Analytics(this, 'Analytics', {
      workGroupName: props.athenaWorkGroupName ?? DEFAULT_ATHENA_WORKGROUP,
      databaseName,
      accessLogs: this.storage.accessLogs,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      paths: SOURCE_KINDS.map((kind) => ({ kind, queue: this.queues.of(kind), worker: this.workers[kind] })),
      compaction: this.compaction,
      alarmTopicArn: props.alarmTopicArn,
    });

    this.outputs();
  }

  private outputs(): void {
    const out = (id: string, value: string, description: string) => new CfnOutput(this, id, { value, description });
    out('LandingBucketName', this.landing.bucket.bucketName, 'Upload song_data/... and log_data/... JSON files here');
    out(
      'LakeBucketName',
      this.storage.lake.bucketName,
      'Parquet base tables (the ledger base_sources included) and the compaction journal',
    );
    const perKind = (name: string, value: (kind: SourceKind) => string, description: (kind: SourceKind) => string) => {
      for (const kind of SOURCE_KINDS) out(`${SOURCE_KIND_FACTS[kind].title}${name}`, value(kind), description(kind));
    };
    perKind(
      'QueueUrl',
      (k) => this.queues.of(k).queue.queueUrl,
      (k) => `Pass to \`sparkify-lake backfill --${SOURCE_KIND_FACTS[k].queueUrlOption}\``,
    );
    perKind(
      'DeadLetterQueueArn',
      (k) => this.queues.of(k).deadLetterQueue.queueArn,
      (k) => `Redrive source for failed ${k} files`,
    );
    perKind(
      'DeadLetterQueueUrl',
      (k) => this.queues.of(k).deadLetterQueue.queueUrl,
      (k) => `Inspect failed ${k} files here`,
    );
    perKind(
      'WorkerLogGroupName',
      (k) => this.workers[k].logGroup.logGroupName,
      (k) => `Logs of the ${k} worker`,
    );
    out(
      'GlueDatabaseName',
      this.catalog.databaseName,
      'Glue database of the lake (Athena: choose it in the workgroup)',
    );
    out('AthenaWorkGroupName', this.analytics.workGroup.ref, 'Run queries in this workgroup');
    out(
      'AthenaResultsBucketName',
      this.analytics.resultsBucket.bucketName,
      'Athena query results (expire after 30 days)',
    );
    out('DashboardName', this.monitoring.dashboard.dashboardName, 'CloudWatch dashboard of the ingest path');
  }
}
