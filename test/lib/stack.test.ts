/**
 * The synthesized template of the default app (landing bucket owned by the stack), checked
 * property by property against the settings and the schema source, not against a snapshot.
 * One synth for the whole file, with the app's real cdk-nag checks and real esbuild bundling.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATHENA_ENGINE_VERSION } from '../../lib/analytics.js';
import { nagFlatten } from '../../lib/nag.js';
import {
  ACCESS_LOG_EXPIRY,
  ATHENA_BYTES_SCANNED_CUTOFF,
  ATHENA_RESULTS_EXPIRY,
  DEAD_LETTER_RETENTION,
  DEFAULT_ATHENA_WORKGROUP,
  DEFAULT_GLUE_DATABASE,
  COMPACTION_SETTINGS,
  LAMBDA_LOG_RETENTION_DAYS,
  WORKER_SETTINGS,
} from '../../lib/settings.js';
import { ESM_REQUIRE_BANNER, WORKER_RUNTIME } from '../../lib/workers.js';
import { sdkTableInput } from '../../src/catalog/glue-sdk.js';
import { decodePrestoView, glueTables } from '../../src/catalog/glue-tables.js';
import { readWorkerEnvironment } from '../../src/contract/index.js';
import { ANALYST_QUERIES } from '../../src/domain/analyst-queries.js';
import type { SourceKind } from '../../src/domain/layout.js';
import { ANALYST_VIEWS, BASE_TABLES } from '../../src/domain/tables.js';
import {
  assetDirectory,
  flatten,
  logicalIdOf,
  referencedId,
  refersTo,
  resource,
  resourcesOfType,
  synthesize,
  type CfnResource,
  type Synthesized,
} from './synth.js';

const KINDS: readonly SourceKind[] = ['song', 'log'];

let s: Synthesized;
/** Logical ids of the stack's main resources. */
let ids: {
  landing: string;
  lake: string;
  accessLogs: string;
  results: string;
  queue: Record<SourceKind, string>;
  dlq: Record<SourceKind, string>;
  fn: Record<SourceKind, string>;
  role: Record<SourceKind, string>;
  logGroup: Record<SourceKind, string>;
  workGroup: string;
  database: string;
  compactionFn: string;
  compactionRole: string;
};

beforeAll(() => {
  s = synthesize();
  const { stack } = s;
  const perKind = <T>(f: (kind: SourceKind) => T): Record<SourceKind, T> => ({ song: f('song'), log: f('log') });
  ids = {
    landing: logicalIdOf(stack, stack.landing.bucket),
    lake: logicalIdOf(stack, stack.storage.lake),
    accessLogs: logicalIdOf(stack, stack.storage.accessLogs),
    results: logicalIdOf(stack, stack.analytics.resultsBucket),
    queue: perKind((k) => logicalIdOf(stack, stack.queues.of(k).queue)),
    dlq: perKind((k) => logicalIdOf(stack, stack.queues.of(k).deadLetterQueue)),
    fn: perKind((k) => logicalIdOf(stack, stack.workers[k].function)),
    role: perKind((k) => logicalIdOf(stack, stack.workers[k].role)),
    logGroup: perKind((k) => logicalIdOf(stack, stack.workers[k].logGroup)),
    workGroup: logicalIdOf(stack, stack.analytics.workGroup),
    database: logicalIdOf(stack, stack.catalog.database),
    compactionFn: logicalIdOf(stack, stack.compaction.function),
    compactionRole: logicalIdOf(stack, stack.compaction.role),
  };
});

afterAll(() => s?.cleanup());

/** Every statement of every IAM policy (managed, inline, role inline) and resource policy. */
function allStatements(): { owner: string; statement: Record<string, any> }[] {
  const out: { owner: string; statement: Record<string, any> }[] = [];
  for (const [id, r] of Object.entries(s.json.Resources)) {
    const documents: unknown[] = [];
    if (
      ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::SQS::QueuePolicy', 'AWS::S3::BucketPolicy'].includes(r.Type)
    ) {
      documents.push(r.Properties?.PolicyDocument);
    }
    if (r.Type === 'AWS::IAM::Role')
      documents.push(...(r.Properties?.Policies ?? []).map((p: any) => p.PolicyDocument));
    for (const doc of documents)
      for (const statement of (doc as any)?.Statement ?? []) out.push({ owner: id, statement });
  }
  return out;
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Statements of the worker role's policies that allow this action, resources flattened. */
function workerResources(kind: SourceKind, action: string): string[] {
  return roleResources(ids.role[kind], action);
}

function roleResources(roleId: string, action: string): string[] {
  return allStatements()
    .filter(({ owner, statement }) => {
      const policy = s.json.Resources[owner];
      return (
        policy?.Type === 'AWS::IAM::Policy' &&
        asArray(policy.Properties?.Roles).some((r) => referencedId(r) === roleId) &&
        statement.Effect === 'Allow' &&
        asArray<string>(statement.Action).includes(action)
      );
    })
    .flatMap(({ statement }) => asArray(statement.Resource).map(flatten))
    .sort();
}

describe('buckets', () => {
  it('the stack owns four buckets: landing, lake, Athena results and access logs, all retained on delete', () => {
    const buckets = resourcesOfType(s.json, 'AWS::S3::Bucket')
      .map(([id]) => id)
      .sort();
    expect(buckets).toEqual([ids.landing, ids.lake, ids.results, ids.accessLogs].sort());
    for (const id of buckets) {
      expect(resource(s.json, id).DeletionPolicy, id).toBe('Retain');
      expect(resource(s.json, id).UpdateReplacePolicy, id).toBe('Retain');
    }
  });

  it('every bucket blocks all public access, is encrypted with S3-managed keys and disables ACLs', () => {
    for (const [id, bucket] of resourcesOfType(s.json, 'AWS::S3::Bucket')) {
      expect(bucket.Properties?.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties?.BucketEncryption, id).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
      expect(bucket.Properties?.OwnershipControls, id).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
    }
  });

  it('every bucket policy denies any request not made over TLS, on the bucket and its objects', () => {
    for (const [id] of resourcesOfType(s.json, 'AWS::S3::Bucket')) {
      const policies = resourcesOfType(s.json, 'AWS::S3::BucketPolicy').filter(
        ([, p]) => referencedId(p.Properties?.Bucket) === id,
      );
      expect(policies, `bucket policy of ${id}`).toHaveLength(1);
      const statements = policies[0]?.[1].Properties?.PolicyDocument.Statement as Record<string, any>[];
      const tls = statements.find(
        (st) => st.Effect === 'Deny' && st.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      );
      expect(tls, id).toBeDefined();
      expect(tls?.Action).toBe('s3:*');
      expect(tls?.Principal).toEqual({ AWS: '*' });
      expect(asArray(tls?.Resource).map(flatten).sort()).toEqual([`<${id}.Arn>`, `<${id}.Arn>/*`]);
    }
  });

  it('every bucket but the access-log bucket logs to the access-log bucket, each in its own folder', () => {
    const prefixes = new Set<string>();
    for (const [id, bucket] of resourcesOfType(s.json, 'AWS::S3::Bucket')) {
      if (id === ids.accessLogs) {
        expect(bucket.Properties?.LoggingConfiguration).toBeUndefined();
        continue;
      }
      expect(referencedId(bucket.Properties?.LoggingConfiguration?.DestinationBucketName), id).toBe(ids.accessLogs);
      prefixes.add(bucket.Properties?.LoggingConfiguration?.LogFilePrefix);
    }
    expect(prefixes.size).toBe(3);
    // S3's log delivery writes through the bucket policy (ACLs are disabled).
    const logPolicy = resourcesOfType(s.json, 'AWS::S3::BucketPolicy').find(
      ([, p]) => referencedId(p.Properties?.Bucket) === ids.accessLogs,
    );
    const delivery = ((logPolicy?.[1].Properties?.PolicyDocument.Statement ?? []) as Record<string, any>[]).find(
      (st) => st.Principal?.Service === 'logging.s3.amazonaws.com',
    );
    expect(delivery?.Action).toBe('s3:PutObject');
  });

  it('Athena results expire; access logs expire; the lake does not', () => {
    const rules = (id: string) =>
      resource(s.json, id).Properties?.LifecycleConfiguration?.Rules as Record<string, any>[];
    expect(rules(ids.results)).toContainEqual(
      expect.objectContaining({ ExpirationInDays: ATHENA_RESULTS_EXPIRY.toDays(), Status: 'Enabled' }),
    );
    expect(rules(ids.accessLogs)).toContainEqual(
      expect.objectContaining({ ExpirationInDays: ACCESS_LOG_EXPIRY.toDays(), Status: 'Enabled' }),
    );
    expect(rules(ids.lake).some((r) => r.ExpirationInDays !== undefined)).toBe(false);
  });
});

describe('landing notifications', () => {
  it('sends ObjectCreated and ObjectRemoved events under song_data/ and log_data/ with suffix .json to the song and log queues', () => {
    const [[, notifications] = ['', undefined as unknown as CfnResource]] = resourcesOfType(
      s.json,
      'Custom::S3BucketNotifications',
    );
    expect(referencedId(notifications.Properties?.BucketName)).toBe(ids.landing);
    const configs = notifications.Properties?.NotificationConfiguration.QueueConfigurations as Record<string, any>[];
    // Two kinds × created/removed × plain and gzip-compressed JSON.
    expect(configs).toHaveLength(8);
    const routes = configs.map((c) => ({
      queue: referencedId(c.QueueArn),
      events: c.Events,
      rules: Object.fromEntries(
        (c.Filter.Key.FilterRules as { Name: string; Value: string }[]).map((r) => [r.Name, r.Value]),
      ),
    }));
    for (const events of [['s3:ObjectCreated:*'], ['s3:ObjectRemoved:*']]) {
      for (const suffix of ['.json', '.json.gz']) {
        expect(routes).toContainEqual({ queue: ids.queue.song, events, rules: { prefix: 'song_data/', suffix } });
        expect(routes).toContainEqual({ queue: ids.queue.log, events, rules: { prefix: 'log_data/', suffix } });
      }
    }
    // Lifecycle expirations would archive-delete rows: never subscribed.
    expect(routes.flatMap((r) => r.events as string[]).some((e) => e.includes('Lifecycle'))).toBe(false);
    expect(notifications.Properties?.NotificationConfiguration.LambdaFunctionConfigurations).toBeUndefined();
  });

  it('lets S3 send to each ingest queue only for the landing bucket', () => {
    for (const kind of KINDS) {
      const fromS3 = allStatements().filter(
        ({ owner, statement }) =>
          s.json.Resources[owner]?.Type === 'AWS::SQS::QueuePolicy' &&
          statement.Principal?.Service === 's3.amazonaws.com' &&
          refersTo(statement.Resource, ids.queue[kind]),
      );
      expect(fromS3).toHaveLength(1);
      expect(fromS3[0]?.statement.Effect).toBe('Allow');
      expect(asArray(fromS3[0]?.statement.Action)).toContain('sqs:SendMessage');
      expect(flatten(fromS3[0]?.statement.Condition.ArnLike['aws:SourceArn'])).toBe(`<${ids.landing}.Arn>`);
    }
    for (const kind of KINDS) {
      const toDlq = allStatements().filter(
        ({ statement }) => statement.Principal?.Service && refersTo(statement.Resource, ids.dlq[kind]),
      );
      expect(toDlq, 'nothing but SQS redrive writes to a DLQ').toHaveLength(0);
    }
  });
});

describe('queues', () => {
  it('has a main queue and a dead-letter queue per kind, nothing else', () => {
    expect(
      resourcesOfType(s.json, 'AWS::SQS::Queue')
        .map(([id]) => id)
        .sort(),
    ).toEqual([ids.queue.song, ids.queue.log, ids.dlq.song, ids.dlq.log].sort());
  });

  it.each(KINDS)('%s queue redrives to its own DLQ after maxReceiveCount >= 5 receives', (kind) => {
    const redrive = resource(s.json, ids.queue[kind]).Properties?.RedrivePolicy;
    expect(referencedId(redrive.deadLetterTargetArn)).toBe(ids.dlq[kind]);
    expect(redrive.maxReceiveCount).toBe(WORKER_SETTINGS[kind].maxReceiveCount);
    expect(redrive.maxReceiveCount).toBeGreaterThanOrEqual(5);
  });

  it('every queue is encrypted with SQS-managed keys (S3 cannot publish to a queue under the AWS-managed KMS key)', () => {
    for (const [id, queue] of resourcesOfType(s.json, 'AWS::SQS::Queue')) {
      expect(queue.Properties?.SqsManagedSseEnabled, id).toBe(true);
      expect(queue.Properties?.KmsMasterKeyId, id).toBeUndefined();
    }
  });

  it('every queue policy denies requests not made over TLS', () => {
    for (const [id] of resourcesOfType(s.json, 'AWS::SQS::Queue')) {
      const deny = allStatements().find(
        ({ statement }) =>
          statement.Effect === 'Deny' &&
          refersTo(statement.Resource, id) &&
          statement.Condition?.Bool?.['aws:SecureTransport'] === 'false',
      );
      expect(deny, id).toBeDefined();
    }
  });

  it('dead-letter queues keep messages longer than the main queues (SQS keeps the original enqueue time)', () => {
    for (const kind of KINDS) {
      const main = resource(s.json, ids.queue[kind]).Properties?.MessageRetentionPeriod as number;
      const dlq = resource(s.json, ids.dlq[kind]).Properties?.MessageRetentionPeriod as number;
      expect(dlq).toBe(DEAD_LETTER_RETENTION.toSeconds());
      expect(dlq).toBeGreaterThan(main);
    }
  });

  it('every event-source queue has a visibility timeout of at least 6 x its function timeout (computed from the template)', () => {
    const mappings = resourcesOfType(s.json, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(2);
    for (const [, mapping] of mappings) {
      const queue = resource(s.json, referencedId(mapping.Properties?.EventSourceArn));
      const fn = resource(s.json, referencedId(mapping.Properties?.FunctionName));
      const window = (mapping.Properties?.MaximumBatchingWindowInSeconds as number | undefined) ?? 0;
      expect(queue.Properties?.VisibilityTimeout).toBeGreaterThanOrEqual(
        6 * (fn.Properties?.Timeout as number) + window,
      );
    }
  });
});

describe('workers', () => {
  it('uses the newest Node.js runtime of aws-cdk-lib', () => {
    const newest = lambda.Runtime.ALL.filter((r) => /^nodejs\d+\.x$/.test(r.name)).sort(
      (a, b) => Number(/\d+/.exec(b.name)?.[0]) - Number(/\d+/.exec(a.name)?.[0]),
    )[0];
    expect(WORKER_RUNTIME.name).toBe(newest?.name);
  });

  it.each(KINDS)('%s worker: runtime, arm64, memory, timeout, handler and log group from the settings', (kind) => {
    const fn = resource(s.json, ids.fn[kind]).Properties ?? {};
    expect(fn.Runtime).toBe(WORKER_RUNTIME.name);
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.MemorySize).toBe(WORKER_SETTINGS[kind].memorySizeMb);
    expect(fn.Timeout).toBe(WORKER_SETTINGS[kind].timeout.toSeconds());
    expect(fn.Handler).toBe('index.handler');
    expect(referencedId(fn.Role)).toBe(ids.role[kind]);
    expect(referencedId(fn.LoggingConfig.LogGroup)).toBe(ids.logGroup[kind]);
    expect(resource(s.json, ids.logGroup[kind]).Properties?.RetentionInDays).toBe(LAMBDA_LOG_RETENTION_DAYS);
  });

  it("every function of ours (all but CDK's notifications handler) is arm64 on the newest runtime with its own log group", () => {
    const ours = resourcesOfType(s.json, 'AWS::Lambda::Function').filter(
      ([id]) => !id.startsWith('BucketNotificationsHandler'),
    );
    expect(ours.map(([id]) => id).sort()).toEqual([ids.fn.song, ids.fn.log, ids.compactionFn].sort());
    for (const [id, fn] of ours) {
      expect(fn.Properties?.Runtime, id).toBe(WORKER_RUNTIME.name);
      expect(fn.Properties?.Architectures, id).toEqual(['arm64']);
      expect(resource(s.json, referencedId(fn.Properties?.LoggingConfig.LogGroup)).Type).toBe('AWS::Logs::LogGroup');
    }
  });

  it('sizes the log worker for big files and the song worker for small ones', () => {
    expect(WORKER_SETTINGS.log.memorySizeMb).toBeGreaterThanOrEqual(1024);
    expect(WORKER_SETTINGS.log.memorySizeMb).toBeLessThanOrEqual(2048);
    expect(WORKER_SETTINGS.song.memorySizeMb).toBe(1024);
    // Many small song files are read at once (S3 latency bounds them); log files one at a time (memory does).
    expect(WORKER_SETTINGS.song.fileConcurrency).toBeGreaterThan(1);
    expect(WORKER_SETTINGS.log.fileConcurrency).toBe(1);
  });

  it('batches song files so that a song file costs at most 1.5 S3 requests (its GET included)', () => {
    // Per batch: one GET per file, plus at most one object per year partition (songs of ~90
    // distinct years in a large catalogue), one for rejects and one ledger commit.
    const worstCaseWritesPerBatch = 90 + 2;
    expect(1 + worstCaseWritesPerBatch / WORKER_SETTINGS.song.batchSize).toBeLessThanOrEqual(1.5);
    // More than 10 messages per batch needs a batching window (an SQS event source rule).
    expect(WORKER_SETTINGS.song.maxBatchingWindow.toSeconds()).toBeGreaterThan(0);
  });

  it.each(KINDS)('%s worker environment is exactly what src/contract reads back', (kind) => {
    const variables = resource(s.json, ids.fn[kind]).Properties?.Environment.Variables as Record<string, unknown>;
    expect(referencedId(variables.LAKE_BUCKET)).toBe(ids.lake);
    expect(variables.GLUE_DATABASE).toBe(DEFAULT_GLUE_DATABASE);
    expect(variables.FILE_CONCURRENCY).toBe(String(WORKER_SETTINGS[kind].fileConcurrency));
    expect(variables.NODE_OPTIONS).toBe('--enable-source-maps');
    const asDeployed = Object.fromEntries(
      Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? v : 'lake-bucket']),
    );
    expect(readWorkerEnvironment(asDeployed, { fileConcurrency: 7 })).toEqual({
      lakeBucket: 'lake-bucket',
      glueDatabase: DEFAULT_GLUE_DATABASE,
      fileConcurrency: WORKER_SETTINGS[kind].fileConcurrency,
    });
  });

  it.each(KINDS)(
    '%s event source mapping: batch size, window, maximum concurrency and partial batch responses',
    (kind) => {
      const [[, mapping] = ['', undefined as unknown as CfnResource]] = resourcesOfType(
        s.json,
        'AWS::Lambda::EventSourceMapping',
      ).filter(([, m]) => referencedId(m.Properties?.FunctionName) === ids.fn[kind]);
      const settings = WORKER_SETTINGS[kind];
      expect(referencedId(mapping.Properties?.EventSourceArn)).toBe(ids.queue[kind]);
      expect(mapping.Properties?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      expect(mapping.Properties?.ScalingConfig).toEqual({ MaximumConcurrency: settings.maxConcurrency });
      expect(mapping.Properties?.BatchSize).toBe(settings.batchSize);
      expect(mapping.Properties?.MaximumBatchingWindowInSeconds ?? 0).toBe(settings.maxBatchingWindow.toSeconds());
    },
  );

  it.each(['song', 'log', 'compaction'] as const)(
    '%s function code is an ESM bundle with the createRequire banner and a source map, that loads and exports handler',
    async (which) => {
      const dir = assetDirectory(s.outdir, resource(s.json, which === 'compaction' ? ids.compactionFn : ids.fn[which]));
      expect(readFileSync(join(dir, 'index.mjs'), 'utf8').startsWith(ESM_REQUIRE_BANNER)).toBe(true);
      expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
      // The SDK is bundled (the tested versions), not imported from the runtime.
      expect(readFileSync(join(dir, 'index.mjs'), 'utf8')).not.toMatch(/from\s*["']@aws-sdk\//);
      const saved = { ...process.env };
      Object.assign(process.env, { LAKE_BUCKET: 'lake', GLUE_DATABASE: 'db', AWS_REGION: 'us-east-1' });
      try {
        const module = (await import(pathToFileURL(join(dir, 'index.mjs')).href)) as { handler?: unknown };
        expect(typeof module.handler).toBe('function');
      } finally {
        process.env = saved;
      }
    },
  );
});

describe('least-privilege IAM', () => {
  it('no Allow statement anywhere has a wildcard action', () => {
    const wild = allStatements().filter(
      ({ statement }) => statement.Effect === 'Allow' && asArray<string>(statement.Action).some((a) => a.includes('*')),
    );
    expect(wild.map(({ owner, statement }) => `${owner}: ${JSON.stringify(statement.Action)}`)).toEqual([]);
  });

  it('worker and compaction roles have no managed policies', () => {
    for (const kind of KINDS) expect(resource(s.json, ids.role[kind]).Properties?.ManagedPolicyArns).toBeUndefined();
    expect(resource(s.json, ids.compactionRole).Properties?.ManagedPolicyArns).toBeUndefined();
  });

  it.each(KINDS)('%s worker reads only its own landing prefix, and nothing in the lake', (kind) => {
    const other = kind === 'song' ? 'log_data' : 'song_data';
    expect(workerResources(kind, 's3:GetObject')).toEqual([`<${ids.landing}.Arn>/${kind}_data/*`]);
    expect(workerResources(kind, 's3:GetObject').join()).not.toContain(other);
  });

  it.each(KINDS)(
    '%s worker writes new objects only under its own base tables and its partitions of base_rejects and base_sources, and deletes nothing',
    (kind) => {
      const tables = kind === 'song' ? ['base_songs'] : ['base_plays', 'base_user_latest'];
      const expected = [
        ...tables.map((table) => `<${ids.lake}.Arn>/${table}/*`),
        `<${ids.lake}.Arn>/base_rejects/source=${kind}_data/*`,
        `<${ids.lake}.Arn>/base_sources/source=${kind}_data/*`,
      ].sort();
      expect(workerResources(kind, 's3:PutObject')).toEqual(expected);
      expect(workerResources(kind, 's3:DeleteObject')).toEqual([]);
      expect(workerResources(kind, 's3:PutObject').join()).not.toContain(`<${ids.landing}`);
    },
  );

  it.each(KINDS)('%s worker may list the landing bucket, so a removed landing file is a 404, not a 403', (kind) => {
    expect(workerResources(kind, 's3:ListBucket')).toEqual([`<${ids.landing}.Arn>`]);
  });

  it.each(KINDS)(
    '%s worker registers partitions only in the catalog, the database and the tables it writes',
    (kind) => {
      const tables = kind === 'song' ? ['base_songs'] : ['base_plays', 'base_user_latest'];
      const prefix = 'arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>';
      expect(workerResources(kind, 'glue:BatchCreatePartition')).toEqual(
        [
          `${prefix}:catalog`,
          `${prefix}:database/${DEFAULT_GLUE_DATABASE}`,
          ...[...tables, 'base_rejects', 'base_sources'].map(
            (table) => `${prefix}:table/${DEFAULT_GLUE_DATABASE}/${table}`,
          ),
        ].sort(),
      );
      const glueActions = allStatements()
        .filter(({ statement }) => asArray<string>(statement.Action).some((a) => a.startsWith('glue:')))
        .flatMap(({ statement }) => asArray<string>(statement.Action));
      expect(new Set(glueActions)).toEqual(new Set(['glue:BatchCreatePartition']));
    },
  );

  it.each(KINDS)('%s worker writes only its own log group and consumes only its own queue', (kind) => {
    expect(workerResources(kind, 'logs:PutLogEvents')).toEqual([`<${ids.logGroup[kind]}.Arn>`]);
    expect(workerResources(kind, 'sqs:ReceiveMessage')).toEqual([`<${ids.queue[kind]}.Arn>`]);
    expect(workerResources(kind, 'sqs:DeleteMessage')).toEqual([`<${ids.queue[kind]}.Arn>`]);
  });
});

describe('compaction', () => {
  it('is a bundled function like the workers, run by a schedule (hourly unless configured), never retried', () => {
    const fn = resource(s.json, ids.compactionFn).Properties ?? {};
    expect(fn.Runtime).toBe(WORKER_RUNTIME.name);
    expect(fn.Architectures).toEqual(['arm64']);
    expect(fn.MemorySize).toBe(COMPACTION_SETTINGS.memorySizeMb);
    expect(fn.Timeout).toBe(COMPACTION_SETTINGS.timeout.toSeconds());
    expect(referencedId(fn.Environment.Variables.LAKE_BUCKET)).toBe(ids.lake);
    const rules = resourcesOfType(s.json, 'AWS::Events::Rule').map(([, r]) => r.Properties ?? {});
    expect(rules).toHaveLength(1);
    expect(rules[0]?.ScheduleExpression).toBe('rate(1 hour)');
    expect(rules[0]?.Targets.map((t: any) => [referencedId(t.Arn), t.RetryPolicy?.MaximumRetryAttempts])).toEqual([
      [ids.compactionFn, 0],
    ]);
    const invokeConfig = resourcesOfType(s.json, 'AWS::Lambda::EventInvokeConfig').find(([, c]) =>
      refersTo(c.Properties?.FunctionName, ids.compactionFn),
    );
    expect(invokeConfig?.[1].Properties?.MaximumRetryAttempts).toBe(0);
  });

  it('may rewrite only the base tables and its journal in the lake, and touches no landing data and no Glue', () => {
    const expected = [
      ...BASE_TABLES.map((t) => `<${ids.lake}.Arn>/${t.name}/*`),
      `<${ids.lake}.Arn>/_compaction/retired/*`,
    ].sort();
    for (const action of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'])
      expect(roleResources(ids.compactionRole, action)).toEqual(expected);
    expect(roleResources(ids.compactionRole, 's3:ListBucket')).toEqual([`<${ids.lake}.Arn>`]);
    const actions = allStatements()
      .filter(({ owner }) =>
        asArray(s.json.Resources[owner]?.Properties?.Roles).some((r) => refersTo(r, ids.compactionRole)),
      )
      .flatMap(({ statement }) => asArray<string>(statement.Action));
    expect(actions.filter((a) => a.startsWith('glue:') || a.startsWith('sqs:'))).toEqual([]);
  });

  it('is alarmed on errors and graphed', () => {
    const alarm = resourcesOfType(s.json, 'AWS::CloudWatch::Alarm')
      .map(([, a]) => a.Properties ?? {})
      .find((a) => refersTo(a.Dimensions?.[0]?.Value, ids.compactionFn));
    expect(alarm).toMatchObject({ MetricName: 'Errors', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    const [[, dashboard] = ['', undefined as unknown as CfnResource]] = resourcesOfType(
      s.json,
      'AWS::CloudWatch::Dashboard',
    );
    const body = flatten(dashboard.Properties?.DashboardBody);
    expect(body).toContain('"service","compaction-worker"');
    expect(body).toContain('"GroupsCompacted"');
  });
});

describe('Glue catalog', () => {
  it('creates the database', () => {
    s.template.hasResourceProperties('AWS::Glue::Database', {
      CatalogId: { Ref: 'AWS::AccountId' },
      DatabaseInput: Match.objectLike({ Name: DEFAULT_GLUE_DATABASE }),
    });
  });

  it('has one table per glueTables entry, each equal to its Glue API rendering (the CloudFormation shape is the SDK shape)', () => {
    const expected = glueTables(DEFAULT_GLUE_DATABASE, `s3://<${ids.lake}>`).map(sdkTableInput);
    const tables = resourcesOfType(s.json, 'AWS::Glue::Table');
    expect(tables).toHaveLength(expected.length);
    for (const input of expected) {
      const found = tables.find(([, t]) => t.Properties?.TableInput.Name === input.Name);
      expect(found, input.Name).toBeDefined();
      const props = found?.[1].Properties ?? {};
      expect(props.DatabaseName).toBe(DEFAULT_GLUE_DATABASE);
      const tableInput = structuredClone(props.TableInput) as Record<string, any>;
      if (tableInput.StorageDescriptor?.Location)
        tableInput.StorageDescriptor.Location = flatten(tableInput.StorageDescriptor.Location);
      expect(tableInput).toEqual(JSON.parse(JSON.stringify(input)));
      expect(asArray(found?.[1].DependsOn)).toContain(ids.database);
    }
  });

  it.each(BASE_TABLES.map((t) => [t.name, t] as const))(
    'base table %s: Parquet, columns, types and partition keys of the schema source',
    (name, table) => {
      const input = resourcesOfType(s.json, 'AWS::Glue::Table').find(
        ([, t]) => t.Properties?.TableInput.Name === name,
      )?.[1].Properties?.TableInput;
      expect(input.TableType).toBe('EXTERNAL_TABLE');
      expect(input.Parameters.classification).toBe('parquet');
      expect(input.StorageDescriptor.Columns.map((c: any) => [c.Name, c.Type])).toEqual(
        table.columns.map((c) => [c.name, c.type]),
      );
      expect(input.PartitionKeys.map((c: any) => [c.Name, c.Type])).toEqual(
        table.partitionKeys.map((c) => [c.name, c.type]),
      );
      expect(flatten(input.StorageDescriptor.Location)).toBe(`s3://<${ids.lake}>/${name}/`);
    },
  );

  it.each(ANALYST_VIEWS.map((v) => [v.name, v] as const))(
    'view %s: VIRTUAL_VIEW carrying the view SQL and columns',
    (name, view) => {
      const input = resourcesOfType(s.json, 'AWS::Glue::Table').find(
        ([, t]) => t.Properties?.TableInput.Name === name,
      )?.[1].Properties?.TableInput;
      expect(input.TableType).toBe('VIRTUAL_VIEW');
      expect(input.StorageDescriptor.Columns.map((c: any) => c.Name)).toEqual(view.columns.map((c) => c.name));
      const decoded = decodePrestoView(input.ViewOriginalText);
      expect(decoded.originalSql).toBe(view.sql);
      expect(decoded.schema).toBe(DEFAULT_GLUE_DATABASE);
    },
  );
});

describe('Athena', () => {
  it('workgroup enforces its configuration: results in the results bucket (SSE-S3), scan cutoff, engine version 3', () => {
    const wg = resource(s.json, ids.workGroup).Properties ?? {};
    expect(wg.Name).toBe(DEFAULT_ATHENA_WORKGROUP);
    const config = wg.WorkGroupConfiguration;
    expect(config.EnforceWorkGroupConfiguration).toBe(true);
    expect(config.BytesScannedCutoffPerQuery).toBe(ATHENA_BYTES_SCANNED_CUTOFF);
    expect(config.EngineVersion).toEqual({ SelectedEngineVersion: ATHENA_ENGINE_VERSION });
    expect(ATHENA_ENGINE_VERSION).toBe('Athena engine version 3');
    expect(config.PublishCloudWatchMetricsEnabled).toBe(true);
    expect(flatten(config.ResultConfiguration.OutputLocation)).toBe(`s3://<${ids.results}>/results/`);
    expect(config.ResultConfiguration.EncryptionConfiguration).toEqual({ EncryptionOption: 'SSE_S3' });
  });

  it('has one named query per analyst question, with the same SQL, in the lake database and the workgroup', () => {
    const named = resourcesOfType(s.json, 'AWS::Athena::NamedQuery').map(([, q]) => q.Properties ?? {});
    expect(named).toHaveLength(ANALYST_QUERIES.length);
    for (const query of ANALYST_QUERIES) {
      const found = named.find((q) => q.Name === query.name);
      expect(found, query.name).toBeDefined();
      expect(found?.QueryString).toBe(query.sql);
      expect(found?.Database).toBe(DEFAULT_GLUE_DATABASE);
      expect(referencedId(found?.WorkGroup)).toBe(ids.workGroup);
    }
  });
});

describe('monitoring', () => {
  const alarms = () => resourcesOfType(s.json, 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties ?? {});
  const on = (dimension: string, id: string) => (a: Record<string, any>) =>
    a.Dimensions?.length === 1 && a.Dimensions[0].Name === dimension && referencedId(a.Dimensions[0].Value) === id;

  it.each(KINDS)('%s DLQ: alarm as soon as one message is visible', (kind) => {
    const found = alarms().filter(on('QueueName', ids.dlq[kind]));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it.each(KINDS)('%s queue: alarm on the age of the oldest message', (kind) => {
    const found = alarms().filter(on('QueueName', ids.queue[kind]));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Threshold: WORKER_SETTINGS[kind].oldestMessageAlarmAge.toSeconds(),
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it.each(KINDS)('%s worker: alarms on Errors and Throttles', (kind) => {
    const found = alarms().filter(on('FunctionName', ids.fn[kind]));
    expect(found.map((a) => a.MetricName).sort()).toEqual(['Errors', 'Throttles']);
    for (const alarm of found)
      expect(alarm).toMatchObject({
        Namespace: 'AWS/Lambda',
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
  });

  it("has a dashboard with queue depth and age, invocations/errors/duration, and the workers' Powertools metrics", () => {
    const [[, dashboard] = ['', undefined as unknown as CfnResource]] = resourcesOfType(
      s.json,
      'AWS::CloudWatch::Dashboard',
    );
    const body = flatten(dashboard.Properties?.DashboardBody);
    for (const metric of [
      'ApproximateNumberOfMessagesVisible',
      'ApproximateNumberOfMessagesNotVisible',
      'ApproximateAgeOfOldestMessage',
      'Invocations',
      'Errors',
      'Throttles',
      'Duration',
      'FilesProcessed',
      'FilesFailed',
      'RecordsRejected',
      'FieldsRescued',
      'RowsWritten_base_songs',
      'RowsWritten_base_plays',
      'RowsWritten_base_user_latest',
      'RowsWritten_base_rejects',
    ]) {
      expect(body, metric).toContain(`"${metric}"`);
    }
    expect(body).toContain('"SparkifyLake"');
    expect(body).toContain('"service","song-worker"');
    expect(body).toContain('"service","log-worker"');
  });
});

describe('outputs', () => {
  it('exports the two queue URLs for the backfill command, and the names an operator needs', () => {
    const outputs = s.json.Outputs ?? {};
    expect(referencedId(outputs.SongQueueUrl?.Value)).toBe(ids.queue.song);
    expect(referencedId(outputs.LogQueueUrl?.Value)).toBe(ids.queue.log);
    expect(referencedId(outputs.LandingBucketName?.Value)).toBe(ids.landing);
    expect(outputs.GlueDatabaseName?.Value).toBe(DEFAULT_GLUE_DATABASE);
    expect(referencedId(outputs.AthenaWorkGroupName?.Value)).toBe(ids.workGroup);
    expect(outputs.SongDeadLetterQueueArn).toBeDefined();
    expect(outputs.DashboardName).toBeDefined();
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('reports zero unacknowledged findings', () => {
    const violations = (s.report?.pluginReports ?? []).flatMap((r) => r.violations);
    expect(violations).toEqual([]);
  });

  it('every acknowledgment has a concrete reason, and every IAM5 one names a wildcard resource that is in the template', () => {
    const acknowledged: [string, string][] = [];
    for (const construct of s.stack.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        acknowledged.push(...Object.entries(entry.data as Record<string, string>));
      }
    }
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledged) {
      expect(reason.length, id).toBeGreaterThan(60);
    }
    const wildcardResources = new Set(
      allStatements()
        .filter(({ statement }) => statement.Effect === 'Allow')
        .flatMap(({ statement }) => asArray(statement.Resource).map(nagFlatten))
        .filter((r) => r.includes('*')),
    );
    for (const [id] of acknowledged.filter(([id]) => id.includes('AwsSolutions-IAM5'))) {
      const resourceName = /\[Resource::(.*)\]$/.exec(id)?.[1] ?? '';
      expect(wildcardResources.has(resourceName), id).toBe(true);
    }
    // No rule is acknowledged wholesale: IAM acknowledgments name their exact finding.
    expect(acknowledged.filter(([id]) => /IAM[45]$/.test(id))).toEqual([]);
  });
});
