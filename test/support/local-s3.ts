/**
 * Test helpers for a local S3 + SQS stand-in (fauxqs, in process, on 127.0.0.1 and a random port)
 * and for AWS-shaped S3 event notifications wrapped in SQS records, as a Lambda receives them.
 *
 * fauxqs delivers no S3 event to SQS by itself: tests build the notification with
 * `s3EventBody()` (or `s3TestEventBody()`) and hand it to the handler with `sqsRecord()`/`sqsEvent()`,
 * or send it through a real fauxqs queue and read it back with `receiveSqsEvent()`.
 *
 * Known fauxqs 1.9.2 deviations from S3 that matter to tests: ListObjectsV2 sorts keys with
 * `localeCompare` (S3 sorts by UTF-8 bytes), so keep listing-order assertions to lower-case ASCII
 * keys; conditional writes are not enforced.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, S3EventRecord, SQSEvent, SQSRecord } from 'aws-lambda';
import { buildApp } from 'fauxqs';
import {
  s3EventBody,
  s3EventRecord as buildS3EventRecord,
  s3TestEventBody as buildS3TestEventBody,
  type EventOrigin,
  type S3EventRecordInit,
} from '../../src/pipeline/s3-event.js';

export const REGION = 'us-east-1';
export const ACCOUNT_ID = '123456789012';
const FAKE_CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

export interface LocalAws {
  /** Path-style, fake credentials, checksums only when required (see docs/local-stand-ins). */
  readonly s3Client: S3Client;
  readonly sqsClient: SQSClient;
  /** e.g. http://127.0.0.1:41234 */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Starts fauxqs in this process on 127.0.0.1 (never 0.0.0.0) and a port the OS picks. */
export async function startLocalAws(): Promise<LocalAws> {
  const app = buildApp({ logger: false, defaultRegion: REGION });
  const endpoint = await app.listen({ host: '127.0.0.1', port: 0 });
  const s3Client = new S3Client({
    endpoint,
    region: REGION,
    forcePathStyle: true,
    credentials: FAKE_CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const sqsClient = new SQSClient({ endpoint, region: REGION, credentials: FAKE_CREDENTIALS });
  return {
    s3Client,
    sqsClient,
    endpoint,
    async stop() {
      s3Client.destroy();
      sqsClient.destroy();
      await app.close();
    },
  };
}

let bucketCounter = 0;

/** A valid, unique bucket name (lower case, 3-63 characters). */
export function uniqueBucketName(prefix = 'test'): string {
  bucketCounter += 1;
  return `${prefix}-${bucketCounter}-${randomBytes(4).toString('hex')}`.toLowerCase().slice(0, 63);
}

/** Creates a fresh bucket and returns its name. */
export async function createBucket(s3: S3Client, prefix = 'test'): Promise<string> {
  const name = uniqueBucketName(prefix);
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

export interface PutResult {
  readonly bucket: string;
  readonly key: string;
  readonly size: number;
  /** MD5 of the bytes, hex: the ETag of a single-part upload, without quotes. */
  readonly eTag: string;
  readonly bytes: Uint8Array;
}

export async function putBytes(
  s3: S3Client,
  bucket: string,
  key: string,
  body: Uint8Array | string,
): Promise<PutResult> {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes }));
  return { bucket, key, size: bytes.length, eTag: createHash('md5').update(bytes).digest('hex'), bytes };
}

/** Uploads a local file under `key`. */
export async function putLocalFile(s3: S3Client, bucket: string, key: string, path: string): Promise<PutResult> {
  return putBytes(s3, bucket, key, new Uint8Array(await readFile(path)));
}

export async function deleteObject(s3: S3Client, bucket: string, key: string): Promise<void> {
  await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}

/** The object's bytes, or undefined when it does not exist. */
export async function getObjectBytes(s3: S3Client, bucket: string, key: string): Promise<Uint8Array | undefined> {
  try {
    const response = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return response.Body ? await response.Body.transformToByteArray() : new Uint8Array();
  } catch (error) {
    if (error instanceof NoSuchKey) return undefined;
    throw error;
  }
}

/** Every key in the bucket (under the prefix), in the order the server lists them. */
export async function listAllKeys(s3: S3Client, bucket: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
    for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
  }
  return keys;
}

/** Every key → its bytes: compare two snapshots of a bucket with toEqual. */
export async function snapshotBucket(s3: S3Client, bucket: string): Promise<Map<string, string>> {
  const snapshot = new Map<string, string>();
  for (const key of (await listAllKeys(s3, bucket)).sort()) {
    const bytes = await getObjectBytes(s3, bucket, key);
    snapshot.set(key, bytes ? Buffer.from(bytes).toString('base64') : '<missing>');
  }
  return snapshot;
}

// ---------------------------------------------------------------------------------------------
// S3 event notifications: built by src/pipeline/s3-event.ts, the module the worker parses them with.
// ---------------------------------------------------------------------------------------------

export { encodeS3EventKey, s3EventBody } from '../../src/pipeline/s3-event.js';

let sequencerCounter = 0x5f3a0000_0000n;

/** Identifiers shaped like those of a real event S3 sent (fresh request ids each time). */
function testOrigin(): EventOrigin {
  return {
    principalId: 'AWS:AIDAEXAMPLEPRINCIPAL',
    sourceIp: '203.0.113.10',
    requestId: randomBytes(8).toString('hex').toUpperCase(),
    hostId: randomBytes(48).toString('base64'),
    configurationId: 'landing-to-queue',
    bucketOwnerId: 'A3NL1KOZZKExample',
  };
}

export type S3EventRecordOptions = Omit<S3EventRecordInit, 'sequencer' | 'origin' | 'region'> & {
  /** Default: greater than every one this helper made before. */
  readonly sequencer?: string;
};

/** One record of an S3 event notification, as S3 writes it. */
export function s3EventRecord(options: S3EventRecordOptions): S3EventRecord {
  sequencerCounter += 1n;
  return buildS3EventRecord({
    ...options,
    region: REGION,
    sequencer: options.sequencer ?? sequencerCounter.toString(16).toUpperCase().padStart(18, '0'),
    origin: testOrigin(),
  });
}

/** Shortcut: the event body for an object just put with `putBytes`/`putLocalFile`. */
export function createdEventBody(put: PutResult): string {
  return s3EventBody(s3EventRecord({ bucket: put.bucket, key: put.key, size: put.size, eTag: put.eTag }));
}

/** What S3 sends once when a bucket notification to a queue is configured. */
export function s3TestEventBody(bucket: string): string {
  return buildS3TestEventBody(bucket, testOrigin());
}

// ---------------------------------------------------------------------------------------------
// SQS → Lambda
// ---------------------------------------------------------------------------------------------

export interface SqsRecordOptions {
  readonly messageId?: string;
  /** ApproximateReceiveCount; default 1. */
  readonly receiveCount?: number;
  readonly queueName?: string;
  readonly sentAt?: Date;
}

/** An SQS message as the Lambda event source mapping hands it to a function. */
export function sqsRecord(body: string, options: SqsRecordOptions = {}): SQSRecord {
  const sent = (options.sentAt ?? new Date()).getTime();
  const queueName = options.queueName ?? 'landing-queue';
  return {
    messageId: options.messageId ?? randomUUID(),
    receiptHandle: randomBytes(96).toString('base64'),
    body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: String(sent),
      SenderId: 'AIDAEXAMPLESENDER',
      ApproximateFirstReceiveTimestamp: String(sent + 5),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${queueName}`,
    awsRegion: REGION,
  };
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/**
 * Receives up to `max` messages from a (fauxqs) queue and shapes them as the Lambda event source
 * mapping does, with the server's real MessageId and ApproximateReceiveCount.
 */
export async function receiveSqsEvent(
  sqs: SQSClient,
  queue: { readonly url: string; readonly arn: string },
  options: { readonly max?: number; readonly visibilityTimeout?: number } = {},
): Promise<SQSEvent> {
  const response = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queue.url,
      MaxNumberOfMessages: options.max ?? 10,
      VisibilityTimeout: options.visibilityTimeout ?? 30,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  const records = (response.Messages ?? []).map((message): SQSRecord => {
    const attributes = message.Attributes ?? {};
    return {
      messageId: message.MessageId ?? '',
      receiptHandle: message.ReceiptHandle ?? '',
      body: message.Body ?? '',
      attributes: {
        ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
        SentTimestamp: attributes.SentTimestamp ?? '0',
        SenderId: attributes.SenderId ?? '',
        ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? '0',
      },
      messageAttributes: {},
      md5OfBody: message.MD5OfBody ?? '',
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: REGION,
    };
  });
  return { Records: records };
}

/** A Lambda context good enough for Powertools' Logger.addContext and the batch processor. */
export function lambdaContext(functionName = 'song-worker', timeoutMillis = 60_000): Context {
  const deadline = Date.now() + timeoutMillis;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2018/11/01/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
