/**
 * S3 event notifications as they arrive in an SQS message body. Pure: parsing and key decoding.
 * Keys in S3 events are URL-encoded with `+` for a space; `s3:TestEvent` is what S3 sends once when
 * a notification is configured, and carries no object.
 */
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

export type ParsedMessage = { readonly kind: 'test-event' } | { readonly kind: 'objects'; readonly events: readonly ObjectEvent[] };

export class MalformedMessageError extends Error {}

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
  if (!Array.isArray(parsed.Records)) throw new MalformedMessageError('message body has no Records array: not an S3 event notification');
  const events = parsed.Records.map((record: unknown, index: number): ObjectEvent => {
    const where = `Records[${index}]`;
    if (!isPlainObject(record) || !isPlainObject(record.s3)) throw new MalformedMessageError(`${where} has no s3 section`);
    const { bucket, object } = record.s3;
    if (!isPlainObject(bucket) || typeof bucket.name !== 'string') throw new MalformedMessageError(`${where}.s3.bucket.name is missing`);
    if (!isPlainObject(object) || typeof object.key !== 'string') throw new MalformedMessageError(`${where}.s3.object.key is missing`);
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
    return { bucket: bucket.name, key, eventName: typeof record.eventName === 'string' ? record.eventName : 'unknown', sequencer };
  });
  return { kind: 'objects', events };
}
