/**
 * The SQS-triggered worker end to end, with everything real except AWS itself: S3ObjectStores on an
 * in-process fauxqs server (a landing bucket and a lake bucket per test), the real Glue request
 * builder (registerPartitions) behind the real warm-container cache, a Glue client mocked with
 * aws-sdk-client-mock, and Powertools Logger/Metrics whose output is captured and asserted.
 * Parquet written to the lake is downloaded and read back with DuckDB.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import {
  BatchCreatePartitionCommand,
  GlueClient,
  type BatchCreatePartitionCommandInput,
  type BatchCreatePartitionCommandOutput,
} from '@aws-sdk/client-glue';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createWorkerHandler, type SqsHandler } from '../../lambdas/worker-handler.js';
import { readWorkerEnvironment } from '../../lambdas/environment.js';
import { awsWorkerDependencies, METRICS_NAMESPACE } from '../../lambdas/aws-dependencies.js';
import { registerPartitions } from '../../src/catalog/partitions.js';
import { cachedPartitionRegistrar } from '../../src/catalog/partition-cache.js';
import { BASE_PLAYS, BASE_SONGS } from '../../src/domain/tables.js';
import type { SourceKind } from '../../src/domain/layout.js';
import { S3ObjectStore } from '../../src/storage/s3-store.js';
import {
  createBucket,
  createdEventBody,
  deleteObject,
  getObjectBytes,
  lambdaContext,
  listAllKeys,
  putBytes,
  putLocalFile,
  receiveSqsEvent,
  s3EventBody,
  s3EventRecord,
  s3TestEventBody,
  snapshotBucket,
  sqsEvent,
  sqsRecord,
  startLocalAws,
  type LocalAws,
  type PutResult,
} from '../support/local-s3.js';
import { captureObservability, type CapturedObservability } from '../support/powertools.js';

const SAMPLE = join(import.meta.dirname, '../../data/sample');
/** SHA-256 of a source's bytes, as the manifest records it. */
const sha256 = (content: string | Uint8Array): string => createHash('sha256').update(content).digest('hex');

const SONG_2005 = 'song_data/A/B/B/TRABBNP128F932546F.json';
const SONG_2004 = 'song_data/A/B/B/TRABBXU128F92FEF48.json';
const SONG_YEAR_0 = 'song_data/A/B/B/TRABBJE12903CDB442.json';
const LOG_1101 = 'log_data/2018/11/2018-11-01-events.json';
const LOG_1102 = 'log_data/2018/11/2018-11-02-events.json';
const DATABASE = 'sparkify_test';

let aws: LocalAws;
let duck: DuckDBInstance;
let sql: DuckDBConnection;
let scratch: string;

beforeAll(async () => {
  aws = await startLocalAws();
  duck = await DuckDBInstance.create(':memory:');
  sql = await duck.connect();
  await sql.run(`SET TimeZone = 'UTC'`);
  scratch = await mkdtemp(join(tmpdir(), 'worker-handler-'));
});
afterAll(async () => {
  sql?.closeSync();
  duck?.closeSync();
  await aws?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------------------------

interface World {
  readonly landing: string;
  readonly lake: string;
  readonly glue: GlueClient;
  readonly glueMock: AwsClientStub<GlueClient>;
}

interface Worker {
  readonly handler: SqsHandler;
  readonly obs: CapturedObservability;
  run(event: SQSEvent): Promise<SQSBatchResponse>;
}

const teardowns: (() => void)[] = [];
afterEach(() => {
  for (const teardown of teardowns.splice(0).reverse()) teardown();
});

/** Fresh landing and lake buckets and a Glue client whose BatchCreatePartition succeeds. */
async function world(): Promise<World> {
  const [landing, lake] = await Promise.all([createBucket(aws.s3Client, 'landing'), createBucket(aws.s3Client, 'lake')]);
  const glue = new GlueClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' } });
  const glueMock = mockClient(glue);
  glueMock.on(BatchCreatePartitionCommand).resolves({ Errors: [] });
  teardowns.push(() => glueMock.restore());
  return { landing, lake, glue, glueMock };
}

/** A worker as awsWorkerDependencies composes it, with fauxqs and the mocked Glue client in. */
function worker(w: World, kind: SourceKind): Worker {
  const obs = captureObservability({ serviceName: `${kind}-worker`, namespace: METRICS_NAMESPACE });
  teardowns.push(() => obs.restore());
  const catalog = { databaseName: DATABASE, lakeRootUri: `s3://${w.lake}` };
  const handler = createWorkerHandler({
    kind,
    sourceStore: (bucket) => new S3ObjectStore(aws.s3Client, bucket),
    lake: new S3ObjectStore(aws.s3Client, w.lake),
    registerPartitions: cachedPartitionRegistrar((partitions) => registerPartitions(w.glue, catalog, partitions)),
    logger: obs.logger,
    metrics: obs.metrics,
    processInParallel: kind === 'song',
  });
  return { handler, obs, run: (event) => handler(event, lambdaContext(`${kind}-worker`)) };
}

async function land(w: World, samplePath: string, key = samplePath): Promise<PutResult> {
  return putLocalFile(aws.s3Client, w.landing, key, join(SAMPLE, samplePath));
}

function glueInputs(w: World): BatchCreatePartitionCommandInput[] {
  return w.glueMock.commandCalls(BatchCreatePartitionCommand).map((call) => call.args[0].input as BatchCreatePartitionCommandInput);
}

/** (table, values) of every partition sent to Glue, sorted: parallel processing sends in any order. */
function gluePartitions(w: World): string[] {
  return glueInputs(w)
    .flatMap((input) => (input.PartitionInputList ?? []).map((p) => `${input.TableName}:${(p.Values ?? []).join('/')}`))
    .sort();
}

// ---------------------------------------------------------------------------------------------
// Expectations computed independently of src/ (from the documented layout and the raw files)
// ---------------------------------------------------------------------------------------------

/** `<basename without .json, odd characters as _, ≤ 80>-<first 16 hex of sha256(key)>` */
function stemOf(sourceKey: string): string {
  const name = basename(sourceKey).replace(/\.json$/, '').replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
  return `${name}-${createHash('sha256').update(sourceKey, 'utf8').digest('hex').slice(0, 16)}`;
}

async function songYear(samplePath: string): Promise<number> {
  return (JSON.parse(await readFile(join(SAMPLE, samplePath), 'utf8')) as { year: number }).year;
}

interface NextSong {
  readonly songplayId: string;
  readonly ts: number;
  readonly line: number;
}

function nextSongsOf(text: string): NextSong[] {
  return text
    .split('\n')
    .map((line, i) => ({ line, number: i + 1 }))
    .filter(({ line }) => line.trim() !== '')
    .flatMap(({ line, number }) => {
      let event: Record<string, unknown>;
      try {
        event = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return [];
      }
      if (event.page !== 'NextSong') return [];
      // The event identity (contract): userId-sessionId-itemInSession-ts.
      return [{ songplayId: `${Number(event.userId)}-${String(event.sessionId)}-${String(event.itemInSession)}-${String(event.ts)}`, ts: Number(event.ts), line: number }];
    });
}

async function nextSongsOfSample(samplePath: string): Promise<NextSong[]> {
  return nextSongsOf(await readFile(join(SAMPLE, samplePath), 'utf8'));
}

/** Downloads a lake object (a Parquet file, checked by its magic bytes) to a temp file. */
async function download(bucket: string, key: string): Promise<string> {
  const bytes = await getObjectBytes(aws.s3Client, bucket, key);
  if (!bytes) throw new Error(`no object s3://${bucket}/${key}`);
  expect(Buffer.from(bytes.subarray(0, 4)).toString('latin1')).toBe('PAR1');
  expect(Buffer.from(bytes.subarray(-4)).toString('latin1')).toBe('PAR1');
  const file = join(scratch, `${randomUUID()}.parquet`);
  await writeFile(file, bytes);
  return file;
}

/** Downloads a lake object and reads it with DuckDB. */
async function readParquet(bucket: string, key: string, select = '*'): Promise<Record<string, unknown>[]> {
  const file = await download(bucket, key);
  const reader = await sql.runAndReadAll(`SELECT ${select} FROM read_parquet('${file}')`);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

/** Column names of a lake object, in file order. */
async function parquetColumns(bucket: string, key: string): Promise<string[]> {
  const file = await download(bucket, key);
  const reader = await sql.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
  return (reader.getRowObjectsJson() as { column_name: string }[]).map((r) => r.column_name);
}

async function readJson(bucket: string, key: string): Promise<unknown> {
  const bytes = await getObjectBytes(aws.s3Client, bucket, key);
  return bytes ? JSON.parse(Buffer.from(bytes).toString('utf8')) : undefined;
}

// ---------------------------------------------------------------------------------------------
// (a) song and log messages → Parquet at the documented keys, manifests, Glue partitions
// ---------------------------------------------------------------------------------------------

describe('worker handler: files land in the lake', () => {
  it('(a) song message → base_songs/year=<year>/<stem>-<hash>.parquet with the song row, a manifest, and its partition in Glue', async () => {
    const w = await world();
    const song = worker(w, 'song');
    const put = await land(w, SONG_2005);
    const year = await songYear(SONG_2005);
    expect(year).toBe(2005);
    const record = sqsRecord(createdEventBody(put));

    const response = await song.run(sqsEvent(record));

    expect(response).toEqual({ batchItemFailures: [] });
    const hash = createHash('sha256').update(SONG_2005).digest('hex').slice(0, 16);
    const parquetKey = `base_songs/year=2005/TRABBNP128F932546F-${hash}.parquet`;
    expect(parquetKey).toBe(`base_songs/year=2005/${stemOf(SONG_2005)}.parquet`);
    const manifest = `_manifests/${stemOf(SONG_2005)}.json`;
    expect(await listAllKeys(aws.s3Client, w.lake)).toEqual([manifest, parquetKey].sort());
    expect(await readJson(w.lake, manifest)).toEqual({ version: 1, formatVersion: 2, sourceKey: SONG_2005, contentSha256: sha256(await readFile(join(SAMPLE, SONG_2005))), outputs: [parquetKey] });

    const source = JSON.parse(await readFile(join(SAMPLE, SONG_2005), 'utf8')) as Record<string, unknown>;
    expect(await readParquet(w.lake, parquetKey)).toEqual([
      {
        song_id: source.song_id,
        title: source.title,
        artist_id: source.artist_id,
        artist_name: source.artist_name,
        artist_location: source.artist_location,
        artist_latitude: null,
        artist_longitude: null,
        duration: source.duration,
        num_songs: source.num_songs,
        source_key: SONG_2005,
        rescued_data: null,
      },
    ]);
    expect(await parquetColumns(w.lake, parquetKey)).toEqual(BASE_SONGS.columns.map((c) => c.name));

    const inputs = glueInputs(w);
    expect(inputs).toHaveLength(1);
    const expected: BatchCreatePartitionCommandInput = {
      DatabaseName: DATABASE,
      TableName: 'base_songs',
      PartitionInputList: [
        {
          Values: ['2005'],
          StorageDescriptor: expect.objectContaining({
            Location: `s3://${w.lake}/base_songs/year=2005/`,
            Columns: BASE_SONGS.columns.map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment })),
            InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          }),
        },
      ],
    };
    expect(inputs[0]).toEqual(expected);

    expect(song.obs.metricTotal('FilesProcessed')).toBe(1);
    expect(song.obs.metricTotal('RowsWritten_base_songs')).toBe(1);
    expect(song.obs.metricTotal('BytesRead')).toBe(put.size);
    expect(song.obs.logs()).toContainEqual(
      expect.objectContaining({ level: 'INFO', message: 'file processed', key: SONG_2005, bucket: w.landing, messageId: record.messageId, status: 'processed' }),
    );
  });

  it('(a) log message → base_plays/year=2018/month=11/<stem>-<hash>.parquet with one row per NextSong event', async () => {
    const w = await world();
    const log = worker(w, 'log');
    const put = await land(w, LOG_1101);
    const expected = await nextSongsOfSample(LOG_1101);
    expect(expected).toHaveLength(11);

    const response = await log.run(sqsEvent(sqsRecord(createdEventBody(put))));

    expect(response.batchItemFailures).toEqual([]);
    const parquetKey = `base_plays/year=2018/month=11/${stemOf(LOG_1101)}.parquet`;
    expect(parquetKey).toMatch(/^base_plays\/year=2018\/month=11\/2018-11-01-events-[0-9a-f]{16}\.parquet$/);
    const manifest = `_manifests/${stemOf(LOG_1101)}.json`;
    expect(await listAllKeys(aws.s3Client, w.lake)).toEqual([manifest, parquetKey].sort());
    expect(await readJson(w.lake, manifest)).toEqual({ version: 1, formatVersion: 2, sourceKey: LOG_1101, contentSha256: sha256(await readFile(join(SAMPLE, LOG_1101))), outputs: [parquetKey] });

    const rows = await readParquet(w.lake, parquetKey, 'songplay_id, epoch_ms(start_time)::DOUBLE AS ts, source_line, source_key');
    expect(rows).toHaveLength(expected.length);
    expect(rows.map((r) => r.songplay_id).sort()).toEqual(expected.map((e) => e.songplayId).sort());
    // Sorted by start time in the file, each row pointing at its source line.
    const byTime = [...expected].sort((a, b) => a.ts - b.ts || a.line - b.line);
    expect(rows.map((r) => [r.ts, r.source_line])).toEqual(byTime.map((e) => [e.ts, e.line]));
    expect(new Set(rows.map((r) => r.source_key))).toEqual(new Set([LOG_1101]));
    expect(await parquetColumns(w.lake, parquetKey)).toEqual(BASE_PLAYS.columns.map((c) => c.name));

    expect(glueInputs(w)).toEqual([
      {
        DatabaseName: DATABASE,
        TableName: 'base_plays',
        PartitionInputList: [
          {
            Values: ['2018', '11'],
            StorageDescriptor: expect.objectContaining({ Location: `s3://${w.lake}/base_plays/year=2018/month=11/` }),
          },
        ],
      },
    ]);
    expect(log.obs.metricTotal('RowsWritten_base_plays')).toBe(11);
    expect(log.obs.metricTotal('EventsRead')).toBe(15);
    expect(log.obs.metricTotal('RecordsRejected')).toBe(0);
  });

  it('(a) both workers share one lake: song and log outputs side by side, one Glue call per new partition', async () => {
    const w = await world();
    const song = worker(w, 'song');
    const log = worker(w, 'log');
    const songPut = await land(w, SONG_YEAR_0);
    const logPut = await land(w, LOG_1102);

    expect((await song.run(sqsEvent(sqsRecord(createdEventBody(songPut))))).batchItemFailures).toEqual([]);
    expect((await log.run(sqsEvent(sqsRecord(createdEventBody(logPut))))).batchItemFailures).toEqual([]);

    expect(await listAllKeys(aws.s3Client, w.lake)).toEqual(
      [
        `_manifests/${stemOf(SONG_YEAR_0)}.json`,
        `_manifests/${stemOf(LOG_1102)}.json`,
        `base_plays/year=2018/month=11/${stemOf(LOG_1102)}.parquet`,
        `base_songs/year=0/${stemOf(SONG_YEAR_0)}.parquet`,
      ].sort(),
    );
    const [count] = await readParquet(w.lake, `base_plays/year=2018/month=11/${stemOf(LOG_1102)}.parquet`, 'count(*)::INTEGER AS n');
    expect(count).toEqual({ n: (await nextSongsOfSample(LOG_1102)).length });
    expect(count).toEqual({ n: 155 });
    expect(gluePartitions(w)).toEqual(['base_plays:2018/11', 'base_songs:0']);
  });
});

// ---------------------------------------------------------------------------------------------
// (b) partial batch failure
// ---------------------------------------------------------------------------------------------

describe('worker handler: partial batch responses', () => {
  it('(b) a body that is not JSON fails only its own message; the other two files are written', async () => {
    const w = await world();
    const song = worker(w, 'song');
    const first = await land(w, SONG_2005);
    const third = await land(w, SONG_YEAR_0);
    const good1 = sqsRecord(createdEventBody(first));
    const bad = sqsRecord('this is not json');
    const good2 = sqsRecord(createdEventBody(third));

    const response = await song.run(sqsEvent(good1, bad, good2));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: bad.messageId }] });
    expect(await listAllKeys(aws.s3Client, w.lake)).toEqual(
      [
        `_manifests/${stemOf(SONG_2005)}.json`,
        `_manifests/${stemOf(SONG_YEAR_0)}.json`,
        `base_songs/year=0/${stemOf(SONG_YEAR_0)}.parquet`,
        `base_songs/year=2005/${stemOf(SONG_2005)}.parquet`,
      ].sort(),
    );
    expect(gluePartitions(w)).toEqual(['base_songs:0', 'base_songs:2005']);
    expect(song.obs.metricTotal('FilesProcessed')).toBe(2);
  });

  it('(b) a file that fails in the pipeline (corrupt manifest in the lake) fails only its message, logged and counted', async () => {
    const w = await world();
    const song = worker(w, 'song');
    const puts = [await land(w, SONG_2005), await land(w, SONG_2004), await land(w, SONG_YEAR_0)];
    await putBytes(aws.s3Client, w.lake, `_manifests/${stemOf(SONG_2004)}.json`, '{ not a manifest');
    const records = puts.map((put) => sqsRecord(createdEventBody(put)));

    const response = await song.run(sqsEvent(...records));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[1]!.messageId }]);
    const keys = await listAllKeys(aws.s3Client, w.lake);
    expect(keys).toContain(`base_songs/year=2005/${stemOf(SONG_2005)}.parquet`);
    expect(keys).toContain(`base_songs/year=0/${stemOf(SONG_YEAR_0)}.parquet`);
    expect(gluePartitions(w)).toEqual(['base_songs:0', 'base_songs:2005']);
    expect(song.obs.metricTotal('FilesFailed')).toBe(1);
    expect(song.obs.metricTotal('FilesProcessed')).toBe(2);
    const errors = song.obs.logs().filter((entry) => entry.level === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ key: SONG_2004, bucket: w.landing, messageId: records[1]!.messageId });
    expect(JSON.stringify(errors[0])).toContain('corrupt manifest');
  });

  it('(b) a batch whose every message fails still answers with the list instead of throwing', async () => {
    const w = await world();
    const log = worker(w, 'log');
    const bad = sqsRecord('{"Records":[{"s3":{"bucket":{"name":"x"}}}]}');

    const response = await log.run(sqsEvent(bad));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: bad.messageId }] });
    expect(await listAllKeys(aws.s3Client, w.lake)).toEqual([]);
  });

  it('(b) a malformed message is logged as an error with its messageId and counted as failed', async () => {
    const w = await world();
    const log = worker(w, 'log');
    const bad = sqsRecord('not json at all');

    expect((await log.run(sqsEvent(bad))).batchItemFailures).toEqual([{ itemIdentifier: bad.messageId }]);

    expect(log.obs.logs()).toContainEqual(expect.objectContaining({ level: 'ERROR', messageId: bad.messageId }));
    expect(log.obs.metricTotal('MessagesMalformed')).toBe(1);
    expect(log.obs.metricTotal('FilesFailed')).toBe(0);
  });

  // NoSuchBucket is a 404 too: taken for a deleted object, it would remove the key's rows.
  it('(b) an event naming a bucket that does not exist fails its message and leaves the lake alone', async () => {
    const w = await world();
    const song = worker(w, 'song');
    const put = await land(w, SONG_2005);
    expect((await song.run(sqsEvent(sqsRecord(createdEventBody(put))))).batchItemFailures).toEqual([]);
    const before = await snapshotBucket(aws.s3Client, w.lake);
    expect(before.size).toBe(2);

    const wrongBucket = sqsRecord(s3EventBody(s3EventRecord({ bucket: `${w.landing}-gone`, key: SONG_2005, size: put.size, eTag: put.eTag })));
    const response = await song.run(sqsEvent(wrongBucket));

    expect(await snapshotBucket(aws.s3Client, w.lake)).toEqual(before);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: wrongBucket.messageId }]);
  });
});

// ---------------------------------------------------------------------------------------------
// (c) s3:TestEvent, (e) keys for the other worker
// ---------------------------------------------------------------------------------------------

describe('worker handler: messages that are not work', () => {
  it('(c) s3:TestEvent succeeds with no reads of the lake, no writes and no Glue call', async () => {
    const w = await world();
    const song = worker(w, 'song');
    const record = sqsRecord(s3TestEventBody(w.landing));

    const response = await song.run(sqsEvent(record));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await listAllKeys(aws.s3Client, w.lake)).toEqual([]);
    expect(glueInputs(w)).toEqual([]);
    expect(song.obs.logs()).toContainEqual(expect.objectContaining({ level: 'INFO', message: 'ignoring s3:TestEvent', messageId: record.messageId }));
  });

  it('(e) a log key sent to the song worker (and a non-JSON song key) is skipped, not failed', async () => {
    const w = await world();
    const song = worker(w, 'song');
    const logPut = await land(w, LOG_1101);
    const txtPut = await putBytes(aws.s3Client, w.landing, 'song_data/A/B/C/readme.txt', 'not a song');
    const logRecord = sqsRecord(createdEventBody(logPut));
    const txtRecord = sqsRecord(createdEventBody(txtPut));

    const response = await song.run(sqsEvent(logRecord, txtRecord));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await listAllKeys(aws.s3Client, w.lake)).toEqual([]);
    expect(glueInputs(w)).toEqual([]);
    expect(song.obs.metricTotal('FilesSkipped')).toBe(2);
    expect(song.obs.metricTotal('FilesProcessed')).toBe(0);
    const warnings = song.obs.logs().filter((entry) => entry.level === 'WARN');
    expect(warnings.map((entry) => [entry.message, entry.key])).toEqual(
      expect.arrayContaining([
        ['not a song file: skipped', LOG_1101],
        ['not a song file: skipped', 'song_data/A/B/C/readme.txt'],
      ]),
    );
  });

  it('(e) a song key sent to the log worker is skipped too', async () => {
    const w = await world();
    const log = worker(w, 'log');
    const put = await land(w, SONG_2005);
    expect(await log.run(sqsEvent(sqsRecord(createdEventBody(put))))).toEqual({ batchItemFailures: [] });
    expect(await listAllKeys(aws.s3Client, w.lake)).toEqual([]);
    expect(log.obs.logs()).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'not a log file: skipped', key: SONG_2005 }));
  });
});

// ---------------------------------------------------------------------------------------------
// (d) redelivery, (f) deletion, version change
// ---------------------------------------------------------------------------------------------

describe('worker handler: at-least-once delivery', () => {
  it('(d) the same message delivered twice through a real queue leaves the same keys and identical bytes', async () => {
    const w = await world();
    const log = worker(w, 'log');
    const put = await land(w, LOG_1102);
    const queueName = `log-queue-${randomUUID().slice(0, 8)}`;
    const queueUrl = (await aws.sqsClient.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
    const attributes = await aws.sqsClient.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    const queue = { url: queueUrl, arn: attributes.Attributes!.QueueArn! };
    await aws.sqsClient.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: createdEventBody(put) }));

    // First delivery: the function "times out" after its work, so the message comes back.
    const first = await receiveSqsEvent(aws.sqsClient, queue, { visibilityTimeout: 0 });
    expect(first.Records).toHaveLength(1);
    expect(first.Records[0]!.attributes.ApproximateReceiveCount).toBe('1');
    expect((await log.run(first)).batchItemFailures).toEqual([]);
    const afterFirst = await snapshotBucket(aws.s3Client, w.lake);

    const second = await receiveSqsEvent(aws.sqsClient, queue, { visibilityTimeout: 0 });
    expect(second.Records[0]!.messageId).toBe(first.Records[0]!.messageId);
    expect(second.Records[0]!.attributes.ApproximateReceiveCount).toBe('2');
    expect((await log.run(second)).batchItemFailures).toEqual([]);
    const afterSecond = await snapshotBucket(aws.s3Client, w.lake);

    expect([...afterFirst.keys()]).toEqual([
      `_manifests/${stemOf(LOG_1102)}.json`,
      `base_plays/year=2018/month=11/${stemOf(LOG_1102)}.parquet`,
    ]);
    expect(afterSecond).toEqual(afterFirst);
    // The warm-container cache: the partition was registered once.
    expect(glueInputs(w)).toHaveLength(1);
    expect(log.obs.logs().filter((e) => e.message === 'file processed').map((e) => e.receiveCount)).toEqual([1, 2]);
  });

  it('(d) duplicates of one message in the same parallel batch converge on the same lake', async () => {
    const w = await world();
    const once = worker(w, 'song');
    const put = await land(w, SONG_2005);
    await once.run(sqsEvent(sqsRecord(createdEventBody(put))));
    const single = await snapshotBucket(aws.s3Client, w.lake);

    const w2 = await world();
    const twice = worker(w2, 'song');
    const put2 = await land(w2, SONG_2005);
    const body = createdEventBody(put2);
    const response = await twice.run(sqsEvent(sqsRecord(body), sqsRecord(body), sqsRecord(body, { receiveCount: 2 })));

    expect(response.batchItemFailures).toEqual([]);
    const triple = await snapshotBucket(aws.s3Client, w2.lake);
    // Same source key → same output names and bytes, whatever the lake bucket (the manifest names no bucket).
    expect(triple).toEqual(single);
  });

  it('(f) the object deleted from the landing bucket, then its event redelivered → its outputs and manifest are removed', async () => {
    const w = await world();
    const log = worker(w, 'log');
    // A log file with one bad line has two outputs: plays and rejects.
    const text = (await readFile(join(SAMPLE, LOG_1101), 'utf8')) + '\n{this is not json}\n';
    const key = 'log_data/2018/11/2018-11-01-with-a-bad-line.json';
    const put = await putBytes(aws.s3Client, w.landing, key, text);
    const record = sqsRecord(createdEventBody(put));
    expect((await log.run(sqsEvent(record))).batchItemFailures).toEqual([]);
    expect(await listAllKeys(aws.s3Client, w.lake)).toEqual(
      [`_manifests/${stemOf(key)}.json`, `base_plays/year=2018/month=11/${stemOf(key)}.parquet`, `rejects/source=log_data/${stemOf(key)}.parquet`].sort(),
    );
    expect(gluePartitions(w)).toEqual(['base_plays:2018/11', 'rejects:log_data']);
    const [reject] = await readParquet(w.lake, `rejects/source=log_data/${stemOf(key)}.parquet`, 'source_key, line, raw');
    const badLine = text.split('\n').indexOf('{this is not json}') + 1;
    expect(badLine).toBe(16);
    expect(reject).toEqual({ source_key: key, line: badLine, raw: '{this is not json}' });

    await deleteObject(aws.s3Client, w.landing, key);
    const redelivered = { ...record, attributes: { ...record.attributes, ApproximateReceiveCount: '2' } };
    const response = await log.run(sqsEvent(redelivered));

    expect(response.batchItemFailures).toEqual([]);
    expect(await listAllKeys(aws.s3Client, w.lake)).toEqual([]);
    expect(log.obs.metricTotal('FilesRemoved')).toBe(1);
    expect(glueInputs(w)).toHaveLength(2);
  });

  it('(f) an ObjectRemoved:Delete event for a deleted song removes its outputs too', async () => {
    const w = await world();
    const song = worker(w, 'song');
    const put = await land(w, SONG_2005);
    await song.run(sqsEvent(sqsRecord(createdEventBody(put))));
    expect(await listAllKeys(aws.s3Client, w.lake)).toHaveLength(2);

    await deleteObject(aws.s3Client, w.landing, SONG_2005);
    const removed = sqsRecord(s3EventBody(s3EventRecord({ bucket: w.landing, key: SONG_2005, eventName: 'ObjectRemoved:Delete' })));
    expect((await song.run(sqsEvent(removed))).batchItemFailures).toEqual([]);
    expect(await listAllKeys(aws.s3Client, w.lake)).toEqual([]);
  });

  it('a new version of a log file in another month replaces the old partition output', async () => {
    const w = await world();
    const log = worker(w, 'log');
    const key = 'log_data/2018/11/moving.json';
    const november = await readFile(join(SAMPLE, LOG_1101), 'utf8');
    const december = november.replace(/"ts":1541/g, '"ts":1544'); // +3,000,000 s ≈ 35 days
    expect(nextSongsOf(december).every((e) => new Date(e.ts).getUTCMonth() === 11)).toBe(true);

    await log.run(sqsEvent(sqsRecord(createdEventBody(await putBytes(aws.s3Client, w.landing, key, november)))));
    await log.run(sqsEvent(sqsRecord(createdEventBody(await putBytes(aws.s3Client, w.landing, key, december)))));

    const plays = `base_plays/year=2018/month=12/${stemOf(key)}.parquet`;
    expect(await listAllKeys(aws.s3Client, w.lake)).toEqual([`_manifests/${stemOf(key)}.json`, plays]);
    expect(await readJson(w.lake, `_manifests/${stemOf(key)}.json`)).toEqual({ version: 1, formatVersion: 2, sourceKey: key, contentSha256: sha256(december), outputs: [plays] });
    expect(gluePartitions(w)).toEqual(['base_plays:2018/11', 'base_plays:2018/12']);
  });
});

// ---------------------------------------------------------------------------------------------
// (g) encoded keys
// ---------------------------------------------------------------------------------------------

describe('worker handler: keys', () => {
  it('(g) a key with spaces and unicode, URL-encoded in the event, is read and recorded decoded', async () => {
    const w = await world();
    const song = worker(w, 'song');
    const key = 'song_data/A/B/C/TR my song é.json';
    const put = await land(w, SONG_2005, key);
    const body = createdEventBody(put);
    expect(JSON.parse(body).Records[0].s3.object.key).toBe('song_data/A/B/C/TR+my+song+%C3%A9.json');

    const response = await song.run(sqsEvent(sqsRecord(body)));

    expect(response.batchItemFailures).toEqual([]);
    const parquetKey = `base_songs/year=2005/TR_my_song__-${createHash('sha256').update(key).digest('hex').slice(0, 16)}.parquet`;
    expect(await listAllKeys(aws.s3Client, w.lake)).toEqual([`_manifests/${stemOf(key)}.json`, parquetKey].sort());
    expect(await readParquet(w.lake, parquetKey, 'source_key, song_id')).toEqual([{ source_key: key, song_id: 'SOGVQGJ12AB017F169' }]);
    expect(await readJson(w.lake, `_manifests/${stemOf(key)}.json`)).toMatchObject({ sourceKey: key });
  });

  it('(g) a key with a literal plus sign (%2B) is not confused with a space', async () => {
    const w = await world();
    const song = worker(w, 'song');
    const plus = await land(w, SONG_2005, 'song_data/A/B/C/a+b.json');
    const response = await song.run(sqsEvent(sqsRecord(createdEventBody(plus))));
    expect(JSON.parse(createdEventBody(plus)).Records[0].s3.object.key).toBe('song_data/A/B/C/a%2Bb.json');
    expect(response.batchItemFailures).toEqual([]);
    expect(await listAllKeys(aws.s3Client, w.lake, 'base_songs/')).toEqual([`base_songs/year=2005/${stemOf('song_data/A/B/C/a+b.json')}.parquet`]);
  });
});

// ---------------------------------------------------------------------------------------------
// (h) Glue failures
// ---------------------------------------------------------------------------------------------

describe('worker handler: Glue', () => {
  const failFor =
    (year: string, code: string) =>
    (input: BatchCreatePartitionCommandInput): Partial<BatchCreatePartitionCommandOutput> => ({
      Errors: (input.PartitionInputList ?? [])
        .filter((p) => p.Values?.[0] === year)
        .map((p) => ({ PartitionValues: p.Values, ErrorDetail: { ErrorCode: code, ErrorMessage: `${code} for ${year}` } })),
    });

  it('(h) a non-AlreadyExists Glue error fails only the message whose partition it is; a retry registers again', async () => {
    const w = await world();
    w.glueMock.on(BatchCreatePartitionCommand).callsFake(failFor('2005', 'InternalServiceException'));
    const song = worker(w, 'song');
    const failing = sqsRecord(createdEventBody(await land(w, SONG_2005)));
    const passing = sqsRecord(createdEventBody(await land(w, SONG_YEAR_0)));

    const response = await song.run(sqsEvent(failing, passing));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: failing.messageId }]);
    expect(song.obs.metricTotal('FilesFailed')).toBe(1);
    const error = song.obs.logs().find((e) => e.level === 'ERROR');
    expect(JSON.stringify(error)).toContain(`Glue rejected 1 partition(s) in ${DATABASE}: base_songs [2005]: InternalServiceException`);

    // Glue recovers; the redelivered message registers the partition (the cache did not keep it).
    w.glueMock.on(BatchCreatePartitionCommand).resolves({ Errors: [] });
    const retry = await song.run(sqsEvent({ ...failing, attributes: { ...failing.attributes, ApproximateReceiveCount: '2' } }));
    expect(retry.batchItemFailures).toEqual([]);
    expect(gluePartitions(w)).toEqual(['base_songs:0', 'base_songs:2005', 'base_songs:2005']);
  });

  it('(h) a Glue call that throws (throttling) fails only that message', async () => {
    const w = await world();
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    w.glueMock.on(BatchCreatePartitionCommand).callsFake((input: BatchCreatePartitionCommandInput) => {
      if (input.TableName === 'base_plays') throw throttled;
      return { Errors: [] };
    });
    const log = worker(w, 'log');
    const failing = sqsRecord(createdEventBody(await land(w, LOG_1101)));
    const testEvent = sqsRecord(s3TestEventBody(w.landing));

    const response = await log.run(sqsEvent(testEvent, failing));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: failing.messageId }]);
    expect(JSON.stringify(log.obs.logs().find((e) => e.level === 'ERROR'))).toContain('Rate exceeded');
  });

  it('(h) AlreadyExistsException is success, and a partition the container knows is not sent again', async () => {
    const w = await world();
    w.glueMock.on(BatchCreatePartitionCommand).callsFake(failFor('2005', 'AlreadyExistsException'));
    const song = worker(w, 'song');
    const first = sqsRecord(createdEventBody(await land(w, SONG_2005)));
    expect((await song.run(sqsEvent(first))).batchItemFailures).toEqual([]);
    // Another song of 2005 in the same warm container: no Glue call at all.
    const second = sqsRecord(createdEventBody(await land(w, SONG_2005, 'song_data/A/B/C/another-2005.json')));
    expect((await song.run(sqsEvent(second))).batchItemFailures).toEqual([]);
    expect(gluePartitions(w)).toEqual(['base_songs:2005']);
    expect(await listAllKeys(aws.s3Client, w.lake, 'base_songs/year=2005/')).toHaveLength(2);
  });
});

// ---------------------------------------------------------------------------------------------
// (i) configuration
// ---------------------------------------------------------------------------------------------

describe('readWorkerEnvironment', () => {
  const defaults = { processInParallel: true };

  it('reads the lake bucket and database, and the default or explicit parallelism', () => {
    expect(readWorkerEnvironment({ LAKE_BUCKET: 'lake', GLUE_DATABASE: 'db' }, defaults)).toEqual({
      lakeBucket: 'lake',
      glueDatabase: 'db',
      processInParallel: true,
    });
    expect(readWorkerEnvironment({ LAKE_BUCKET: 'lake', GLUE_DATABASE: 'db' }, { processInParallel: false }).processInParallel).toBe(false);
    expect(readWorkerEnvironment({ LAKE_BUCKET: 'lake', GLUE_DATABASE: 'db', PROCESS_IN_PARALLEL: 'false' }, defaults).processInParallel).toBe(false);
    expect(readWorkerEnvironment({ LAKE_BUCKET: 'lake', GLUE_DATABASE: 'db', PROCESS_IN_PARALLEL: 'true' }, { processInParallel: false }).processInParallel).toBe(true);
  });

  it.each([
    [{ GLUE_DATABASE: 'db' }, 'worker misconfigured: environment variable(s) LAKE_BUCKET not set'],
    [{ LAKE_BUCKET: 'lake' }, 'worker misconfigured: environment variable(s) GLUE_DATABASE not set'],
    [{}, 'worker misconfigured: environment variable(s) LAKE_BUCKET, GLUE_DATABASE not set'],
    [{ LAKE_BUCKET: '', GLUE_DATABASE: 'db' }, 'worker misconfigured: environment variable(s) LAKE_BUCKET not set'],
  ])('rejects missing variables: %j', (env, message) => {
    expect(() => readWorkerEnvironment(env, defaults)).toThrow(new Error(message));
  });

  it.each(['yes', 'TRUE', '1', '', ' true'])('rejects PROCESS_IN_PARALLEL=%j', (value) => {
    expect(() => readWorkerEnvironment({ LAKE_BUCKET: 'lake', GLUE_DATABASE: 'db', PROCESS_IN_PARALLEL: value }, defaults)).toThrow(
      new Error(`worker misconfigured: PROCESS_IN_PARALLEL must be true or false, not ${value}`),
    );
  });

  it('awsWorkerDependencies composes from the environment and fails loudly without it', () => {
    vi.stubEnv('LAKE_BUCKET', 'sparkify-lake-bucket');
    vi.stubEnv('GLUE_DATABASE', 'sparkify');
    vi.stubEnv('PROCESS_IN_PARALLEL', undefined);
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    try {
      const song = awsWorkerDependencies('song');
      expect(song.kind).toBe('song');
      expect(song.processInParallel).toBe(true);
      expect(song.lake.description).toBe('s3://sparkify-lake-bucket');
      expect(song.sourceStore('landing')).toBe(song.sourceStore('landing'));
      expect(song.sourceStore('landing').description).toBe('s3://landing');
      expect(awsWorkerDependencies('log').processInParallel).toBe(false);
      vi.stubEnv('GLUE_DATABASE', undefined);
      expect(() => awsWorkerDependencies('log')).toThrow('GLUE_DATABASE not set');
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
