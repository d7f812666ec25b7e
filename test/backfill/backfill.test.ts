/**
 * Backfill against a real local S3 + SQS server (fauxqs, in process on 127.0.0.1): objects are put
 * in a bucket, backfill lists them and sends S3-shaped events, and the messages are received back
 * from the real queues and decoded with the workers' own parser.
 */
import { readFile } from 'node:fs/promises';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
  SendMessageBatchCommand,
  type Message,
  type SendMessageBatchCommandOutput,
} from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BATCH_ENTRIES, backfill, s3EventMessageBody, type BackfillProgress } from '../../src/backfill/backfill.js';
import { BACKFILL_USAGE, backfillCommand, regionFromQueueUrl } from '../../src/cli/commands/backfill.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { decodeS3Key, encodeS3EventKey, parseS3EventMessage, partitionOf } from '../../src/pipeline/s3-event.js';

const REGION = 'us-east-1';
const CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};
const BUCKET = 'sparkify-landing';

const SONG_SAMPLE = new URL('../../data/sample/song_data/A/A/A/TRAAAAW128F429D538.json', import.meta.url);
const LOG_SAMPLE = new URL('../../data/sample/log_data/2018/11/2018-11-01-events.json', import.meta.url);

/** 23 plain song keys (so batches of 10, 10 and 3), plus the awkward ones. */
const PLAIN_SONG_KEYS = Array.from(
  { length: 23 },
  (_, i) => `song_data/A/A/${String.fromCharCode(65 + (i % 26))}/TR${String(i).padStart(4, '0')}.json`,
);
const AWKWARD_SONG_KEYS = ['song_data/A/B/C/my song é 日本 ü.json', 'song_data/A/B/C/plus+and&amp=percent%20 (1).json'];
const LOG_KEYS = ['log_data/2018/11/2018-11-01-events.json', 'log_data/2018/11/day two é.json'];
const SKIPPED_KEYS = ['song_data/README.txt', 'other/thing.json', 'log_data/2018/11/notes.csv'];
const SONG_KEYS = [...PLAIN_SONG_KEYS, ...AWKWARD_SONG_KEYS];
const ALL_KEYS = [...SONG_KEYS, ...LOG_KEYS, ...SKIPPED_KEYS];

let close: () => Promise<void>;
let s3: S3Client;
let sqs: SQSClient;
let songQueueUrl: string;
let logQueueUrl: string;
const etags = new Map<string, string>();
const sizes = new Map<string, number>();

beforeAll(async () => {
  const app = buildApp({ logger: false, defaultRegion: REGION });
  const endpoint = await app.listen({ host: '127.0.0.1', port: 0 });
  s3 = new S3Client({
    endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  sqs = new SQSClient({ endpoint, region: REGION, credentials: CREDENTIALS });
  close = async () => {
    s3.destroy();
    sqs.destroy();
    await app.close();
  };

  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const song = await readFile(SONG_SAMPLE);
  const log = await readFile(LOG_SAMPLE);
  for (const key of ALL_KEYS) {
    const body = key.startsWith('log_data/') ? log : song;
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    etags.set(key, (put.ETag ?? '').replace(/"/g, ''));
    sizes.set(key, body.length);
  }
  songQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'song-queue' }))).QueueUrl ?? '';
  logQueueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'log-queue' }))).QueueUrl ?? '';
});

afterEach(async () => {
  await sqs.send(new PurgeQueueCommand({ QueueUrl: songQueueUrl }));
  await sqs.send(new PurgeQueueCommand({ QueueUrl: logQueueUrl }));
});

afterAll(async () => {
  await close?.();
});

/** Every message now in the queue (deleting nothing: the test queues are purged after each test). */
async function drain(queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (;;) {
    const response = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
      }),
    );
    if (!response.Messages?.length) return messages;
    messages.push(...response.Messages);
  }
}

function decodedKeys(messages: readonly Message[]): string[] {
  return messages.flatMap((m) => {
    const parsed = parseS3EventMessage(m.Body ?? '');
    if (parsed.kind !== 'objects') throw new Error('not an object event');
    return parsed.events.map((e) => {
      expect(e.bucket).toBe(BUCKET);
      expect(e.eventName).toBe('ObjectCreated:Put');
      return e.key;
    });
  });
}

describe('backfill against local S3 and SQS', () => {
  it('sends one S3 event per song_data/ and log_data/ .json object to the queue of its kind, keys decoding back exactly', async () => {
    const progress: BackfillProgress[] = [];
    const result = await backfill({
      s3,
      sqs,
      bucket: BUCKET,
      queueUrls: { song: songQueueUrl, log: logQueueUrl },
      region: REGION,
      pageSize: 4, // several ListObjectsV2 pages
      onProgress: (p) => progress.push(p),
    });

    expect(result).toMatchObject({
      listed: ALL_KEYS.length,
      skipped: SKIPPED_KEYS.length,
      matched: { song: SONG_KEYS.length, log: LOG_KEYS.length },
      sent: { song: SONG_KEYS.length, log: LOG_KEYS.length },
      failed: [],
      dryRun: false,
    });
    const songMessages = await drain(songQueueUrl);
    const logMessages = await drain(logQueueUrl);
    expect(decodedKeys(songMessages).sort()).toEqual([...SONG_KEYS].sort());
    expect(decodedKeys(logMessages).sort()).toEqual([...LOG_KEYS].sort());

    // Progress was reported per listing page and per batch, and ends with the totals.
    expect(progress.length).toBeGreaterThan(Math.ceil(ALL_KEYS.length / 4));
    expect(progress.at(-1)).toMatchObject({
      listed: ALL_KEYS.length,
      matched: SONG_KEYS.length + LOG_KEYS.length,
      sent: SONG_KEYS.length + LOG_KEYS.length,
      failed: 0,
    });
  });

  it('writes the AWS event shape: version 2.1, aws:s3, ObjectCreated:Put, bucket name and ARN, URL-encoded key, size and ETag', async () => {
    await backfill({
      s3,
      sqs,
      bucket: BUCKET,
      prefix: 'song_data/A/B/C/',
      queueUrls: { song: songQueueUrl, log: logQueueUrl },
      region: REGION,
    });
    const messages = await drain(songQueueUrl);
    expect(messages).toHaveLength(AWKWARD_SONG_KEYS.length);
    for (const message of messages) {
      // any: a JSON record read field by field, its shape asserted by the expectations below.
      const body = JSON.parse(message.Body ?? '') as { Records: Record<string, any>[] };
      expect(body.Records).toHaveLength(1);
      const [record] = body.Records;
      expect(record).toMatchObject({
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: REGION,
        eventName: 'ObjectCreated:Put',
        s3: { s3SchemaVersion: '1.0', bucket: { name: BUCKET, arn: `arn:aws:s3:::${BUCKET}` } },
      });
      expect(Number.isNaN(Date.parse(record?.eventTime))).toBe(false);
      const encoded: string = record?.s3.object.key;
      const key = decodeS3Key(encoded);
      expect(AWKWARD_SONG_KEYS).toContain(key);
      // As S3 writes keys: a space is '+', a literal '+' is %2B, non-ASCII is percent-encoded UTF-8, '/' as it is.
      expect(encoded).not.toContain(' ');
      expect(encoded).toMatch(/^[A-Za-z0-9%+._~!*'()/-]+$/);
      expect(record?.s3.object.size).toBe(sizes.get(key));
      expect(record?.s3.object.eTag).toBe(etags.get(key));
      expect(record?.s3.object.sequencer).toMatch(/^[0-9A-F]{16}$/);
    }
    expect(await drain(logQueueUrl)).toHaveLength(0);
  });

  it('--prefix limits the listing; --dry-run counts and sends nothing', async () => {
    const logsOnly = await backfill({
      s3,
      sqs,
      bucket: BUCKET,
      prefix: 'log_data/',
      queueUrls: { song: songQueueUrl, log: logQueueUrl },
      region: REGION,
    });
    expect(logsOnly).toMatchObject({
      listed: LOG_KEYS.length + 1,
      skipped: 1,
      sent: { song: 0, log: LOG_KEYS.length },
    });
    expect(decodedKeys(await drain(logQueueUrl)).sort()).toEqual([...LOG_KEYS].sort());
    expect(await drain(songQueueUrl)).toHaveLength(0);

    const dry = await backfill({
      s3,
      sqs,
      bucket: BUCKET,
      queueUrls: { song: songQueueUrl, log: logQueueUrl },
      region: REGION,
      dryRun: true,
    });
    expect(dry).toMatchObject({
      dryRun: true,
      matched: { song: SONG_KEYS.length, log: LOG_KEYS.length },
      sent: { song: 0, log: 0 },
    });
    expect(await drain(songQueueUrl)).toHaveLength(0);
    expect(await drain(logQueueUrl)).toHaveLength(0);
  });

  it('retries entries SendMessageBatch reports as failed, gives up on sender faults and after maxAttempts', async () => {
    // The real queue, behind a client that fails some entries the way SQS reports it.
    let calls = 0;
    const flaky = {
      send: async (command: SendMessageBatchCommand): Promise<SendMessageBatchCommandOutput> => {
        calls += 1;
        const entries = command.input.Entries ?? [];
        const failOnce = calls === 1 ? entries.slice(0, 3) : [];
        const poison = entries.filter((e) => (e.MessageBody ?? '').includes('TR0004'));
        const alwaysFailing = entries.filter((e) => (e.MessageBody ?? '').includes('TR0005'));
        const failing = new Set([...failOnce, ...poison, ...alwaysFailing].map((e) => e.Id));
        const passing = entries.filter((e) => !failing.has(e.Id));
        const real =
          passing.length > 0
            ? await sqs.send(new SendMessageBatchCommand({ QueueUrl: command.input.QueueUrl, Entries: passing }))
            : undefined;
        return {
          $metadata: {},
          Successful: real?.Successful ?? [],
          Failed: [
            ...failOnce
              .filter((e) => !poison.includes(e) && !alwaysFailing.includes(e))
              .map((e) => ({ Id: e.Id, SenderFault: false, Code: 'InternalError', Message: 'try again' })),
            ...poison.map((e) => ({ Id: e.Id, SenderFault: true, Code: 'InvalidMessageContents', Message: 'bad' })),
            ...alwaysFailing.map((e) => ({
              Id: e.Id,
              SenderFault: false,
              Code: 'ServiceUnavailable',
              Message: 'down',
            })),
          ],
        };
      },
    } as unknown as SQSClient;
    const sleeps: number[] = [];
    const result = await backfill({
      s3,
      sqs: flaky,
      bucket: BUCKET,
      prefix: 'song_data/A/A/',
      queueUrls: { song: songQueueUrl, log: logQueueUrl },
      region: REGION,
      maxAttempts: 3,
      concurrency: 1,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    const poisonKey = PLAIN_SONG_KEYS[4] ?? '';
    const downKey = PLAIN_SONG_KEYS[5] ?? '';
    expect(result.failed.map((f) => f.key).sort()).toEqual([poisonKey, downKey].sort());
    expect(result.failed.find((f) => f.key === poisonKey)?.reason).toMatch(/InvalidMessageContents.*after 1 attempt/);
    expect(result.failed.find((f) => f.key === downKey)?.reason).toMatch(/ServiceUnavailable.*after 3 attempt/);
    expect(result.sent.song).toBe(PLAIN_SONG_KEYS.length - 2);
    expect(sleeps.length).toBeGreaterThan(0);
    const delivered = decodedKeys(await drain(songQueueUrl)).sort();
    expect(delivered).toEqual(PLAIN_SONG_KEYS.filter((k) => k !== poisonKey && k !== downKey).sort());
    expect(new Set(delivered).size).toBe(delivered.length); // no duplicates from the retries
  });

  it('never puts more than 10 entries in a batch', async () => {
    const sizesSeen: number[] = [];
    const counting = {
      send: async (command: SendMessageBatchCommand) => {
        sizesSeen.push(command.input.Entries?.length ?? 0);
        return sqs.send(command);
      },
    } as unknown as SQSClient;
    await backfill({
      s3,
      sqs: counting,
      bucket: BUCKET,
      queueUrls: { song: songQueueUrl, log: logQueueUrl },
      region: REGION,
    });
    expect(Math.max(...sizesSeen)).toBe(MAX_BATCH_ENTRIES);
    expect(sizesSeen.reduce((a, b) => a + b, 0)).toBe(SONG_KEYS.length + LOG_KEYS.length);
  });
});

describe('the backfill command', () => {
  const clients = () => ({ s3, sqs });

  it('runs end to end with the flags the README names and prints a summary', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await backfillCommand(
      ['--bucket', BUCKET, '--song-queue-url', songQueueUrl, '--log-queue-url', logQueueUrl, '--region', REGION],
      { out: (t) => out.push(t), err: (t) => err.push(t) },
      { clients, progressIntervalMs: 0 },
    );
    expect(code).toBe(0);
    expect(out.join('\n')).toContain(
      `sent ${SONG_KEYS.length} song and ${LOG_KEYS.length} log event(s), skipped ${SKIPPED_KEYS.length}`,
    );
    expect(err.length).toBeGreaterThan(0); // progress lines
    expect(decodedKeys(await drain(songQueueUrl)).sort()).toEqual([...SONG_KEYS].sort());
  });

  it('--dry-run reports what it would send', async () => {
    const out: string[] = [];
    const code = await backfillCommand(
      [
        '--bucket',
        BUCKET,
        '--song-queue-url',
        songQueueUrl,
        '--log-queue-url',
        logQueueUrl,
        '--dry-run',
        '--prefix',
        'log_data/',
      ],
      { out: (t) => out.push(t), err: () => undefined },
      { clients, progressIntervalMs: 0 },
    );
    expect(code).toBe(0);
    expect(out.join('\n')).toContain(`would send 0 song and ${LOG_KEYS.length} log event(s)`);
    expect(await drain(logQueueUrl)).toHaveLength(0);
  });

  it('refuses to run without the bucket or the queue URLs', async () => {
    const io = { out: () => undefined, err: () => undefined };
    const deps = { clients, progressIntervalMs: 0 };
    await expect(
      backfillCommand(['--song-queue-url', songQueueUrl, '--log-queue-url', logQueueUrl], io, deps),
    ).rejects.toBeInstanceOf(UsageError);
    await expect(
      backfillCommand(['--bucket', BUCKET, '--song-queue-url', songQueueUrl], io, deps),
    ).rejects.toBeInstanceOf(UsageError);
    expect(BACKFILL_USAGE).toMatch(/--song-queue-url.*--log-queue-url/s);
  });
});

describe('event encoding', () => {
  it.each([
    ['song_data/A/B/C/a b.json', 'song_data/A/B/C/a+b.json'],
    ['log_data/x+y.json', 'log_data/x%2By.json'],
    ['song_data/é.json', 'song_data/%C3%A9.json'],
  ])('%s is written as %s and decodes back', (key, encoded) => {
    expect(encodeS3EventKey(key)).toBe(encoded);
    expect(decodeS3Key(encodeS3EventKey(key))).toBe(key);
  });

  it('round-trips any key, and the sequencer made from its last-modified time, through the workers parser', () => {
    const lastModified = new Date('2018-11-21T21:56:47.796Z');
    // Independent of src/: the time in ms as 16 hex digits, then normalised as the workers store sequencers (right-padded to 32).
    const sequencer = lastModified.getTime().toString(16).toUpperCase().padStart(16, '0').padEnd(32, '0');
    for (const key of [...ALL_KEYS, 'song_data/%41%.json', 'song_data/  two  spaces.json', 'song_data/😀/x.json']) {
      const parsed = parseS3EventMessage(s3EventMessageBody('b', { key, lastModified }, REGION));
      expect(parsed).toEqual({
        kind: 'objects',
        events: [{ bucket: 'b', key, eventName: 'ObjectCreated:Put', sequencer }],
      });
    }
  });

  it('orders the backfilled versions of a key by their last-modified time, once parsed as the workers do', () => {
    const sequencerAt = (ms: number): string => {
      const parsed = parseS3EventMessage(
        s3EventMessageBody('b', { key: 'song_data/a.json', lastModified: new Date(ms) }, REGION),
      );
      if (parsed.kind !== 'objects') throw new Error('not an object event');
      return parsed.events[0]!.sequencer;
    };
    // 2^40 ms (November 2004) is where the time gains an 11th hex digit: the padding keeps the order across it.
    const times = [
      2 ** 40 - 1,
      2 ** 40,
      Date.parse('2018-11-21T21:56:47.796Z'),
      Date.parse('2018-11-21T21:56:47.797Z'),
      Date.parse('2099-12-31T23:59:59.999Z'),
    ];
    const sequencers = times.map(sequencerAt);
    expect([...sequencers].sort()).toEqual(sequencers);
    expect(new Set(sequencers).size).toBe(times.length);
  });

  it('names the partition of the region in the bucket ARN, and reads the region from a queue URL', () => {
    expect(partitionOf('eu-west-1')).toBe('aws');
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(regionFromQueueUrl('https://sqs.eu-central-1.amazonaws.com/123456789012/q')).toBe('eu-central-1');
    expect(regionFromQueueUrl('http://sqs.us-east-1.localhost:4566/000000000000/q')).toBeUndefined();
  });
});
