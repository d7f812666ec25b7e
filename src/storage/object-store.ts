/**
 * The storage port the workers use for both the landing area and the lake. Two adapters: S3
 * (Lambda, and the tests against a local S3-compatible server) and a local folder (the local run).
 */
export interface ObjectStore {
  /** A human-readable location for messages, e.g. `s3://bucket` or `/home/me/lake`. */
  readonly description: string;
  /** The object's bytes as a stream, or undefined when there is no such object. */
  openRead(key: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  /** Writes the whole object at once: a reader sees the old object or the new one, never a part. */
  put(key: string, body: Uint8Array | string, contentType?: string): Promise<void>;
  /** Removes the object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Every key under the prefix, in lexicographic order. */
  list(prefix: string): AsyncIterable<string>;
  /** The same objects with their sizes in bytes. */
  listObjects(prefix: string): AsyncIterable<ObjectInfo>;
  /** A small object's bytes and its version tag (S3: the ETag), or undefined when there is none. */
  readVersioned(key: string): Promise<{ readonly body: Uint8Array; readonly version: string } | undefined>;
  /**
   * Writes only if the object is still at `expected` (undefined: only if there is no object);
   * returns the new version. Throws ConditionFailedError when someone else wrote in between.
   */
  putIfVersion(key: string, body: Uint8Array | string, expected: string | undefined, contentType?: string): Promise<string>;
  /** Deletes only if the object is still at `expected`; throws ConditionFailedError otherwise. */
  deleteIfVersion(key: string, expected: string): Promise<void>;
}

/** A conditional write lost a race: another writer changed the object since it was read. */
export class ConditionFailedError extends Error {}

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
}

/** Reads a whole (small) object as UTF-8 text, or undefined when it does not exist. */
export async function readText(store: ObjectStore, key: string): Promise<string | undefined> {
  const stream = await store.openRead(key);
  return stream ? streamText(stream) : undefined;
}

export async function streamText(stream: AsyncIterable<Uint8Array>): Promise<string> {
  return Buffer.from(await streamBytes(stream)).toString('utf8');
}

export async function streamBytes(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Splits a byte stream into UTF-8 lines without holding more than one chunk and one line at a time. */
export async function* utf8Lines(stream: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  let pending = '';
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf('\n');
    let start = 0;
    while (newline !== -1) {
      yield pending.slice(start, newline);
      start = newline + 1;
      newline = pending.indexOf('\n', start);
    }
    pending = pending.slice(start);
  }
  pending += decoder.decode();
  if (pending !== '') yield pending;
}
