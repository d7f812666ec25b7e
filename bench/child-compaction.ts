/**
 * Compaction in a measuring child: once on a lake folder (the bench's own lake), and at scale, as
 * the scheduled Lambda runs it, over a simulated-latency store holding many small objects.
 */
import { SAFETY_MARGIN_MS } from '../lambdas/compaction-handler.js';
import { COMPACTION_JOURNAL_PREFIX, COMPACTED_PREFIX, BATCH_FILE_PREFIX } from '../src/domain/layout.js';
import { compactLake, DEFAULT_COMPACTION, type CompactionRun, type GroupCompaction } from '../src/pipeline/compact.js';
import { FsObjectStore } from '../src/storage/fs-store.js';
import { readText } from '../src/storage/object-store.js';
import { realClock, VirtualClock, type Clock } from './clock.js';
import { progress, RssSampler, timed } from './measure.js';
import type {
  CompactAtScaleRequest,
  CompactAtScaleResult,
  CompactRequest,
  CompactResult,
  GroupFigures,
  ScaleRun,
} from './protocol.js';
import { buildSmallFileLake, tablesOf } from './small-file-lake.js';
import { loadSnapshot, saveSnapshot } from './snapshot.js';
import {
  CountingObjectStore,
  LatencyObjectStore,
  type MemoryObjectStore,
  SimulatedTimeout,
  noRequests,
  type RequestCounts,
  type RequestKind,
} from './stores.js';

/** compactLake(DEFAULT_COMPACTION) on the folder, then a run after the grace period, which deletes what the first replaced. */
export async function runCompact(request: CompactRequest): Promise<CompactResult> {
  const lake = new FsObjectStore(request.lakeDir);
  const sampler = new RssSampler();
  const merge = await timed(() => compactLake(lake, DEFAULT_COMPACTION));
  const afterGrace = DEFAULT_COMPACTION.retiredGraceMs + 60_000;
  const cleanup = await timed(() => compactLake(lake, { ...DEFAULT_COMPACTION, now: () => Date.now() + afterGrace }));
  return {
    mode: 'compact',
    merge: {
      seconds: merge.figures.seconds,
      cpuSeconds: merge.figures.cpuSeconds,
      groups: merge.value.groups.map(groupFigures),
      stoppedAtDeadline: merge.value.stoppedAtDeadline,
    },
    cleanup: {
      seconds: cleanup.figures.seconds,
      filesDeleted: cleanup.value.filesDeleted,
      groups: cleanup.value.groups.length,
    },
    ...sampler.stop(),
  };
}

function groupFigures(group: GroupCompaction): GroupFigures {
  return {
    table: group.table,
    partition: group.partition,
    filesMerged: group.filesMerged,
    rows: group.rows,
    droppedRows: group.droppedRows,
  };
}

/** Time kept back by the compaction handler: the run stops starting reads this long before the timeout. */
const LAMBDA_SAFETY_MARGIN_MS = SAFETY_MARGIN_MS;

/**
 * Hourly runs as the stack schedules them (COMPACTION_SETTINGS), each with the Lambda's timeout
 * and the worker's deadline, over the same simulated-latency lake, until a run finds nothing to
 * do or maxRuns. A run still going at the timeout is cut off there, as Lambda would.
 */
export async function runCompactAtScale(request: CompactAtScaleRequest): Promise<CompactAtScaleResult> {
  const { COMPACTION_SETTINGS } = await import('../lib/settings.js');
  const timeoutMs = COMPACTION_SETTINGS.timeout.toMilliseconds();
  const intervalMs = scheduleIntervalMs(COMPACTION_SETTINGS.schedule.expressionString);
  progress(`building or loading the lake of ${request.songFiles} one-song batches…`);
  const prepared = await smallFileLake(request);
  progress(
    prepared.reused
      ? 'lake loaded from the snapshot'
      : `lake built in ${prepared.buildSeconds.toFixed(0)} s and saved as a snapshot`,
  );
  const before = await tablesOf(prepared.lake);
  const clock: Clock = request.clock === 'virtual' ? new VirtualClock() : realClock;
  const sampler = new RssSampler();
  const runs: ScaleRun[] = [];
  const firstStart = clock.now();
  for (let run = 1; run <= request.maxRuns; run++) {
    const scheduledAt = firstStart + (run - 1) * intervalMs;
    const result = await oneScheduledRun(prepared.lake, clock, request, {
      run,
      shiftMs: scheduledAt - clock.now(),
      timeoutMs,
    });
    runs.push({ ...result, startHour: ((run - 1) * intervalMs) / 3_600_000 });
    progress(
      `run ${run}: ${result.seconds.toFixed(0)} s simulated, ${result.filesMerged} merged, ${result.filesDeleted} deleted, ${result.after.smallLive} small objects left`,
    );
    if (nothingLeft(result)) break;
  }
  return {
    mode: 'compact-at-scale',
    clock: request.clock,
    songFiles: request.songFiles,
    before,
    buildSeconds: prepared.buildSeconds,
    snapshotReused: prepared.reused,
    compaction: {
      concurrency: request.concurrency ?? DEFAULT_COMPACTION.concurrency,
      maxGroupFiles: DEFAULT_COMPACTION.maxGroupFiles,
      maxGroupBytes: DEFAULT_COMPACTION.maxGroupBytes,
    },
    deadlineMinutes: (timeoutMs - LAMBDA_SAFETY_MARGIN_MS) / 60_000,
    timeoutMinutes: timeoutMs / 60_000,
    runs,
    ...sampler.stop(),
  };
}

/** The run merged nothing, finished, and left no replaced object to delete: later runs would only list. */
function nothingLeft(run: Omit<ScaleRun, 'startHour'>): boolean {
  return (
    run.groups === 0 &&
    !run.stoppedAtDeadline &&
    !run.killedAtTimeout &&
    run.after.smallLive === 0 &&
    run.after.retired === 0
  );
}

/** `rate(1 hour)`, `rate(6 hours)`, `rate(30 minutes)` → ms. */
function scheduleIntervalMs(expression: string): number {
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!match) throw new Error(`cannot read the compaction schedule ${expression}`);
  const unit = match[2]?.startsWith('minute') ? 60_000 : match[2]?.startsWith('hour') ? 3_600_000 : 86_400_000;
  return Number(match[1]) * unit;
}

async function smallFileLake(
  request: CompactAtScaleRequest,
): Promise<{ lake: MemoryObjectStore; buildSeconds: number; reused: boolean }> {
  const saved = await loadSnapshot(request.snapshotFile);
  if (saved) return { lake: saved, buildSeconds: 0, reused: true };
  const built = await buildSmallFileLake(request.songFiles, request.seed);
  await saveSnapshot(built.lake, request.snapshotFile);
  return { lake: built.lake, buildSeconds: built.buildSeconds, reused: false };
}

interface RunPlan {
  readonly run: number;
  /** What to add to the clock so that the run starts at its scheduled time (first run + n × the schedule's interval), ms. */
  readonly shiftMs: number;
  readonly timeoutMs: number;
}

async function oneScheduledRun(
  lake: MemoryObjectStore,
  clock: Clock,
  request: CompactAtScaleRequest,
  plan: RunPlan,
): Promise<Omit<ScaleRun, 'startHour'>> {
  const startedAt = clock.now();
  const cpu = process.cpuUsage();
  const timeline = new Timeline(clock, startedAt);
  const latency = new LatencyObjectStore(lake, {
    clock,
    seed: `${request.seed}-run-${plan.run}`,
    ...request.latency,
    killAt: startedAt + plan.timeoutMs,
  });
  const store = new CountingObjectStore(latency, (kind, key) => timeline.note(kind, key));
  const now = () => clock.now() + plan.shiftMs;
  const deadline = now() + plan.timeoutMs - LAMBDA_SAFETY_MARGIN_MS;
  const groups: GroupCompaction[] = [];
  let outcome: CompactionRun | 'killed';
  try {
    const options = {
      ...DEFAULT_COMPACTION,
      concurrency: request.concurrency ?? DEFAULT_COMPACTION.concurrency,
      deadline,
      now,
    };
    outcome = await compactLake(store, options, (group) => groups.push(group));
  } catch (error) {
    if (!(error instanceof SimulatedTimeout)) throw error;
    outcome = 'killed';
    // Requests already in flight at the timeout finish (or fail) before the next run starts.
    await clock.sleep(5_000);
  }
  const seconds = (Math.min(clock.now(), startedAt + plan.timeoutMs) - startedAt) / 1000;
  return {
    run: plan.run,
    seconds,
    cpuSeconds: cpuSince(cpu),
    requests: store.counts,
    requestsByArea: timeline.byArea,
    groups: groups.length,
    filesMerged: groups.reduce((sum, group) => sum + group.filesMerged, 0),
    filesDeleted: outcome === 'killed' ? timeline.deletesOfData : outcome.filesDeleted,
    stoppedAtDeadline: outcome !== 'killed' && outcome.stoppedAtDeadline,
    killedAtTimeout: outcome === 'killed',
    after: await lakeState(lake),
    phases: timeline.phases(clock.now()),
  };
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/**
 * When compactLake's steps began, from its requests: it first lists and reads the journal and
 * deletes retired files, then lists and reads the ledger (base_sources), then lists each table
 * (base_songs first) and merges its groups.
 */
class Timeline {
  private ledgerListedAt: number | undefined;
  private tablesListedAt: number | undefined;
  deletesOfData = 0;
  readonly byArea: Record<string, RequestCounts> = {};

  constructor(
    private readonly clock: Clock,
    private readonly startedAt: number,
  ) {}

  note(kind: RequestKind, key: string): void {
    const area = key.slice(0, Math.max(0, key.indexOf('/'))) || '(root)';
    const counts = this.byArea[area] ?? noRequests();
    this.byArea[area] = counts;
    counts[kind] += 1;
    if (kind === 'DELETE' && !key.startsWith(COMPACTION_JOURNAL_PREFIX)) this.deletesOfData += 1;
    if (kind !== 'LIST') return;
    if (key === 'base_sources/' && this.ledgerListedAt === undefined) this.ledgerListedAt = this.clock.now();
    if (key === 'base_songs/' && this.tablesListedAt === undefined) this.tablesListedAt = this.clock.now();
  }

  phases(endedAt: number): ScaleRun['phases'] {
    const ledger = this.ledgerListedAt ?? endedAt;
    const tables = this.tablesListedAt ?? endedAt;
    return {
      cleanupSeconds: (ledger - this.startedAt) / 1000,
      ledgerReadSeconds: (tables - ledger) / 1000,
      mergeSeconds: (endedAt - tables) / 1000,
    };
  }
}

/**
 * Objects of the lake after a run, read directly (no simulated latency): batch files still to merge
 * (those in a partition with another live file: a file alone in its partition is done), merged
 * files, and replaced files awaiting deletion.
 */
async function lakeState(lake: MemoryObjectStore): Promise<ScaleRun['after']> {
  const retired = await retiredFiles(lake);
  const live = new Map<string, { batchFiles: number; files: number }>();
  let compacted = 0;
  let retiredPresent = 0;
  for await (const { key } of lake.listObjects('base_')) {
    if (!key.endsWith('.parquet')) continue;
    if (retired.has(key)) {
      retiredPresent += 1;
      continue;
    }
    const folder = key.slice(0, key.lastIndexOf('/') + 1);
    const name = key.slice(folder.length);
    const partition = live.get(folder) ?? { batchFiles: 0, files: 0 };
    partition.files += 1;
    if (name.startsWith(BATCH_FILE_PREFIX)) partition.batchFiles += 1;
    if (name.startsWith(COMPACTED_PREFIX)) compacted += 1;
    live.set(folder, partition);
  }
  const smallLive = [...live.values()].reduce((sum, p) => sum + (p.files > 1 ? p.batchFiles : 0), 0);
  return { smallLive, compacted, retired: retiredPresent, objects: lake.size };
}

async function retiredFiles(lake: MemoryObjectStore): Promise<Set<string>> {
  const retired = new Set<string>();
  for await (const key of lake.list(COMPACTION_JOURNAL_PREFIX)) {
    const entry = JSON.parse((await readText(lake, key)) ?? '{}') as { files?: string[] };
    for (const file of entry.files ?? []) retired.add(file);
  }
  return retired;
}
