import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANALYST_VIEWS } from '../../src/domain/tables.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import { queryLake } from './cli.js';

/**
 * Every analyst view's full contents (the quarantine, rejects, is one of them), in a canonical
 * order: the answers a lake gives, which two lakes holding the same data share whatever objects
 * hold it (lake objects are named by the batch that wrote them).
 */
export async function tableContents(lakeDir: string): Promise<Record<string, unknown[]>> {
  const contents: Record<string, unknown[]> = {};
  for (const name of ANALYST_VIEWS.map((v) => v.name)) {
    contents[name] = await queryLake(lakeDir, `SELECT * FROM "${name}" ORDER BY ALL`);
  }
  return contents;
}

/**
 * Every object in the lake folder with a hash of its bytes: for checking that something wrote
 * nothing at all (a re-ingest of unchanged files), not for comparing two lakes.
 */
export async function lakeObjects(lakeDir: string): Promise<Record<string, string>> {
  const objects: Record<string, string> = {};
  for await (const key of new FsObjectStore(lakeDir).list('')) {
    objects[key] = createHash('sha256')
      .update(readFileSync(join(lakeDir, key)))
      .digest('hex');
  }
  return objects;
}
