/**
 * The lake bucket (Parquet base tables, the ledger base_sources, the compaction journal) and the access-log bucket that every bucket
 * of the stack logs to.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { accessLogBucket, privateBucket } from './buckets.js';

export interface LakeStorageProps {
  /** RETAIN (the default) keeps the lake when the stack is deleted. */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Off by default: compaction and erasure delete the objects they replace by design, so
   * versioning would keep a noncurrent copy of every replaced Parquet file, erased rows included.
   */
  readonly versioned?: boolean;
}

export class LakeStorage extends Construct {
  readonly accessLogs: s3.Bucket;
  readonly lake: s3.Bucket;

  constructor(scope: Construct, id: string, props: LakeStorageProps = {}) {
    super(scope, id);
    this.accessLogs = accessLogBucket(this, 'AccessLogs');
    this.lake = privateBucket(this, 'Lake', {
      accessLogs: this.accessLogs,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      versioned: props.versioned ?? false,
    });
  }

  /** `s3://<lake bucket>`: the root the Glue tables and partitions point at. */
  get lakeRootUri(): string {
    return `s3://${this.lake.bucketName}`;
  }
}
