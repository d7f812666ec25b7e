/**
 * Erasing a listener: their events leave the landing files, every table and every lake object,
 * and stay gone whatever is redelivered, replayed or compacted later.
 *
 * It uses the lake's own mechanisms instead of editing Parquet in place:
 * 1. every landing log file holding the user's lines is rewritten without them (other bytes kept);
 * 2. the pipeline processes those files as the replaced files they are: the new versions become
 *    current, and the old versions' rows leave every view (locally by processing them at once; in
 *    AWS the S3 events do it, and this waits until the ledger shows it);
 * 3. compaction, with no grace period, rewrites every file that holds rows of a superseded version
 *    and deletes the files it replaced: the old rows (plays, the user's latest events, quarantined
 *    raw text) are gone from the lake, not only hidden;
 * 4. the lake is searched for the user once more, and the request is recorded in an audit record
 *    that holds counts and times, no personal data.
 * Each step can be repeated: run it twice, or after a crash, and it ends in the same state.
 */
import { createHash, randomUUID } from 'node:crypto';
import { erasureAuditKey, sourcePrefix } from '../domain/layout.js';
import { canonicalUserId, withoutUserLines } from '../domain/erasure.js';
import { BASE_PLAYS, BASE_REJECTS, BASE_USER_LATEST, type BaseTable } from '../domain/tables.js';
import { decodeColumns } from '../parquet/reader.js';
import { compactLake, DEFAULT_COMPACTION } from '../pipeline/compact.js';
import { Ledger } from '../pipeline/ledger.js';
import { streamBytes, type ObjectStore } from '../storage/object-store.js';

export interface ErasureTargets {
  readonly landing: ObjectStore;
  readonly lake: ObjectStore;
  /** Makes the lake current with the landing log files (step 2). */
  readonly catchUp: (changedKeys: readonly string[]) => Promise<void>;
  /** Deletes the older versions of rewritten landing objects where the store keeps versions; returns how many. */
  readonly deleteOlderVersions?: (keys: readonly string[]) => Promise<number>;
  /** What this erasure cannot reach where it runs, reported as such. */
  readonly unreachable: readonly string[];
  readonly onProgress?: (message: string) => void;
}

export interface ErasureReport {
  readonly requestId: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly landingFilesScanned: number;
  readonly landingFilesRewritten: number;
  readonly linesRemoved: number;
  /** Lake rows (plays, users' latest events, set-aside records) the old file versions had and the new ones have not. */
  readonly lakeRowsRemoved: number;
  readonly lakeFilesRewritten: number;
  readonly lakeFilesDeleted: number;
  readonly olderVersionsDeleted: number;
  readonly nothingMatched: boolean;
  readonly unreachable: readonly string[];
}

export async function eraseUser(
  userId: string,
  targets: ErasureTargets,
  requestId: string = randomUUID(),
): Promise<ErasureReport> {
  const user = canonicalUserId(userId);
  if (user === undefined)
    throw new Error(`--user-id must be a whole number (a userId of the logs), not ${JSON.stringify(userId)}`);
  const startedAt = new Date().toISOString();
  const say = targets.onProgress ?? (() => undefined);

  say("rewriting landing log files without the user's lines");
  const landing = await rewriteLanding(targets.landing, user);
  const before = await Ledger.read(targets.lake);
  const stale = landing.contentByKey
    .filter(([key, sha256]) => before.current(key)?.contentSha256 !== sha256)
    .map(([key]) => key);
  say(
    `${landing.rewritten.length} file(s) rewritten; bringing the lake up to date with ${stale.length} changed file(s)`,
  );
  if (stale.length > 0) await targets.catchUp(stale);
  const after = await Ledger.read(targets.lake);
  const lagging = landing.contentByKey
    .filter(([key, sha256]) => after.current(key)?.contentSha256 !== sha256)
    .map(([key]) => key);
  if (lagging.length > 0)
    throw new Error(
      `the lake has not caught up with ${lagging.length} rewritten file(s), e.g. ${lagging[0]}; nothing was purged: run the erasure again`,
    );
  // Rows (plays, users' latest events, set-aside records) the old versions had and the new ones have not.
  const rowsRemoved = stale.reduce(
    (sum, key) => sum + (before.current(key)?.rows ?? 0) - (after.current(key)?.rows ?? 0),
    0,
  );

  say('purging superseded rows from every lake object (compaction without grace period)');
  let lakeFilesRewritten = 0;
  let lakeFilesDeleted = 0;
  // The first run merges and journals; the second deletes what the first replaced.
  for (let pass = 0; pass < 2; pass++) {
    const run = await compactLake(targets.lake, { ...DEFAULT_COMPACTION, retiredGraceMs: 0 });
    lakeFilesRewritten += run.groups.reduce((sum, group) => sum + group.filesMerged, 0);
    lakeFilesDeleted += run.filesDeleted;
  }

  say('checking that no lake object holds the user any more');
  const remaining = await findUser(targets.lake, user);
  if (remaining.length > 0)
    throw new Error(
      `the user is still in ${remaining.length} lake object(s), e.g. ${remaining[0]}: run the erasure again`,
    );
  const olderVersionsDeleted = targets.deleteOlderVersions ? await targets.deleteOlderVersions(landing.rewritten) : 0;

  const report: ErasureReport = {
    requestId,
    startedAt,
    finishedAt: new Date().toISOString(),
    landingFilesScanned: landing.contentByKey.length,
    landingFilesRewritten: landing.rewritten.length,
    linesRemoved: landing.linesRemoved,
    lakeRowsRemoved: rowsRemoved,
    lakeFilesRewritten,
    lakeFilesDeleted,
    olderVersionsDeleted,
    nothingMatched: landing.linesRemoved === 0 && stale.length === 0,
    unreachable: targets.unreachable,
  };
  await targets.lake.put(erasureAuditKey(requestId), `${JSON.stringify(report, null, 2)}\n`, 'application/json');
  return report;
}

interface LandingRewrite {
  /** Every log key with the SHA-256 of its content after the rewrite. */
  readonly contentByKey: readonly (readonly [string, string])[];
  readonly rewritten: readonly string[];
  readonly linesRemoved: number;
}

async function rewriteLanding(landing: ObjectStore, user: string): Promise<LandingRewrite> {
  const contentByKey: [string, string][] = [];
  const rewritten: string[] = [];
  let linesRemoved = 0;
  for await (const key of landing.list(sourcePrefix('log'))) {
    const stream = await landing.openRead(key);
    if (!stream) continue;
    const erased = withoutUserLines(await streamBytes(stream), user);
    if (erased.removed > 0) {
      await landing.put(key, erased.bytes);
      rewritten.push(key);
      linesRemoved += erased.removed;
    }
    contentByKey.push([key, createHash('sha256').update(erased.bytes).digest('hex')]);
  }
  return { contentByKey, rewritten, linesRemoved };
}

/** Keys of lake objects that still hold a row of the user. */
async function findUser(lake: ObjectStore, user: string): Promise<string[]> {
  const found: string[] = [];
  const holds: [BaseTable, (columns: Record<string, unknown[]>, row: number) => boolean][] = [
    [BASE_PLAYS, (columns, row) => String(columns.user_id?.[row]) === user],
    [BASE_USER_LATEST, (columns, row) => String(columns.user_id?.[row]) === user],
    [BASE_REJECTS, (columns, row) => withoutUserLines(Buffer.from(String(columns.raw?.[row] ?? '')), user).removed > 0],
  ];
  for (const [table, holdsUser] of holds) {
    for await (const key of lake.list(`${table.name}/`)) {
      if (!key.endsWith('.parquet')) continue;
      const stream = await lake.openRead(key);
      if (!stream) continue;
      const { columns, rowCount } = await decodeColumns(table, await streamBytes(stream));
      for (let row = 0; row < rowCount; row++) {
        if (holdsUser(columns, row)) {
          found.push(key);
          break;
        }
      }
    }
  }
  return found;
}
