/** The query side in a measuring child: a fresh process's first analyst query, and the latency probe. */
import { join } from 'node:path';
import { RssSampler, timed } from './measure.js';
import type { FirstQueryRequest, FirstQueryResult, LatencyRequest, LatencyResult, LatencySample } from './protocol.js';

/** LakeSql.open (views over the lake's files) and one named analyst query, as `sparkify-lake query` runs it. */
export async function runFirstQuery(request: FirstQueryRequest): Promise<FirstQueryResult> {
  const { LakeSql } = await import('../src/local/lake-sql.js');
  const { FsObjectStore } = await import('../src/storage/fs-store.js');
  const { ANALYST_QUERIES } = await import('../src/domain/analyst-queries.js');
  const query = ANALYST_QUERIES.find((q) => q.name === request.queryName);
  if (!query) throw new Error(`no analyst query named ${request.queryName}`);
  let openSeconds = 0;
  const { value: result, figures } = await timed(async () => {
    const started = performance.now();
    const sql = await LakeSql.open(request.lakeDir, new FsObjectStore(request.lakeDir));
    openSeconds = (performance.now() - started) / 1000;
    try {
      return await sql.query(query.sql);
    } finally {
      sql.close();
    }
  });
  return { mode: 'first-query', ...figures, openSeconds, columns: result.columns, rows: result.rows };
}

/**
 * K new log files written one at a time; per file, from "the file is complete" to "a count of its
 * rows through LakeSql sees them all": processBatch of that one file, then LakeSql.open + count,
 * repeated until the count is right.
 */
export async function runLatency(request: LatencyRequest): Promise<LatencyResult> {
  const { FsObjectStore } = await import('../src/storage/fs-store.js');
  const { generateLogFile, logFileKey, dayStart } = await import('../src/generate/index.js');
  const { localSequencerClock } = await import('../src/domain/versions.js');
  const { addDays } = await import('./support.js');
  const source = new FsObjectStore(request.inputDir);
  const lake = new FsObjectStore(request.lakeDir);
  const nextSeq = localSequencerClock();
  const sampler = new RssSampler();
  const samples: LatencySample[] = [];
  for (let i = 0; i < request.files; i++) {
    const date = addDays(request.firstDate, i);
    const key = logFileKey(dayStart(date));
    const expectation = await generateLogFile(join(request.inputDir, key), {
      seed: `${request.seed}-latency-${i}`,
      date,
      events: request.eventsPerFile,
    });
    samples.push(await probeOne(key, expectation.goodPlays, nextSeq(), { source, lake }, request.lakeDir));
  }
  return { mode: 'latency', samples, ...sampler.stop() };
}

type Stores = import('../src/pipeline/process-batch.js').Stores;

async function probeOne(
  key: string,
  plays: number,
  seq: string,
  stores: Stores,
  lakeDir: string,
): Promise<LatencySample> {
  const { processBatch } = await import('../src/pipeline/process-batch.js');
  // The object is complete in the input folder now: this is when S3 would emit ObjectCreated.
  const written = performance.now();
  const result = await processBatch([{ key, seq }], stores);
  const processed = performance.now();
  const status = result.outcomes[0]?.status;
  if (status !== 'processed') throw new Error(`${key}: ${status ?? 'no outcome'}`);
  let attempts = 0;
  let seen = -1;
  while (seen !== plays) {
    if (++attempts > 100) throw new Error(`${key}: ${seen} of ${plays} rows visible after 100 queries`);
    seen = await countPlays(lakeDir, stores.lake, key);
  }
  const visible = performance.now();
  return {
    key,
    rows: plays,
    processMs: processed - written,
    visibleMs: visible - processed,
    totalMs: visible - written,
    attempts,
  };
}

async function countPlays(lakeDir: string, lake: Stores['lake'], key: string): Promise<number> {
  const { LakeSql } = await import('../src/local/lake-sql.js');
  const sql = await LakeSql.open(lakeDir, lake);
  try {
    const result = await sql.query(visiblePlaysSql(key));
    return Number(result.rows[0]?.[0]);
  } finally {
    sql.close();
  }
}

/** Rows of the key in base_plays that the views read: those of a committed write (a ledger row names it). */
export function visiblePlaysSql(key: string): string {
  const literal = `'${key.replaceAll("'", "''")}'`;
  return `SELECT count(*) AS n FROM base_plays p JOIN base_sources s ON s.source_key = p.source_key AND s.write_id = p.write_id AND s.status = 'present' WHERE p.source_key = ${literal} AND s.source_key = ${literal}`;
}
