/**
 * What a reader of a lake folder can see, whatever happened to the writer: every object
 * `FsObjectStore.list()` shows must be a lake object (a `<base table>/…/*.parquet` file, a
 * `_compaction/retired/*.json` journal entry, or the folder's marker file) and whole (each Parquet
 * file parses completely with an independent reader, hyparquet, and holds rows; each journal entry
 * is JSON naming the files it retired). Files on disk that list() hides (temporary files a crash
 * left behind) are reported separately: garbage, not data, but none of them may match the
 * `*.parquet` pattern DuckDB reads a table with.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { COMPACTION_JOURNAL_PREFIX } from '../../../src/domain/layout.js';
import { BASE_TABLES } from '../../../src/domain/tables.js';
import { LAKE_MARKER_FILE } from '../../../src/local/lake-folder.js';
import { FsObjectStore } from '../../../src/storage/fs-store.js';

export interface LakeIntegrity {
  /** Problems a reader would hit: must be empty. */
  readonly problems: string[];
  /** Files on disk that list() hides (temporary files a crash left behind). */
  readonly hiddenFiles: string[];
  readonly listed: string[];
}

export async function lakeIntegrity(lakeDir: string): Promise<LakeIntegrity> {
  const problems: string[] = [];
  const listed: string[] = [];
  for await (const key of new FsObjectStore(lakeDir).list('')) listed.push(key);
  const onDisk = walk(lakeDir).map((path) => relative(lakeDir, path).split(sep).join('/'));
  const hiddenFiles = onDisk.filter((key) => !listed.includes(key));
  for (const key of listed) {
    if (key === LAKE_MARKER_FILE) continue;
    const isTableFile = BASE_TABLES.some((table) => key.startsWith(`${table.name}/`)) && key.endsWith('.parquet');
    const isJournal = key.startsWith(COMPACTION_JOURNAL_PREFIX) && key.endsWith('.json');
    if (!isTableFile && !isJournal) problems.push(`not a lake object, yet listed: ${key}`);
    const bytes = readFileSync(join(lakeDir, key));
    if (key.endsWith('.parquet')) {
      try {
        const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
        const metadata = parquetMetadata(buffer);
        const rows = await parquetReadObjects({ file: buffer });
        if (rows.length !== Number(metadata.num_rows) || rows.length === 0)
          problems.push(`${key}: ${rows.length} rows read, footer says ${metadata.num_rows}`);
      } catch (error) {
        problems.push(`${key}: not a readable Parquet file: ${(error as Error).message}`);
      }
    } else if (isJournal) {
      try {
        const entry = JSON.parse(bytes.toString('utf8')) as { files?: unknown };
        if (!Array.isArray(entry.files)) problems.push(`${key}: journal entry without files`);
      } catch (error) {
        problems.push(`${key}: journal entry is not JSON: ${(error as Error).message}`);
      }
    }
  }
  // DuckDB reads `<table>/**/*.parquet`: nothing hidden may match that pattern either.
  for (const key of hiddenFiles) if (key.endsWith('.parquet')) problems.push(`hidden file matches *.parquet: ${key}`);
  return { problems, hiddenFiles, listed };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(path));
    else out.push(path);
  }
  return out;
}
