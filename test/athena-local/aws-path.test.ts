/**
 * The whole AWS path in the emulator, from the synthesized template: files put into the landing
 * bucket raise S3 events through the template's notification configuration into the template's
 * queues; pollers that behave like the template's event source mappings hand them to the real
 * worker handler, which writes Parquet to the lake bucket and registers partitions in Glue; Trino
 * then answers every contract figure and the seven named queries as DuckDB does on a local lake of
 * the same files. A poison file (an archived object S3 will not serve) reaches the dead-letter
 * queue after maxReceiveCount receives while the other file of its batch commits.
 */
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKER_SETTINGS } from '../../lib/settings.js';
import { localAwsClients, type LocalAwsClients } from '../../src/athena-local/aws-clients.js';
import {
  deployLocalStack,
  EventSourcePoller,
  localWorkerHandler,
  type LocalStack,
} from '../../src/athena-local/aws-path.js';
import { StackTemplate, synthesizeTemplate } from '../../src/athena-local/stack-template.js';
import { templateNamedQueries, type NamedQuery } from '../../src/athena-local/template-catalog.js';
import { runTrinoQuery } from '../../src/athena-local/trino-client.js';
import { TRINO_CATALOG } from '../../src/athena-local/trino-server.js';
import { ingestFolder } from '../../src/local/ingest.js';
import { decodeS3Key } from '../../src/pipeline/s3-event.js';
import { folderKeys } from '../support/faults/inputs.js';
import { restoreObservability, sharedObservability } from '../support/faults/observability.js';
import { SAMPLE_DIR, tempDir } from '../support/paths.js';
import { CONTRACT_FIGURES } from './contract-figures.js';
import { expectSameRows } from './parity.js';
import { localAthena, queryEngine, type Row } from './support.js';

const DATABASE = `e2e_${process.pid}`;
/** The template's visibility timeouts are minutes; failed messages come back after this instead. */
const VISIBILITY_SECONDS = 2;
const POISON = 'log_data/2018/11/2018-11-30-archived-events.json';
const POISON_PARTNER = 'log_data/2018/11/2018-11-21-events.json';

const reference = tempDir('athena-e2e-reference');
let clients: LocalAwsClients;
let stack: LocalStack;
let template: StackTemplate;
let pollers: { song: EventSourcePoller; log: EventSourcePoller };
let namedQueries: NamedQuery[];

const trino = async (sql: string): Promise<Row[]> => {
  const result = await runTrinoQuery(localAthena().trinoUrl, sql, {
    catalog: TRINO_CATALOG,
    schema: stack.databaseName,
  });
  return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, row[i]])));
};
const put = (key: string, body: Uint8Array | string, storageClass?: 'GLACIER') =>
  clients.s3.send(
    new PutObjectCommand({
      Bucket: stack.landingBucket,
      Key: key,
      Body: body,
      ...(storageClass ? { StorageClass: storageClass } : {}),
    }),
  );
const drainBoth = () => Promise.all([pollers.song.drain(), pollers.log.drain()]);

beforeAll(async () => {
  clients = localAwsClients(localAthena().awsEndpoint);
  template = new StackTemplate(synthesizeTemplate({ glueDatabase: DATABASE }));
  namedQueries = templateNamedQueries(template);
  stack = await deployLocalStack(clients, template, {
    visibilityTimeoutSeconds: VISIBILITY_SECONDS,
    batchingWindowSeconds: 2,
  });
  const obs = sharedObservability();
  pollers = {
    song: new EventSourcePoller(clients.sqs, stack.sources.song, localWorkerHandler(clients, stack, 'song', obs)),
    log: new EventSourcePoller(clients.sqs, stack.sources.log, localWorkerHandler(clients, stack, 'log', obs)),
  };
  await ingestFolder(SAMPLE_DIR, reference.path);
});
afterAll(() => {
  restoreObservability();
  clients?.destroy();
  reference.cleanup();
});

describe('the template deployed into the emulator', () => {
  it('event source mappings and queues as lib/settings.ts sets them', () => {
    for (const kind of ['song', 'log'] as const) {
      const source = stack.sources[kind];
      // The batching window is the one setting shortened here (to 2 s: a batch of a few files cannot fill).
      expect({
        batchSize: source.batchSize,
        window: source.batchingWindowSeconds,
        maxReceiveCount: source.maxReceiveCount,
        partial: source.reportBatchItemFailures,
      }).toEqual({
        batchSize: WORKER_SETTINGS[kind].batchSize,
        window: 2,
        maxReceiveCount: WORKER_SETTINGS[kind].maxReceiveCount,
        partial: true,
      });
    }
  });

  it('a file put into the landing bucket puts its S3 event on the queue of its kind; other keys raise none', async () => {
    await put('song_data/A/B/C/TRPROBE.json', '{}');
    await put('notes/readme.txt', 'not ingested');
    const bodies: string[] = [];
    for (let i = 0; i < 5 && bodies.filter((b) => b.includes('TRPROBE')).length === 0; i++) {
      const received = await clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: stack.sources.song.queue.url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          VisibilityTimeout: 0,
        }),
      );
      bodies.push(...(received.Messages ?? []).map((m) => m.Body ?? ''));
    }
    const records = bodies.flatMap(
      (b) =>
        (
          JSON.parse(b) as {
            Records?: { eventName: string; s3: { bucket: { name: string }; object: { key: string } } }[];
          }
        ).Records ?? [],
    );
    expect(records.map((r) => [r.eventName, r.s3.bucket.name, decodeS3Key(r.s3.object.key)])).toEqual([
      ['ObjectCreated:Put', stack.landingBucket, 'song_data/A/B/C/TRPROBE.json'],
    ]);
    await clients.s3.send(
      new DeleteObjectCommand({ Bucket: stack.landingBucket, Key: 'song_data/A/B/C/TRPROBE.json' }),
    );
    await drainBoth();
  });
});

describe('the sample landed in the emulated bucket, processed by the real handler', () => {
  beforeAll(async () => {
    // The poison file and a good one first, so they share a log batch (batch size 2).
    await put(POISON, readFileSync(join(SAMPLE_DIR, POISON_PARTNER)), 'GLACIER');
    await put(POISON_PARTNER, readFileSync(join(SAMPLE_DIR, POISON_PARTNER)));
    for (const key of folderKeys(SAMPLE_DIR).filter((k) => k !== POISON_PARTNER))
      await put(key, readFileSync(join(SAMPLE_DIR, key)));
    await drainBoth();
  }, 600_000);

  it('the poison file ends in the log DLQ after maxReceiveCount receives; the other file of its batch committed', async () => {
    const dlq = await clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: stack.sources.log.deadLetterQueue.url,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const keys = (dlq.Messages ?? []).map((m) =>
      decodeS3Key(
        (JSON.parse(m.Body ?? '{}') as { Records: { s3: { object: { key: string } } }[] }).Records[0]?.s3.object.key ??
          '',
      ),
    );
    expect(keys).toEqual([POISON]);
    const withPoison = pollers.log.invocations.filter((inv) => inv.records.some((r) => r.body.includes('archived')));
    expect(withPoison.length).toBe(WORKER_SETTINGS.log.maxReceiveCount);
    const firstBatch = withPoison[0];
    expect(firstBatch?.records.length).toBe(2);
    expect(firstBatch?.response.batchItemFailures).toHaveLength(1);
    expect(await pollers.log.depth()).toBe(0);
    expect(
      await trino(
        `SELECT count(*) AS n FROM songplays WHERE start_time BETWEEN TIMESTAMP '2018-11-21 00:00:00' AND TIMESTAMP '2018-11-21 23:59:59.999'`,
      ),
    ).toEqual(
      await queryEngine(
        'duckdb',
        reference.path,
        `SELECT count(*) AS n FROM songplays WHERE start_time BETWEEN TIMESTAMP '2018-11-21 00:00:00' AND TIMESTAMP '2018-11-21 23:59:59.999'`,
      ),
    );
  });

  it('the workers registered the partitions in Glue: Trino sees the contract figures', async () => {
    // The plays, time and matching figures (the others are in lake-overview below, and all of them
    // through the CLI in sample.test.ts): each query costs seconds on moto's S3.
    for (const figure of CONTRACT_FIGURES.filter((f) =>
      /^(songplays: rows|time:|songplays: the plays|songplays and time)/.test(f.name),
    )) {
      expect(await trino(figure.sql), figure.name).toEqual(figure.sample);
    }
  });

  it('every named query of the template gives the rows DuckDB gives on a local lake of the same files', async () => {
    for (const query of namedQueries) {
      expectSameRows(await trino(query.sql), await queryEngine('duckdb', reference.path, query.sql), query.sql);
    }
  });

  it('a file removed from the landing bucket takes its rows with it (ObjectRemoved through the same path)', async () => {
    const before = await trino(`SELECT count(*) AS n FROM songplays`);
    await clients.s3.send(new DeleteObjectCommand({ Bucket: stack.landingBucket, Key: POISON_PARTNER }));
    await drainBoth();
    const after = await trino(`SELECT count(*) AS n FROM songplays`);
    const removed = readFileSync(join(SAMPLE_DIR, POISON_PARTNER), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"NextSong"')).length;
    expect(Number(before[0]?.n) - Number(after[0]?.n)).toBe(removed);
  });
});
