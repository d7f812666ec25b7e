/** Small helpers shared by the benchmark's parent and child processes: statistics, formatting, folder walks. */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile (p in 0..100) of the values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  if (p === 50 && sorted.length % 2 === 0) {
    return ((sorted[sorted.length / 2 - 1] as number) + (sorted[sorted.length / 2] as number)) / 2;
  }
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] as number;
}

export const MB = 1e6;
export const MiB = 1024 * 1024;

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function fmtBytes(bytes: number): string {
  if (bytes >= MB) return `${(bytes / MB).toFixed(2)} MB`;
  if (bytes >= 1000) return `${(bytes / 1000).toFixed(1)} kB`;
  return `${Math.round(bytes)} B`;
}

/** A plain-text table: first row is the header; numbers are right-aligned by the caller's strings. */
export function table(rows: readonly (readonly string[])[], indent = '  '): string {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  const [header, ...body] = rows;
  if (!header) return '';
  // Columns of figures (numbers, with a unit or a %) are right-aligned; text is left-aligned.
  const figure = /^[-+]?[\d,.]+\s?(%|[A-Za-z/]{1,6})?$/;
  const right = header.map(
    (_, i) =>
      i > 0 &&
      body.some((row) => (row[i] ?? '') !== '') &&
      body.every((row) => (row[i] ?? '') === '' || figure.test(row[i] as string)),
  );
  const line = (row: readonly string[]) =>
    indent +
    row
      .map((cell, i) => (right[i] ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(header), indent + widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export interface FileEntry {
  /** Path relative to the walked root, with `/`. */
  readonly key: string;
  readonly size: number;
}

/** Every file under `root` (recursively), with its size; an absent root gives none. */
export async function walkFiles(root: string): Promise<FileEntry[]> {
  const files: FileEntry[] = [];
  async function walk(dir: string): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile())
        files.push({ key: relative(root, path).split(sep).join('/'), size: (await stat(path)).size });
    }
  }
  await walk(root);
  return files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export interface TableFiles {
  readonly files: number;
  readonly bytes: number;
  /** Parquet files per partition folder (`year=2018/month=11`). */
  readonly partitions: ReadonlyMap<string, { files: number; bytes: number }>;
}

/** Parquet files and bytes per top-level folder (table) of a lake, and per partition folder. */
export async function lakeFiles(lakeDir: string): Promise<Map<string, TableFiles>> {
  const tables = new Map<
    string,
    { files: number; bytes: number; partitions: Map<string, { files: number; bytes: number }> }
  >();
  for (const file of await walkFiles(lakeDir)) {
    const [tableName, ...rest] = file.key.split('/');
    if (!tableName) continue;
    const isParquet = file.key.endsWith('.parquet');
    const name = isParquet ? tableName : `${tableName} (not Parquet)`;
    let t = tables.get(name);
    if (!t) {
      t = { files: 0, bytes: 0, partitions: new Map() };
      tables.set(name, t);
    }
    t.files += 1;
    t.bytes += file.size;
    const partition = rest.slice(0, -1).join('/') || '(none)';
    const p = t.partitions.get(partition) ?? { files: 0, bytes: 0 };
    p.files += 1;
    p.bytes += file.size;
    t.partitions.set(partition, p);
  }
  return new Map([...tables].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** `2018-11-01` plus n days, as YYYY-MM-DD. */
export function addDays(date: string, days: number): string {
  const ms = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}
