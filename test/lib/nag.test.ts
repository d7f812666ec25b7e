/**
 * The cdk-nag wiring itself, on small stacks that need no bundling: the AwsSolutions checks that
 * configureApp registers really fail a synth, each IAM5 finding needs its own acknowledgment, and
 * lib/nag.ts writes finding ids exactly as cdk-nag does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
// Test-only deep import: cdk-nag's own formatting of resources in finding ids.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { afterAll, describe, expect, it } from 'vitest';
import { acknowledgeWildcardResources, nagFlatten } from '../../lib/nag.js';
import { cdkJsonContext } from './synth.js';

const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

function appWithNag(): App {
  const outdir = mkdtempSync(join(tmpdir(), 'sparkify-nag-test-'));
  outdirs.push(outdir);
  const app = new App({ context: cdkJsonContext(), outdir, builtinCloudFormationValidation: false });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

/** A bucket and a role that reads its objects (a wildcard resource, as in the workers). */
function readerStack(app: App): { bucket: s3.Bucket; policy: iam.Policy } {
  const stack = new Stack(app, 'Nagged');
  const logs = new s3.Bucket(stack, 'Logs', { enforceSSL: true });
  Validations.of(logs).acknowledge({ id: 'AwsSolutions-S1', reason: 'test: the log bucket does not log itself' });
  const bucket = new s3.Bucket(stack, 'Data', { enforceSSL: true, serverAccessLogsBucket: logs });
  const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  const policy = new iam.Policy(stack, 'ReaderPolicy', {
    roles: [role],
    statements: [
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects('song_data/*')] }),
    ],
  });
  return { bucket, policy };
}

describe('cdk-nag in the app', () => {
  it('fails the synth on an unacknowledged finding (a bucket without access logs or TLS-only policy)', () => {
    const app = appWithNag();
    new s3.Bucket(new Stack(app, 'Bare'), 'Bare');
    let message = '';
    try {
      app.synth();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/AwsSolutions-S1\b/);
    expect(message).toMatch(/AwsSolutions-S10\b/);
  });

  it('needs an acknowledgment of the exact wildcard resource (IAM5)', () => {
    const app = appWithNag();
    readerStack(app);
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5\[Resource::<Data[0-9A-F]{8}\.Arn>\/song_data\/\*\]/);

    const other = appWithNag();
    const { bucket, policy } = readerStack(other);
    acknowledgeWildcardResources(
      policy,
      [bucket.arnForObjects('log_data/*')],
      'test: a different prefix acknowledges nothing here',
    );
    expect(() => other.synth()).toThrow(/AwsSolutions-IAM5/);

    const fixed = appWithNag();
    const parts = readerStack(fixed);
    acknowledgeWildcardResources(
      parts.policy,
      [parts.bucket.arnForObjects('song_data/*')],
      'test: object keys are only known at run time',
    );
    expect(() => fixed.synth()).not.toThrow();
  });

  it('nagFlatten writes CloudFormation values as cdk-nag does', () => {
    const stack = new Stack(new App(), 'S');
    const bucket = new s3.Bucket(stack, 'B');
    for (const value of [
      bucket.arnForObjects('song_data/*'),
      s3.Bucket.fromBucketName(stack, 'I', 'existing').arnForObjects('log_data/*'),
      bucket.bucketArn,
      bucket.bucketName,
      'arn:aws:s3:::plain/*',
      Stack.of(bucket).formatArn({ service: 'glue', resource: 'table', resourceName: 'db/t' }),
    ]) {
      const resolved = stack.resolve(value);
      expect(nagFlatten(resolved)).toBe(flattenCfnReference(resolved));
    }
  });
});
