/** The seeded dataset the engines convert: generated once per seed and size, then reused. */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { START_DATE, type Settings } from './settings.js';

export interface DatasetInfo {
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
  readonly users: number;
  readonly artists: number;
  readonly generateSeconds: number;
}

interface StoredSummary {
  readonly bytes: { readonly songs: number; readonly logs: number };
  readonly seconds: number;
  readonly expected: {
    readonly songFiles: number;
    readonly logFiles: number;
    readonly events: number;
    readonly nextSongEvents: number;
    readonly goodPlays: number;
    readonly songs: number;
    readonly artists: number;
    readonly users: { readonly total: number };
  };
}

/** `.bench/data-<seed>-s<songs>-e<events>-d<days>/`; `summary.json`, written last, marks it complete. */
export async function ensureDataset(settings: Settings): Promise<DatasetInfo> {
  const dir = join(settings.workDir, `data-${settings.seed}-s${settings.songs}-e${settings.events}-d${settings.days}`);
  const summaryFile = join(dir, 'summary.json');
  const reused = existsSync(summaryFile);
  if (!reused) await generate(settings, dir, summaryFile);
  const summary = JSON.parse(await readFile(summaryFile, 'utf8')) as StoredSummary;
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
    users: summary.expected.users.total,
    artists: summary.expected.artists,
    generateSeconds: summary.seconds,
  };
}

/** The project's generator (what `sparkify-lake generate` runs), no faults. */
async function generate(settings: Settings, dir: string, summaryFile: string): Promise<void> {
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
  await writeFile(summaryFile, JSON.stringify({ ...summary, logFiles: undefined, expected }, null, 2));
}
