/**
 * Where generated text goes: a chunk writer for one streamed file (a file on disk with
 * backpressure, or memory for tests), and a dataset sink that holds whole small files and streams
 * large ones.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname, join } from 'node:path';

/** Receives a streamed file in chunks; `write` may return a promise to apply backpressure. */
export interface ChunkWriter {
  write(chunk: string): void | Promise<void>;
  close(): Promise<void>;
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
  readonly chunks: string[] = [];
  closed = false;

  write(chunk: string): void {
    if (this.closed) throw new Error('write after close');
    this.chunks.push(chunk);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  text(): string {
    return this.chunks.join('');
  }
}

/** Where a generated dataset's files go, by key (`song_data/...`, `log_data/...`). */
export interface DatasetSink {
  writeFile(key: string, text: string): Promise<void>;
  openStream(key: string): Promise<ChunkWriter>;
}

export class FsDatasetSink implements DatasetSink {
  private readonly folders = new Map<string, Promise<unknown>>();

  constructor(readonly root: string) {}

  async writeFile(key: string, text: string): Promise<void> {
    const path = join(this.root, key);
    await this.folder(dirname(path));
    await writeFile(path, text, 'utf8');
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
  readonly files = new Map<string, string>();

  async writeFile(key: string, text: string): Promise<void> {
    this.files.set(key, text);
  }

  async openStream(key: string): Promise<ChunkWriter> {
    const files = this.files;
    const writer = new MemoryChunkWriter();
    return {
      write: (chunk) => writer.write(chunk),
      async close() {
        await writer.close();
        files.set(key, writer.text());
      },
    };
  }
}
