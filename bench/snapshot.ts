/** An in-memory store saved to and loaded from one file: [key length, key, body length, body]… (lengths u32 LE). */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MemoryObjectStore } from './stores.js';

export async function saveSnapshot(store: MemoryObjectStore, file: string): Promise<void> {
  const parts: Uint8Array[] = [];
  for await (const { key } of store.listObjects('')) {
    const stream = await store.openRead(key);
    if (!stream) continue;
    for await (const body of stream) {
      const name = Buffer.from(key, 'utf8');
      parts.push(u32(name.length), name, u32(body.length), body);
    }
  }
  await mkdir(dirname(file), { recursive: true });
  // Written beside, then renamed: a snapshot that exists is complete.
  await writeFile(`${file}.partial`, Buffer.concat(parts));
  await rename(`${file}.partial`, file);
}

export async function loadSnapshot(file: string): Promise<MemoryObjectStore | undefined> {
  if (!existsSync(file)) return undefined;
  const bytes = await readFile(file);
  const store = new MemoryObjectStore();
  let at = 0;
  while (at < bytes.length) {
    const keyLength = bytes.readUInt32LE(at);
    const key = bytes.toString('utf8', at + 4, at + 4 + keyLength);
    at += 4 + keyLength;
    const bodyLength = bytes.readUInt32LE(at);
    await store.put(key, bytes.subarray(at + 4, at + 4 + bodyLength));
    at += 4 + bodyLength;
  }
  return store;
}

function u32(n: number): Uint8Array {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(n);
  return buffer;
}
