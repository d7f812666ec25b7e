/** The S3 adapter of the storage port. */
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  type DeleteObjectsCommandOutput,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import type { ObjectInfo, ObjectStore } from './object-store.js';

/** S3's limit for one DeleteObjects request. */
const MAX_KEYS_PER_DELETE = 1000;

export class S3ObjectStore implements ObjectStore {
  readonly description: string;

  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {
    this.description = `s3://${bucket}`;
  }

  async openRead(key: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      // In Node.js the SDK's body is an http.IncomingMessage: an async iterable of Buffers.
      return response.Body as AsyncIterable<Uint8Array> | undefined;
    } catch (error) {
      // Only a missing *key* means "no such object". A missing bucket is also a 404, and treating it
      // as a deleted object would make the worker remove that key's rows from the lake. (A missing
      // key reads as 404 only with s3:ListBucket; without it S3 answers 403, so the stack grants it.)
      if (isNoSuchKey(error)) return undefined;
      throw new Error(`cannot read s3://${this.bucket}/${key}: ${(error as Error).message}`, { cause: error });
    }
  }

  async put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
          ContentType: contentType,
        }),
      );
    } catch (error) {
      throw new Error(`cannot write s3://${this.bucket}/${key}: ${(error as Error).message}`, { cause: error });
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      throw new Error(`cannot delete s3://${this.bucket}/${key}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** DeleteObjects takes at most 1,000 keys; a key it could not delete is an error, named. */
  async deleteMany(keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += MAX_KEYS_PER_DELETE) {
      const chunk = keys.slice(start, start + MAX_KEYS_PER_DELETE);
      let response: DeleteObjectsCommandOutput;
      try {
        response = await this.client.send(
          new DeleteObjectsCommand({
            Bucket: this.bucket,
            Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true },
          }),
        );
      } catch (error) {
        throw new Error(
          `cannot delete ${chunk.length} object(s) from s3://${this.bucket} (first ${chunk[0]}): ${(error as Error).message}`,
          { cause: error },
        );
      }
      const failed = response.Errors ?? [];
      if (failed.length > 0) {
        throw new Error(
          `cannot delete ${failed.length} object(s) from s3://${this.bucket}, e.g. ${failed[0]?.Key}: ${failed[0]?.Code} ${failed[0]?.Message}`,
        );
      }
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    for await (const object of this.listObjects(prefix)) yield object.key;
  }

  async *listObjects(prefix: string): AsyncIterable<ObjectInfo> {
    for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.bucket, Prefix: prefix })) {
      for (const object of page.Contents ?? []) if (object.Key) yield { key: object.Key, size: object.Size ?? 0 };
    }
  }
}

function isNoSuchKey(error: unknown): boolean {
  return error instanceof NoSuchKey || (error instanceof S3ServiceException && error.name === 'NoSuchKey');
}

/** One store per bucket named in an event, made once and kept for the life of the container. */
export function s3StorePerBucket(client: S3Client): (bucket: string) => S3ObjectStore {
  const stores = new Map<string, S3ObjectStore>();
  return (bucket) => {
    const known = stores.get(bucket);
    if (known) return known;
    const store = new S3ObjectStore(client, bucket);
    stores.set(bucket, store);
    return store;
  };
}
