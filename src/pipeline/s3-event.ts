/**
 * S3 event notifications as they arrive in an SQS message body: the one module that reads them
 * (the worker handler) and builds them (the backfill, the tests, the bench), with one key-encoding
 * rule. Pure.
 *
 * Keys in S3 events are form-URL-encoded: UTF-8 bytes percent-encoded, a space as `+` (so a
 * literal `+` is `%2B`), `/` left as it is. `s3:TestEvent` is what S3 sends once when a
 * notification is configured, and carries no object. The shape is S3's event structure version
 * 2.1 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html).
 */
import type { S3EventRecord } from 'aws-lambda';
import { isPlainObject } from '../domain/values.js';
import { normaliseSequencer } from '../domain/versions.js';

export interface ObjectEvent {
  readonly bucket: string;
  readonly key: string;
  /** e.g. ObjectCreated:Put, ObjectRemoved:Delete */
  readonly eventName: string;
  /** The event's sequencer, normalised (src/domain/versions.ts); the lowest value when absent. */
  readonly sequencer: string;
}

export type ParsedMessage =
  | { readonly kind: 'test-event' }
  | { readonly kind: 'objects'; readonly events: readonly ObjectEvent[] };

export class MalformedMessageError extends Error {}

/** A key as S3 writes it in an event; decodeS3Key is its inverse. */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/');
}

/** The key an event names, decoded; decodes any percent-encoding, `/` as `%2F` included. */
export function decodeS3Key(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

export function parseS3EventMessage(body: string): ParsedMessage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new MalformedMessageError(`message body is not JSON: ${(error as Error).message}`);
  }
  if (!isPlainObject(parsed)) throw new MalformedMessageError('message body is not a JSON object');
  if (parsed.Event === 's3:TestEvent') return { kind: 'test-event' };
  if (!Array.isArray(parsed.Records))
    throw new MalformedMessageError('message body has no Records array: not an S3 event notification');
  const events = parsed.Records.map((record: unknown, index: number): ObjectEvent => {
    const where = `Records[${index}]`;
    if (!isPlainObject(record) || !isPlainObject(record.s3))
      throw new MalformedMessageError(`${where} has no s3 section`);
    const { bucket, object } = record.s3;
    if (!isPlainObject(bucket) || typeof bucket.name !== 'string')
      throw new MalformedMessageError(`${where}.s3.bucket.name is missing`);
    if (!isPlainObject(object) || typeof object.key !== 'string')
      throw new MalformedMessageError(`${where}.s3.object.key is missing`);
    let key: string;
    try {
      key = decodeS3Key(object.key);
    } catch {
      throw new MalformedMessageError(`${where}.s3.object.key is not URL-encoded correctly: ${object.key}`);
    }
    let sequencer: string;
    try {
      sequencer = normaliseSequencer(typeof object.sequencer === 'string' ? object.sequencer : undefined);
    } catch (error) {
      throw new MalformedMessageError(`${where}.s3.object.sequencer: ${(error as Error).message}`);
    }
    return {
      bucket: bucket.name,
      key,
      eventName: typeof record.eventName === 'string' ? record.eventName : 'unknown',
      sequencer,
    };
  });
  return { kind: 'objects', events };
}

// ---------------------------------------------------------------------------------------------
// Building events
// ---------------------------------------------------------------------------------------------

/** The AWS partition of a region, for the bucket ARN in an event. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Who an event says sent it: S3's identifiers in a real event; the backfill, a test or the bench name themselves. */
export interface EventOrigin {
  readonly principalId: string;
  readonly sourceIp: string;
  readonly requestId: string;
  readonly hostId: string;
  /** The name of the bucket notification configuration that sent it. */
  readonly configurationId: string;
  readonly bucketOwnerId: string;
}

export interface S3EventRecordInit {
  readonly bucket: string;
  /** The object key, not encoded: encoded here (encodeS3EventKey) unless `encodedKey` is given. */
  readonly key: string;
  /** Overrides the encoded key, e.g. to send a malformed one. */
  readonly encodedKey?: string;
  /** Hex, growing with each event on a key (S3's sequencer). */
  readonly sequencer: string;
  /** Default ObjectCreated:Put. */
  readonly eventName?: string;
  /** Default now. */
  readonly eventTime?: Date;
  /** Removal events carry neither size nor eTag in AWS; the record type wants them, so 0 and ''. */
  readonly size?: number;
  readonly eTag?: string;
  /** Default us-east-1. */
  readonly region?: string;
  readonly origin: EventOrigin;
}

/** One record of an S3 event notification, as S3 writes it (eventVersion 2.1). */
export function s3EventRecord(init: S3EventRecordInit): S3EventRecord {
  const region = init.region ?? 'us-east-1';
  const { origin } = init;
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: region,
    eventTime: (init.eventTime ?? new Date()).toISOString(),
    eventName: init.eventName ?? 'ObjectCreated:Put',
    userIdentity: { principalId: origin.principalId },
    requestParameters: { sourceIPAddress: origin.sourceIp },
    responseElements: { 'x-amz-request-id': origin.requestId, 'x-amz-id-2': origin.hostId },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: origin.configurationId,
      bucket: {
        name: init.bucket,
        ownerIdentity: { principalId: origin.bucketOwnerId },
        arn: `arn:${partitionOf(region)}:s3:::${init.bucket}`,
      },
      object: {
        key: init.encodedKey ?? encodeS3EventKey(init.key),
        size: init.size ?? 0,
        eTag: init.eTag ?? '',
        sequencer: init.sequencer,
      },
    },
  };
}

/** The SQS message body S3 sends for these records: `{"Records":[...]}`. */
export function s3EventBody(...records: S3EventRecord[]): string {
  return JSON.stringify({ Records: records });
}

/** What S3 sends once when a bucket notification to a queue is configured. */
export function s3TestEventBody(
  bucket: string,
  origin: Pick<EventOrigin, 'requestId' | 'hostId'>,
  time = new Date(),
): string {
  return JSON.stringify({
    Service: 'Amazon S3',
    Event: 's3:TestEvent',
    Time: time.toISOString(),
    Bucket: bucket,
    RequestId: origin.requestId,
    HostId: origin.hostId,
  });
}
