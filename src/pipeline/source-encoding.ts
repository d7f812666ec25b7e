/**
 * Landing files may arrive gzip-compressed (`.json.gz`): S3 exports and log shippers often write
 * them so. The key says which, and this turns the stored bytes into the JSON bytes, streaming, so
 * a large log file is never held in memory whole. Everything else (hashing for idempotency, bytes
 * read) stays on the stored bytes: the same upload is the same content, however it is encoded.
 */
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export const GZIP_SUFFIX = '.gz';

/** The JSON bytes of a landing object whose stored bytes are `stream`. */
export function decodeSource(key: string, stream: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  if (!key.endsWith(GZIP_SUFFIX)) return stream;
  // Concatenated gzip members (appended uploads) are read as one stream, as gunzip(1) does. A
  // corrupt or truncated file fails the file with zlib's error, like any unreadable object.
  return Readable.from(stream).pipe(createGunzip());
}
