/**
 * One measured engine in a fresh process (started by bench/run.ts with `fork`): our pipeline
 * through the real worker handler (or ingestFolder), DuckDB's native JSON → Parquet conversion,
 * compaction, or the latency probe. Stdout is discarded by the parent (Powertools logs and EMF
 * metrics are written there, as in Lambda, and so cost what they cost there); the result goes back
 * over the IPC channel. Peak RSS is sampled every 10 ms and also read from the kernel (maxRSS).
 */
import { join } from 'node:path';

export type ChildRequest =
  | {
      readonly mode: 'ours';
      readonly dataDir: string;
      readonly lakeDir: string;
      readonly via: 'handler' | 'ingest';
      /** Which phases to run (default both): the profiler looks at one at a time. */
      readonly phases?: readonly ('song' | 'log')[];
    }
  | { readonly mode: 'duckdb'; readonly dataDir: string; readonly lakeDir: string; readonly threads: number; readonly sourceLine: boolean }
  | { readonly mode: 'compact'; readonly lakeDir: string }
  | {
      readonly mode: 'latency';
      readonly lakeDir: string;
      readonly inputDir: string;
      readonly files: number;
      readonly eventsPerFile: number;
      readonly firstDate: string;
      readonly seed: string;
    };

export interface Phase {
  readonly seconds: number;
}

export interface MemoryFigures {
  /** RSS when the work started (after the modules were loaded), bytes. */
  readonly rssAtStart: number;
  /** Highest RSS seen by the 10 ms sampler, bytes. */
  readonly rssPeakSampled: number;
  /** process.resourceUsage().maxRSS (the kernel's high-water mark, what /usr/bin/time -v shows), bytes. */
  readonly maxRss: number;
}

export interface EngineResult extends MemoryFigures {
  readonly mode: 'ours' | 'duckdb';
  readonly songs: Phase;
  readonly logs: Phase;
  readonly seconds: number;
  /** CPU seconds (user + system) the process used for the work, all threads. */
  readonly cpuSeconds: number;
  readonly note: string;
  readonly failures: readonly string[];
}

export interface CompactResult extends MemoryFigures {
  readonly mode: 'compact';
  readonly seconds: number;
  readonly partitions: readonly { table: string; partition: string; filesBefore: number; filesAfter: number; rows: number; droppedRows: number }[];
}

export interface LatencySample {
  readonly key: string;
  readonly rows: number;
  /** processSourceObject, ms. */
  readonly processMs: number;
  /** From the end of processing until the count query saw every row (LakeSql.open + count, retried), ms. */
  readonly visibleMs: number;
  /** Object written → rows visible, ms. */
  readonly totalMs: number;
  readonly attempts: number;
}

export interface LatencyResult extends MemoryFigures {
  readonly mode: 'latency';
  readonly samples: readonly LatencySample[];
}

export type ChildResult = EngineResult | CompactResult | LatencyResult;

class RssSampler {
  private peak = process.memoryUsage.rss();
  readonly atStart = this.peak;
  private readonly timer = setInterval(() => this.sample(), 10);

  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
  }

  stop(): MemoryFigures {
    clearInterval(this.timer);
    this.sample();
    return { rssAtStart: this.atStart, rssPeakSampled: this.peak, maxRss: process.resourceUsage().maxRSS * 1024 };
  }
}

/** Runs the song phase then the log phase, timing each, with CPU time and RSS over both. */
async function timePhases<S, L>(songPhase: () => Promise<S>, logPhase: () => Promise<L>) {
  const sampler = new RssSampler();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const songs = await songPhase();
  const songsDone = performance.now();
  const logs = await logPhase();
  const ended = performance.now();
  const cpuSeconds = cpuSecondsSince(cpu);
  return {
    results: { songs, logs },
    figures: {
      songs: { seconds: (songsDone - started) / 1000 },
      logs: { seconds: (ended - songsDone) / 1000 },
      seconds: (ended - started) / 1000,
      cpuSeconds,
      ...sampler.stop(),
    },
  };
}

function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

// ---------------------------------------------------------------------------------------------
// Our pipeline

async function runOurs(request: Extract<ChildRequest, { mode: 'ours' }>): Promise<EngineResult> {
  const { FsObjectStore } = await import('../src/storage/fs-store.js');
  const phases = request.phases ?? ['song', 'log'];
  if (request.via === 'ingest') {
    const { ingestFolder } = await import('../src/local/ingest.js');
    const timed = await timePhases(
      () => ingestFolder(request.dataDir, request.lakeDir, { kinds: phases.includes('song') ? ['song'] : [] }),
      () => ingestFolder(request.dataDir, request.lakeDir, { kinds: phases.includes('log') ? ['log'] : [] }),
    );
    const { songs, logs } = timed.results;
    return {
      mode: 'ours',
      ...timed.figures,
      note: 'ingestFolder (the local run: processSourceObject, 4 files at a time)',
      failures: [...songs.failures, ...logs.failures].map((f) => `${f.sourceKey}: ${f.error}`),
    };
  }

  const { createWorkerHandler } = await import('../lambdas/worker-handler.js');
  const { cachedPartitionRegistrar } = await import('../src/catalog/partition-cache.js');
  const { Logger } = await import('@aws-lambda-powertools/logger');
  const { Metrics } = await import('@aws-lambda-powertools/metrics');
  const { METRICS_NAMESPACE } = await import('../lambdas/aws-dependencies.js');
  const source = new FsObjectStore(request.dataDir);
  const lake = new FsObjectStore(request.lakeDir);
  const bucket = 'bench-landing';
  const handlerFor = (kind: 'song' | 'log') =>
    createWorkerHandler({
      kind,
      sourceStore: () => source,
      lake,
      // The real warm-container cache in front of a catalog that is not there.
      registerPartitions: cachedPartitionRegistrar(async () => undefined),
      logger: new Logger({ serviceName: `${kind}-worker`, logLevel: 'INFO' }),
      metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: `${kind}-worker` }),
      // As the stack configures them (lib/workers.ts): songs in parallel, logs one at a time.
      processInParallel: kind === 'song',
    });
  const songHandler = handlerFor('song');
  const logHandler = handlerFor('log');

  // The keys come from S3 events in Lambda: listing them is harness work, done before the clock starts.
  const keys = async (prefix: string) => {
    const all: string[] = [];
    for await (const key of source.list(prefix)) if (key.endsWith('.json')) all.push(key);
    return all;
  };
  const songKeys = phases.includes('song') ? await keys('song_data/') : [];
  const logKeys = phases.includes('log') ? await keys('log_data/') : [];
  const songBatches: SqsEvent[] = [];
  for (let i = 0; i < songKeys.length; i += 10) songBatches.push(sqsEvent(bucket, songKeys.slice(i, i + 10)));
  const logBatches = logKeys.map((key) => sqsEvent(bucket, [key]));

  const failures: string[] = [];
  const invoke = async (handler: typeof songHandler, event: SqsEvent, functionName: string) => {
    const response = await handler(event as never, lambdaContext(functionName));
    for (const failure of response.batchItemFailures) failures.push(`${functionName}: message ${failure.itemIdentifier} failed`);
  };
  const timed = await timePhases(
    async () => {
      for (const event of songBatches) await invoke(songHandler, event, 'song-worker');
    },
    async () => {
      for (const event of logBatches) await invoke(logHandler, event, 'log-worker');
    },
  );
  return {
    mode: 'ours',
    ...timed.figures,
    note:
      'lambdas/worker-handler.ts createWorkerHandler (Powertools batch, logger INFO, metrics EMF to a discarded stdout), ' +
      'FsObjectStore source + lake, no-op partition registrar behind the real cache; one warm container: ' +
      `${songBatches.length} song invocations of 10 messages (in parallel within a batch), ${logBatches.length} log invocations of 1`,
    failures,
  };
}

interface SqsEvent {
  readonly Records: readonly object[];
}

/** An SQS batch whose messages are S3 ObjectCreated notifications, one object per message, as S3 sends them. */
function sqsEvent(bucket: string, keys: readonly string[]): SqsEvent {
  return {
    Records: keys.map((key, i) => {
      const body = JSON.stringify({
        Records: [
          {
            eventVersion: '2.1',
            eventSource: 'aws:s3',
            awsRegion: 'us-east-1',
            eventTime: new Date().toISOString(),
            eventName: 'ObjectCreated:Put',
            userIdentity: { principalId: 'AWS:BENCH' },
            requestParameters: { sourceIPAddress: '203.0.113.10' },
            responseElements: { 'x-amz-request-id': 'BENCH', 'x-amz-id-2': 'BENCH' },
            s3: {
              s3SchemaVersion: '1.0',
              configurationId: 'landing-to-queue',
              bucket: { name: bucket, ownerIdentity: { principalId: 'BENCH' }, arn: `arn:aws:s3:::${bucket}` },
              // S3 URL-encodes keys in events, with `+` for a space and `/` kept.
              object: { key: encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+'), size: 0, eTag: '', sequencer: '0' },
            },
          },
        ],
      });
      const now = String(Date.now());
      return {
        messageId: `bench-${key}-${i}`,
        receiptHandle: 'bench',
        body,
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: now, SenderId: 'BENCH', ApproximateFirstReceiveTimestamp: now },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:bench-queue',
        awsRegion: 'us-east-1',
      };
    }),
  };
}

function lambdaContext(functionName: string) {
  const deadline = Date.now() + 15 * 60_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '2048',
    awsRequestId: `bench-${Math.random().toString(16).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// DuckDB: the same input files to the same tables, in the same Hive layout

/** Explicit types, as our schema declares them (never inferred). */
const LOG_COLUMNS =
  "{artist: 'VARCHAR', auth: 'VARCHAR', firstName: 'VARCHAR', gender: 'VARCHAR', itemInSession: 'INTEGER', lastName: 'VARCHAR', " +
  "length: 'DOUBLE', level: 'VARCHAR', location: 'VARCHAR', method: 'VARCHAR', page: 'VARCHAR', registration: 'DOUBLE', " +
  "sessionId: 'INTEGER', song: 'VARCHAR', status: 'INTEGER', ts: 'BIGINT', userAgent: 'VARCHAR', userId: 'VARCHAR'}";

const SONG_COLUMNS =
  "{song_id: 'VARCHAR', title: 'VARCHAR', artist_id: 'VARCHAR', artist_name: 'VARCHAR', artist_location: 'VARCHAR', " +
  "artist_latitude: 'DOUBLE', artist_longitude: 'DOUBLE', duration: 'DOUBLE', num_songs: 'INTEGER', year: 'INTEGER'}";

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/**
 * base_plays: one row per NextSong event, the same 21 stored columns and 2 partition columns our
 * workers write. source_line is the 1-based line number: row_number() over the file *before* the
 * NextSong filter, which follows line order only when DuckDB reads single-threaded (checked by
 * the bench against our lake, cell by cell).
 */
export function duckdbPlaysSql(dataDir: string, lakeDir: string, sourceLine: boolean): string {
  const prefixLength = dataDir.length + 2; // substr is 1-based; drop "<dataDir>/"
  const reader = `read_json(${sqlString(`${dataDir}/log_data/**/*.json`)}, format = 'newline_delimited', columns = ${LOG_COLUMNS}, filename = true)`;
  const from = sourceLine ? `(SELECT *, row_number() OVER (PARTITION BY filename) AS line FROM ${reader})` : reader;
  const ts = 'make_timestamp_ms(ts)';
  return `COPY (
  SELECT CAST(CAST(userId AS INTEGER) AS VARCHAR) || '-' || sessionId || '-' || itemInSession || '-' || ts AS songplay_id,
         ${ts} AS start_time, CAST(userId AS INTEGER) AS user_id, level, sessionId AS session_id,
         itemInSession AS item_in_session, location, userAgent AS user_agent, firstName AS first_name,
         lastName AS last_name, gender, song, artist, length,
         CAST(hour(${ts}) AS INTEGER) AS hour, CAST(day(${ts}) AS INTEGER) AS day,
         CAST(week(${ts}) AS INTEGER) AS week, CAST(dayofweek(${ts}) + 1 AS INTEGER) AS weekday,
         substr(filename, ${prefixLength}) AS source_key,
         ${sourceLine ? 'CAST(line AS INTEGER)' : 'CAST(NULL AS INTEGER)'} AS source_line,
         CAST(NULL AS VARCHAR) AS rescued_data,
         CAST(year(${ts}) AS INTEGER) AS year, CAST(month(${ts}) AS INTEGER) AS month
  FROM ${from}
  WHERE page = 'NextSong'
) TO ${sqlString(join(lakeDir, 'base_plays'))} (FORMAT parquet, PARTITION_BY (year, month), COMPRESSION snappy)`;
}

export function duckdbSongsSql(dataDir: string, lakeDir: string): string {
  const prefixLength = dataDir.length + 2;
  return `COPY (
  SELECT song_id, title, artist_id, artist_name, artist_location, artist_latitude, artist_longitude,
         duration, num_songs, substr(filename, ${prefixLength}) AS source_key, CAST(NULL AS VARCHAR) AS rescued_data, year
  FROM read_json(${sqlString(`${dataDir}/song_data/**/*.json`)}, format = 'auto', columns = ${SONG_COLUMNS}, filename = true)
) TO ${sqlString(join(lakeDir, 'base_songs'))} (FORMAT parquet, PARTITION_BY (year), COMPRESSION snappy)`;
}

async function runDuckdb(request: Extract<ChildRequest, { mode: 'duckdb' }>): Promise<EngineResult> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const { mkdir } = await import('node:fs/promises');
  const sampler = new RssSampler();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await mkdir(request.lakeDir, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', { threads: String(request.threads) });
  const connection = await instance.connect();
  await connection.run(`SET TimeZone = 'UTC'`);
  await connection.run(duckdbSongsSql(request.dataDir, request.lakeDir));
  const songsDone = performance.now();
  await connection.run(duckdbPlaysSql(request.dataDir, request.lakeDir, request.sourceLine));
  const ended = performance.now();
  connection.closeSync();
  instance.closeSync();
  const cpuSeconds = cpuSecondsSince(cpu);
  return {
    mode: 'duckdb',
    songs: { seconds: (songsDone - started) / 1000 },
    logs: { seconds: (ended - songsDone) / 1000 },
    seconds: (ended - started) / 1000,
    cpuSeconds,
    note: `DuckDB ${request.threads} thread(s), read_json → COPY … PARTITION_BY, SNAPPY${request.sourceLine ? '' : '; source_line left NULL'}`,
    failures: [],
    ...sampler.stop(),
  };
}

// ---------------------------------------------------------------------------------------------
// Compaction and latency

async function runCompact(request: Extract<ChildRequest, { mode: 'compact' }>): Promise<CompactResult> {
  const { FsObjectStore } = await import('../src/storage/fs-store.js');
  const { compactLake, DEFAULT_COMPACTION } = await import('../src/pipeline/compact.js');
  const sampler = new RssSampler();
  const started = performance.now();
  const results = await compactLake(new FsObjectStore(request.lakeDir), DEFAULT_COMPACTION);
  const seconds = (performance.now() - started) / 1000;
  return {
    mode: 'compact',
    seconds,
    partitions: results.map((r) => ({
      table: r.table,
      partition: r.partition,
      filesBefore: r.filesBefore,
      filesAfter: r.filesAfter,
      rows: r.rows,
      droppedRows: r.droppedRows,
    })),
    ...sampler.stop(),
  };
}

async function runLatency(request: Extract<ChildRequest, { mode: 'latency' }>): Promise<LatencyResult> {
  const { FsObjectStore } = await import('../src/storage/fs-store.js');
  const { processSourceObject } = await import('../src/pipeline/process-source-object.js');
  const { LakeSql } = await import('../src/local/lake-sql.js');
  const { generateLogFile, logFileKey, dayStart } = await import('../src/generate/index.js');
  const { addDays } = await import('./support.js');
  const source = new FsObjectStore(request.inputDir);
  const lake = new FsObjectStore(request.lakeDir);
  const sampler = new RssSampler();
  const samples: LatencySample[] = [];
  for (let i = 0; i < request.files; i++) {
    const date = addDays(request.firstDate, i);
    const key = logFileKey(dayStart(date));
    const expectation = await generateLogFile(join(request.inputDir, key), { seed: `${request.seed}-latency-${i}`, date, events: request.eventsPerFile });
    // The object is complete in the input folder now: this is when S3 would emit ObjectCreated.
    const written = performance.now();
    const outcome = await processSourceObject(key, { source, lake });
    const processed = performance.now();
    if (outcome.status !== 'processed') throw new Error(`${key}: ${outcome.status}`);
    let attempts = 0;
    let seen = -1;
    while (seen !== expectation.goodPlays) {
      if (++attempts > 100) throw new Error(`${key}: ${seen} of ${expectation.goodPlays} rows visible after 100 queries`);
      const sql = await LakeSql.open(request.lakeDir, lake);
      try {
        const result = await sql.query(`SELECT count(*) AS n FROM base_plays WHERE source_key = ${sqlString(key)}`);
        seen = Number(result.rows[0]?.[0]);
      } finally {
        sql.close();
      }
    }
    const visible = performance.now();
    samples.push({
      key,
      rows: expectation.goodPlays,
      processMs: processed - written,
      visibleMs: visible - processed,
      totalMs: visible - written,
      attempts,
    });
  }
  return { mode: 'latency', samples, ...sampler.stop() };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as ChildRequest;
  let result: ChildResult;
  switch (request.mode) {
    case 'ours':
      result = await runOurs(request);
      break;
    case 'duckdb':
      result = await runDuckdb(request);
      break;
    case 'compact':
      result = await runCompact(request);
      break;
    case 'latency':
      result = await runLatency(request);
      break;
    default:
      throw new Error(`unknown mode ${(request as { mode: string }).mode}`);
  }
  await new Promise<void>((resolve, reject) => process.send?.(result, undefined, {}, (error) => (error ? reject(error) : resolve())));
  process.disconnect?.();
}

if (process.send) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
