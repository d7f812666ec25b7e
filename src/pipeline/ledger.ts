/**
 * The ledger, read back: base_sources folded into "which write is current for each landing
 * object". Workers never read it (they only append to it); the local run reads it to skip files
 * whose content is already current and to mirror deletions, and compaction reads it to keep only
 * current rows and to find what a superseded version left behind.
 */
import { partitionOfKey, type LandingSource } from '../domain/layout.js';
import type { Cell } from '../domain/rows.js';
import { BASE_SOURCES, SOURCE_PRESENT, SOURCE_REMOVED } from '../domain/tables.js';
import { compareVersions, writeTimeOf } from '../domain/versions.js';
import { decodeParquet } from '../parquet/reader.js';
import { streamBytes, type ObjectStore } from '../storage/object-store.js';
import { forEachConcurrently } from './work-limits.js';

/**
 * Bump when the rows written for the same content change (a new column, a new rule): ledger rows
 * of an older format do not count as "already processed", so a re-ingest rewrites those files.
 */
export const LAKE_FORMAT_VERSION = 2;

/**
 * A write that has no ledger row this long after it began was abandoned (its batch died before
 * committing): compaction deletes its rows. Twice the longest a batch may take to commit
 * (MAX_BATCH_AGE_MS), so a slow batch is never mistaken for a dead one.
 */
export const ABANDONED_WRITE_AGE_MS = 2 * 60 * 60 * 1000;

export interface LedgerEntry {
  readonly sourceKey: string;
  readonly source: LandingSource;
  readonly seq: string;
  readonly writeId: string;
  readonly status: typeof SOURCE_PRESENT | typeof SOURCE_REMOVED;
  readonly contentSha256: string | null;
  readonly rows: number;
  /** Partition ids (`base_plays/2018/11`) holding the rows of this version. */
  readonly partitions: readonly string[];
  readonly formatVersion: number;
}

interface KeyHistory {
  current: LedgerEntry;
  /** Versions the current one replaced: their rows are garbage wherever they still lie. */
  superseded: LedgerEntry[];
}

export class Ledger {
  private readonly keys = new Map<string, KeyHistory>();
  private readonly writes = new Set<string>();

  /**
   * Reads every ledger file, `concurrency` at a time. `skip` names files compaction replaced: the
   * merged file holds their rows, so reading them again would change nothing.
   */
  static async read(
    lake: ObjectStore,
    options: { skip?: ReadonlySet<string>; concurrency?: number } = {},
  ): Promise<Ledger> {
    const ledger = new Ledger();
    const keys: string[] = [];
    for await (const key of lake.list(`${BASE_SOURCES.name}/`))
      if (key.endsWith('.parquet') && !options.skip?.has(key)) keys.push(key);
    await forEachConcurrently(keys, options.concurrency ?? 16, async (key) => {
      const stream = await lake.openRead(key);
      if (!stream) return; // deleted by a compaction since it was listed: its rows are in the merged file
      const source = partitionOfKey(key, [BASE_SOURCES]).values[0] as LandingSource;
      const rows = await decodeParquet(BASE_SOURCES, await streamBytes(stream));
      ledger.apply(rows.map((row) => entryOf(row, source, key)));
    });
    return ledger;
  }

  apply(entries: Iterable<LedgerEntry>): void {
    for (const entry of entries) {
      this.writes.add(entry.writeId);
      const history = this.keys.get(entry.sourceKey);
      if (!history) {
        this.keys.set(entry.sourceKey, { current: entry, superseded: [] });
        continue;
      }
      const order = compareVersions(
        { seq: entry.seq, writeId: entry.writeId },
        { seq: history.current.seq, writeId: history.current.writeId },
      );
      if (order > 0) {
        history.superseded.push(history.current);
        history.current = entry;
      } else if (order < 0 && !history.superseded.some((old) => old.writeId === entry.writeId)) {
        history.superseded.push(entry);
      }
    }
  }

  /** The latest version recorded for a landing key (possibly a removal). */
  current(sourceKey: string): LedgerEntry | undefined {
    return this.keys.get(sourceKey)?.current;
  }

  /** The content hash of the key's current version when its rows are in the lake in today's format. */
  currentContent(sourceKey: string): string | undefined {
    const current = this.current(sourceKey);
    if (!current || current.status !== SOURCE_PRESENT || current.formatVersion !== LAKE_FORMAT_VERSION)
      return undefined;
    return current.contentSha256 ?? undefined;
  }

  /** Rows tagged (sourceKey, writeId) are what the views read for that key. */
  isCurrent(sourceKey: string, writeId: string): boolean {
    const current = this.current(sourceKey);
    return current !== undefined && current.status === SOURCE_PRESENT && current.writeId === writeId;
  }

  /**
   * Rows tagged (sourceKey, writeId) can be deleted: a later version of the key is committed, or
   * the write never committed and is too old to still be in flight.
   */
  isGarbage(sourceKey: string, writeId: string, now: number): boolean {
    if (this.isCurrent(sourceKey, writeId)) return false;
    if (!this.writes.has(writeId)) return this.isAbandoned(writeId, now);
    // Committed, but this key's current version is another write, or a removal (a write that
    // committed other keys but not this one: the key's file failed in that batch).
    const current = this.current(sourceKey);
    return current === undefined || current.writeId !== writeId || current.status !== SOURCE_PRESENT;
  }

  /** A write with no ledger row that is too old to still commit: its batch died. */
  isAbandoned(writeId: string, now: number): boolean {
    return !this.writes.has(writeId) && now - writeTimeOf(writeId) > ABANDONED_WRITE_AGE_MS;
  }

  /** Landing keys whose current version is present in the lake. */
  presentKeys(): string[] {
    return [...this.keys.values()]
      .filter((history) => history.current.status === SOURCE_PRESENT)
      .map((history) => history.current.sourceKey);
  }

  /** Every superseded version, with the write that replaced it. */
  *supersededVersions(): Generator<{ readonly old: LedgerEntry; readonly by: LedgerEntry }> {
    for (const history of this.keys.values()) for (const old of history.superseded) yield { old, by: history.current };
  }

  /** Partition ids where rows of superseded versions may still lie, with when the superseding write began. */
  garbagePartitions(): Map<string, number> {
    const since = new Map<string, number>();
    for (const { old, by } of this.supersededVersions()) {
      const at = writeTimeOf(by.writeId);
      for (const partition of old.partitions) since.set(partition, Math.max(since.get(partition) ?? 0, at));
    }
    return since;
  }

  get size(): number {
    return this.keys.size;
  }
}

/** A ledger row (as decoded from Parquet, or as a batch just committed it) as an entry. */
export function entryOf(ledgerRow: object, source: LandingSource, where: string): LedgerEntry {
  const row = ledgerRow as Readonly<Record<string, Cell | undefined>>;
  const text = (name: string): string => {
    const value = row[name];
    if (typeof value !== 'string') throw new Error(`${where}: ledger row without ${name}`);
    return value;
  };
  const status = text('status');
  if (status !== SOURCE_PRESENT && status !== SOURCE_REMOVED)
    throw new Error(`${where}: unknown ledger status ${status}`);
  let partitions: unknown;
  try {
    partitions = JSON.parse(text('partitions'));
  } catch {
    partitions = undefined;
  }
  if (!Array.isArray(partitions) || !partitions.every((p) => typeof p === 'string'))
    throw new Error(`${where}: ledger partitions are not a JSON list of names`);
  return {
    sourceKey: text('source_key'),
    source,
    seq: text('seq'),
    writeId: text('write_id'),
    status,
    contentSha256: typeof row.content_sha256 === 'string' ? row.content_sha256 : null,
    rows: typeof row.rows === 'number' ? row.rows : 0,
    partitions: partitions as string[],
    formatVersion: typeof row.format_version === 'number' ? row.format_version : 0,
  };
}
