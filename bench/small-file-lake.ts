/**
 * A lake of many small objects, the way a trickle of single song files leaves it before any
 * compaction: each song file arrives alone and is its own batch, so each writes one one-row
 * base_songs object (in its year partition) and one one-row ledger object (base_sources). The
 * songs come from the project's seeded generator, so the year partitions are realistic (~60% in
 * year 0, the rest spread over ~90 years). Built with processBatch itself into an in-memory store.
 */
import { generateCatalogue, renderSongFile } from '../src/generate/index.js';
import { Random } from '../src/generate/random.js';
import { localSequencerClock } from '../src/domain/versions.js';
import { processBatch } from '../src/pipeline/process-batch.js';
import { forEachConcurrently } from '../src/pipeline/work-limits.js';
import { MemoryObjectStore } from './stores.js';

export interface SmallFileLake {
  readonly lake: MemoryObjectStore;
  readonly songFiles: number;
  /** Objects per table, and how many partitions hold them. */
  readonly tables: Readonly<Record<string, { objects: number; partitions: number; bytes: number }>>;
  readonly buildSeconds: number;
}

/** `songFiles` one-song batches: 2 × songFiles small objects. */
export async function buildSmallFileLake(songFiles: number, seed: string): Promise<SmallFileLake> {
  const started = performance.now();
  const source = new MemoryObjectStore();
  const catalogue = generateCatalogue(new Random(`${seed}-small-files`).fork('songs'), { songs: songFiles });
  for (const song of catalogue) await source.put(song.key, renderSongFile(song));
  const lake = new MemoryObjectStore();
  const nextSeq = localSequencerClock();
  // A few batches at once only to build faster; each is still its own batch of one file.
  await forEachConcurrently(catalogue, 4, async (song) => {
    const result = await processBatch([{ key: song.key, seq: nextSeq() }], { source, lake }, { concurrency: 1 });
    const failed = result.outcomes.find((outcome) => outcome.status !== 'processed');
    if (failed) throw new Error(`${failed.sourceKey}: ${failed.status} ${failed.error?.message ?? ''}`);
  });
  return { lake, songFiles, tables: await tablesOf(lake), buildSeconds: (performance.now() - started) / 1000 };
}

/** Parquet objects per table, with their partitions and bytes. */
export async function tablesOf(
  lake: MemoryObjectStore,
): Promise<Record<string, { objects: number; partitions: number; bytes: number }>> {
  const tables: Record<string, { objects: number; partitions: Set<string>; bytes: number }> = {};
  for await (const object of lake.listObjects('')) {
    if (!object.key.endsWith('.parquet')) continue;
    const table = object.key.slice(0, object.key.indexOf('/'));
    const entry = tables[table] ?? { objects: 0, partitions: new Set<string>(), bytes: 0 };
    tables[table] = entry;
    entry.objects += 1;
    entry.bytes += object.size;
    entry.partitions.add(object.key.slice(0, object.key.lastIndexOf('/')));
  }
  return Object.fromEntries(
    Object.entries(tables).map(([name, t]) => [
      name,
      { objects: t.objects, partitions: t.partitions.size, bytes: t.bytes },
    ]),
  );
}
