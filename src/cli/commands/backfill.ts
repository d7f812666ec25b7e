import { parseArgs } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { backfill, type BackfillProgress } from '../../backfill/backfill.js';
import { QUIET_OPTION } from '../options.js';
import { UsageError, type CommandIo } from '../usage-error.js';

export const BACKFILL_USAGE = `sparkify-lake backfill --bucket <name> --song-queue-url <url> --log-queue-url <url>
                       [--prefix <prefix>] [--region <region>] [--dry-run] [-q]
  Sends an S3 ObjectCreated event for every song_data/ and log_data/ .json or .json.gz object in the
  landing bucket to the deployed stack's queues (its SongQueueUrl and LogQueueUrl outputs), so files
  that landed before the stack existed are processed too. Safe to rerun. --prefix limits the listing
  (e.g. log_data/2018/); --region defaults to the queues' region; --dry-run only counts; -q, --quiet
  prints no progress lines.`;

export const BACKFILL_OPTIONS = {
  bucket: { type: 'string' },
  prefix: { type: 'string' },
  'song-queue-url': { type: 'string' },
  'log-queue-url': { type: 'string' },
  region: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  ...QUIET_OPTION,
} as const;

export interface BackfillClients {
  readonly s3: S3Client;
  readonly sqs: SQSClient;
}

export interface BackfillCommandDeps {
  /** AWS clients for a region (undefined: the SDK's own region resolution). */
  readonly clients: (region: string | undefined) => BackfillClients;
  /** Milliseconds between progress lines. */
  readonly progressIntervalMs: number;
}

const DEFAULT_DEPS: BackfillCommandDeps = {
  clients: (region) => ({ s3: new S3Client(region ? { region } : {}), sqs: new SQSClient(region ? { region } : {}) }),
  progressIntervalMs: 2_000,
};

/** `https://sqs.<region>.amazonaws.com/<account>/<name>` -> region. */
export function regionFromQueueUrl(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new UsageError(`not a queue URL: ${url}`);
  }
  return /^sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(host)?.[1];
}

export async function backfillCommand(
  args: readonly string[],
  io: CommandIo,
  deps: BackfillCommandDeps = DEFAULT_DEPS,
): Promise<number> {
  // Positional arguments are refused by parseArgs (ERR_PARSE_ARGS_*: reported with the usage).
  const { values } = parseArgs({
    args: [...args],
    allowPositionals: false,
    options: BACKFILL_OPTIONS,
  });
  const bucket = values.bucket;
  const songQueueUrl = values['song-queue-url'];
  const logQueueUrl = values['log-queue-url'];
  if (!bucket) throw new UsageError('backfill needs --bucket <landing bucket name>');
  if (!songQueueUrl || !logQueueUrl) {
    throw new UsageError(
      'backfill needs --song-queue-url and --log-queue-url (the stack outputs SongQueueUrl and LogQueueUrl)',
    );
  }

  const regionHint = values.region ?? regionFromQueueUrl(songQueueUrl) ?? regionFromQueueUrl(logQueueUrl);
  const { s3, sqs } = deps.clients(regionHint);
  const region = regionHint ?? (await sqs.config.region());

  let lastPrint = 0;
  const onProgress = (p: BackfillProgress) => {
    const now = Date.now();
    if (values.quiet || now - lastPrint < deps.progressIntervalMs) return;
    lastPrint = now;
    io.err(`listed ${p.listed}, to send ${p.matched}, sent ${p.sent}, failed ${p.failed} (at ${p.lastKey})`);
  };

  const result = await backfill({
    s3,
    sqs,
    bucket,
    prefix: values.prefix,
    queueUrls: { song: songQueueUrl, log: logQueueUrl },
    region,
    dryRun: values['dry-run'],
    onProgress,
  });

  const verb = result.dryRun ? 'would send' : 'sent';
  const counts = result.dryRun ? result.matched : result.sent;
  io.out(
    `backfill of s3://${bucket}/${values.prefix ?? ''}: listed ${result.listed} object(s), ` +
      `${verb} ${counts.song} song and ${counts.log} log event(s), skipped ${result.skipped} other key(s)`,
  );
  for (const failure of result.failed.slice(0, 20)) io.err(`failed: ${failure.key}: ${failure.reason}`);
  if (result.failed.length > 20) io.err(`... and ${result.failed.length - 20} more failure(s)`);
  return result.failed.length > 0 ? 1 : 0;
}
