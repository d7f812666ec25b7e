/** What the real-shape runs left behind: the objects each engine wrote, and whether both hold the same rows. */
import { out, section } from '../output.js';
import { fmtBytes, fmtInt, lakeFiles, table, type TableFiles } from '../support.js';
import { lakeOf, type BenchContext } from './context.js';

export type FilesReport = Record<string, Record<string, { files: number; bytes: number; partitions: number }>>;

/** Parquet objects (and other files) per table in each engine's lake after its last real-shape run. */
export async function filesWrittenSection(context: BenchContext): Promise<FilesReport> {
  section('files written (last real-shape run of each engine; the lake before any compaction)');
  const report: FilesReport = {};
  const rows: string[][] = [['engine', 'table', 'files', 'bytes', 'partitions', 'files/partition', 'avg file']];
  for (const engine of ['ours', 'duckdb']) {
    const tables = await lakeFiles(lakeOf(context, engine));
    report[engine] = Object.fromEntries(
      [...tables].map(([name, t]) => [name, { files: t.files, bytes: t.bytes, partitions: t.partitions.size }]),
    );
    for (const [name, t] of tables) rows.push(filesRow(engine, name, t));
  }
  out(table(rows));
  const objects = (engine: string) =>
    Object.entries(report[engine] ?? {}).reduce(
      (sum, [name, t]) => sum + (name.includes('(not Parquet)') ? 0 : t.files),
      0,
    );
  out(
    `  Parquet objects in all: ours ${fmtInt(objects('ours'))}, DuckDB ${fmtInt(objects('duckdb'))} (ours: one object per table partition per batch; a local batch holds up to 5,000 files or 16 MiB of input)`,
  );
  return report;
}

function filesRow(engine: string, name: string, t: TableFiles): string[] {
  return [
    engine,
    name,
    fmtInt(t.files),
    fmtBytes(t.bytes),
    fmtInt(t.partitions.size),
    (t.files / t.partitions.size).toFixed(1),
    fmtBytes(t.bytes / t.files),
  ];
}

export interface IdentityReport {
  readonly base_plays: { readonly aNotB: number; readonly bNotA: number };
  readonly base_songs: { readonly aNotB: number; readonly bNotA: number };
}

/** Every column but write_id, multiset difference both ways, ours vs DuckDB 1 thread. */
export async function sameTablesSection(context: BenchContext): Promise<IdentityReport> {
  section('same tables? (every column but write_id, multiset difference both ways, ours vs DuckDB 1 thread)');
  const ours = lakeOf(context, 'ours');
  const duck = lakeOf(context, 'duckdb');
  const report: IdentityReport = {
    base_plays: await context.verifier.differences('base_plays', ours, duck),
    base_songs: await context.verifier.differences('base_songs', ours, duck),
  };
  for (const [name, d] of Object.entries(report)) {
    out(
      `  ${name}: ${d.aNotB === 0 && d.bNotA === 0 ? 'identical' : `DIFFER: ${d.aNotB} rows only in ours, ${d.bNotA} only in DuckDB's`}`,
    );
  }
  return report;
}
