/**
 * The landing bucket, where song_data/ and log_data/ JSON files arrive, and its event
 * notifications to the ingest queues.
 *
 * Either the stack owns it (created here, private and logged like every bucket of the stack), or
 * it is an existing bucket named with `-c inputBucket=NAME`. For an existing bucket CDK adds the
 * notifications through a custom resource that reads the bucket's notification configuration
 * and writes it back with ours added (docs/OPERATIONS.md lists what that can and cannot do: same
 * account and region only, no overlapping prefix/suffix rules, and the bucket's own policies,
 * encryption and logging stay whatever its owner set).
 */
import { Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SOURCE_KIND_FACTS, type SourceKind } from '../src/contract/index.js';
import { SOURCE_SUFFIXES } from '../src/domain/layout.js';
import { privateBucket } from './buckets.js';

export interface LandingProps {
  /** An existing bucket to ingest from; when absent the stack creates the landing bucket. */
  readonly existingBucketName?: string;
  readonly accessLogs: s3.IBucket;
}

export class Landing extends Construct {
  readonly bucket: s3.IBucket;
  /** True when the bucket existed before the stack (named with -c inputBucket=...). */
  readonly imported: boolean;

  constructor(scope: Construct, id: string, props: LandingProps) {
    super(scope, id);
    this.imported = props.existingBucketName !== undefined;
    this.bucket = props.existingBucketName
      ? s3.Bucket.fromBucketName(this, 'Bucket', props.existingBucketName)
      : privateBucket(this, 'Bucket', { accessLogs: props.accessLogs, accessLogPrefix: 'landing/' });
  }

  /**
   * Sends an event for every object created or deleted under the kind's prefix with a .json or .json.gz suffix
   * to the queue: the lake follows the landing area, so a file someone deletes (a retracted export)
   * takes its rows with it. Lifecycle expirations are a different event type
   * (s3:LifecycleExpiration:*) and are not sent: archiving old landing files keeps their rows.
   * One notification per suffix (an S3 filter takes one suffix); `.json` and `.json.gz` do not
   * overlap (neither is a suffix of the other), as S3 requires of two rules for one event type.
   */
  notify(kind: SourceKind, queue: sqs.IQueue): void {
    const destination = new s3n.SqsDestination(queue);
    for (const suffix of SOURCE_SUFFIXES) {
      const filter = { prefix: SOURCE_KIND_FACTS[kind].landingPrefix, suffix };
      this.bucket.addEventNotification(s3.EventType.OBJECT_CREATED, destination, filter);
      this.bucket.addEventNotification(s3.EventType.OBJECT_REMOVED, destination, filter);
    }
    acknowledgeNotificationsHandler(Stack.of(this));
  }
}

/**
 * CDK writes bucket notifications with one stack-wide custom-resource Lambda whose role has the
 * AWS-managed basic execution policy; its other policy allows only s3:PutBucketNotification on
 * the landing bucket.
 */
function acknowledgeNotificationsHandler(stack: Stack): void {
  const handler = stack.node.children.find((child) => child.node.id.startsWith(NOTIFICATIONS_HANDLER_ID_PREFIX));
  const role = handler?.node.tryFindChild('Role');
  if (!role) throw new Error('CDK bucket notifications handler not found: its cdk-nag acknowledgment needs updating');
  Validations.of(role).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      "CDK's own handler for Custom::S3BucketNotifications runs only during deployments; the managed policy lets it write its CloudWatch logs (CreateLogGroup/CreateLogStream/PutLogEvents) and CDK offers no way to replace it.",
  });
}

const NOTIFICATIONS_HANDLER_ID_PREFIX = 'BucketNotificationsHandler';
