/**
 * One queue per kind of source file, each with a dead-letter queue. S3 publishes to them, the
 * workers poll them, and the backfill command sends AWS-shaped events to them.
 *
 * Encryption is SQS-managed (SSE-SQS): S3 cannot publish to a queue encrypted with the
 * AWS-managed KMS key (alias/aws/sqs), whose key policy S3 cannot be added to, and a customer
 * managed key would cost $1/month plus a KMS request per message batch for no stronger control.
 */
import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SOURCE_KIND_FACTS, type SourceKind } from '../src/contract/index.js';
import { DEAD_LETTER_RETENTION, WORKER_SETTINGS, queueVisibilityTimeout, type WorkerSettings } from './settings.js';

export interface IngestQueueProps {
  readonly settings: WorkerSettings;
}

export class IngestQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: IngestQueueProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // SQS keeps a dead-lettered message's original enqueue time, so the DLQ must keep messages
      // longer than the main queue does or they expire soon after arriving there.
      retentionPeriod: DEAD_LETTER_RETENTION,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: queueVisibilityTimeout(props.settings),
      retentionPeriod: props.settings.retentionPeriod,
      // Long polling is what the Lambda poller uses anyway; this helps other consumers (the CLI).
      receiveMessageWaitTime: Duration.seconds(20),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.settings.maxReceiveCount },
    });
  }
}

export class IngestQueues extends Construct {
  readonly song: IngestQueue;
  readonly log: IngestQueue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const queue = (kind: SourceKind) =>
      new IngestQueue(this, SOURCE_KIND_FACTS[kind].title, { settings: WORKER_SETTINGS[kind] });
    this.song = queue('song');
    this.log = queue('log');
  }

  of(kind: SourceKind): IngestQueue {
    return kind === 'song' ? this.song : this.log;
  }
}
