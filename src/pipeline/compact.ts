/**
 * Compaction: rewrites a partition's many small Parquet files (one per batch of landing files)
 * into few large sorted ones, drops the rows no view reads any more (superseded versions of a
 * landing file, batches that died before committing), and deletes the files it replaced once no
 * running query can still be reading them.
 *
 * Why every answer stays the same while it runs, and after:
 * 1. merged rows keep their source_key and write_id, so the ledger decides their visibility
 *    exactly as it did in the small files; a row is dropped only when the ledger says no view will
 *    ever read it again (ledger.ts, isGarbage), never because its batch has not committed yet;
 * 2. the merged file is a new object; the files it replaces stay where they are for a grace period
 *    (queries that listed them can still open them), recorded in a journal, and a later run deletes
 *    them. Meanwhile each row exists twice, and every view keeps one copy (view-sql.ts);
 * 3. nothing is overwritten: a run that dies leaves a merged file without its journal entry (the
 *    next run merges the copies again and keeps one) or a journal entry whose files are not yet
 *    deleted (the next run deletes them).
 *
 * Why it finishes at any size: one listing per table, grouped in one pass; groups are capped by
 * files and bytes, so each fits well inside one run and each is durable on its own; the deadline
 * is checked between file reads; files are tiered by size, so a large file is rewritten only when
 * enough files of its own size class have gathered (or it holds rows to drop), and each row is
 * rewritten a logarithmic number of times; S3 requests run a bounded number at a time.
 */
import {
  compactedKey,
  compactionJournalKey,
  COMPACTION_JOURNAL_PREFIX,
  partitionFolderOf,
  partitionId,
  partitionOfFolder,
  writeIdOfBatchFile,
} from '../domain/layout.js';
import { BASE_SOURCES, BASE_TABLES, type BaseTable, type BaseTableName } from '../domain/tables.js';
import type { Cell } from '../domain/rows.js';
import { isWriteId, newWriteId, writeTimeOf } from '../domain/versions.js';
import { decodeColumns } from '../parquet/reader.js';
import { encodeColumns } from '../parquet/writer.js';
import { readText, streamBytes, type ObjectInfo, type ObjectStore } from '../storage/object-store.js';
import { ABANDONED_WRITE_AGE_MS, Ledger } from './ledger.js';
import { boundedChunks, forEachConcurrently } from './work-limits.js';

export interface CompactionOptions {
  /** A file this large is finished: rewritten only to drop rows no view reads. */
  readonly targetFileBytes: number;
  /** Bounds of one merge (memory and time): input files, and input bytes. */
  readonly maxGroupFiles: number;
  readonly maxGroupBytes: number;
  /** Size classes: class k holds files below tierBytes × tierRatio^k. */
  readonly tierBytes: number;
  readonly tierRatio: number;
  /** Files of one size class merged once there are this many (smallest class: two). */
  readonly minFiles: number;
  /** How long a replaced file stays readable for queries that already listed it. */
  readonly retiredGraceMs: number;
  /** S3 requests (reads, deletes) at once. */
  readonly concurrency: number;
  /** Stop starting reads after this time (epoch ms): a Lambda run leaves the rest to the next. */
  readonly deadline?: number;
  readonly now?: () => number;
}

export const DEFAULT_COMPACTION: CompactionOptions = {
  targetFileBytes: 128 * 1024 * 1024,
  maxGroupFiles: 2_000,
  maxGroupBytes: 64 * 1024 * 1024,
  tierBytes: 1024 * 1024,
  tierRatio: 8,
  minFiles: 4,
  retiredGraceMs: 60 * 60 * 1000,
  // 50 reads in flight: the AWS SDK's default connection pool. At 20-40 ms a request, 8 made a
  // run of 100,000 small objects take ~12 minutes of reads; 50 took ~3.5 (docs/SCALING.md).
  concurrency: 50,
};

/** One merged group; the before/after figures are for the group's partition. */
export interface GroupCompaction {
  readonly table: BaseTableName;
  readonly partition: string;
  readonly filesMerged: number;
  readonly bytesMerged: number;
  readonly bytesWritten: number;
  readonly rows: number;
  /** Rows no view reads any more (superseded, abandoned, or a second copy), dropped. */
  readonly droppedRows: number;
}

export interface CompactionRun {
  readonly runId: string;
  readonly groups: readonly GroupCompaction[];
  /** Files replaced by earlier runs whose grace period is over, deleted by this one. */
  readonly filesDeleted: number;
  /** Groups left for a later run because the deadline came. */
  readonly stoppedAtDeadline: boolean;
}

/** The order rows are written in: what analysts filter on first, for tight min/max statistics. */
const SORT_COLUMNS: Record<BaseTableName, readonly string[]> = {
  base_plays: ['start_time', 'source_key', 'source_line'],
  base_songs: ['artist_id', 'song_id', 'source_key'],
  base_user_latest: ['user_id', 'source_key'],
  base_rejects: ['source_key', 'line', 'reason'],
  base_sources: ['source_key', 'seq', 'write_id'],
};

/** What makes two rows of a table the same row written twice (a copy to keep once). */
const ROW_IDENTITY: Record<BaseTableName, readonly string[]> = {
  base_plays: ['source_key', 'write_id', 'source_line'],
  base_songs: ['source_key', 'write_id'],
  base_user_latest: ['source_key', 'write_id', 'user_id'],
  base_rejects: ['source_key', 'write_id', 'line', 'reason'],
  base_sources: ['source_key', 'write_id', 'seq'],
};

interface JournalEntry {
  readonly key: string;
  readonly retiredAt: number;
  readonly files: readonly string[];
}

export async function compactLake(
  lake: ObjectStore,
  options: CompactionOptions = DEFAULT_COMPACTION,
  onGroup?: (result: GroupCompaction) => void,
): Promise<CompactionRun> {
  const now = options.now ?? Date.now;
  const runId = newWriteId(now());
  const journal = await readJournal(lake);
  const deletion = await deleteRetiredFiles(lake, journal, options, now);
  const filesDeleted = deletion.deleted;
  if (deletion.stoppedAtDeadline) return { runId, groups: [], filesDeleted, stoppedAtDeadline: true };
  const retired = new Set(journal.flatMap((entry) => entry.files));
  // Replaced ledger files need no reading: the merged file that replaced them holds their rows.
  const ledger = await Ledger.read(lake, { skip: retired, concurrency: options.concurrency });
  const garbageSince = ledger.garbagePartitions();
  const groups: GroupCompaction[] = [];
  let sequence = 0;
  for (const table of COMPACTION_ORDER) {
    for (const [folder, files] of await partitionsOf(lake, table, retired)) {
      const dirtySince = garbageSince.get(partitionId(partitionOfFolder(folder, BASE_TABLES))) ?? 0;
      for (const group of groupsToMerge(files, options, (file) => mayHoldGarbage(file, dirtySince, ledger, now()))) {
        if (pastDeadline(options, now)) return { runId, groups, filesDeleted, stoppedAtDeadline: true };
        const result = await mergeGroup(lake, table, folder, group, ledger, options, `${runId}-${++sequence}`, now);
        if (result === 'deadline') return { runId, groups, filesDeleted, stoppedAtDeadline: true };
        if (result === 'nothing to drop') continue;
        groups.push(result);
        onGroup?.(result);
      }
    }
  }
  return { runId, groups, filesDeleted, stoppedAtDeadline: false };
}

/** The ledger first: every run reads all of it, so its small files are worth merging before anything else. */
const COMPACTION_ORDER: readonly BaseTable[] = [BASE_SOURCES, ...BASE_TABLES.filter((table) => table !== BASE_SOURCES)];

function pastDeadline(options: CompactionOptions, now: () => number): boolean {
  return options.deadline !== undefined && now() >= options.deadline;
}

/** Every Parquet file of a table, grouped by partition folder in one pass, replaced files left out. */
async function partitionsOf(
  lake: ObjectStore,
  table: BaseTable,
  retired: ReadonlySet<string>,
): Promise<Map<string, ObjectInfo[]>> {
  const partitions = new Map<string, ObjectInfo[]>();
  for await (const object of lake.listObjects(`${table.name}/`)) {
    if (!object.key.endsWith('.parquet') || retired.has(object.key)) continue;
    const folder = partitionFolderOf(object.key);
    const files = partitions.get(folder);
    if (files) files.push(object);
    else partitions.set(folder, [object]);
  }
  return partitions;
}

/**
 * A file may hold rows to drop when a version it could hold rows of was superseded after the file
 * was written, or it is a batch file whose batch never committed and is too old to still commit.
 * `partitionDirtySince` is when the latest superseding batch began; it may have committed up to
 * ABANDONED_WRITE_AGE_MS later, and a file written in between could not know of it yet.
 */
function mayHoldGarbage(file: ObjectInfo, partitionDirtySince: number, ledger: Ledger, now: number): boolean {
  const writtenAt = writtenAtOf(file.key);
  if (writtenAt === undefined) return true;
  if (partitionDirtySince > 0 && writtenAt < partitionDirtySince + ABANDONED_WRITE_AGE_MS) return true;
  const writeId = writeIdOfBatchFile(file.key);
  return writeId !== undefined && ledger.isAbandoned(writeId, now);
}

/** When the batch or compaction run that wrote the file began, from its name. */
function writtenAtOf(key: string): number | undefined {
  const batchWrite = writeIdOfBatchFile(key);
  if (batchWrite !== undefined) return isWriteId(batchWrite) ? writeTimeOf(batchWrite) : undefined;
  const name = key.slice(key.lastIndexOf('/') + 1);
  const match = /^compacted-(.+)-\d+\.parquet$/.exec(name);
  return match?.[1] && isWriteId(match[1]) ? writeTimeOf(match[1]) : undefined;
}

/**
 * The merges to do in one partition: in each size class with enough files, groups of consecutive
 * files within the caps; and every file that may hold rows to drop, whatever its size.
 */
function groupsToMerge(
  files: readonly ObjectInfo[],
  options: CompactionOptions,
  dirty: (file: ObjectInfo) => boolean,
): ObjectInfo[][] {
  const classes = new Map<number, ObjectInfo[]>();
  const forced: ObjectInfo[] = [];
  for (const file of files) {
    if (dirty(file)) {
      forced.push(file);
      continue;
    }
    if (file.size >= options.targetFileBytes) continue;
    const sizeClass =
      file.size < options.tierBytes
        ? 0
        : Math.floor(Math.log(file.size / options.tierBytes) / Math.log(options.tierRatio)) + 1;
    const members = classes.get(sizeClass);
    if (members) members.push(file);
    else classes.set(sizeClass, [file]);
  }
  const groups: ObjectInfo[][] = [];
  for (const [sizeClass, members] of [...classes].sort(([a], [b]) => a - b)) {
    if (members.length < (sizeClass === 0 ? 2 : options.minFiles)) continue;
    groups.push(
      ...boundedChunks(members, options.maxGroupFiles, options.maxGroupBytes).filter((group) => group.length >= 2),
    );
  }
  groups.push(...boundedChunks(forced, options.maxGroupFiles, options.maxGroupBytes));
  return groups;
}

async function mergeGroup(
  lake: ObjectStore,
  table: BaseTable,
  folder: string,
  inputs: readonly ObjectInfo[],
  ledger: Ledger,
  options: CompactionOptions,
  id: string,
  now: () => number,
): Promise<GroupCompaction | 'deadline' | 'nothing to drop'> {
  const decoded: { columns: Record<string, Cell[]>; rowCount: number }[] = [];
  let stopped = false;
  await forEachConcurrently(inputs, options.concurrency, async (input) => {
    if (stopped || pastDeadline(options, now)) {
      stopped = true;
      return;
    }
    const stream = await lake.openRead(input.key);
    // Gone since the listing: another run merged and deleted it; its rows are in that run's file.
    if (stream) decoded.push(await decodeColumns(table, await streamBytes(stream)));
  });
  if (stopped) return 'deadline';

  const keep = keptRows(table, decoded, ledger, now());
  const rowsRead = decoded.reduce((sum, file) => sum + file.rowCount, 0);
  // A file checked for rows to drop that holds none stays as it is.
  if (inputs.length === 1 && keep.length === rowsRead) return 'nothing to drop';
  const order = sortedOrder(table, keep);
  const columns: Record<string, Cell[]> = {};
  for (const column of table.columns)
    columns[column.name] = order.map((row) => row.file.columns[column.name]?.[row.index] ?? null);
  let bytesWritten = 0;
  if (order.length > 0) {
    const body = encodeColumns(table, columns, order.length);
    await lake.put(compactedKey(folder, id), body, 'application/vnd.apache.parquet');
    bytesWritten = body.length;
  }
  // From here on the inputs are replaced: later runs skip them and delete them after the grace period.
  await lake.put(
    compactionJournalKey(id),
    JSON.stringify({ retiredAt: now(), files: inputs.map((input) => input.key) }, null, 2),
    'application/json',
  );
  return {
    table: table.name,
    partition: folder,
    filesMerged: inputs.length,
    bytesMerged: inputs.reduce((sum, input) => sum + input.size, 0),
    bytesWritten,
    rows: order.length,
    droppedRows: rowsRead - order.length,
  };
}

interface RowRef {
  readonly file: { readonly columns: Record<string, Cell[]> };
  readonly index: number;
}

/** The rows to keep: readable by some view now or later, each once. */
function keptRows(
  table: BaseTable,
  files: readonly { columns: Record<string, Cell[]>; rowCount: number }[],
  ledger: Ledger,
  now: number,
): RowRef[] {
  const identity = ROW_IDENTITY[table.name];
  const isLedger = table.name === BASE_SOURCES.name;
  const seen = new Set<string>();
  const kept: RowRef[] = [];
  for (const file of files) {
    const sourceKeys = file.columns.source_key ?? [];
    const writeIds = file.columns.write_id ?? [];
    for (let index = 0; index < file.rowCount; index++) {
      const sourceKey = sourceKeys[index];
      const writeId = writeIds[index];
      if (typeof sourceKey !== 'string' || typeof writeId !== 'string')
        throw new Error(`${table.name}: a row without source_key or write_id`);
      if (!isLedger && ledger.isGarbage(sourceKey, writeId, now)) continue;
      const key = JSON.stringify(identity.map((column) => file.columns[column]?.[index] ?? null));
      if (seen.has(key)) continue;
      seen.add(key);
      kept.push({ file, index });
    }
  }
  return kept;
}

function sortedOrder(table: BaseTable, rows: RowRef[]): RowRef[] {
  const columns = SORT_COLUMNS[table.name];
  return rows.sort((a, b) => {
    for (const column of columns) {
      const x = a.file.columns[column]?.[a.index] ?? null;
      const y = b.file.columns[column]?.[b.index] ?? null;
      if (x === y) continue;
      if (x === null) return -1;
      if (y === null) return 1;
      return x < y ? -1 : 1;
    }
    return 0;
  });
}

/** Files an earlier run replaced that still lie in the lake until their grace period is over. */
export async function replacedFiles(lake: ObjectStore): Promise<ReadonlySet<string>> {
  return new Set((await readJournal(lake)).flatMap((entry) => entry.files));
}

async function readJournal(lake: ObjectStore): Promise<JournalEntry[]> {
  const entries: JournalEntry[] = [];
  for await (const key of lake.list(COMPACTION_JOURNAL_PREFIX)) {
    if (!key.endsWith('.json')) continue;
    const text = await readText(lake, key);
    if (text === undefined) continue;
    const parsed = JSON.parse(text) as { retiredAt?: unknown; files?: unknown };
    if (typeof parsed.retiredAt !== 'number' || !Array.isArray(parsed.files))
      throw new Error(`${lake.description}/${key}: not a compaction journal entry`);
    entries.push({
      key,
      retiredAt: parsed.retiredAt,
      files: parsed.files.filter((file): file is string => typeof file === 'string'),
    });
  }
  return entries;
}

/**
 * Deletes the files whose grace period is over (1,000 a request in S3), then their journal entries.
 * It stops at the deadline like a merge does: an entry not reached is deleted by the next run.
 */
async function deleteRetiredFiles(
  lake: ObjectStore,
  journal: readonly JournalEntry[],
  options: CompactionOptions,
  now: () => number,
): Promise<{ deleted: number; stoppedAtDeadline: boolean }> {
  let deleted = 0;
  for (const entry of journal) {
    if (now() - entry.retiredAt < options.retiredGraceMs) continue;
    if (pastDeadline(options, now)) return { deleted, stoppedAtDeadline: true };
    await lake.deleteMany(entry.files);
    deleted += entry.files.length;
    await lake.delete(entry.key);
  }
  return { deleted, stoppedAtDeadline: false };
}
