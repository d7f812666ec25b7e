import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import {
  ALL_FAULTS,
  generateDataset,
  isFaultKind,
  type FaultKind,
  type GenerateOptions,
  type GeneratedSummary,
} from '../../generate/index.js';
import { progressBar } from '../progress.js';
import { QUIET_OPTION } from '../options.js';
import { UsageError, type CommandIo } from '../usage-error.js';

export const GENERATE_USAGE = `sparkify-lake generate <out-dir> [--seed N] [--songs N] [--events N] [--days N] [--users N]
    [--start-date YYYY-MM-DD] [--match-share X] [--fault-rate X] [--faults kind,...] [--log-file-mb N]
    [--force] [--json] [-q]
  Writes realistic test data under <out-dir>/song_data/ and <out-dir>/log_data/ (one log file per
  UTC day) in the real formats, from a seed: the same seed and options give the same bytes.
  Defaults: 100 songs, 5000 events over 7 days from 2018-11-01, 50 users, 30% of plays matching a
  song. --log-file-mb sizes each day's file instead of --events. --fault-rate mixes in faults (kinds:
  all, or --faults); the summary lists what ingesting the data must then report. --force replaces
  song_data/ and log_data/ already in <out-dir>; --json prints the whole summary as JSON; -q, --quiet
  draws no progress bar.`;

export const GENERATE_OPTIONS = {
  seed: { type: 'string' },
  songs: { type: 'string' },
  events: { type: 'string' },
  days: { type: 'string' },
  users: { type: 'string' },
  'start-date': { type: 'string' },
  'match-share': { type: 'string' },
  'fault-rate': { type: 'string' },
  faults: { type: 'string' },
  'log-file-mb': { type: 'string' },
  force: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  ...QUIET_OPTION,
} as const;

export async function generateCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: GENERATE_OPTIONS,
  });
  const [outDir, ...extra] = positionals;
  if (!outDir || extra.length > 0) throw new UsageError('generate needs exactly one <out-dir>');
  if (values.events !== undefined && values['log-file-mb'] !== undefined) {
    throw new UsageError('give --events or --log-file-mb, not both');
  }
  const logFileMb = optionalNumber('--log-file-mb', values['log-file-mb'], { positive: true });
  const options: GenerateOptions = {
    ...(values.seed !== undefined ? { seed: values.seed } : {}),
    ...defined('songs', optionalNumber('--songs', values.songs, { whole: true })),
    ...defined('totalEvents', optionalNumber('--events', values.events, { whole: true })),
    ...defined('days', optionalNumber('--days', values.days, { whole: true, positive: true })),
    ...defined('users', optionalNumber('--users', values.users, { whole: true, positive: true })),
    ...defined('startDate', values['start-date']),
    ...defined('matchShare', optionalNumber('--match-share', values['match-share'], { share: true })),
    ...defined('faultRate', optionalNumber('--fault-rate', values['fault-rate'], { share: true })),
    ...defined('faults', faultList(values.faults)),
    ...defined('logFileBytes', logFileMb === undefined ? undefined : Math.round(logFileMb * 1e6)),
    overwrite: values.force,
  };
  const bar = progressBar(values.quiet ? undefined : io.terminal);
  let summary: GeneratedSummary;
  try {
    summary = await generateDataset(resolve(outDir), { ...options, onProgress: bar.update });
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message);
    if ((error as Error).message.includes('already exists'))
      throw new UsageError(`${(error as Error).message} (--force)`);
    throw error;
  } finally {
    bar.done();
  }
  io.out(values.json ? JSON.stringify(summary, null, 2) : renderGenerateSummary(resolve(outDir), summary));
  return 0;
}

export function renderGenerateSummary(outDir: string, summary: GeneratedSummary): string {
  const { expected, songFiles, logFiles, bytes, seconds } = summary;
  const mb = (value: number) => (value / 1e6).toFixed(value < 1e7 ? 2 : 0);
  const lines = [
    `Generated ${songFiles.total} song files and ${logFiles.length} log files in ${outDir} (seed ${summary.seed}): ` +
      `${mb(bytes.total)} MB in ${seconds.toFixed(1)} s (${mb(bytes.total / Math.max(seconds, 1e-3))} MB/s)`,
    `  song files: ${songFiles.pretty} pretty, ${songFiles.compact} compact; ${songFiles.bad} bad`,
    `  log files: ${logFiles.length === 0 ? 'none' : `${logFiles[0]?.date} … ${logFiles.at(-1)?.date}`}, ` +
      `${mb(bytes.logs)} MB, ${expected.events} events (${expected.nextSongEvents} NextSong), ${expected.blankLines} blank lines` +
      (logFiles.some((file) => file.fileFaults.length > 0)
        ? `; ${logFiles.filter((file) => file.fileFaults.includes('crlf')).length} CRLF, ${logFiles.filter((file) => file.fileFaults.includes('bom')).length} with a BOM`
        : ''),
    'Ingesting it must give:',
    `  songplays ${expected.goodPlays} (${expected.matchedPlays} with a song), users ${expected.users.total} ` +
      `(${expected.users.paid} paid, ${expected.users.free} free), songs ${expected.songs} (${expected.songsYear0} of year 0), artists ${expected.artists}`,
    `  set aside ${expected.rejects}: ${expected.badRecords.length} bad log records, ${expected.badSongFiles.length} bad song files, ` +
      `${expected.fieldRejects.length} fields of kept records (stored as NULL); ${expected.rescuedFields} unknown fields rescued`,
  ];
  const bad = [
    ...expected.badSongFiles.map((file) => `    ${file.key}: ${file.fault}`),
    ...expected.badRecords.map((record) => `    ${record.key} line ${record.line}: ${record.fault}`),
  ];
  lines.push(...bad.slice(0, 20));
  if (bad.length > 20) lines.push(`    … and ${bad.length - 20} more (--json lists them all)`);
  return lines.join('\n');
}

function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function optionalNumber(
  flag: string,
  text: string | undefined,
  rules: { whole?: boolean; positive?: boolean; share?: boolean },
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  const ok =
    text.trim() !== '' &&
    Number.isFinite(value) &&
    (!rules.whole || Number.isSafeInteger(value)) &&
    (rules.positive ? value > 0 : value >= 0) &&
    (!rules.share || value <= 1);
  if (!ok) {
    const kind = rules.share
      ? 'a number from 0 to 1'
      : `a ${rules.positive ? 'positive' : 'non-negative'} ${rules.whole ? 'whole number' : 'number'}`;
    throw new UsageError(`${flag} takes ${kind}, not ${text}`);
  }
  return value;
}

function faultList(text: string | undefined): FaultKind[] | undefined {
  if (text === undefined) return undefined;
  const kinds = text
    .split(',')
    .map((kind) => kind.trim())
    .filter((kind) => kind !== '');
  for (const kind of kinds)
    if (!isFaultKind(kind)) throw new UsageError(`unknown fault kind ${kind}; kinds: ${ALL_FAULTS.join(', ')}`);
  return kinds as FaultKind[];
}
