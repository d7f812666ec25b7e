/**
 * Erasure on the AWS path (issue 11), in the emulator: the landing bucket is versioned, the files
 * reach the lake through the template's notifications, queues and the real worker handler; then
 * `eraseUser` with the AWS targets rewrites the landing objects, waits while the S3 events of the
 * rewrites go through the same path, purges the lake bucket, deletes the older object versions,
 * and writes its audit record. Trino then finds no trace of the user.
 */
import {
  GetObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAwsClients, type LocalAwsClients } from '../../src/athena-local/aws-clients.js';
import {
  deployLocalStack,
  EventSourcePoller,
  localWorkerHandler,
  type LocalStack,
} from '../../src/athena-local/aws-path.js';
import { StackTemplate, synthesizeTemplate } from '../../src/athena-local/stack-template.js';
import { runTrinoQuery } from '../../src/athena-local/trino-client.js';
import { TRINO_CATALOG } from '../../src/athena-local/trino-server.js';
import { withoutUserLines } from '../../src/domain/erasure.js';
import { eraseUser } from '../../src/erasure/erase.js';
import { awsTargets } from '../../src/erasure/targets.js';
import { restoreObservability, sharedObservability } from '../support/faults/observability.js';
import { SAMPLE_DIR } from '../support/paths.js';
import { localAthena } from './support.js';

const DATABASE = `erase_${process.pid}`;
const USER = '49';
// Three days user 49 played on, one day without them, and a song.
const KEYS = [
  'log_data/2018/11/2018-11-02-events.json',
  'log_data/2018/11/2018-11-03-events.json',
  'log_data/2018/11/2018-11-05-events.json',
  'log_data/2018/11/2018-11-01-events.json',
  'song_data/A/A/A/TRAAAAW128F429D538.json',
];

let clients: LocalAwsClients;
let stack: LocalStack;
let pollers: EventSourcePoller[];

const trinoCount = async (sql: string): Promise<number> => {
  const result = await runTrinoQuery(localAthena().trinoUrl, sql, {
    catalog: TRINO_CATALOG,
    schema: stack.databaseName,
  });
  return Number(result.rows[0]?.[0]);
};

async function landingText(key: string): Promise<string> {
  const object = await clients.s3.send(new GetObjectCommand({ Bucket: stack.landingBucket, Key: key }));
  return (await object.Body?.transformToString('utf8')) ?? '';
}

beforeAll(async () => {
  clients = localAwsClients(localAthena().awsEndpoint);
  const template = new StackTemplate(synthesizeTemplate({ glueDatabase: DATABASE }));
  stack = await deployLocalStack(clients, template, { visibilityTimeoutSeconds: 2, batchingWindowSeconds: 1 });
  await clients.s3.send(
    new PutBucketVersioningCommand({ Bucket: stack.landingBucket, VersioningConfiguration: { Status: 'Enabled' } }),
  );
  const obs = sharedObservability();
  pollers = (['song', 'log'] as const).map(
    (kind) => new EventSourcePoller(clients.sqs, stack.sources[kind], localWorkerHandler(clients, stack, kind, obs)),
  );
  for (const key of KEYS)
    await clients.s3.send(
      new PutObjectCommand({ Bucket: stack.landingBucket, Key: key, Body: readFileSync(join(SAMPLE_DIR, key)) }),
    );
  await Promise.all(pollers.map((poller) => poller.drain()));
}, 600_000);

afterAll(() => {
  restoreObservability();
  clients?.destroy();
});

describe('erase user 49 through the AWS path', () => {
  it('before: the user has plays in Athena and lines in three landing files', async () => {
    expect(await trinoCount(`SELECT count(*) FROM songplays WHERE user_id = ${USER}`)).toBeGreaterThan(0);
    const holding = [];
    for (const key of KEYS)
      if (withoutUserLines(Buffer.from(await landingText(key)), USER).removed > 0) holding.push(key);
    expect(holding).toEqual(KEYS.slice(0, 3));
  });

  it('rewrites the landing files, waits for the workers, purges the lake, deletes older versions, and audits', async () => {
    // The workers of the stack, as Lambda runs them, while the erasure waits for their commits.
    let erasing = true;
    const workers = (async () => {
      while (erasing) await Promise.all(pollers.map((poller) => poller.drain()));
    })();
    const targets = awsTargets({
      s3: clients.s3,
      landingBucket: stack.landingBucket,
      lakeBucket: stack.lakeBucket,
      waitMs: 300_000,
      pollMs: 500,
    });
    const report = await eraseUser(USER, targets, 'aws-request-1').finally(() => (erasing = false));
    await workers;

    expect(report).toMatchObject({ landingFilesRewritten: 3, olderVersionsDeleted: 3, nothingMatched: false });
    expect(report.unreachable.join(' ')).toMatch(/CloudWatch Logs/);
    for (const key of KEYS) expect(withoutUserLines(Buffer.from(await landingText(key)), USER).removed, key).toBe(0);
    for (const key of KEYS.slice(0, 3)) {
      const versions = await clients.s3.send(
        new ListObjectVersionsCommand({ Bucket: stack.landingBucket, Prefix: key }),
      );
      expect(
        (versions.Versions ?? []).filter((v) => v.Key === key),
        key,
      ).toHaveLength(1);
    }
    const audit = await clients.s3.send(
      new GetObjectCommand({ Bucket: stack.lakeBucket, Key: '_audit/erasure/aws-request-1.json' }),
    );
    const text = (await audit.Body?.transformToString('utf8')) ?? '';
    expect(text).not.toContain('Cuevas');
    expect(JSON.parse(text)).toMatchObject({ requestId: 'aws-request-1', landingFilesRewritten: 3 });
  });

  it('after: Athena has no play, user or base row of the user, and the other days are untouched', async () => {
    expect(await trinoCount(`SELECT count(*) FROM songplays WHERE user_id = ${USER}`)).toBe(0);
    expect(await trinoCount(`SELECT count(*) FROM users WHERE user_id = ${USER}`)).toBe(0);
    expect(await trinoCount(`SELECT count(*) FROM base_plays WHERE user_id = ${USER}`)).toBe(0);
    expect(await trinoCount(`SELECT count(*) FROM base_user_latest WHERE user_id = ${USER}`)).toBe(0);
    expect(await trinoCount(`SELECT count(*) FROM songplays WHERE day_of_month(start_time) = 1`)).toBeGreaterThan(0);
  });
});
