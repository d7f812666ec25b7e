/** The S3 adapter of the storage port. */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { ConditionFailedError, type ObjectInfo, type ObjectStore } from './object-store.js';

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
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body, ContentType: contentType }));
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

  async readVersioned(key: string): Promise<{ body: Uint8Array; version: string } | undefined> {
    let response;
    try {
      response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (isNoSuchKey(error)) return undefined;
      throw new Error(`cannot read s3://${this.bucket}/${key}: ${(error as Error).message}`, { cause: error });
    }
    if (!response.ETag || !response.Body) throw new Error(`s3://${this.bucket}/${key}: response without ETag or body`);
    return { body: await response.Body.transformToByteArray(), version: response.ETag };
  }

  async putIfVersion(key: string, body: Uint8Array | string, expected: string | undefined, contentType?: string): Promise<string> {
    try {
      const response = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
          ContentType: contentType,
          ...(expected === undefined ? { IfNoneMatch: '*' } : { IfMatch: expected }),
        }),
      );
      if (!response.ETag) throw new Error('PutObject returned no ETag');
      return response.ETag;
    } catch (error) {
      // S3 answers If-Match on a key deleted since it was read with 404 NoSuchKey, not 412: also a lost race.
      if (isConditionFailure(error) || (expected !== undefined && isNoSuchKey(error))) {
        throw new ConditionFailedError(`s3://${this.bucket}/${key} changed since it was read`, { cause: error });
      }
      throw new Error(`cannot write s3://${this.bucket}/${key}: ${(error as Error).message}`, { cause: error });
    }
  }

  async deleteIfVersion(key: string, expected: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key, IfMatch: expected }));
    } catch (error) {
      if (isConditionFailure(error) || isNoSuchKey(error)) throw new ConditionFailedError(`s3://${this.bucket}/${key} changed since it was read`, { cause: error });
      throw new Error(`cannot delete s3://${this.bucket}/${key}: ${(error as Error).message}`, { cause: error });
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

/** 412 Precondition Failed, or 409 ConditionalRequestConflict when two conditional writes race. */
function isConditionFailure(error: unknown): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  const status = error.$metadata.httpStatusCode;
  return status === 412 || (status === 409 && error.name === 'ConditionalRequestConflict') || error.name === 'PreconditionFailed';
}
