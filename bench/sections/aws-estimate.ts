/** AWS end-to-end latency: an estimate from documented figures and the stack's settings, not a measurement. */
import { out, section } from '../output.js';
import { table } from '../support.js';

export async function awsEstimateSection(processMsLocal: number, initMs: number): Promise<void> {
  const { WORKER_SETTINGS } = await import('../../lib/settings.js');
  const songWindow = WORKER_SETTINGS.song.maxBatchingWindow.toSeconds();
  const logWindow = WORKER_SETTINGS.log.maxBatchingWindow.toSeconds();
  section('AWS end-to-end latency: an ESTIMATE from documented figures and settings, not a measurement');
  out(
    table([
      ['step', 'estimate', 'basis'],
      [
        'S3 ObjectCreated → SQS message',
        '~1 s, sometimes ≥ 1 min',
        'S3 docs: "typically … delivered in seconds but can sometimes take a minute or longer"',
      ],
      [
        'SQS → Lambda invoke (log queue)',
        `~0.1–1 s + up to ${logWindow} s`,
        `event source mapping long-polls; batching window ${logWindow} s (lib/settings.ts)`,
      ],
      [
        'SQS → Lambda invoke (song queue)',
        `+ up to ${songWindow} s`,
        `maxBatchingWindow ${songWindow} s for songs (lib/settings.ts): a trickle waits for the window or ${WORKER_SETTINGS.song.batchSize} messages`,
      ],
      [
        'Lambda cold start (1st file of a container)',
        '~0.2–0.5 s',
        `runtime start (not documented; commonly 0.1–0.3 s) + module init, ${measured(initMs, 'bundles')}`,
      ],
      [
        'worker: read, transform, write, commit',
        `${Number.isFinite(processMsLocal) ? `~${processMsLocal.toFixed(0)} ms` : 'CPU part'} + ~0.1–0.5 s`,
        `CPU part (processBatch of one file) ${measured(processMsLocal, 'latency')}; S3 GET/PUT round trips, Glue BatchCreatePartition only for a new partition`,
      ],
      ['Athena query (queue, plan, scan)', '~1–3 s', 'not documented; typical for a small partition-pruned query'],
    ]),
  );
  out(
    `  ⇒ log file: roughly 2–5 s from upload to a row Athena returns (warm), +0.5 s cold; song file: up to ${songWindow} s more (batching window);`,
  );
  out('    S3 can occasionally delay an event by a minute or more. None of these AWS figures was measured here.');
}

/** "measured here ~N ms", or which skipped section would have measured it. */
function measured(ms: number, section: string): string {
  return Number.isFinite(ms)
    ? `measured here ~${ms.toFixed(0)} ms`
    : `not measured in this run (the ${section} section was skipped or failed)`;
}
