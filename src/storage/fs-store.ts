/** The local-folder adapter of the storage port: one file per object key. */
import type { Dirent } from 'node:fs';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ObjectInfo, ObjectStore } from './object-store.js';

export class FsObjectStore implements ObjectStore {
  readonly root: string;
  readonly description: string;

  constructor(root: string) {
    this.root = resolve(root);
    this.description = this.root;
  }

  async openRead(key: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    const path = this.pathOf(key);
    try {
      if (!(await stat(path)).isFile()) return undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
    return createReadStream(path);
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const path = this.pathOf(key);
    // Write to a temporary file, then rename: a reader never sees a half-written file. The
    // temporary lives in the store's own _tmp/ folder, never in a table's folder, because some
    // readers (Athena, Spark, a plain directory listing) take every file of a partition, and a
    // file left by a crash between write and rename would be read as data. Same file system as
    // the target, so the rename is atomic. A failed write leaves its temporary there, as a crash
    // would: no reader sees it, and the next run's sweepTemporaries() removes it.
    const folder = join(this.root, TEMPORARY_FOLDER);
    await mkdir(folder, { recursive: true });
    const temporary = join(folder, `${randomBytes(8).toString('hex')}${TEMPORARY_SUFFIX}`);
    await writeFile(temporary, body);
    await mkdir(dirname(path), { recursive: true });
    await rename(temporary, path);
  }

  /**
   * Removes temporary files older than `olderThanMs` (epoch ms; a run passes its own start, so
   * files being written right now by this run are never touched): in _tmp/, and, anywhere in the
   * store, the `*.partial-write` files that versions before _tmp/ left beside their targets.
   * Returns how many it removed.
   */
  async sweepTemporaries(olderThanMs: number): Promise<number> {
    let removed = 0;
    for await (const path of filesBelow(this.root)) {
      if (!path.endsWith(TEMPORARY_SUFFIX)) continue;
      const info = await stat(path).catch(() => undefined);
      if (!info || info.mtimeMs >= olderThanMs) continue;
      await rm(path, { force: true });
      removed += 1;
    }
    return removed;
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    for (const key of keys) await this.delete(key);
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async *list(prefix: string): AsyncIterable<string> {
    for await (const object of this.listObjects(prefix)) yield object.key;
  }

  async *listObjects(prefix: string): AsyncIterable<ObjectInfo> {
    const objects: ObjectInfo[] = [];
    // Walk only the folder the prefix names, not the whole store.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    await collect(this.root, folder === '' ? this.root : this.pathOf(folder), objects);
    objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const object of objects) if (object.key.startsWith(prefix)) yield object;
  }

  private pathOf(key: string): string {
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new Error(`object key escapes the store: ${key}`);
    return path;
  }
}

async function collect(root: string, dir: string, objects: ObjectInfo[]): Promise<void> {
  for await (const path of filesBelow(dir)) {
    if (!path.endsWith(TEMPORARY_SUFFIX))
      objects.push({ key: relative(root, path).split(sep).join('/'), size: (await stat(path)).size });
  }
}

/** Every regular file below `dir`, at any depth; nothing when there is no such folder. */
async function* filesBelow(dir: string): AsyncGenerator<string> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesBelow(path);
    else if (entry.isFile()) yield path;
  }
}

const TEMPORARY_SUFFIX = '.partial-write';

/** Where put() writes before renaming; `_`-prefixed and outside every table's folder. */
export const TEMPORARY_FOLDER = '_tmp';

/** A key that names nothing, or names something below a file (`a.json/x`), is simply missing. */
function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
