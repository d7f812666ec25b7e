/**
 * The storage port the workers use for both the landing area and the lake. Two adapters: S3
 * (Lambda, and the tests against a local S3-compatible server) and a local folder (the local run).
 * No conditional writes: nothing in the lake is ever read, changed and written back (see
 * docs/ARCHITECTURE.md), so there is no race for a condition to settle.
 */
export interface ObjectStore {
  /** A human-readable location for messages, e.g. `s3://bucket` or `/home/me/lake`. */
  readonly description: string;
  /** The object's bytes as a stream, or undefined when there is no such object. */
  openRead(key: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  /**
   * Writes the whole object at once: a reader sees the object whole or not at all. The lake only
   * ever puts objects under names no earlier write used, so nothing is replaced in place.
   */
  put(key: string, body: Uint8Array | string, contentType?: string): Promise<void>;
  /** Removes the object; removing a missing object is not an error. */
  delete(key: string): Promise<void>;
  /** Removes many objects, as few requests as the store allows (S3: 1,000 keys a request). */
  deleteMany(keys: readonly string[]): Promise<void>;
  /** Every key under the prefix, in lexicographic order. */
  list(prefix: string): AsyncIterable<string>;
  /** The same objects with their sizes in bytes. */
  listObjects(prefix: string): AsyncIterable<ObjectInfo>;
}

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
