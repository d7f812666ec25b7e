/**
 * Backfill: files that were in the landing bucket before the stack subscribed to it never produced
 * an S3 event. This lists them and sends each one, as the S3 event notification S3 itself would
 * have sent, to the queue of its kind, so the deployed workers process them like any new file.
 * Rerunning it is safe: processing a file again overwrites its own outputs.
 *
 * The event is built by src/pipeline/s3-event.ts, the module the workers parse it with; the S3 and
 * SQS clients are passed in.
 */
import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import {
  SendMessageBatchCommand,
  type BatchResultErrorEntry,
  type SendMessageBatchCommandOutput,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { perSourceKind, SOURCE_KINDS, sourceKindOf, type SourceKind } from '../domain/layout.js';
import { s3EventBody, s3EventRecord, type EventOrigin } from '../pipeline/s3-event.js';

/** SQS's limit of entries in one SendMessageBatch call. */
export const MAX_BATCH_ENTRIES = 10;

/** What the listing tells about an object, as far as the event carries it. */
export interface ListedObject {
  readonly key: string;
  readonly size?: number;
  readonly eTag?: string;
  readonly lastModified?: Date;
}

/** The principal the events name, so a backfilled event can be told from one S3 sent. */
export const BACKFILL_PRINCIPAL = 'sparkify-lake-backfill';

const BACKFILL_ORIGIN: EventOrigin = {
  principalId: BACKFILL_PRINCIPAL,
  sourceIp: '127.0.0.1',
  requestId: BACKFILL_PRINCIPAL,
  hostId: BACKFILL_PRINCIPAL,
  configurationId: BACKFILL_PRINCIPAL,
  bucketOwnerId: BACKFILL_PRINCIPAL,
};

/**
 * One S3 event notification message body (event structure version 2.1) for an existing object,
 * shaped like those S3 sends to SQS: one record per message.
 */
export function s3EventMessageBody(bucket: string, object: ListedObject, region: string): string {
  const time = object.lastModified ?? new Date();
  const record = s3EventRecord({
    bucket,
    key: object.key,
    region,
    eventTime: time,
    eventName: 'ObjectCreated:Put',
    size: object.size ?? 0,
    // S3 events carry the ETag without the quotes that ListObjects returns.
    eTag: (object.eTag ?? '').replace(/"/g, ''),
    // Hex, growing with the object's last-modified time, as S3's sequencer grows per key.
    sequencer: time.getTime().toString(16).toUpperCase().padStart(16, '0'),
    origin: BACKFILL_ORIGIN,
  });
  return s3EventBody(record);
}

export interface BackfillProgress {
  /** Objects listed so far, ingestable or not. */
  readonly listed: number;
  /** Objects that will be sent (song_data/ or log_data/ .json keys). */
  readonly matched: number;
  /** Messages SQS accepted. */
  readonly sent: number;
  /** Messages given up on. */
  readonly failed: number;
  /** The last key listed. */
  readonly lastKey: string;
}

export interface BackfillFailure {
  readonly key: string;
  readonly reason: string;
}

export interface BackfillResult {
  readonly listed: number;
  /** Keys listed that are not song_data/ or log_data/ .json files: not sent. */
  readonly skipped: number;
  /** Keys to send per queue (in a dry run, what would have been sent). */
  readonly matched: Readonly<Record<SourceKind, number>>;
  /** Messages accepted per queue. */
  readonly sent: Readonly<Record<SourceKind, number>>;
  readonly failed: readonly BackfillFailure[];
  readonly dryRun: boolean;
}

export interface BackfillOptions {
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly bucket: string;
  /** Only keys under this prefix; default the whole bucket (still only song_data/ and log_data/ keys are sent). */
  readonly prefix?: string;
  readonly queueUrls: Readonly<Record<SourceKind, string>>;
  /** Region named in the events (the bucket's region). */
  readonly region: string;
  /** List and count, send nothing. */
  readonly dryRun?: boolean;
  /** Attempts per message, the first included, before it counts as failed. Default 5. */
  readonly maxAttempts?: number;
  /** Keys per ListObjectsV2 page. Default S3's (1,000). */
  readonly pageSize?: number;
  /** SendMessageBatch calls in flight at once. Default 4. */
  readonly concurrency?: number;
  readonly onProgress?: (progress: BackfillProgress) => void;
  /** Waits between retries; replaceable in tests. */
  readonly sleep?: (ms: number) => Promise<void>;
}

interface PendingMessage {
  readonly key: string;
  readonly body: string;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function backfill(options: BackfillOptions): Promise<BackfillResult> {
  const maxAttempts = options.maxAttempts ?? 5;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const sleep = options.sleep ?? defaultSleep;
  const dryRun = options.dryRun ?? false;

  let listed = 0;
  let matched = 0;
  const matchedByKind = perSourceKind(() => 0);
  let lastKey = '';
  const sent = perSourceKind(() => 0);
  const failed: BackfillFailure[] = [];
  const buffers = perSourceKind((): PendingMessage[] => []);
  const inFlight = new Set<Promise<void>>();
  let firstError: unknown;

  const report = () =>
    options.onProgress?.({ listed, matched, sent: sent.song + sent.log, failed: failed.length, lastKey });

  const sendBatch = async (kind: SourceKind, messages: PendingMessage[]): Promise<void> => {
    const outcome = await sendWithRetries(options.sqs, options.queueUrls[kind], messages, maxAttempts, sleep);
    sent[kind] += outcome.sent;
    failed.push(...outcome.failed);
    report();
  };

  const schedule = async (kind: SourceKind, messages: PendingMessage[]): Promise<void> => {
    if (dryRun) return;
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (firstError !== undefined) throw firstError;
    const job: Promise<void> = sendBatch(kind, messages)
      .catch((error: unknown) => {
        firstError ??= error;
      })
      .finally(() => inFlight.delete(job));
    inFlight.add(job);
  };

  const pages = paginateListObjectsV2(
    { client: options.s3, pageSize: options.pageSize },
    { Bucket: options.bucket, Prefix: options.prefix || undefined },
  );
  for await (const page of pages) {
    for (const object of page.Contents ?? []) {
      if (!object.Key) continue;
      listed += 1;
      lastKey = object.Key;
      const kind = sourceKindOf(object.Key);
      if (!kind) continue;
      matched += 1;
      matchedByKind[kind] += 1;
      const listedObject: ListedObject = {
        key: object.Key,
        size: object.Size,
        eTag: object.ETag,
        lastModified: object.LastModified,
      };
      buffers[kind].push({ key: object.Key, body: s3EventMessageBody(options.bucket, listedObject, options.region) });
      if (buffers[kind].length === MAX_BATCH_ENTRIES) await schedule(kind, buffers[kind].splice(0));
    }
    report();
  }
  for (const kind of SOURCE_KINDS) {
    if (buffers[kind].length > 0) await schedule(kind, buffers[kind].splice(0));
  }
  await Promise.all(inFlight);
  if (firstError !== undefined) throw firstError;
  report();
  return { listed, skipped: listed - matched, matched: matchedByKind, sent: { ...sent }, failed, dryRun };
}

/** Entries that failed for a reason the sender can fix (too large, malformed) are not retried. */
function isRetryable(entry: BatchResultErrorEntry): boolean {
  return entry.SenderFault !== true;
}

async function sendWithRetries(
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly PendingMessage[],
  maxAttempts: number,
  sleep: (ms: number) => Promise<void>,
): Promise<{ sent: number; failed: BackfillFailure[] }> {
  // Entry ids are positions in this batch; they stay attached to their message across retries.
  let pending = messages.map((message, index) => ({ id: String(index), message }));
  let sentCount = 0;
  const failed: BackfillFailure[] = [];
  for (let attempt = 1; pending.length > 0; attempt += 1) {
    const entries: SendMessageBatchRequestEntry[] = pending.map(({ id, message }) => ({
      Id: id,
      MessageBody: message.body,
    }));
    let response: SendMessageBatchCommandOutput;
    try {
      response = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    } catch (error) {
      // The SDK has already retried throttling and network errors; keep trying the whole batch a
      // few more times, then stop the backfill: the queue is unreachable.
      if (attempt >= maxAttempts) {
        throw new Error(`SendMessageBatch to ${queueUrl} failed ${attempt} times: ${(error as Error).message}`, {
          cause: error,
        });
      }
      await sleep(backoffMs(attempt));
      continue;
    }
    sentCount += response.Successful?.length ?? 0;
    const retry: typeof pending = [];
    for (const entry of response.Failed ?? []) {
      const item = pending.find((p) => p.id === entry.Id);
      if (!item) continue;
      const reason = `${entry.Code ?? 'UnknownError'}: ${entry.Message ?? 'no message'}`;
      if (isRetryable(entry) && attempt < maxAttempts) retry.push(item);
      else failed.push({ key: item.message.key, reason: `${reason} (after ${attempt} attempt(s))` });
    }
    pending = retry;
    if (pending.length > 0) await sleep(backoffMs(attempt));
  }
  return { sent: sentCount, failed };
}

/** 200 ms, 400 ms, 800 ms ... capped at 10 s, with jitter so parallel batches do not retry in step. */
function backoffMs(attempt: number): number {
  const base = Math.min(10_000, 100 * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}
