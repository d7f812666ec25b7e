/** compactLake once on our real-shape lake (a fresh process), then the run after the grace period that deletes what it replaced. */
import { runChild } from '../fork.js';
import { mib, out, section } from '../output.js';
import type { CompactResult } from '../protocol.js';
import { fmtBytes, fmtInt, lakeFiles, table, type TableFiles } from '../support.js';
import { lakeOf, type BenchContext } from './context.js';

export interface CompactionReport {
  readonly result: CompactResult;
  readonly before: Record<string, { files: number; bytes: number }>;
  readonly after: Record<string, { files: number; bytes: number }>;
}

export async function compactionSection(context: BenchContext): Promise<CompactionReport> {
  section(
    'compaction of our real-shape lake (compactLake, DEFAULT_COMPACTION, fresh process; then the run after the grace period)',
  );
  const lakeDir = lakeOf(context, 'ours');
  const before = await lakeFiles(lakeDir);
  const { result } = await runChild(context.repoRoot, { mode: 'compact', lakeDir });
  const after = await lakeFiles(lakeDir);
  const { merge, cleanup } = result;
  out(
    `  merge: ${merge.seconds.toFixed(2)} s (CPU ${merge.cpuSeconds.toFixed(1)} s), ${merge.groups.length} groups, ` +
      `${fmtInt(merge.groups.reduce((sum, g) => sum + g.filesMerged, 0))} files merged, ${fmtInt(merge.groups.reduce((sum, g) => sum + g.rows, 0))} rows rewritten, ` +
      `${fmtInt(merge.groups.reduce((sum, g) => sum + g.droppedRows, 0))} dropped; peak RSS ${mib(result.rssPeakSampled)}, maxRSS ${mib(result.maxRss)} (both runs)`,
  );
  out(
    `  after the grace period: ${cleanup.seconds.toFixed(2)} s, ${fmtInt(cleanup.filesDeleted)} replaced files deleted, ${cleanup.groups} more groups`,
  );
  out(compactionTable(before, after));
  return { result, before: brief(before), after: brief(after) };
}

function brief(tables: Map<string, TableFiles>): Record<string, { files: number; bytes: number }> {
  return Object.fromEntries([...tables].map(([name, t]) => [name, { files: t.files, bytes: t.bytes }]));
}

function compactionTable(before: Map<string, TableFiles>, after: Map<string, TableFiles>): string {
  const rows: string[][] = [
    ['table', 'partitions', 'files before → after', 'files/partition before → after (max)', 'avg file before → after'],
  ];
  const maxFiles = (t: TableFiles) => Math.max(0, ...[...t.partitions.values()].map((p) => p.files));
  for (const [name, b] of before) {
    if (name.includes('(not Parquet)')) continue;
    const a = after.get(name) ?? { files: 0, bytes: 0, partitions: new Map() };
    rows.push([
      name,
      fmtInt(b.partitions.size),
      `${fmtInt(b.files)} → ${fmtInt(a.files)}`,
      `${(b.files / b.partitions.size).toFixed(1)} (${maxFiles(b)}) → ${(a.files / Math.max(1, a.partitions.size)).toFixed(1)} (${maxFiles(a)})`,
      `${fmtBytes(b.bytes / b.files)} → ${fmtBytes(a.bytes / Math.max(1, a.files))}`,
    ]);
  }
  return table(rows);
}
