/**
 * `npm run bench`: our pipeline against DuckDB's native JSON → Parquet conversion on the same
 * seeded dataset, plus compaction, query-visibility latency, and the Lambda bundles' size and
 * initialisation time. See docs/BENCHMARK.md for what each figure means and how it is measured.
 *
 *   tsx bench/run.ts [--songs N] [--events N] [--days N] [--runs N] [--seed N] [--quick]
 *                    [--work-dir DIR] [--report FILE] [--ours handler|ingest] [--latency-files K]
 *                    [--init-runs N] [--profile]
 *
 * The last line printed is always `ratio to DuckDB: <x.xx>`.
 */
import { fork, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ChildRequest, ChildResult, CompactResult, EngineResult, LatencyResult } from './child.js';
import { addDays, fmtBytes, fmtInt, lakeFiles, median, MiB, percentile, table, type TableFiles } from './support.js';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CHILD = join(REPO_ROOT, 'bench', 'child.ts');
const START_DATE = '2018-11-01';

// ---------------------------------------------------------------------------------------------
// Settings

interface Settings {
  readonly songs: number;
  readonly events: number;
  readonly days: number;
  readonly runs: number;
  readonly seed: string;
  readonly quick: boolean;
  readonly workDir: string;
  readonly report: string | undefined;
  readonly via: 'handler' | 'ingest';
  readonly latencyFiles: number;
  readonly latencyEventsPerFile: number;
  readonly initRuns: number;
  readonly profile: boolean;
}

/** Calibrated so that a default run takes about 1.5 min on the 2-core reference machine (docs/BENCHMARK.md). */
const DEFAULTS = { songs: 1_500, events: 300_000, days: 10, runs: 3, latencyFiles: 30, latencyEventsPerFile: 1_000, initRuns: 10 };
const QUICK = { songs: 40, events: 3_000, days: 3, runs: 1, latencyFiles: 3, latencyEventsPerFile: 200, initRuns: 1 };

function parseSettings(argv: readonly string[]): Settings {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      songs: { type: 'string' },
      events: { type: 'string' },
      days: { type: 'string' },
      runs: { type: 'string' },
      seed: { type: 'string', default: '1' },
      quick: { type: 'boolean', default: false },
      'work-dir': { type: 'string' },
      report: { type: 'string' },
      ours: { type: 'string', default: 'handler' },
      'latency-files': { type: 'string' },
      'init-runs': { type: 'string' },
      profile: { type: 'boolean', default: false },
    },
  });
  const base = values.quick ? QUICK : DEFAULTS;
  const whole = (name: string, text: string | undefined, fallback: number, min: number): number => {
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}, not ${text}`);
    return n;
  };
  if (values.ours !== 'handler' && values.ours !== 'ingest') throw new Error(`--ours must be handler or ingest, not ${values.ours}`);
  return {
    songs: whole('songs', values.songs, base.songs, 0),
    events: whole('events', values.events, base.events, 0),
    days: whole('days', values.days, base.days, 1),
    runs: whole('runs', values.runs, base.runs, 1),
    seed: values.seed,
    quick: values.quick,
    workDir: resolve(values['work-dir'] ?? join(REPO_ROOT, '.bench')),
    report: values.report === undefined ? undefined : resolve(values.report),
    via: values.ours,
    latencyFiles: whole('latency-files', values['latency-files'], base.latencyFiles, 1),
    latencyEventsPerFile: base.latencyEventsPerFile,
    initRuns: whole('init-runs', values['init-runs'], base.initRuns, 1),
    profile: values.profile,
  };
}

// ---------------------------------------------------------------------------------------------
// Output

const out = (line = '') => process.stdout.write(`${line}\n`);
const processStarted = performance.now();
/** A section header, with the bench's elapsed time so far. */
const section = (title: string) => out(`\n== ${title}  [t+${((performance.now() - processStarted) / 1000).toFixed(0)} s]`);

function machineLoad(): string {
  const up = spawnSync('uptime', { encoding: 'utf8' });
  const text = up.status === 0 ? up.stdout.trim() : `load average: ${loadavg().map((l) => l.toFixed(2)).join(', ')}`;
  return text;
}

// ---------------------------------------------------------------------------------------------
// Dataset

interface DatasetInfo {
  readonly dir: string;
  readonly reused: boolean;
  readonly songFiles: number;
  readonly logFiles: number;
  readonly songBytes: number;
  readonly logBytes: number;
  readonly events: number;
  readonly nextSongEvents: number;
  readonly plays: number;
  readonly songs: number;
  readonly generateSeconds: number;
}

async function ensureDataset(settings: Settings): Promise<DatasetInfo> {
  const dir = join(settings.workDir, `data-${settings.seed}-s${settings.songs}-e${settings.events}-d${settings.days}`);
  const summaryFile = join(dir, 'summary.json');
  let reused = true;
  if (!existsSync(summaryFile)) {
    reused = false;
    const { generateDataset } = await import('../src/generate/index.js');
    await mkdir(dir, { recursive: true });
    const summary = await generateDataset(dir, {
      seed: settings.seed,
      songs: settings.songs,
      totalEvents: settings.events,
      days: settings.days,
      startDate: START_DATE,
      overwrite: true,
    });
    const { badRecords: _bad, badSongFiles: _badSongs, ...expected } = summary.expected;
    // Written last: its presence means the dataset is complete.
    await writeFile(summaryFile, JSON.stringify({ ...summary, logFiles: undefined, expected }, null, 2));
  }
  const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as {
    bytes: { songs: number; logs: number };
    seconds: number;
    expected: { songFiles: number; logFiles: number; events: number; nextSongEvents: number; goodPlays: number; songs: number };
  };
  return {
    dir,
    reused,
    songFiles: summary.expected.songFiles,
    logFiles: summary.expected.logFiles,
    songBytes: summary.bytes.songs,
    logBytes: summary.bytes.logs,
    events: summary.expected.events,
    nextSongEvents: summary.expected.nextSongEvents,
    plays: summary.expected.goodPlays,
    songs: summary.expected.songs,
    generateSeconds: summary.seconds,
  };
}

// ---------------------------------------------------------------------------------------------
// Child processes

interface ChildRun<R extends ChildResult> {
  readonly result: R;
  /** Fork → exit, ms: process start and module loading included. */
  readonly processMs: number;
}

function runChild<R extends ChildResult>(request: ChildRequest, extraExecArgv: readonly string[] = []): Promise<ChildRun<R>> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    delete env.POWERTOOLS_DEV;
    delete env.POWERTOOLS_METRICS_DISABLED;
    delete env.NODE_OPTIONS;
    const child = fork(CHILD, [JSON.stringify(request)], {
      cwd: REPO_ROOT,
      env,
      execArgv: ['--import', 'tsx', ...extraExecArgv],
      // stdout discarded: Powertools writes its log lines and EMF metrics there, as in Lambda.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-20_000);
    });
    let result: R | undefined;
    child.on('message', (message) => (result = message as R));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0 && result) resolvePromise({ result, processMs: performance.now() - started });
      else reject(new Error(`bench child ${request.mode} failed (exit ${code ?? signal}):\n${stderr}`));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Verification (outside every timed section)

interface Counts {
  readonly plays: number;
  readonly songs: number;
}

type DuckModule = typeof import('@duckdb/node-api');
type DuckConnection = Awaited<ReturnType<Awaited<ReturnType<DuckModule['DuckDBInstance']['create']>>['connect']>>;

class Verifier {
  private constructor(
    private readonly close: () => void,
    private readonly connection: DuckConnection,
  ) {}

  static async open(): Promise<Verifier> {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`SET TimeZone = 'UTC'`);
    return new Verifier(() => {
      connection.closeSync();
      instance.closeSync();
    }, connection);
  }

  async count(sql: string): Promise<number> {
    const reader = await this.connection.runAndReadAll(sql);
    return Number(reader.getRows()[0]?.[0] ?? Number.NaN);
  }

  async counts(lakeDir: string): Promise<Counts> {
    const rows = async (tableName: string) =>
      existsSync(join(lakeDir, tableName)) ? this.count(`SELECT count(*) FROM read_parquet(${quoteSql(join(lakeDir, tableName, '**', '*.parquet'))})`) : 0;
    return { plays: await rows('base_plays'), songs: await rows('base_songs') };
  }

  /** Rows of one lake's table not in the other's (multiset difference, both ways), every column compared. */
  async differences(table: 'base_plays' | 'base_songs', lakeA: string, lakeB: string): Promise<{ aNotB: number; bNotA: number }> {
    const { BASE_PLAYS, BASE_SONGS } = await import('../src/domain/tables.js');
    const { DUCKDB_TYPES } = await import('../src/local/duckdb-types.js');
    const schema = table === 'base_plays' ? BASE_PLAYS : BASE_SONGS;
    const columns = [...schema.columns, ...schema.partitionKeys];
    const hiveTypes = schema.partitionKeys.map((k) => `'${k.name}': ${DUCKDB_TYPES[k.type]}`).join(', ');
    const select = (lake: string) =>
      `SELECT ${columns.map((c) => `CAST("${c.name}" AS ${DUCKDB_TYPES[c.type]})`).join(', ')} ` +
      `FROM read_parquet(${quoteSql(join(lake, table, '**', '*.parquet'))}, hive_partitioning = true, hive_types = {${hiveTypes}})`;
    return {
      aNotB: await this.count(`SELECT count(*) FROM (${select(lakeA)} EXCEPT ALL ${select(lakeB)})`),
      bNotA: await this.count(`SELECT count(*) FROM (${select(lakeB)} EXCEPT ALL ${select(lakeA)})`),
    };
  }

  dispose(): void {
    this.close();
  }
}

function quoteSql(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

// ---------------------------------------------------------------------------------------------
// The engines

interface EngineSpec {
  readonly name: string;
  readonly label: string;
  readonly request: (dataDir: string, lakeDir: string) => ChildRequest;
}

function engines(settings: Settings): EngineSpec[] {
  return [
    {
      name: 'ours',
      label: settings.via === 'handler' ? 'ours (worker handler)' : 'ours (ingestFolder)',
      request: (dataDir, lakeDir) => ({ mode: 'ours', dataDir, lakeDir, via: settings.via }),
    },
    {
      name: 'duckdb',
      label: 'DuckDB, 1 thread, same table',
      request: (dataDir, lakeDir) => ({ mode: 'duckdb', dataDir, lakeDir, threads: 1, sourceLine: true }),
    },
    {
      name: 'duckdb-2t',
      label: 'DuckDB, 2 threads, no source_line',
      request: (dataDir, lakeDir) => ({ mode: 'duckdb', dataDir, lakeDir, threads: 2, sourceLine: false }),
    },
  ];
}

interface RunRecord {
  readonly engine: string;
  readonly run: number;
  readonly result: EngineResult;
  readonly processMs: number;
  readonly load1: number;
  readonly counts: Counts;
  readonly eventsPerSecond: number;
  readonly songFilesPerSecond: number;
  readonly inputMBps: number;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const benchStarted = performance.now();
  const settings = parseSettings(process.argv.slice(2));
  await mkdir(settings.workDir, { recursive: true });

  out(`sparkify-lake benchmark — ${new Date().toISOString()}`);
  out(`machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${process.platform}`);
  out(`load at start: ${machineLoad()}`);
  out(
    `settings: songs ${fmtInt(settings.songs)}, events ${fmtInt(settings.events)}, days ${settings.days}, runs ${settings.runs}, seed ${settings.seed}` +
      `${settings.quick ? ' (--quick)' : ''}; work dir ${settings.workDir}`,
  );

  // 1. Dataset
  section('dataset');
  const data = await ensureDataset(settings);
  out(`${data.reused ? 'reused' : `generated in ${data.generateSeconds.toFixed(1)} s`}: ${data.dir}`);
  out(
    table([
      ['input', 'files', 'MB', 'records'],
      ['song_data', fmtInt(data.songFiles), (data.songBytes / 1e6).toFixed(1), `${fmtInt(data.songFiles)} songs`],
      ['log_data', fmtInt(data.logFiles), (data.logBytes / 1e6).toFixed(1), `${fmtInt(data.events)} events (${fmtInt(data.nextSongEvents)} NextSong)`],
      ['total', fmtInt(data.songFiles + data.logFiles), ((data.songBytes + data.logBytes) / 1e6).toFixed(1), ''],
    ]),
  );
  out(`expected: base_plays ${fmtInt(data.plays)} rows, base_songs ${fmtInt(data.songs)} rows (from the generator's counts)`);

  if (settings.profile) {
    await profileOurs(settings, data);
    return;
  }

  // 2-4. Engines, interleaved
  section(`conversion: ${settings.runs} interleaved run(s) per engine, each in a fresh process`);
  const specs = engines(settings);
  const verifier = await Verifier.open();
  const records: RunRecord[] = [];
  const lakeOf = (engine: string) => join(settings.workDir, 'lakes', engine);
  const runRows: string[][] = [['run', 'engine', 'songs s', 'logs s', 'total s', 'events/s', 'MB/s', 'CPU s', 'peak RSS', 'maxRSS', 'load1', 'rows ok']];
  for (let run = 1; run <= settings.runs; run++) {
    for (const spec of specs) {
      const lakeDir = lakeOf(spec.name);
      await rm(lakeDir, { recursive: true, force: true });
      await mkdir(lakeDir, { recursive: true });
      const load1 = loadavg()[0] ?? 0;
      const { result, processMs } = await runChild<EngineResult>(spec.request(data.dir, lakeDir));
      if (result.failures.length > 0) throw new Error(`${spec.name}: ${result.failures.length} failures, e.g. ${result.failures[0]}`);
      const counts = await verifier.counts(lakeDir);
      const record: RunRecord = {
        engine: spec.name,
        run,
        result,
        processMs,
        load1,
        counts,
        eventsPerSecond: data.events / result.logs.seconds,
        songFilesPerSecond: data.songFiles / result.songs.seconds,
        inputMBps: (data.songBytes + data.logBytes) / 1e6 / result.seconds,
      };
      records.push(record);
      const ok = counts.plays === data.plays && counts.songs === data.songs;
      runRows.push([
        String(run),
        spec.name,
        result.songs.seconds.toFixed(2),
        result.logs.seconds.toFixed(2),
        result.seconds.toFixed(2),
        fmtInt(record.eventsPerSecond),
        record.inputMBps.toFixed(1),
        result.cpuSeconds.toFixed(1),
        `${(result.rssPeakSampled / MiB).toFixed(0)} MiB`,
        `${(result.maxRss / MiB).toFixed(0)} MiB`,
        load1.toFixed(2),
        ok ? 'yes' : `NO: plays ${counts.plays}, songs ${counts.songs}`,
      ]);
      out(
        `  run ${run}/${settings.runs} ${spec.name.padEnd(9)} songs ${result.songs.seconds.toFixed(2)} s, logs ${result.logs.seconds.toFixed(2)} s, ` +
          `${fmtInt(record.eventsPerSecond)} events/s, peak RSS ${(result.rssPeakSampled / MiB).toFixed(0)} MiB, load ${load1.toFixed(2)}`,
      );
    }
  }
  out('\nper run:');
  out(table(runRows));

  const medians = specs.map((spec) => {
    const mine = records.filter((r) => r.engine === spec.name);
    return {
      spec,
      songsSeconds: median(mine.map((r) => r.result.songs.seconds)),
      logsSeconds: median(mine.map((r) => r.result.logs.seconds)),
      seconds: median(mine.map((r) => r.result.seconds)),
      eventsPerSecond: median(mine.map((r) => r.eventsPerSecond)),
      songFilesPerSecond: median(mine.map((r) => r.songFilesPerSecond)),
      logMBps: median(mine.map((r) => data.logBytes / 1e6 / r.result.logs.seconds)),
      inputMBps: median(mine.map((r) => r.inputMBps)),
      cpuSeconds: median(mine.map((r) => r.result.cpuSeconds)),
      rssPeak: median(mine.map((r) => r.result.rssPeakSampled)),
      maxRss: median(mine.map((r) => r.result.maxRss)),
      rssAtStart: median(mine.map((r) => r.result.rssAtStart)),
      note: mine[0]?.result.note ?? '',
      counts: mine[mine.length - 1]?.counts ?? { plays: Number.NaN, songs: Number.NaN },
    };
  });
  out(`\nmedian of ${settings.runs} run(s):`);
  out(
    table([
      ['engine', 'songs s', 'song files/s', 'logs s', 'events/s', 'log MB/s', 'total s', 'input MB/s', 'CPU s', 'RSS start', 'peak RSS', 'maxRSS'],
      ...medians.map((m) => [
        m.spec.label,
        m.songsSeconds.toFixed(2),
        fmtInt(m.songFilesPerSecond),
        m.logsSeconds.toFixed(2),
        fmtInt(m.eventsPerSecond),
        m.logMBps.toFixed(1),
        m.seconds.toFixed(2),
        m.inputMBps.toFixed(1),
        m.cpuSeconds.toFixed(1),
        `${(m.rssAtStart / MiB).toFixed(0)} MiB`,
        `${(m.rssPeak / MiB).toFixed(0)} MiB`,
        `${(m.maxRss / MiB).toFixed(0)} MiB`,
      ]),
    ]),
  );
  out('engines:');
  for (const m of medians) out(`  ${m.spec.name}: ${m.note}`);
  out(
    settings.via === 'handler'
      ? '  why the handler: it is the code Lambda runs, Powertools batch/logger/metrics included; `--ours ingest` measures ingestFolder instead\n' +
          '  (same processSourceObject; within run-to-run noise of the handler, see docs/BENCHMARK.md)'
      : '  ingestFolder: the local run (`sparkify-lake ingest`), without the Lambda handler layer',
  );
  out("  why DuckDB 1 thread: source_line needs row_number() over each file's lines, which follows line order only single-threaded (checked below)");
  out(
    '  events/s = log events (JSON lines, any page) ÷ log phase time; song files/s = song files ÷ song phase time; times exclude process start and module loading;\n' +
      '  peak RSS = highest process.memoryUsage.rss() sampled every 10 ms; maxRSS = process.resourceUsage().maxRSS (the kernel high-water mark, as /usr/bin/time -v).',
  );

  // 5. Files written
  section('files written (last run of each engine)');
  const filesByEngine = new Map<string, Map<string, TableFiles>>();
  const fileRows: string[][] = [['engine', 'table', 'files', 'bytes', 'partitions', 'files/partition', 'avg file']];
  for (const spec of specs) {
    const tables = await lakeFiles(lakeOf(spec.name));
    filesByEngine.set(spec.name, tables);
    for (const [name, t] of tables) {
      fileRows.push([
        spec.name,
        name,
        fmtInt(t.files),
        fmtBytes(t.bytes),
        fmtInt(t.partitions.size),
        (t.files / t.partitions.size).toFixed(1),
        fmtBytes(t.bytes / t.files),
      ]);
    }
  }
  out(table(fileRows));

  // Identity of the comparison
  section('same tables? (every column, multiset difference, ours vs DuckDB 1 thread)');
  const identity = {
    base_plays: await verifier.differences('base_plays', lakeOf('ours'), lakeOf('duckdb')),
    base_songs: await verifier.differences('base_songs', lakeOf('ours'), lakeOf('duckdb')),
  };
  for (const [name, d] of Object.entries(identity)) {
    out(`  ${name}: ${d.aNotB === 0 && d.bNotA === 0 ? 'identical' : `DIFFER: ${d.aNotB} rows only in ours, ${d.bNotA} only in DuckDB's`}`);
  }
  const oursCounts = medians.find((m) => m.spec.name === 'ours')?.counts;
  const duckCounts = medians.find((m) => m.spec.name === 'duckdb')?.counts;
  out(`  row counts: ours plays ${fmtInt(oursCounts?.plays ?? 0)} songs ${fmtInt(oursCounts?.songs ?? 0)}; DuckDB plays ${fmtInt(duckCounts?.plays ?? 0)} songs ${fmtInt(duckCounts?.songs ?? 0)}`);

  // Sections after the conversion: one failing (e.g. code being changed under us) does not hide the others.
  const failures: { section: string; error: string }[] = [];
  const attempt = async <T>(name: string, work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      failures.push({ section: name, error: message });
      out(`  FAILED: ${message.split('\n').slice(0, 6).join('\n  ')}`);
      return undefined;
    }
  };

  // 5b. Compaction
  section('compaction of our lake (compactLake, DEFAULT_COMPACTION, once, fresh process)');
  const oursLake = lakeOf('ours');
  const compaction = await attempt('compaction', async () => {
    const before = await lakeFiles(oursLake);
    const { result } = await runChild<CompactResult>({ mode: 'compact', lakeDir: oursLake });
    const after = await lakeFiles(oursLake);
    out(
      `  ${result.seconds.toFixed(2)} s, ${result.partitions.length} groups compacted, ` +
        `${fmtInt(result.partitions.reduce((sum, p) => sum + p.rows, 0))} rows rewritten, ` +
        `peak RSS ${(result.rssPeakSampled / MiB).toFixed(0)} MiB, maxRSS ${(result.maxRss / MiB).toFixed(0)} MiB`,
    );
    out(compactionTable(before, after));
    return { ...result, before: serialiseFiles(before), after: serialiseFiles(after) };
  });

  // 6. Latency
  section(`latency: ${settings.latencyFiles} new small log files, object written → rows visible through LakeSql (local run)`);
  const latencyReport = await attempt('latency', async () => {
    const latencyInput = join(settings.workDir, 'latency-input');
    await rm(latencyInput, { recursive: true, force: true });
    const { result: latency } = await runChild<LatencyResult>({
      mode: 'latency',
      lakeDir: oursLake,
      inputDir: latencyInput,
      files: settings.latencyFiles,
      eventsPerFile: settings.latencyEventsPerFile,
      firstDate: addDays(START_DATE, settings.days),
      seed: settings.seed,
    });
    const lat = summariseLatency(latency);
    out(
      table([
        ['', 'p50 ms', 'p95 ms', 'max ms'],
        ['object written → rows visible', lat.total.p50.toFixed(0), lat.total.p95.toFixed(0), lat.total.max.toFixed(0)],
        ['  processSourceObject', lat.process.p50.toFixed(0), lat.process.p95.toFixed(0), lat.process.max.toFixed(0)],
        ['  LakeSql.open + count (until seen)', lat.visible.p50.toFixed(0), lat.visible.p95.toFixed(0), lat.visible.max.toFixed(0)],
      ]),
    );
    out(
      `  ${latency.samples.length} files of ${fmtInt(settings.latencyEventsPerFile)} events (${fmtInt(median(latency.samples.map((s) => s.rows)))} plays each, median), ` +
        `into the ${compaction ? 'compacted ' : ''}lake above; queries per file: max ${Math.max(...latency.samples.map((s) => s.attempts))}`,
    );
    const cliMs = measureCliQuery(oursLake, latency.samples[0]?.key ?? '', settings.quick ? 1 : 3);
    out(`  the same count through \`sparkify-lake query\` (a fresh process each time, as an analyst runs it): median ${cliMs.toFixed(0)} ms wall`);
    out('  This measures the worker + query path on local disk only. Not measured (cannot be, here): S3 event → SQS delivery,');
    out('  the SQS poller and batching window, Lambda start, S3/Glue round trips, Athena. See the estimate below.');
    return { ...lat, samples: latency.samples, cliQueryMs: cliMs };
  });

  // 7. Bundles
  section(
    `Lambda bundles (esbuild as the stack bundles them; init = median of ${settings.initRuns} fresh processes, ${Math.ceil(settings.initRuns / 3)} without source maps)`,
  );
  const bundles = await attempt('bundles', async () => {
    const { bundleReports } = await import('./bundles.js');
    const built = await bundleReports(REPO_ROOT, join(settings.workDir, 'bundles'), settings.initRuns);
    out(
      `  options from ${built.options.source}: bundle, platform node, format esm, target ${built.options.target}, minify, ` +
        'sourcemap (external .map, no sourcesContent), main-fields module,main, createRequire banner, AWS SDK bundled',
    );
    out(
      table([
        ['bundle', 'minified', '≤ 1 MB', '.map', 'init (deployed: --enable-source-maps)', 'init (no source maps)', '< 300 ms'],
        ...built.reports.map((b) => [
          b.entry,
          `${(b.bytes / 1024).toFixed(0)} KiB`,
          b.bytes <= MiB ? 'yes' : 'NO',
          `${(b.sourceMapBytes / 1024).toFixed(0)} KiB`,
          `${b.initWithSourceMaps.medianMs.toFixed(0)} ms`,
          `${b.initPlain.medianMs.toFixed(0)} ms`,
          b.initWithSourceMaps.medianMs < 300 ? 'yes' : 'NO',
        ]),
      ]),
    );
    for (const b of built.reports) {
      const top = b.contributors.slice(0, 5).map((c) => `${c.name} ${(c.bytes / 1024).toFixed(0)} KiB (${((100 * c.bytes) / b.bytes).toFixed(0)}%)`);
      out(`  top 5 of ${b.entry}: ${top.join(', ')}`);
    }
    return built.reports;
  });

  // AWS estimate
  const logInit = bundles?.find((b) => b.entry.includes('log-worker'))?.initWithSourceMaps.medianMs ?? Number.NaN;
  printAwsEstimate(latencyReport?.process.p50 ?? Number.NaN, logInit);

  // 8. Ratios
  const ours = medians.find((m) => m.spec.name === 'ours');
  const duck = medians.find((m) => m.spec.name === 'duckdb');
  const duck2 = medians.find((m) => m.spec.name === 'duckdb-2t');
  if (!ours || !duck || !duck2) throw new Error('missing engine results');
  const ratio = ours.eventsPerSecond / duck.eventsPerSecond;
  section('summary');
  out(`  log events/s: ours ${fmtInt(ours.eventsPerSecond)}, DuckDB (1 thread, same table) ${fmtInt(duck.eventsPerSecond)}, DuckDB (2 threads, no source_line) ${fmtInt(duck2.eventsPerSecond)}`);
  out(`  ratio to DuckDB, 2 threads without source_line: ${(ours.eventsPerSecond / duck2.eventsPerSecond).toFixed(2)}`);
  out(`  song files/s: ours ${fmtInt(ours.songFilesPerSecond)}, DuckDB ${fmtInt(duck.songFilesPerSecond)} (ratio ${(ours.songFilesPerSecond / duck.songFilesPerSecond).toFixed(2)})`);
  out(`  whole conversion (songs + logs) input MB/s: ours ${ours.inputMBps.toFixed(1)}, DuckDB ${duck.inputMBps.toFixed(1)} (ratio ${(ours.inputMBps / duck.inputMBps).toFixed(2)})`);
  out(`  load at end: ${machineLoad()}`);
  out(`  bench wall time: ${((performance.now() - benchStarted) / 1000).toFixed(0)} s`);

  verifier.dispose();
  if (settings.report) {
    await mkdir(dirname(settings.report), { recursive: true });
    await writeFile(
      settings.report,
      JSON.stringify(
        {
          settings,
          dataset: data,
          runs: records,
          medians: medians.map(({ spec, ...m }) => ({ engine: spec.name, label: spec.label, ...m })),
          counts: Object.fromEntries(medians.map((m) => [m.spec.name, m.counts])),
          identity,
          compaction,
          latency: latencyReport,
          bundles,
          failures,
          ratio: Number(ratio.toFixed(2)),
        },
        null,
        2,
      ),
    );
  }
  if (failures.length > 0) out(`  FAILED sections: ${failures.map((f) => f.section).join(', ')} (exit code 1)`);
  // Must stay the last line.
  out(`ratio to DuckDB: ${ratio.toFixed(2)}`);
  if (failures.length > 0) process.exitCode = 1;
}

function serialiseFiles(tables: Map<string, TableFiles>): Record<string, { files: number; bytes: number; partitions: Record<string, { files: number; bytes: number }> }> {
  return Object.fromEntries([...tables].map(([name, t]) => [name, { files: t.files, bytes: t.bytes, partitions: Object.fromEntries(t.partitions) }]));
}

function compactionTable(before: Map<string, TableFiles>, after: Map<string, TableFiles>): string {
  const rows: string[][] = [['table', 'partitions', 'files before → after', 'files/partition before → after (max)', 'avg file before → after']];
  for (const [name, b] of before) {
    if (name.includes('(not Parquet)')) continue;
    const a = after.get(name) ?? { files: 0, bytes: 0, partitions: new Map() };
    const maxFiles = (t: TableFiles) => Math.max(0, ...[...t.partitions.values()].map((p) => p.files));
    rows.push([
      name,
      fmtInt(b.partitions.size),
      `${fmtInt(b.files)} → ${fmtInt(a.files)}`,
      `${(b.files / b.partitions.size).toFixed(1)} (${maxFiles(b)}) → ${(a.files / Math.max(1, a.partitions.size)).toFixed(1)} (${maxFiles(a)})`,
      `${fmtBytes(b.bytes / b.files)} → ${fmtBytes(a.bytes / Math.max(1, a.files))}`,
    ]);
  }
  let out = table(rows);
  // The partitions of base_plays, one by one (a handful: one per month).
  const plays = before.get('base_plays');
  if (plays && plays.partitions.size <= 12) {
    const detail: string[][] = [['base_plays partition', 'files before → after', 'avg file before → after']];
    for (const [partition, p] of plays.partitions) {
      const a = after.get('base_plays')?.partitions.get(partition) ?? { files: 0, bytes: 0 };
      detail.push([partition, `${p.files} → ${a.files}`, `${fmtBytes(p.bytes / p.files)} → ${fmtBytes(a.bytes / Math.max(1, a.files))}`]);
    }
    out += `\n${table(detail)}`;
  }
  return out;
}

interface Spread {
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
}

function spread(values: readonly number[]): Spread {
  return { p50: percentile(values, 50), p95: percentile(values, 95), max: Math.max(...values) };
}

function summariseLatency(latency: LatencyResult): { total: Spread; process: Spread; visible: Spread } {
  return {
    total: spread(latency.samples.map((s) => s.totalMs)),
    process: spread(latency.samples.map((s) => s.processMs)),
    visible: spread(latency.samples.map((s) => s.visibleMs)),
  };
}

function measureCliQuery(lakeDir: string, key: string, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const child = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'bin', 'sparkify-lake.mjs'), 'query', '--lake', lakeDir, '--json', `SELECT count(*) AS n FROM base_plays WHERE source_key = ${quoteSql(key)}`],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 },
    );
    if (child.status !== 0) throw new Error(`sparkify-lake query failed: ${child.stderr}`);
    times.push(performance.now() - started);
  }
  return median(times);
}

function printAwsEstimate(processMsLocal: number, initMs: number): void {
  section('AWS end-to-end latency: an ESTIMATE from documented figures and settings, not a measurement');
  const rows: string[][] = [
    ['step', 'estimate', 'basis'],
    ['S3 ObjectCreated → SQS message', '~1 s, sometimes ≥ 1 min', 'S3 docs: "typically … delivered in seconds but can sometimes take a minute or longer"'],
    ['SQS → Lambda invoke (log queue)', '~0.1–1 s', 'event source mapping long-polls; batching window 0 s (lib/settings.ts)'],
    ['SQS → Lambda invoke (song queue)', '+ up to 5 s', 'maxBatchingWindow 5 s for songs (lib/settings.ts): a trickle waits for the window'],
    ['Lambda cold start (1st file of a container)', `~0.2–0.5 s`, `runtime start (not documented; commonly 0.1–0.3 s) + module init, measured here ~${initMs.toFixed(0)} ms`],
    ['worker: read, transform, write, register', `~${processMsLocal.toFixed(0)} ms + ~0.1–0.5 s`, 'CPU part measured here (1 vCPU at 1,769 MB: the log worker has ~1.2, the song worker ~0.3); S3 GET/PUT round trips, Glue BatchCreatePartition only for a new partition'],
    ['Athena query (queue, plan, scan)', '~1–3 s', 'not documented; typical for a small partition-pruned query'],
  ];
  out(table(rows));
  out('  ⇒ log file: roughly 2–5 s from upload to a row Athena returns (warm), +0.5 s cold; song file: up to 5 s more (batching window);');
  out('    S3 can occasionally delay an event by a minute or more. None of these AWS figures was measured here.');
}

// ---------------------------------------------------------------------------------------------
// --profile: our pipeline once under --cpu-prof, then the top self-time functions

/** Pipeline stages whose inclusive CPU time the profile reports, by function name. */
const PROFILE_STAGES: readonly (readonly [string, string])[] = [
  ['addLine', 'one log line: JSON.parse, checks, row building'],
  ['playRow', 'typed base_plays row from an event (inside addLine)'],
  ['timePartsOf', 'hour/day/ISO week/weekday (inside playRow)'],
  ['utf8Lines', 'byte stream → lines'],
  ['passThrough', 'SHA-256 of the source while reading'],
  ['appendRowGroup', 'column extraction + hyparquet-writer encode of a row group'],
  ['writeColumn', 'hyparquet-writer: one column chunk (dictionary, levels, pages, snappy, statistics)'],
  ['useDictionary', 'hyparquet-writer: dictionary decision and build'],
  ['getStatistics', 'hyparquet-writer: min/max statistics'],
  ['compressInput', 'hyparquet-writer: snappy'],
  ['transformSongFile', 'one song file → row'],
  ['readManifest', 'manifest lookup (sync part)'],
  ['put', 'FsObjectStore.put (sync part)'],
  ['recordOutcome', 'Powertools metrics + log line per file'],
  ['processPartialResponse', 'Powertools batch (sync part)'],
];

async function profileOurs(settings: Settings, data: DatasetInfo): Promise<void> {
  section('profile of our pipeline (node --cpu-prof, one run, ratio not measured)');
  const dir = join(settings.workDir, 'profiles');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const phase of ['log', 'song'] as const) {
    const phaseDir = join(dir, phase);
    await mkdir(phaseDir, { recursive: true });
    const lakeDir = join(settings.workDir, 'lakes', 'ours-profile');
    await rm(lakeDir, { recursive: true, force: true });
    const { result } = await runChild<EngineResult>({ mode: 'ours', dataDir: data.dir, lakeDir, via: settings.via, phases: [phase] }, [
      '--cpu-prof',
      `--cpu-prof-dir=${phaseDir}`,
    ]);
    out(`\n-- ${phase} files only: ${(phase === 'log' ? result.logs : result.songs).seconds.toFixed(2)} s under the profiler`);
    await summariseProfile(phaseDir);
  }
}

async function summariseProfile(dir: string): Promise<void> {
  const { readdir } = await import('node:fs/promises');
  const { selfTimes, inclusiveTimes } = await import('./profile-summary.js');
  const file = (await readdir(dir)).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error('no .cpuprofile written');
  const profile = JSON.parse(await readFile(join(dir, file), 'utf8'));
  const { functions, groups, totalMicros } = selfTimes(profile);
  const pct = (m: number) => `${((100 * m) / totalMicros).toFixed(1)}%`;
  out(`  ${join(dir, file)}: ${(totalMicros / 1e6).toFixed(1)} s sampled (process start and module loading included)`);
  out(table([['self time', 'ms', 'function', 'where'], ...functions.slice(0, 25).map((f) => [pct(f.micros), (f.micros / 1000).toFixed(0), f.name, f.where])]));
  out(table([['self time', 'ms', 'package / folder'], ...groups.slice(0, 12).map((g) => [pct(g.micros), (g.micros / 1000).toFixed(0), g.name])]));
  const inclusive = inclusiveTimes(profile, PROFILE_STAGES.map(([name]) => name));
  out(
    table([
      ['inclusive', 'ms', 'stage (function and what it calls; synchronous parts of async functions only)'],
      ...PROFILE_STAGES.map(([name, what]) => [pct(inclusive.get(name) ?? 0), ((inclusive.get(name) ?? 0) / 1000).toFixed(0), `${name}: ${what}`]),
    ]),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
