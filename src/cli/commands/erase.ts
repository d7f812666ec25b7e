import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { eraseUser, type ErasureReport, type ErasureTargets } from '../../erasure/erase.js';
import { awsTargets, localTargets } from '../../erasure/targets.js';
import { UsageError, type CommandIo } from '../usage-error.js';

export const ERASE_USAGE = `sparkify-lake erase --input <landing-dir> --lake <dir> --user-id <id> [--request-id <id>]
sparkify-lake erase --bucket <landing> --lake-bucket <lake> --user-id <id> [--request-id <id>] [--region <r>] [--wait-minutes N]
  Erases a listener: rewrites every landing log file that holds their events without those lines,
  brings the lake up to date (locally at once; in AWS it waits for the log worker), purges the old
  rows from every lake object, checks that none is left, and writes an audit record without personal
  data to _audit/erasure/<request-id>.json in the lake. Safe to run again; an unknown user id is not
  an error. In AWS it also deletes the older versions of rewritten objects in a versioned bucket.`;

export const ERASE_OPTIONS = {
  input: { type: 'string' },
  lake: { type: 'string' },
  bucket: { type: 'string' },
  'lake-bucket': { type: 'string' },
  'user-id': { type: 'string' },
  'request-id': { type: 'string' },
  region: { type: 'string' },
  'wait-minutes': { type: 'string' },
} as const;

export async function eraseCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseArgs({ args: [...args], options: ERASE_OPTIONS });
  const userId = values['user-id'];
  if (!userId) throw new UsageError('erase needs --user-id <id>');
  const progress = (message: string) => io.err(`… ${message}`);
  let targets: ErasureTargets;
  if (values.input !== undefined || values.lake !== undefined) {
    if (!values.input || !values.lake)
      throw new UsageError('a local erasure needs both --input <landing-dir> and --lake <dir>');
    if (values.bucket || values['lake-bucket'])
      throw new UsageError(
        'choose a local erasure (--input, --lake) or an AWS one (--bucket, --lake-bucket), not both',
      );
    if (!existsSync(values.input)) throw new UsageError(`input folder ${values.input} does not exist`);
    if (!existsSync(values.lake)) throw new UsageError(`no lake at ${values.lake}`);
    targets = localTargets(resolve(values.input), resolve(values.lake), progress);
  } else {
    if (!values.bucket || !values['lake-bucket'])
      throw new UsageError('erase needs --input and --lake (local) or --bucket and --lake-bucket (AWS)');
    const waitMinutes = values['wait-minutes'] === undefined ? 30 : Number(values['wait-minutes']);
    if (!Number.isFinite(waitMinutes) || waitMinutes <= 0)
      throw new UsageError('--wait-minutes must be a positive number');
    targets = awsTargets({
      s3: new S3Client(values.region ? { region: values.region } : {}),
      landingBucket: values.bucket,
      lakeBucket: values['lake-bucket'],
      waitMs: waitMinutes * 60_000,
      onProgress: progress,
    });
  }
  const report = await eraseUser(userId, targets, values['request-id']);
  io.out(renderErasure(report));
  return 0;
}

function renderErasure(report: ErasureReport): string {
  const lines = [
    report.nothingMatched
      ? `Erasure ${report.requestId}: nothing matched that user id in ${report.landingFilesScanned} landing log file(s); the lake holds none of their rows.`
      : `Erasure ${report.requestId}: removed ${report.linesRemoved} line(s) from ${report.landingFilesRewritten} of ${report.landingFilesScanned} landing log file(s); ` +
        `${report.lakeRowsRemoved} lake row(s) removed (plays, the user's latest events, set-aside records).`,
    `Lake objects rewritten: ${report.lakeFilesRewritten}, deleted: ${report.lakeFilesDeleted}; older landing versions deleted: ${report.olderVersionsDeleted}.`,
    `Checked: no lake object holds the user. Audit record: _audit/erasure/${report.requestId}.json (no personal data).`,
    'Not reachable from here (erase or expire them separately):',
    ...report.unreachable.map((item) => `  - ${item}`),
  ];
  return lines.join('\n');
}
