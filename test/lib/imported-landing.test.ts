/**
 * The app with `-c inputBucket=...` (ingest from an existing bucket) and the other context
 * options: the stack creates no landing bucket, subscribes the existing one through CDK's
 * notifications custom resource (unmanaged mode: other notifications on the bucket are kept), and
 * scopes every permission to that bucket by name. One synth for the file.
 */
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureApp } from '../../lib/app.js';
import { flatten, logicalIdOf, referencedId, resourcesOfType, synthesize, type Synthesized } from './synth.js';

const EXISTING = 'sparkify-existing-landing';
const DB = 'other_lake';
const WORKGROUP = 'other-workgroup';
const BUCKET_ARN = `arn:<AWS::Partition>:s3:::${EXISTING}`;

let s: Synthesized;

beforeAll(() => {
  s = synthesize({
    inputBucket: EXISTING,
    glueDatabase: DB,
    athenaWorkGroup: WORKGROUP,
    stackName: 'SparkifyLakeOther',
    compactionSchedule: 'rate(6 hours)',
  });
});

afterAll(() => s?.cleanup());

function statementsOfRole(roleId: string): Record<string, any>[] {
  return resourcesOfType(s.json, 'AWS::IAM::Policy')
    .filter(([, p]) => ((p.Properties?.Roles ?? []) as unknown[]).some((r) => referencedId(r) === roleId))
    .flatMap(([, p]) => p.Properties?.PolicyDocument.Statement as Record<string, any>[]);
}

const resourcesOf = (statement: Record<string, any> | undefined) =>
  (Array.isArray(statement?.Resource) ? statement.Resource : [statement?.Resource]).map(flatten).sort();

describe('existing landing bucket (-c inputBucket=...)', () => {
  it('creates no landing bucket: only lake, results and access logs', () => {
    expect(s.stack.stackName).toBe('SparkifyLakeOther');
    expect(s.stack.landing.imported).toBe(true);
    expect(resourcesOfType(s.json, 'AWS::S3::Bucket')).toHaveLength(3);
    expect(s.json.Outputs?.LandingBucketName?.Value).toBe(EXISTING);
  });

  it('adds the notifications (both kinds, .json and .json.gz) to the existing bucket without replacing its other notifications', () => {
    const [[, notifications] = ['', undefined]] = resourcesOfType(s.json, 'Custom::S3BucketNotifications');
    expect(notifications?.Properties?.BucketName).toBe(EXISTING);
    expect(notifications?.Properties?.Managed).toBe(false);
    const configs = notifications?.Properties?.NotificationConfiguration.QueueConfigurations as Record<string, any>[];
    const routes = configs.map((c) => [
      referencedId(c.QueueArn),
      c.Filter.Key.FilterRules.map((r: any) => `${r.Name}=${r.Value}`).sort(),
    ]);
    expect(routes).toEqual(
      expect.arrayContaining([
        [logicalIdOf(s.stack, s.stack.queues.song.queue), ['prefix=song_data/', 'suffix=.json']],
        [logicalIdOf(s.stack, s.stack.queues.log.queue), ['prefix=log_data/', 'suffix=.json']],
        [logicalIdOf(s.stack, s.stack.queues.song.queue), ['prefix=song_data/', 'suffix=.json.gz']],
        [logicalIdOf(s.stack, s.stack.queues.log.queue), ['prefix=log_data/', 'suffix=.json.gz']],
      ]),
    );
  });

  it("CDK's notifications handler may change notifications on that bucket only", () => {
    const handlerRole =
      resourcesOfType(s.json, 'AWS::IAM::Role').find(([id]) => id.startsWith('BucketNotificationsHandler'))?.[0] ?? '';
    const statements = statementsOfRole(handlerRole);
    expect(statements.flatMap((st) => st.Action).sort()).toEqual([
      's3:GetBucketNotification',
      's3:PutBucketNotification',
    ]);
    for (const statement of statements) expect(resourcesOf(statement)).toEqual([BUCKET_ARN]);
  });

  it('S3 may send to the queues only from that bucket', () => {
    for (const [, policy] of resourcesOfType(s.json, 'AWS::SQS::QueuePolicy')) {
      for (const statement of (policy.Properties?.PolicyDocument.Statement ?? []) as Record<string, any>[]) {
        if (statement.Principal?.Service !== 's3.amazonaws.com') continue;
        expect(flatten(statement.Condition.ArnLike['aws:SourceArn'])).toBe(BUCKET_ARN);
      }
    }
  });

  it.each(['song', 'log'] as const)('%s worker reads only its prefix of the existing bucket', (kind) => {
    const statements = statementsOfRole(logicalIdOf(s.stack, s.stack.workers[kind].role));
    const read = statements.find((st) => st.Sid === 'ReadOwnLandingPrefix');
    expect(read?.Action).toBe('s3:GetObject');
    expect(resourcesOf(read)).toEqual([`${BUCKET_ARN}/${kind}_data/*`]);
    const list = statements.find((st) => st.Sid === 'MissingObjectIs404');
    expect(resourcesOf(list)).toContain(BUCKET_ARN);
  });

  it('uses the database and workgroup names from context everywhere', () => {
    const db = resourcesOfType(s.json, 'AWS::Glue::Database')[0]?.[1];
    expect(db?.Properties?.DatabaseInput.Name).toBe(DB);
    for (const [, table] of resourcesOfType(s.json, 'AWS::Glue::Table'))
      expect(table.Properties?.DatabaseName).toBe(DB);
    for (const [, query] of resourcesOfType(s.json, 'AWS::Athena::NamedQuery'))
      expect(query.Properties?.Database).toBe(DB);
    expect(resourcesOfType(s.json, 'AWS::Athena::WorkGroup')[0]?.[1].Properties?.Name).toBe(WORKGROUP);
    for (const kind of ['song', 'log'] as const) {
      const fn = s.json.Resources[logicalIdOf(s.stack, s.stack.workers[kind].function)];
      expect(fn?.Properties?.Environment.Variables.GLUE_DATABASE).toBe(DB);
      const glue = statementsOfRole(logicalIdOf(s.stack, s.stack.workers[kind].role)).find(
        (st) => st.Action === 'glue:BatchCreatePartition',
      );
      // Its own base tables, its partitions of base_rejects and of the ledger base_sources.
      expect(resourcesOf(glue).filter((r: string) => r.includes(':table/'))).toHaveLength(kind === 'song' ? 3 : 4);
      for (const arn of resourcesOf(glue).filter((r: string) => !r.endsWith(':catalog')))
        expect(arn).toContain(`/${DB}`);
    }
  });

  it('runs compaction on the schedule given in context', () => {
    const rules = resourcesOfType(s.json, 'AWS::Events::Rule').map(([, rule]) => rule.Properties?.ScheduleExpression);
    expect(rules).toEqual(['rate(6 hours)']);
  });

  it('passes cdk-nag AwsSolutions with zero unacknowledged findings', () => {
    expect((s.report?.pluginReports ?? []).flatMap((r) => r.violations)).toEqual([]);
  });
});

describe('context validation', () => {
  it('refuses a bucket name S3 would refuse, before building anything', () => {
    expect(() => configureApp(new App({ context: { inputBucket: 'Not_A_Bucket' } }))).toThrow(/not an S3 bucket name/);
  });

  it.each(['daily', 'rate(1 fortnight)', 'cron(30 3 * *'])(
    'refuses compaction schedule %j, which EventBridge would refuse',
    (expression) => {
      expect(() => configureApp(new App({ context: { compactionSchedule: expression } }))).toThrow(
        /not an EventBridge schedule expression/,
      );
    },
  );

  it('refuses a Glue database name Athena cannot query', () => {
    expect(() => configureApp(new App({ context: { glueDatabase: 'Sparkify-Lake' } }))).toThrow(/Glue database name/);
  });
});
