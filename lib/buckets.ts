/**
 * Every bucket this stack owns is private, encrypted with S3-managed keys, TLS-only, and writes
 * server access logs to one access-log bucket. This helper is the only place that creates buckets.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { ACCESS_LOG_EXPIRY } from './settings.js';

export interface PrivateBucketProps {
  /** Where this bucket's server access logs go. */
  readonly accessLogs: s3.IBucket;
  /** Folder of this bucket's logs in the access-log bucket; default: the construct id, lower case. */
  readonly accessLogPrefix?: string;
  readonly removalPolicy?: RemovalPolicy;
  readonly versioned?: boolean;
  readonly lifecycleRules?: s3.LifecycleRule[];
}

const COMMON: s3.BucketProps = {
  blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  encryption: s3.BucketEncryption.S3_MANAGED,
  enforceSSL: true,
  objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
};

export function privateBucket(scope: Construct, id: string, props: PrivateBucketProps): s3.Bucket {
  return new s3.Bucket(scope, id, {
    ...COMMON,
    versioned: props.versioned ?? false,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    serverAccessLogsBucket: props.accessLogs,
    // One folder per source bucket in the access-log bucket.
    serverAccessLogsPrefix: props.accessLogPrefix ?? `${id.toLowerCase()}/`,
    lifecycleRules: [
      { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ...(props.lifecycleRules ?? []),
    ],
  });
}

/** The target of every other bucket's server access logs (SSE-S3: the only encryption S3 logging supports). */
export function accessLogBucket(scope: Construct, id: string): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    ...COMMON,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [{ id: 'expire-access-logs', expiration: ACCESS_LOG_EXPIRY }],
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      'This is the server-access-log target of every other bucket in the stack; logging it into itself would log its own log deliveries without end, and AWS advises against it.',
  });
  return bucket;
}
