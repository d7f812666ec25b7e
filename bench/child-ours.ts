/** Our pipeline in a measuring child: the whole local ingest, the log worker's handler, and the song worker's S3 requests. */
import { FsObjectStore } from '../src/storage/fs-store.js';
import { RssSampler, timed } from './measure.js';
import type {
  BatchRequests,
  IngestRequest,
  IngestResult,
  LogHandlerRequest,
  LogHandlerResult,
  RequestsRequest,
  RequestsResult,
} from './protocol.js';
import { benchWorker, landingKeys, sqsBatches } from './sqs.js';
import { CountingObjectStore, noRequests, type RequestCounts } from './stores.js';

/** ingestFolder over the whole input folder, as `sparkify-lake ingest` runs it (its batch bounds and concurrency). */
export async function runIngest(request: IngestRequest): Promise<IngestResult> {
  const { ingestFolder } = await import('../src/local/ingest.js');
  const options = {
    ...(request.kinds ? { kinds: request.kinds } : {}),
    ...(request.batchBytes ? { batchBytes: request.batchBytes } : {}),
  };
  const { value: summary, figures } = await timed(() => ingestFolder(request.dataDir, request.lakeDir, options));
  return {
    mode: 'ingest',
    ...figures,
    objectsWritten: summary.objectsWritten,
    rowsWritten: Object.fromEntries(Object.entries(summary.rowsWritten).map(([table, rows]) => [table, rows ?? 0])),
    logEvents: summary.logEvents.all,
    failures: summary.failures.map((failure) => `${failure.sourceKey}: ${failure.error}`),
  };
}

/**
 * The log worker's handler over every log file: SQS batches of the stack's batch size, one warm
 * container invoked once per batch, one after the other. Keys and events are built before the clock.
 */
export async function runLogHandler(request: LogHandlerRequest): Promise<LogHandlerResult> {
  const source = new FsObjectStore(request.dataDir);
  const worker = await benchWorker('log', source, new FsObjectStore(request.lakeDir));
  const batches = sqsBatches(await landingKeys(source, 'log_data/'), worker.batchSize);
  const failures: string[] = [];
  const { figures } = await timed(async () => {
    for (const batch of batches)
      failures.push(...(await worker.invoke(batch)).map((id) => `log-worker: message ${id} failed`));
  });
  return {
    mode: 'log-handler',
    ...figures,
    invocations: batches.length,
    messagesPerInvocation: worker.batchSize,
    fileConcurrency: worker.fileConcurrency,
    failures,
  };
}

/**
 * The song worker's handler over every song file at the stack's settings, with every request to
 * the landing bucket and the lake counted as S3 would bill it.
 */
export async function runRequests(request: RequestsRequest): Promise<RequestsResult> {
  const sampler = new RssSampler();
  const batchCounts = new PerBatch();
  const source = new CountingObjectStore(new FsObjectStore(request.dataDir), (kind) => batchCounts.count(kind));
  const lake = new CountingObjectStore(new FsObjectStore(request.lakeDir), (kind, key) => batchCounts.count(kind, key));
  const worker = await benchWorker('song', source, lake);
  const keys = await landingKeys(new FsObjectStore(request.dataDir), 'song_data/');
  const failures: string[] = [];
  const started = performance.now();
  for (const batch of sqsBatches(keys, worker.batchSize)) {
    batchCounts.start(batch.Records.length);
    failures.push(...(await worker.invoke(batch)).map((id) => `song-worker: message ${id} failed`));
    batchCounts.end();
  }
  return {
    mode: 'requests',
    batchSize: worker.batchSize,
    fileConcurrency: worker.fileConcurrency,
    songFiles: keys.length,
    source: source.counts,
    lake: lake.counts,
    batches: batchCounts.batches,
    failures,
    seconds: (performance.now() - started) / 1000,
    ...sampler.stop(),
  };
}

/** Requests of each invocation, and the base_songs partitions it wrote to. */
class PerBatch {
  readonly batches: BatchRequests[] = [];
  private counts: RequestCounts = noRequests();
  private songPartitions = 0;
  private files = 0;

  start(files: number): void {
    this.counts = noRequests();
    this.songPartitions = 0;
    this.files = files;
  }

  count(kind: keyof RequestCounts, key?: string): void {
    this.counts[kind] += 1;
    if (kind === 'PUT' && key?.startsWith('base_songs/')) this.songPartitions += 1;
  }

  end(): void {
    this.batches.push({ files: this.files, counts: this.counts, songPartitions: this.songPartitions });
  }
}
