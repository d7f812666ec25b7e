/**
 * Where generated text goes: a chunk writer for one streamed file (a file on disk with
 * backpressure, or memory for tests), and a dataset sink that holds whole small files and streams
 * large ones.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname, join } from 'node:path';

/**
 * Receives a streamed file in chunks; `write` may return a promise to apply backpressure. Text is
 * written as UTF-8; bytes as they are (the invalid-UTF-8 fault needs bytes no string can hold).
 */
export interface ChunkWriter {
  write(chunk: string | Uint8Array): void | Promise<void>;
  close(): Promise<void>;
}

/** The bytes of a file's chunks. */
export function chunkBytes(chunks: readonly (string | Uint8Array)[]): Uint8Array {
  return Buffer.concat(chunks.map((chunk) => (typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk)));
}

/** A file on disk, written through a stream: never more than a chunk or two in memory. */
export function fileChunkWriter(path: string): ChunkWriter {
  const stream: WriteStream = createWriteStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  let failure: Error | undefined;
  stream.on('error', (error) => {
    failure = error;
  });
  return {
    async write(chunk) {
      if (failure) throw failure;
      if (!stream.write(chunk)) await once(stream, 'drain');
    },
    async close() {
      if (failure) throw failure;
      await new Promise<void>((resolve, reject) => {
        stream.once('error', reject);
        stream.end(() => resolve());
      });
    },
  };
}

/** Keeps the chunks: for tests and small in-memory datasets. */
export class MemoryChunkWriter implements ChunkWriter {
  readonly chunks: (string | Uint8Array)[] = [];
  closed = false;

  write(chunk: string | Uint8Array): void {
    if (this.closed) throw new Error('write after close');
    this.chunks.push(chunk);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** The file as text; invalid UTF-8 bytes (a fault) read as U+FFFD, as any UTF-8 reader shows them. */
  text(): string {
    return this.chunks.every((chunk) => typeof chunk === 'string')
      ? this.chunks.join('')
      : Buffer.from(this.bytes()).toString('utf8');
  }

  bytes(): Uint8Array {
    return chunkBytes(this.chunks);
  }
}

/** Where a generated dataset's files go, by key (`song_data/...`, `log_data/...`). */
export interface DatasetSink {
  writeFile(key: string, content: string | Uint8Array): Promise<void>;
  openStream(key: string): Promise<ChunkWriter>;
}

export class FsDatasetSink implements DatasetSink {
  private readonly folders = new Map<string, Promise<unknown>>();

  constructor(readonly root: string) {}

  async writeFile(key: string, content: string | Uint8Array): Promise<void> {
    const path = join(this.root, key);
    await this.folder(dirname(path));
    await writeFile(path, content);
  }

  async openStream(key: string): Promise<ChunkWriter> {
    const path = join(this.root, key);
    await this.folder(dirname(path));
    return fileChunkWriter(path);
  }

  private folder(path: string): Promise<unknown> {
    let made = this.folders.get(path);
    if (!made) {
      made = mkdir(path, { recursive: true });
      this.folders.set(path, made);
    }
    return made;
  }
}

export class MemoryDatasetSink implements DatasetSink {
  /** Each file as text (invalid UTF-8 bytes read as U+FFFD)... */
  readonly files = new Map<string, string>();
  /** ...and as its exact bytes. */
  readonly fileBytes = new Map<string, Uint8Array>();

  async writeFile(key: string, content: string | Uint8Array): Promise<void> {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    this.files.set(key, typeof content === 'string' ? content : Buffer.from(content).toString('utf8'));
    this.fileBytes.set(key, bytes);
  }

  async openStream(key: string): Promise<ChunkWriter> {
    const writer = new MemoryChunkWriter();
    return {
      write: (chunk) => writer.write(chunk),
      close: async () => {
        await writer.close();
        this.files.set(key, writer.text());
        this.fileBytes.set(key, writer.bytes());
      },
    };
  }
}
