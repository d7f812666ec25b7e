/**
 * The SQS-triggered worker end to end, with everything real except AWS itself: S3ObjectStores on an
 * in-process fauxqs server (a landing bucket and a lake bucket per test), the real Glue request
 * builder (registerPartitions) behind the real warm-container cache, a Glue client mocked with
 * aws-sdk-client-mock (refusing, as Glue does, a partition whose values do not match the table's
 * keys), and Powertools Logger/Metrics whose output is captured and asserted. Parquet written to
 * the lake is downloaded and read back with DuckDB.
 *
 * The design under test: one invocation processes its SQS batch as ONE batch: one immutable object
 * per table partition (`<table>/<partition>/part-<writeId>.parquet`), then the batch's rows of the
 * ledger (base_sources), one per landing object, in one more object of the same write id. A file
 * that fails fails only its own message; a batch that cannot be written or committed fails all of
 * its messages. Expected keys, rows and ledger rows are computed here from the raw files and the
 * documented layout, not with src/.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import {
  BatchCreatePartitionCommand,
  type BatchCreatePartitionCommandInput,
  type BatchCreatePartitionCommandOutput,
} from '@aws-sdk/client-glue';
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { SqsHandler } from '../../lambdas/worker-handler.js';
import { awsWorkerDependencies } from '../../lambdas/aws-dependencies.js';
import { METRICS_NAMESPACE, readWorkerEnvironment, SOURCE_KIND_FACTS } from '../../src/contract/index.js';
import { BASE_PLAYS, BASE_SONGS, BASE_SOURCES, BASE_USER_LATEST } from '../../src/domain/tables.js';
import type { SourceKind } from '../../src/domain/layout.js';
import { LAKE_FORMAT_VERSION } from '../../src/pipeline/ledger.js';
import type { ObjectInfo, ObjectStore } from '../../src/storage/object-store.js';
import {
  createdEventBody,
  deleteObject,
  getObjectBytes,
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
import { FaultyObjectStore } from '../support/faults/fault-store.js';
import { rowsOf, snapshotBucketLake } from '../support/faults/lake-compare.js';
import {
  checkPartitionValues,
  createWorld,
  worker as harnessWorker,
  type WorkerOptions,
  type World,
} from '../support/worker-harness.js';

const SAMPLE = join(import.meta.dirname, '../../data/sample');
const sha256 = (content: string | Uint8Array): string => createHash('sha256').update(content).digest('hex');

const SONG_2005 = 'song_data/A/B/B/TRABBNP128F932546F.json';
const SONG_2004 = 'song_data/A/B/B/TRABBXU128F92FEF48.json';
const SONG_YEAR_0 = 'song_data/A/B/B/TRABBJE12903CDB442.json';
const LOG_1101 = 'log_data/2018/11/2018-11-01-events.json';
const LOG_1102 = 'log_data/2018/11/2018-11-02-events.json';
const DATABASE = 'sparkify_test';
/** `20181121T215647796Z-1a2b3c4d5e6f`: the batch's start time, then 48 random bits (docs/ARCHITECTURE.md). */
const WRITE_ID = /^\d{8}T\d{9}Z-[0-9a-f]{12}$/;

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

interface Worker {
  readonly handler: SqsHandler;
  readonly obs: CapturedObservability;
  run(event: SQSEvent): Promise<SQSBatchResponse>;
}

const teardowns: (() => void)[] = [];
afterEach(() => {
  for (const teardown of teardowns.splice(0).reverse()) teardown();
});

/** Fresh landing and lake buckets and a fake Glue catalog that accepts valid partitions (test/support/worker-harness.ts). */
async function world(): Promise<World> {
  const w = await createWorld(aws, { databaseName: DATABASE });
  teardowns.push(() => w.restore());
  return w;
}

/** A worker as awsWorkerDependencies composes it (fileConcurrency as deployed), its logs and metrics captured under its deployed names. */
function worker(w: World, kind: SourceKind, options: Pick<WorkerOptions, 'source' | 'lake'> = {}): Worker {
  const obs = captureObservability({ serviceName: SOURCE_KIND_FACTS[kind].serviceName, namespace: METRICS_NAMESPACE });
  teardowns.push(() => obs.restore());
  const container = harnessWorker(w, kind, { ...options, observability: obs });
  return { handler: container.handler, obs, run: container.invoke };
}

async function land(w: World, samplePath: string, key = samplePath): Promise<PutResult> {
  return putLocalFile(aws.s3Client, w.landing, key, join(SAMPLE, samplePath));
}

function glueInputs(w: World): BatchCreatePartitionCommandInput[] {
  return w.catalog.mock
    .commandCalls(BatchCreatePartitionCommand)
    .map((call) => call.args[0].input as BatchCreatePartitionCommandInput);
}

/** table:values of every partition sent to Glue, sorted. */
function gluePartitions(w: World): string[] {
  return glueInputs(w)
    .flatMap((input) => (input.PartitionInputList ?? []).map((p) => `${input.TableName}:${(p.Values ?? []).join('/')}`))
    .sort();
}

// ---------------------------------------------------------------------------------------------
// Expectations computed independently of src/ (from the documented layout and the raw files)
// ---------------------------------------------------------------------------------------------

/** The sequencer of a record's (first) S3 event, as the ledger stores it: upper case, right-padded with zeros to 32 digits. */
function seqOf(record: SQSRecord): string {
  const body = JSON.parse(record.body) as { Records: { s3: { object: { sequencer: string } } }[] };
  return body.Records[0]!.s3.object.sequencer.toUpperCase().padEnd(32, '0');
}

/** The write ids named by the batch files among these keys. */
function writeIdsOf(keys: readonly string[]): string[] {
  return [...new Set(keys.flatMap((key) => /\/part-([^/]+)\.parquet$/.exec(key)?.[1] ?? []))].sort();
}

/** The keys a batch with this write id writes: one per partition folder given, in sorted order. */
function batchObjects(writeId: string, ...folders: string[]): string[] {
  return folders.map((folder) => `${folder}/part-${writeId}.parquet`).sort();
}

/** The only write id among these keys (a batch writes all its objects under one). */
function onlyWriteId(keys: readonly string[]): string {
  const ids = writeIdsOf(keys);
  expect(ids).toHaveLength(1);
  expect(ids[0]).toMatch(WRITE_ID);
  return ids[0]!;
}

async function songYear(samplePath: string): Promise<number> {
  return (JSON.parse(await readFile(join(SAMPLE, samplePath), 'utf8')) as { year: number }).year;
}

interface NextSong {
  readonly songplayId: string;
  readonly userId: number;
  readonly sessionId: number;
  readonly itemInSession: number;
  readonly ts: number;
  readonly level: string;
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
      return [
        {
          // The event identity (contract): userId-sessionId-itemInSession-ts.
          songplayId: `${Number(event.userId)}-${String(event.sessionId)}-${String(event.itemInSession)}-${String(event.ts)}`,
          userId: Number(event.userId),
          sessionId: Number(event.sessionId),
          itemInSession: Number(event.itemInSession),
          ts: Number(event.ts),
          level: String(event.level),
          line: number,
        },
      ];
    });
}

async function nextSongsOfSample(samplePath: string): Promise<NextSong[]> {
  return nextSongsOf(await readFile(join(SAMPLE, samplePath), 'utf8'));
}

/** Each user's latest NextSong event (greatest ts, then sessionId, then itemInSession): base_user_latest's rows for one file. */
function latestPerUser(plays: readonly NextSong[]): Map<number, NextSong> {
  const later = (a: NextSong, b: NextSong): number =>
    a.ts - b.ts || a.sessionId - b.sessionId || a.itemInSession - b.itemInSession;
  const latest = new Map<number, NextSong>();
  for (const play of plays) {
    const seen = latest.get(play.userId);
    if (!seen || later(play, seen) > 0) latest.set(play.userId, play);
  }
  return latest;
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
async function readParquet(
  bucket: string,
  key: string,
  select = '*',
  orderBy = '',
): Promise<Record<string, unknown>[]> {
  const file = await download(bucket, key);
  const reader = await sql.runAndReadAll(
    `SELECT ${select} FROM read_parquet('${file}')${orderBy ? ` ORDER BY ${orderBy}` : ''}`,
  );
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

/** Column names of a lake object, in file order. */
async function parquetColumns(bucket: string, key: string): Promise<string[]> {
  const file = await download(bucket, key);
  const reader = await sql.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
  return (reader.getRowObjectsJson() as { column_name: string }[]).map((r) => r.column_name);
}

/** The ledger rows in one of the lake's base_sources objects, by source key. */
async function ledgerRows(bucket: string, key: string): Promise<Record<string, unknown>[]> {
  return readParquet(bucket, key, '*', 'source_key');
}

function ledgerKey(source: 'song_data' | 'log_data', writeId: string): string {
  return `base_sources/source=${source}/part-${writeId}.parquet`;
}

// ---------------------------------------------------------------------------------------------
// One batch: song and log messages → Parquet per partition, a ledger commit, Glue partitions
// ---------------------------------------------------------------------------------------------

describe('worker handler: files land in the lake', () => {
  it('song message → base_songs/year=<year>/part-<writeId>.parquet with the song row, its ledger row under the same write id, and both partitions in Glue', async () => {
    const w = await world();
    const song = worker(w, 'song');
    const put = await land(w, SONG_2005);
    expect(await songYear(SONG_2005)).toBe(2005);
    const record = sqsRecord(createdEventBody(put));

    const response = await song.run(sqsEvent(record));

    expect(response).toEqual({ batchItemFailures: [] });
    const keys = await listAllKeys(aws.s3Client, w.lake);
    const writeId = onlyWriteId(keys);
    const songKey = `base_songs/year=2005/part-${writeId}.parquet`;
    expect(keys).toEqual(batchObjects(writeId, 'base_songs/year=2005', 'base_sources/source=song_data'));

    const source = JSON.parse(await readFile(join(SAMPLE, SONG_2005), 'utf8')) as Record<string, unknown>;
    expect(await readParquet(w.lake, songKey)).toEqual([
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
        write_id: writeId,
        rescued_data: null,
      },
    ]);
    expect(await parquetColumns(w.lake, songKey)).toEqual(BASE_SONGS.columns.map((c) => c.name));
    // The commit: one ledger row naming the version (the event's sequencer), the content and where its rows are.
    expect(await ledgerRows(w.lake, ledgerKey('song_data', writeId))).toEqual([
      {
        source_key: SONG_2005,
        seq: seqOf(record),
        write_id: writeId,
        status: 'present',
        content_sha256: sha256(await readFile(join(SAMPLE, SONG_2005))),
        bytes: String(put.size), // a BIGINT, which DuckDB's JSON gives as text
        rows: 1,
        partitions: '["base_songs/2005"]',
        format_version: LAKE_FORMAT_VERSION,
      },
    ]);
    expect(await parquetColumns(w.lake, ledgerKey('song_data', writeId))).toEqual(
      BASE_SOURCES.columns.map((c) => c.name),
    );

    const inputs = glueInputs(w);
    expect(inputs.map((input) => input.TableName)).toEqual(['base_songs', 'base_sources']);
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
    expect(inputs[1]).toMatchObject({
      TableName: 'base_sources',
      PartitionInputList: [
        { Values: ['song_data'], StorageDescriptor: { Location: `s3://${w.lake}/base_sources/source=song_data/` } },
      ],
    });

    expect(song.obs.metricTotal('FilesProcessed')).toBe(1);
    expect(song.obs.metricTotal('RowsWritten_base_songs')).toBe(1);
    expect(song.obs.metricTotal('BytesRead')).toBe(put.size);
    expect(song.obs.metricTotal('BatchFiles')).toBe(1);
    expect(song.obs.metricTotal('ObjectsWritten')).toBe(2);
    expect(song.obs.metricNames()).toContain('BatchDuration');
    expect(song.obs.logs()).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'file processed',
        key: SONG_2005,
        bucket: w.landing,
        messageIds: [record.messageId],
        status: 'processed',
        writeId,
      }),
    );
    expect(song.obs.logs()).toContainEqual(
      expect.objectContaining({
        level: 'INFO',
        message: 'batch committed',
        writeId,
        files: 1,
        committed: 1,
        objectsWritten: 2,
      }),
    );
  });

  it("log message → base_plays/year=2018/month=11 with one row per NextSong event, base_user_latest with each user's latest event, no Glue partition for the unpartitioned table", async () => {
    const w = await world();
    const log = worker(w, 'log');
    const put = await land(w, LOG_1101);
    const expected = await nextSongsOfSample(LOG_1101);
    expect(expected).toHaveLength(11);
    const record = sqsRecord(createdEventBody(put));

    const response = await log.run(sqsEvent(record));

    expect(response.batchItemFailures).toEqual([]);
    const keys = await listAllKeys(aws.s3Client, w.lake);
    const writeId = onlyWriteId(keys);
    expect(keys).toEqual(
      batchObjects(writeId, 'base_plays/year=2018/month=11', 'base_sources/source=log_data', 'base_user_latest'),
    );
    const playsKey = `base_plays/year=2018/month=11/part-${writeId}.parquet`;

    const rows = await readParquet(
      w.lake,
      playsKey,
      'songplay_id, epoch_ms(start_time)::DOUBLE AS ts, source_line, source_key, write_id',
    );
    expect(rows).toHaveLength(expected.length);
    expect(rows.map((r) => r.songplay_id).sort()).toEqual(expected.map((e) => e.songplayId).sort());
    // Sorted by start time in the file, each row pointing at its source line.
    const byTime = [...expected].sort((a, b) => a.ts - b.ts || a.line - b.line);
    expect(rows.map((r) => [r.ts, r.source_line])).toEqual(byTime.map((e) => [e.ts, e.line]));
    expect(new Set(rows.map((r) => `${String(r.source_key)} ${String(r.write_id)}`))).toEqual(
      new Set([`${LOG_1101} ${writeId}`]),
    );
    expect(await parquetColumns(w.lake, playsKey)).toEqual(BASE_PLAYS.columns.map((c) => c.name));

    const latest = latestPerUser(expected);
    const users = await readParquet(
      w.lake,
      `base_user_latest/part-${writeId}.parquet`,
      'user_id, level, source_line, source_key',
      'user_id',
    );
    expect(users).toEqual(
      [...latest.values()]
        .sort((a, b) => a.userId - b.userId)
        .map((e) => ({ user_id: e.userId, level: e.level, source_line: e.line, source_key: LOG_1101 })),
    );
    expect(await parquetColumns(w.lake, `base_user_latest/part-${writeId}.parquet`)).toEqual(
      BASE_USER_LATEST.columns.map((c) => c.name),
    );

    expect(await ledgerRows(w.lake, ledgerKey('log_data', writeId))).toEqual([
      expect.objectContaining({
        source_key: LOG_1101,
        seq: seqOf(record),
        status: 'present',
        rows: 11 + latest.size,
        partitions: '["base_plays/2018/11","base_user_latest"]',
      }),
    ]);

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
      {
        DatabaseName: DATABASE,
        TableName: 'base_sources',
        PartitionInputList: [
          {
            Values: ['log_data'],
            StorageDescriptor: expect.objectContaining({ Location: `s3://${w.lake}/base_sources/source=log_data/` }),
          },
        ],
      },
    ]);
    expect(log.obs.metricTotal('RowsWritten_base_plays')).toBe(11);
    expect(log.obs.metricTotal('RowsWritten_base_user_latest')).toBe(latest.size);
    expect(log.obs.metricTotal('EventsRead')).toBe(15);
    expect(log.obs.metricTotal('RecordsRejected')).toBe(0);
  });

  it('counts the fields the schema does not know (FieldsRescued): the app changed its events, nothing was dropped', async () => {
    const w = await world();
    const log = worker(w, 'log');
    const [first, second] = (await readFile(join(SAMPLE, LOG_1101), 'utf8'))
      .split('\n')
      .filter((line) => line.includes('"NextSong"'));
    const withNewFields = [
      `${(first ?? '').slice(0, -1)},"mood":"happy"}`,
      `${(second ?? '').slice(0, -1)},"mood":"calm","device":{"os":"ios"}}`,
    ].join('\n');
    const put = await putBytes(aws.s3Client, w.landing, 'log_data/2018/11/2018-11-01-rescued.json', withNewFields);
    const response = await log.run(sqsEvent(sqsRecord(createdEventBody(put))));
    expect(response.batchItemFailures).toEqual([]);
    expect(log.obs.metricTotal('FieldsRescued')).toBe(3);
    expect(log.obs.metricTotal('RowsWritten_base_plays')).toBe(2);
  });

  it('reads gzip-compressed landing files (.json.gz) as the plain ones: the same rows, the stored bytes in the ledger', async () => {
    const w = await world();
    const log = worker(w, 'log');
    const song = worker(w, 'song');
    const gzLog = `${LOG_1101}.gz`;
    const gzSong = `${SONG_2005}.gz`;
    const logBytes = gzipSync(await readFile(join(SAMPLE, LOG_1101)));
    const logPut = await putBytes(aws.s3Client, w.landing, gzLog, logBytes);
    const songPut = await putBytes(aws.s3Client, w.landing, gzSong, gzipSync(await readFile(join(SAMPLE, SONG_2005))));

    expect((await log.run(sqsEvent(sqsRecord(createdEventBody(logPut))))).batchItemFailures).toEqual([]);
    expect((await song.run(sqsEvent(sqsRecord(createdEventBody(songPut))))).batchItemFailures).toEqual([]);

    const keys = await listAllKeys(aws.s3Client, w.lake);
    const playsKey = keys.find((key) => key.startsWith('base_plays/year=2018/month=11/')) as string;
    const rows = await readParquet(w.lake, playsKey, 'songplay_id, source_key');
    expect(rows.map((r) => r.songplay_id).sort()).toEqual(
      (await nextSongsOfSample(LOG_1101)).map((e) => e.songplayId).sort(),
    );
    expect(new Set(rows.map((r) => r.source_key))).toEqual(new Set([gzLog]));
    const songsKey = keys.find((key) => key.startsWith('base_songs/year=2005/')) as string;
    expect((await readParquet(w.lake, songsKey, 'source_key')).map((r) => r.source_key)).toEqual([gzSong]);
    const ledger = keys.filter((key) => key.startsWith('base_sources/source=log_data/'));
    expect(await ledgerRows(w.lake, ledger[0] as string)).toEqual([
      expect.objectContaining({ source_key: gzLog, status: 'present', bytes: String(logBytes.length) }),
    ]);
  });

  it('a batch of several files is written as one batch: one object per partition, one ledger object with a row per file', async () => {
    const w = await world();
    const song = worker(w, 'song');
    const records = [await land(w, SONG_2005), await land(w, SONG_2004), await land(w, SONG_YEAR_0)].map((put) =>
      sqsRecord(createdEventBody(put)),
    );

    expect((await song.run(sqsEvent(...records))).batchItemFailures).toEqual([]);

    const keys = await listAllKeys(aws.s3Client, w.lake);
    const writeId = onlyWriteId(keys);
    expect(keys).toEqual(
      batchObjects(
        writeId,
        'base_songs/year=0',
        'base_songs/year=2004',
        'base_songs/year=2005',
        'base_sources/source=song_data',
      ),
    );
    expect(
      (await ledgerRows(w.lake, ledgerKey('song_data', writeId))).map((row) => [
        row.source_key,
        row.seq,
        row.partitions,
      ]),
    ).toEqual(
      [
        [SONG_2005, seqOf(records[0]!), '["base_songs/2005"]'],
        [SONG_2004, seqOf(records[1]!), '["base_songs/2004"]'],
        [SONG_YEAR_0, seqOf(records[2]!), '["base_songs/0"]'],
      ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );
    // One Glue call per table for the whole batch.
    expect(glueInputs(w).map((input) => input.TableName)).toEqual(['base_songs', 'base_sources']);
    expect(gluePartitions(w)).toEqual(['base_songs:0', 'base_songs:2004', 'base_songs:2005', 'base_sources:song_data']);
    expect(song.obs.metricTotal('BatchFiles')).toBe(3);
    expect(song.obs.metricTotal('ObjectsWritten')).toBe(4);
  });

  it('both workers share one lake: song and log objects side by side, one Glue call per new partition', async () => {
    const w = await world();
    const song = worker(w, 'song');
    const log = worker(w, 'log');
    const songPut = await land(w, SONG_YEAR_0);
    const logPut = await land(w, LOG_1102);

    expect((await song.run(sqsEvent(sqsRecord(createdEventBody(songPut))))).batchItemFailures).toEqual([]);
    expect((await log.run(sqsEvent(sqsRecord(createdEventBody(logPut))))).batchItemFailures).toEqual([]);

    const keys = await listAllKeys(aws.s3Client, w.lake);
    const [songWrite, logWrite] = [
      onlyWriteId(keys.filter((k) => k.includes('song'))),
      onlyWriteId(keys.filter((k) => !k.includes('song'))),
    ];
    expect(keys).toEqual(
      [
        ...batchObjects(songWrite, 'base_songs/year=0', 'base_sources/source=song_data'),
        ...batchObjects(logWrite, 'base_plays/year=2018/month=11', 'base_sources/source=log_data', 'base_user_latest'),
      ].sort(),
    );
    const [count] = await readParquet(
      w.lake,
      `base_plays/year=2018/month=11/part-${logWrite}.parquet`,
      'count(*)::INTEGER AS n',
    );
    expect(count).toEqual({ n: (await nextSongsOfSample(LOG_1102)).length });
    expect(count).toEqual({ n: 155 });
    expect(gluePartitions(w)).toEqual([
      'base_plays:2018/11',
      'base_songs:0',
      'base_sources:log_data',
      'base_sources:song_data',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// G8: partial batch failure (docs/ARCHITECTURE.md)
// ---------------------------------------------------------------------------------------------

/** A landing store whose reads of one key fail after the first chunk (a connection reset mid-file). */
function failingMidway(inner: ObjectStore, failingKey: string): ObjectStore {
  return {
    description: inner.description,
    openRead: async (key) => {
      const stream = await inner.openRead(key);
      if (!stream || key !== failingKey) return stream;
      return (async function* () {
        for await (const chunk of stream) {
          // Whole lines first, so some rows of the file are already in the batch when it fails.
          yield chunk.subarray(0, chunk.lastIndexOf(10) + 1);
          throw new Error(`connection reset while reading ${key}`);
        }
      })();
    },
    put: (key, body, contentType) => inner.put(key, body, contentType),
    delete: (key) => inner.delete(key),
    deleteMany: (keys) => inner.deleteMany(keys),
    list: (prefix) => inner.list(prefix),
    listObjects: (prefix): AsyncIterable<ObjectInfo> => inner.listObjects(prefix),
  };
}

describe('worker handler: partial batch responses', () => {
  it('G8: a body that is not JSON fails only its own message; the other two files are committed', async () => {
    const w = await world();
    const song = worker(w, 'song');
    const first = await land(w, SONG_2005);
    const third = await land(w, SONG_YEAR_0);
    const good1 = sqsRecord(createdEventBody(first));
    const bad = sqsRecord('this is not json');
    const good2 = sqsRecord(createdEventBody(third));

    const response = await song.run(sqsEvent(good1, bad, good2));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: bad.messageId }] });
    const keys = await listAllKeys(aws.s3Client, w.lake);
    const writeId = onlyWriteId(keys);
    expect(keys).toEqual(
      batchObjects(writeId, 'base_songs/year=0', 'base_songs/year=2005', 'base_sources/source=song_data'),
    );
    expect((await ledgerRows(w.lake, ledgerKey('song_data', writeId))).map((row) => row.source_key)).toEqual(
      [SONG_2005, SONG_YEAR_0].sort(),
    );
    expect(gluePartitions(w)).toEqual(['base_songs:0', 'base_songs:2005', 'base_sources:song_data']);
    expect(song.obs.metricTotal('FilesProcessed')).toBe(2);
  });

  it('G8: a file that fails halfway through fails only its message, logged and counted; its rows already written stay invisible, the others commit', async () => {
    const w = await world();
    const log = worker(w, 'log', { source: (store) => failingMidway(store, LOG_1101) });
    const records = [await land(w, LOG_1101), await land(w, LOG_1102)].map((put) => sqsRecord(createdEventBody(put)));

    const response = await log.run(sqsEvent(...records));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[0]!.messageId }]);
    const keys = await listAllKeys(aws.s3Client, w.lake);
    const writeId = onlyWriteId(keys);
    expect((await ledgerRows(w.lake, ledgerKey('log_data', writeId))).map((row) => row.source_key)).toEqual([LOG_1102]);
    // The batch's plays object holds the rows the failed file had produced before it failed...
    const playSources = (
      await readParquet(w.lake, `base_plays/year=2018/month=11/part-${writeId}.parquet`, 'source_key')
    ).map((row) => row.source_key);
    const partialRows = playSources.filter((key) => key === LOG_1101).length;
    expect(partialRows).toBeGreaterThan(0);
    expect(partialRows).toBeLessThan((await nextSongsOfSample(LOG_1101)).length);
    // ...which no answer shows (its key has no ledger row for this write), and compaction would drop.
    const lake = await snapshotBucketLake(aws.s3Client, w.lake, join(scratch, `midway-${randomUUID()}`));
    expect(new Set(rowsOf(lake, 'base_plays').map((row) => row.source_key))).toEqual(new Set([LOG_1102]));
    expect(lake.staleRows.base_plays).toBe(partialRows);
    expect(rowsOf(lake, 'songplays')).toHaveLength((await nextSongsOfSample(LOG_1102)).length);

    expect(log.obs.metricTotal('FilesFailed')).toBe(1);
    expect(log.obs.metricTotal('FilesProcessed')).toBe(1);
    const errors = log.obs.logs().filter((entry) => entry.level === 'ERROR');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      message: 'file failed; its message will be retried, then sent to the dead-letter queue',
      key: LOG_1101,
      bucket: w.landing,
      messageIds: [records[0]!.messageId],
      writeId,
    });
    expect(JSON.stringify(errors[0])).toContain('connection reset');
  });

  it('G8: a file that cannot be read at all fails only its message; nothing of it is in the lake', async () => {
    const w = await world();
    const song = worker(w, 'song', {
      source: (store) => new FaultyObjectStore(store, { failRead: (key) => key === SONG_2004 }),
    });
    const records = [await land(w, SONG_2005), await land(w, SONG_2004), await land(w, SONG_YEAR_0)].map((put) =>
      sqsRecord(createdEventBody(put)),
    );

    const response = await song.run(sqsEvent(...records));

    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[1]!.messageId }]);
    const keys = await listAllKeys(aws.s3Client, w.lake);
    const writeId = onlyWriteId(keys);
    expect(keys).toEqual(
      batchObjects(writeId, 'base_songs/year=0', 'base_songs/year=2005', 'base_sources/source=song_data'),
    );
    expect((await ledgerRows(w.lake, ledgerKey('song_data', writeId))).map((row) => row.source_key)).toEqual(
      [SONG_2005, SONG_YEAR_0].sort(),
    );
    expect(song.obs.metricTotal('FilesFailed')).toBe(1);
    expect(song.obs.metricTotal('FilesProcessed')).toBe(2);
  });

  it('G8: a batch that cannot be written fails every one of its messages and commits nothing', async () => {
    const w = await world();
    const song = worker(w, 'song', {
      lake: (store) =>
        new FaultyObjectStore(store, { failWrite: (_op, key) => key.startsWith('base_songs/year=2005/') }),
    });
    const records = [await land(w, SONG_2005), await land(w, SONG_YEAR_0)].map((put) =>
      sqsRecord(createdEventBody(put)),
    );
    const testEvent = sqsRecord(s3TestEventBody(w.landing));

    const response = await song.run(sqsEvent(records[0]!, testEvent, records[1]!));

    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      records.map((r) => r.messageId).sort(),
    );
    expect((await listAllKeys(aws.s3Client, w.lake)).filter((key) => key.startsWith('base_sources/'))).toEqual([]);
    expect(song.obs.metricTotal('BatchesFailed')).toBe(1);
    expect(song.obs.logs()).toContainEqual(
      expect.objectContaining({
        level: 'ERROR',
        message: 'batch could not be written; every message of it will be retried',
        files: 2,
      }),
    );
  });

  it('G8: a batch whose every message fails still answers with the list instead of throwing', async () => {
    const w = await world();
    const log = worker(w, 'log');
    const bad = sqsRecord('{"Records":[{"s3":{"bucket":{"name":"x"}}}]}');

    const response = await log.run(sqsEvent(bad));

    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: bad.messageId }] });
    expect(await listAllKeys(aws.s3Client, w.lake)).toEqual([]);
  });

  it('G8: a malformed message is logged as an error with its messageId and counted as malformed, not as a failed file', async () => {
    const w = await world();
    const log = worker(w, 'log');
    const bad = sqsRecord('not json at all');
    const withBadSequencer = s3EventRecord({ bucket: w.landing, key: LOG_1101 });
    withBadSequencer.s3.object.sequencer = 'not-hex';
    const badSequencer = sqsRecord(s3EventBody(withBadSequencer));

    expect((await log.run(sqsEvent(bad, badSequencer))).batchItemFailures).toEqual([
      { itemIdentifier: bad.messageId },
      { itemIdentifier: badSequencer.messageId },
    ]);

    expect(log.obs.logs()).toContainEqual(expect.objectContaining({ level: 'ERROR', messageId: bad.messageId }));
    expect(JSON.stringify(log.obs.logs().find((entry) => entry.messageId === badSequencer.messageId))).toContain(
      'sequencer',
    );
    expect(log.obs.metricTotal('MessagesMalformed')).toBe(2);
    expect(log.obs.metricTotal('FilesFailed')).toBe(0);
    expect(await listAllKeys(aws.s3Client, w.lake)).toEqual([]);
  });

  // NoSuchBucket is a 404 too: taken for a deleted object, it would remove the key's rows.
  it('G8: an event naming a bucket that does not exist fails its message and leaves the lake alone', async () => {
    const w = await world();
    const song = worker(w, 'song');
    const put = await land(w, SONG_2005);
    expect((await song.run(sqsEvent(sqsRecord(createdEventBody(put))))).batchItemFailures).toEqual([]);
    const before = await snapshotBucket(aws.s3Client, w.lake);
    expect(before.size).toBe(2);

    const wrongBucket = sqsRecord(
      s3EventBody(s3EventRecord({ bucket: `${w.landing}-gone`, key: SONG_2005, size: put.size, eTag: put.eTag })),
    );
    const response = await song.run(sqsEvent(wrongBucket));

    expect(await snapshotBucket(aws.s3Client, w.lake)).toEqual(before);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: wrongBucket.messageId }]);
  });
});

// ---------------------------------------------------------------------------------------------
// s3:TestEvent, keys for the other worker
// ---------------------------------------------------------------------------------------------

describe('worker handler: messages that are not work', () => {
  it('s3:TestEvent succeeds with no reads of the lake, no writes and no Glue call', async () => {
    const w = await world();
    const song = worker(w, 'song');
    const record = sqsRecord(s3TestEventBody(w.landing));

    const response = await song.run(sqsEvent(record));

    expect(response).toEqual({ batchItemFailures: [] });
    expect(await listAllKeys(aws.s3Client, w.lake)).toEqual([]);
    expect(glueInputs(w)).toEqual([]);
    expect(song.obs.logs()).toContainEqual(
      expect.objectContaining({ level: 'INFO', message: 'ignoring s3:TestEvent', messageId: record.messageId }),
    );
  });

  it('a log key sent to the song worker (and a non-JSON song key) is skipped, not failed', async () => {
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

  it('a song key sent to the log worker is skipped too', async () => {
    const w = await world();
    const log = worker(w, 'log');
    const put = await land(w, SONG_2005);
    expect(await log.run(sqsEvent(sqsRecord(createdEventBody(put))))).toEqual({ batchItemFailures: [] });
    expect(await listAllKeys(aws.s3Client, w.lake)).toEqual([]);
    expect(log.obs.logs()).toContainEqual(
      expect.objectContaining({ level: 'WARN', message: 'not a log file: skipped', key: SONG_2005 }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// G1: redelivery; G4: removal; G3: a version change (docs/ARCHITECTURE.md)
// ---------------------------------------------------------------------------------------------

describe('worker handler: at-least-once delivery', () => {
  it('G1: the same message delivered twice through a real queue: a second version with the same sequencer and a later write id, nothing written before changed', async () => {
    const w = await world();
    const log = worker(w, 'log');
    const put = await land(w, LOG_1102);
    const queueName = `log-queue-${randomUUID().slice(0, 8)}`;
    const queueUrl = (await aws.sqsClient.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl!;
    const attributes = await aws.sqsClient.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
    );
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

    // Objects are never changed or deleted: the first delivery's are all still there, byte for byte.
    for (const [key, bytes] of afterFirst) expect(afterSecond.get(key), key).toBe(bytes);
    const [firstWrite, secondWrite] = writeIdsOf([...afterSecond.keys()]);
    expect(writeIdsOf([...afterFirst.keys()])).toEqual([firstWrite]);
    expect(secondWrite! > firstWrite!).toBe(true);
    expect([...afterSecond.keys()].sort()).toEqual(
      [firstWrite!, secondWrite!]
        .flatMap((id) =>
          batchObjects(id, 'base_plays/year=2018/month=11', 'base_sources/source=log_data', 'base_user_latest'),
        )
        .sort(),
    );
    const versions = [
      ...(await ledgerRows(w.lake, ledgerKey('log_data', firstWrite!))),
      ...(await ledgerRows(w.lake, ledgerKey('log_data', secondWrite!))),
    ];
    expect(versions.map((row) => [row.seq, row.write_id])).toEqual([
      [seqOf(first.Records[0]!), firstWrite],
      [seqOf(first.Records[0]!), secondWrite],
    ]);
    // The warm-container cache: the partitions were registered once.
    expect(glueInputs(w)).toHaveLength(2);
    expect(
      log.obs
        .logs()
        .filter((e) => e.message === 'file processed')
        .map((e) => e.receiveCount),
    ).toEqual([1, 2]);
    // The two versions give one answer.
    const lake = await snapshotBucketLake(aws.s3Client, w.lake, join(scratch, `twice-${randomUUID()}`));
    expect(rowsOf(lake, 'songplays')).toHaveLength(155);
  });

  it('G1: duplicates of one message in the same batch are processed once', async () => {
    const w = await world();
    const song = worker(w, 'song');
    const put = await land(w, SONG_2005);
    const body = createdEventBody(put);
    const records = [sqsRecord(body), sqsRecord(body), sqsRecord(body, { receiveCount: 2 })];

    const response = await song.run(sqsEvent(...records));

    expect(response.batchItemFailures).toEqual([]);
    const keys = await listAllKeys(aws.s3Client, w.lake);
    const writeId = onlyWriteId(keys);
    expect(await readParquet(w.lake, `base_songs/year=2005/part-${writeId}.parquet`, 'source_key')).toEqual([
      { source_key: SONG_2005 },
    ]);
    expect(await ledgerRows(w.lake, ledgerKey('song_data', writeId))).toEqual([
      expect.objectContaining({ source_key: SONG_2005, seq: seqOf(records[0]!), rows: 1 }),
    ]);
    expect(song.obs.metricTotal('FilesProcessed')).toBe(1);
    expect(song.obs.logs().filter((entry) => entry.message === 'file processed')).toEqual([
      expect.objectContaining({ messageIds: records.map((r) => r.messageId), receiveCount: 2 }),
    ]);
  });

  it('G4: the object deleted from the landing bucket, then its event redelivered → a `removed` ledger row; nothing is deleted from the lake', async () => {
    const w = await world();
    const log = worker(w, 'log');
    // A log file with one bad line has three data objects: plays, each user's latest event, rejects.
    const text = `${await readFile(join(SAMPLE, LOG_1101), 'utf8')}\n{this is not json}\n`;
    const key = 'log_data/2018/11/2018-11-01-with-a-bad-line.json';
    const put = await putBytes(aws.s3Client, w.landing, key, text);
    const record = sqsRecord(createdEventBody(put));
    expect((await log.run(sqsEvent(record))).batchItemFailures).toEqual([]);
    const before = await snapshotBucket(aws.s3Client, w.lake);
    const firstWrite = onlyWriteId([...before.keys()]);
    expect([...before.keys()]).toEqual(
      batchObjects(
        firstWrite,
        'base_plays/year=2018/month=11',
        'base_rejects/source=log_data',
        'base_sources/source=log_data',
        'base_user_latest',
      ),
    );
    expect(gluePartitions(w)).toEqual(['base_plays:2018/11', 'base_rejects:log_data', 'base_sources:log_data']);
    const [reject] = await readParquet(
      w.lake,
      `base_rejects/source=log_data/part-${firstWrite}.parquet`,
      'source_key, line, raw',
    );
    const badLine = text.split('\n').indexOf('{this is not json}') + 1;
    expect(badLine).toBe(16);
    expect(reject).toEqual({ source_key: key, line: badLine, raw: '{this is not json}' });

    await deleteObject(aws.s3Client, w.landing, key);
    const redelivered = { ...record, attributes: { ...record.attributes, ApproximateReceiveCount: '2' } };
    const response = await log.run(sqsEvent(redelivered));

    expect(response.batchItemFailures).toEqual([]);
    const after = await snapshotBucket(aws.s3Client, w.lake);
    for (const [k, bytes] of before) expect(after.get(k), k).toBe(bytes);
    const removalWrite = writeIdsOf([...after.keys()]).find((id) => id !== firstWrite)!;
    // The removal writes only its ledger row: the key is gone, no data object for it.
    expect([...after.keys()].filter((k) => k.includes(removalWrite))).toEqual([ledgerKey('log_data', removalWrite)]);
    expect(await ledgerRows(w.lake, ledgerKey('log_data', removalWrite))).toEqual([
      {
        source_key: key,
        seq: seqOf(record),
        write_id: removalWrite,
        status: 'removed',
        content_sha256: null,
        bytes: null,
        rows: 0,
        partitions: '[]',
        format_version: LAKE_FORMAT_VERSION,
      },
    ]);
    expect(log.obs.metricTotal('FilesRemoved')).toBe(1);
    expect(glueInputs(w)).toHaveLength(3);
    // Its rows leave every answer.
    const lake = await snapshotBucketLake(aws.s3Client, w.lake, join(scratch, `removed-${randomUUID()}`));
    expect([rowsOf(lake, 'songplays'), rowsOf(lake, 'users'), rowsOf(lake, 'rejects')]).toEqual([[], [], []]);
  });

  it("G4: an ObjectRemoved:Delete event for a deleted song commits its removal, with the removal event's sequencer", async () => {
    const w = await world();
    const song = worker(w, 'song');
    const put = await land(w, SONG_2005);
    await song.run(sqsEvent(sqsRecord(createdEventBody(put))));
    expect(await listAllKeys(aws.s3Client, w.lake)).toHaveLength(2);

    await deleteObject(aws.s3Client, w.landing, SONG_2005);
    const removed = sqsRecord(
      s3EventBody(s3EventRecord({ bucket: w.landing, key: SONG_2005, eventName: 'ObjectRemoved:Delete' })),
    );
    expect((await song.run(sqsEvent(removed))).batchItemFailures).toEqual([]);
    const keys = await listAllKeys(aws.s3Client, w.lake);
    expect(keys).toHaveLength(3);
    const removalWrite = writeIdsOf(keys).at(-1)!;
    expect(await ledgerRows(w.lake, ledgerKey('song_data', removalWrite))).toEqual([
      expect.objectContaining({ source_key: SONG_2005, seq: seqOf(removed), status: 'removed', rows: 0 }),
    ]);
    expect(song.obs.metricTotal('FilesRemoved')).toBe(1);
    const lake = await snapshotBucketLake(aws.s3Client, w.lake, join(scratch, `song-removed-${randomUUID()}`));
    expect(rowsOf(lake, 'songs')).toEqual([]);
  });

  it('G3: a new version of a log file in another month: a new object in the new partition, a ledger row with the greater sequencer; the answers move', async () => {
    const w = await world();
    const log = worker(w, 'log');
    const key = 'log_data/2018/11/moving.json';
    const november = await readFile(join(SAMPLE, LOG_1101), 'utf8');
    const december = november.replace(/"ts":1541/g, '"ts":1544'); // +3,000,000 s ≈ 35 days
    expect(nextSongsOf(december).every((e) => new Date(e.ts).getUTCMonth() === 11)).toBe(true);

    const v1 = sqsRecord(createdEventBody(await putBytes(aws.s3Client, w.landing, key, november)));
    await log.run(sqsEvent(v1));
    const v2 = sqsRecord(createdEventBody(await putBytes(aws.s3Client, w.landing, key, december)));
    await log.run(sqsEvent(v2));

    const keys = await listAllKeys(aws.s3Client, w.lake);
    const [w1, w2] = writeIdsOf(keys);
    expect(keys).toEqual(
      [
        ...batchObjects(w1!, 'base_plays/year=2018/month=11', 'base_sources/source=log_data', 'base_user_latest'),
        ...batchObjects(w2!, 'base_plays/year=2018/month=12', 'base_sources/source=log_data', 'base_user_latest'),
      ].sort(),
    );
    expect(seqOf(v2) > seqOf(v1)).toBe(true);
    expect(await ledgerRows(w.lake, ledgerKey('log_data', w2!))).toEqual([
      expect.objectContaining({
        source_key: key,
        seq: seqOf(v2),
        content_sha256: sha256(december),
        partitions: '["base_plays/2018/12","base_user_latest"]',
      }),
    ]);
    expect(gluePartitions(w)).toEqual(['base_plays:2018/11', 'base_plays:2018/12', 'base_sources:log_data']);
    const lake = await snapshotBucketLake(aws.s3Client, w.lake, join(scratch, `moving-${randomUUID()}`));
    expect(new Set(rowsOf(lake, 'songplays').map((row) => row.month))).toEqual(new Set([12]));
  });
});

// ---------------------------------------------------------------------------------------------
// Encoded keys
// ---------------------------------------------------------------------------------------------

describe('worker handler: keys', () => {
  it.each([
    ['spaces and unicode', 'song_data/A/B/C/TR my song é.json', 'song_data/A/B/C/TR+my+song+%C3%A9.json'],
    ['a literal plus sign (%2B), not a space', 'song_data/A/B/C/a+b.json', 'song_data/A/B/C/a%2Bb.json'],
    [
      'a literal percent sign, decoded once',
      'song_data/A/B/C/100% sure%2B.json',
      'song_data/A/B/C/100%25+sure%252B.json',
    ],
  ])('a key with %s, URL-encoded in the event, is read and recorded decoded', async (_name, key, encoded) => {
    const w = await world();
    const song = worker(w, 'song');
    const put = await land(w, SONG_2005, key);
    const body = createdEventBody(put);
    expect((JSON.parse(body) as { Records: { s3: { object: { key: string } } }[] }).Records[0]!.s3.object.key).toBe(
      encoded,
    );

    const response = await song.run(sqsEvent(sqsRecord(body)));

    expect(response.batchItemFailures).toEqual([]);
    const keys = await listAllKeys(aws.s3Client, w.lake);
    const writeId = onlyWriteId(keys);
    // Object names come from the batch, not from the landing key: nothing of the key needs escaping.
    expect(keys).toEqual(batchObjects(writeId, 'base_songs/year=2005', 'base_sources/source=song_data'));
    expect(await readParquet(w.lake, `base_songs/year=2005/part-${writeId}.parquet`, 'source_key, song_id')).toEqual([
      { source_key: key, song_id: 'SOGVQGJ12AB017F169' },
    ]);
    expect(await ledgerRows(w.lake, ledgerKey('song_data', writeId))).toEqual([
      expect.objectContaining({ source_key: key, status: 'present' }),
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// G6: Glue failures before the commit (docs/ARCHITECTURE.md)
// ---------------------------------------------------------------------------------------------

describe('worker handler: Glue', () => {
  const failFor =
    (year: string, code: string) =>
    (input: BatchCreatePartitionCommandInput): Partial<BatchCreatePartitionCommandOutput> => {
      checkPartitionValues(input);
      return {
        Errors: (input.PartitionInputList ?? [])
          .filter((p) => p.Values?.[0] === year)
          .map((p) => ({
            PartitionValues: p.Values,
            ErrorDetail: { ErrorCode: code, ErrorMessage: `${code} for ${year}` },
          })),
      };
    };

  it('G6: a non-AlreadyExists Glue error fails the batch before its commit (every message of it); a retry registers again and commits', async () => {
    const w = await world();
    w.catalog.mock.on(BatchCreatePartitionCommand).callsFake(failFor('2005', 'InternalServiceException'));
    const song = worker(w, 'song');
    const failing = sqsRecord(createdEventBody(await land(w, SONG_2005)));
    const passing = sqsRecord(createdEventBody(await land(w, SONG_YEAR_0)));

    const response = await song.run(sqsEvent(failing, passing));

    // The catalog must know a partition before any row in it is visible: nothing committed.
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [failing.messageId, passing.messageId].sort(),
    );
    expect((await listAllKeys(aws.s3Client, w.lake)).filter((key) => key.startsWith('base_sources/'))).toEqual([]);
    expect(song.obs.metricTotal('BatchesFailed')).toBe(1);
    const error = song.obs.logs().find((e) => e.level === 'ERROR');
    expect(JSON.stringify(error)).toContain(
      `Glue rejected 1 partition(s) in ${DATABASE}: base_songs [2005]: InternalServiceException`,
    );

    // Glue recovers; the redelivered messages register the partitions again (the cache did not keep them) and commit.
    w.catalog.mock.on(BatchCreatePartitionCommand).callsFake((input: BatchCreatePartitionCommandInput) => {
      checkPartitionValues(input);
      return { Errors: [] };
    });
    const retry = await song.run(
      sqsEvent(
        ...[failing, passing].map((r) => ({ ...r, attributes: { ...r.attributes, ApproximateReceiveCount: '2' } })),
      ),
    );
    expect(retry.batchItemFailures).toEqual([]);
    // Glue is asked for every table even after one failed, so the ledger's partition was sent twice too.
    expect(gluePartitions(w)).toEqual([
      'base_songs:0',
      'base_songs:0',
      'base_songs:2005',
      'base_songs:2005',
      'base_sources:song_data',
      'base_sources:song_data',
    ]);
    const lake = await snapshotBucketLake(aws.s3Client, w.lake, join(scratch, `glue-retry-${randomUUID()}`));
    expect(rowsOf(lake, 'songs')).toHaveLength(2);
    expect(lake.uncommittedFiles).toHaveLength(2);
  });

  it('G6: a Glue call that throws (throttling) fails the messages of the batch, not the test event beside them', async () => {
    const w = await world();
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    w.catalog.mock.on(BatchCreatePartitionCommand).callsFake((input: BatchCreatePartitionCommandInput) => {
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

  it('G6: AlreadyExistsException is success, and a partition the container knows is not sent again', async () => {
    const w = await world();
    w.catalog.mock.on(BatchCreatePartitionCommand).callsFake(failFor('2005', 'AlreadyExistsException'));
    const song = worker(w, 'song');
    const first = sqsRecord(createdEventBody(await land(w, SONG_2005)));
    expect((await song.run(sqsEvent(first))).batchItemFailures).toEqual([]);
    // Another song of 2005 in the same warm container: no Glue call at all.
    const second = sqsRecord(createdEventBody(await land(w, SONG_2005, 'song_data/A/B/C/another-2005.json')));
    expect((await song.run(sqsEvent(second))).batchItemFailures).toEqual([]);
    expect(gluePartitions(w)).toEqual(['base_songs:2005', 'base_sources:song_data']);
    expect(await listAllKeys(aws.s3Client, w.lake, 'base_songs/year=2005/')).toHaveLength(2);
  });
});

// ---------------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------------

describe('readWorkerEnvironment', () => {
  const defaults = { fileConcurrency: 32 };

  it('reads the lake bucket and database, and the default or explicit file concurrency', () => {
    expect(readWorkerEnvironment({ LAKE_BUCKET: 'lake', GLUE_DATABASE: 'db' }, defaults)).toEqual({
      lakeBucket: 'lake',
      glueDatabase: 'db',
      fileConcurrency: 32,
    });
    expect(
      readWorkerEnvironment({ LAKE_BUCKET: 'lake', GLUE_DATABASE: 'db' }, { fileConcurrency: 1 }).fileConcurrency,
    ).toBe(1);
    expect(
      readWorkerEnvironment({ LAKE_BUCKET: 'lake', GLUE_DATABASE: 'db', FILE_CONCURRENCY: '4' }, defaults)
        .fileConcurrency,
    ).toBe(4);
    expect(
      readWorkerEnvironment({ LAKE_BUCKET: 'lake', GLUE_DATABASE: 'db', FILE_CONCURRENCY: '9999' }, defaults)
        .fileConcurrency,
    ).toBe(9999);
  });

  it.each([
    [{ GLUE_DATABASE: 'db' }, 'worker misconfigured: environment variable(s) LAKE_BUCKET not set'],
    [{ LAKE_BUCKET: 'lake' }, 'worker misconfigured: environment variable(s) GLUE_DATABASE not set'],
    [{}, 'worker misconfigured: environment variable(s) LAKE_BUCKET, GLUE_DATABASE not set'],
    [{ LAKE_BUCKET: '', GLUE_DATABASE: 'db' }, 'worker misconfigured: environment variable(s) LAKE_BUCKET not set'],
  ])('rejects missing variables: %j', (env, message) => {
    expect(() => readWorkerEnvironment(env, defaults)).toThrow(new Error(message));
  });

  it.each(['0', '-1', '1.5', '10000', '', ' 4', '4 ', 'four', '08', 'true'])('rejects FILE_CONCURRENCY=%j', (value) => {
    expect(() =>
      readWorkerEnvironment({ LAKE_BUCKET: 'lake', GLUE_DATABASE: 'db', FILE_CONCURRENCY: value }, defaults),
    ).toThrow(new Error(`worker misconfigured: FILE_CONCURRENCY must be a whole number from 1 to 9999, not ${value}`));
  });

  it('awsWorkerDependencies composes from the environment (32 song files at once, 1 log file, unless FILE_CONCURRENCY says) and fails loudly without it', () => {
    vi.stubEnv('LAKE_BUCKET', 'sparkify-lake-bucket');
    vi.stubEnv('GLUE_DATABASE', 'sparkify');
    vi.stubEnv('FILE_CONCURRENCY', undefined);
    vi.stubEnv('POWERTOOLS_DEV', 'true');
    try {
      const song = awsWorkerDependencies('song');
      expect(song.kind).toBe('song');
      expect(song.fileConcurrency).toBe(32);
      expect(song.lake.description).toBe('s3://sparkify-lake-bucket');
      expect(song.sourceStore('landing')).toBe(song.sourceStore('landing'));
      expect(song.sourceStore('landing').description).toBe('s3://landing');
      expect(awsWorkerDependencies('log').fileConcurrency).toBe(1);
      vi.stubEnv('FILE_CONCURRENCY', '2');
      expect(awsWorkerDependencies('log').fileConcurrency).toBe(2);
      vi.stubEnv('GLUE_DATABASE', undefined);
      expect(() => awsWorkerDependencies('log')).toThrow('GLUE_DATABASE not set');
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
