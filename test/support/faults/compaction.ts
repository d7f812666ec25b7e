/**
 * Compaction as the fault suite runs it: with no grace period, twice (the first run merges and
 * journals the files it replaced, the second deletes them), optionally with the clock moved past
 * the age at which a write that never committed counts as abandoned. Afterwards a lake holds only
 * current rows, which `expectNoGarbage` (lake-compare.ts) checks.
 */
import { compactLake, DEFAULT_COMPACTION, type CompactionRun } from '../../../src/pipeline/compact.js';
import { ABANDONED_WRITE_AGE_MS } from '../../../src/pipeline/ledger.js';
import type { ObjectStore } from '../../../src/storage/object-store.js';

/** A clock this far ahead treats every uncommitted write made so far as abandoned (a dead batch). */
export const PAST_ABANDONED_AGE_MS = ABANDONED_WRITE_AGE_MS + 10 * 60 * 1000;

export interface CompactTwiceOptions {
  /** Move compaction's clock this far ahead (PAST_ABANDONED_AGE_MS: uncommitted writes count as abandoned). */
  readonly aheadMs?: number;
  /**
   * Called between the two runs, while the replaced files still lie beside their merged copies:
   * every row is stored twice then, and the views must still answer each once.
   */
  readonly between?: () => Promise<void>;
}

export async function compactTwice(
  lake: ObjectStore,
  options: CompactTwiceOptions = {},
): Promise<[CompactionRun, CompactionRun]> {
  const ahead = options.aheadMs ?? 0;
  const settings = { ...DEFAULT_COMPACTION, retiredGraceMs: 0, now: () => Date.now() + ahead };
  const first = await compactLake(lake, settings);
  await options.between?.();
  const second = await compactLake(lake, settings);
  return [first, second];
}
