/**
 * One measurement in a fresh process (started by bench/run.ts with `fork`), so that memory figures
 * are per engine and no JIT or cache state carries over. The request comes as the first argument,
 * the result goes back over the IPC channel. Stdout is discarded by the parent: Powertools writes
 * its log lines and EMF metrics there, as in Lambda, and so they cost what they cost there.
 */
import type { ChildRequest, ChildResult } from './protocol.js';

async function run(request: ChildRequest): Promise<ChildResult> {
  switch (request.mode) {
    case 'ingest':
      return (await import('./child-ours.js')).runIngest(request);
    case 'log-handler':
      return (await import('./child-ours.js')).runLogHandler(request);
    case 'requests':
      return (await import('./child-ours.js')).runRequests(request);
    case 'duckdb':
      return (await import('./child-duckdb.js')).runDuckdb(request);
    case 'first-query':
      return (await import('./child-query.js')).runFirstQuery(request);
    case 'latency':
      return (await import('./child-query.js')).runLatency(request);
    case 'compact':
      return (await import('./child-compaction.js')).runCompact(request);
    case 'compact-at-scale':
      return (await import('./child-compaction.js')).runCompactAtScale(request);
    default:
      throw new Error(`unknown mode ${(request as { mode: string }).mode}`);
  }
}

async function main(): Promise<void> {
  const request = JSON.parse(process.argv[2] ?? '{}') as ChildRequest;
  const result = await run(request);
  await new Promise<void>((resolve, reject) =>
    process.send?.(result, undefined, {}, (error) => (error ? reject(error) : resolve())),
  );
  process.disconnect?.();
}

if (process.send) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
