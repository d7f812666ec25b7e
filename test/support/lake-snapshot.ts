import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANALYST_VIEWS } from '../../src/domain/tables.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import { queryLake } from './cli.js';

/** Every analyst table's full contents (plus the quarantine), in a canonical order. */
export async function tableContents(lakeDir: string): Promise<Record<string, unknown[]>> {
  const contents: Record<string, unknown[]> = {};
  for (const name of [...ANALYST_VIEWS.map((v) => v.name), 'rejects']) {
    contents[name] = await queryLake(lakeDir, `SELECT * FROM "${name}" ORDER BY ALL`);
  }
  return contents;
}

/** Every object in the lake folder with a hash of its bytes. */
export async function lakeObjects(lakeDir: string): Promise<Record<string, string>> {
  const objects: Record<string, string> = {};
  for await (const key of new FsObjectStore(lakeDir).list('')) {
    objects[key] = createHash('sha256').update(readFileSync(join(lakeDir, key))).digest('hex');
  }
  return objects;
}
