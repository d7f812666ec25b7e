/**
 * Realistic Sparkify test data at any size, from a seed: song files in both real formats and
 * daily event logs, optionally with faults mixed in, plus the exact figures the pipeline must
 * produce from them (counted from what was written, never estimated). Used by the fault tests and
 * the benchmark; `sparkify-lake generate` is the command-line face.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { faultsByScope, type FaultKind, type SongFault } from './faults.js';
import {
  DAY_MS,
  LogWorld,
  logFileKey,
  writeLogDay,
  type ExpectedBadRecord,
  type ExpectedFieldReject,
  type LogFileExpectation,
  type LogFileFaultOptions,
} from './logs.js';
import {
  FsDatasetSink,
  MemoryChunkWriter,
  MemoryDatasetSink,
  fileChunkWriter,
  type ChunkWriter,
  type DatasetSink,
} from './output.js';
import { Random, type Seed } from './random.js';
import {
  generateCatalogue,
  losingCopyKey,
  renderSongFile,
  renderSongFileWithFault,
  songMatchKey,
  type CatalogueSong,
} from './songs.js';

export { Random, WeightedTable, zipfWeights, type Seed } from './random.js';
export {
  generateCatalogue,
  losingCopyKey,
  renderSongFile,
  renderFaultySongFile,
  renderSongFileWithFault,
  songFileKey,
  songMatchKey,
  type CatalogueSong,
  type RenderedSongFile,
  type SongFileFormat,
} from './songs.js';
export {
  LogWorld,
  writeLogDay,
  logFileKey,
  type ExpectedBadRecord,
  type ExpectedFieldReject,
  type LogFileExpectation,
} from './logs.js';
export {
  ALL_FAULTS,
  BAD_LINE_FAULTS,
  BAD_SONG_FAULTS,
  LOG_FILE_FAULTS,
  LOG_LINE_FAULTS,
  SONG_FAULTS,
  isFaultKind,
  type FaultKind,
  type LogFileFault,
  type LogLineFault,
  type SongFault,
} from './faults.js';
export { MemoryChunkWriter, fileChunkWriter, type ChunkWriter, type DatasetSink } from './output.js';
export { jsonString, mojibake } from './json-text.js';

export const DEFAULT_START_DATE = '2018-11-01';

export interface GenerateOptions {
  /** Same seed and options, byte-identical output (default 1). */
  readonly seed?: Seed;
  /** Song files (default 100); about songs/1.5 artists. */
  readonly songs?: number;
  /** Users 1..users (default 50). */
  readonly users?: number;
  /** First day of the logs, YYYY-MM-DD (default 2018-11-01). */
  readonly startDate?: string;
  /** Log files, one per UTC day (default 7). */
  readonly days?: number;
  /** Events in each day's file... */
  readonly eventsPerDay?: number;
  /** ...or in all files together, spread unevenly over the days (default 5,000)... */
  readonly totalEvents?: number;
  /** ...or each day's file grows to at least this many bytes (overrides the event counts). */
  readonly logFileBytes?: number;
  /** Share of NextSong events that name a catalogue song exactly (default 0.3). */
  readonly matchShare?: number;
  /** Share of song files in the compact sorted-keys format (default 0.5). */
  readonly compactShare?: number;
  /**
   * Probability of a fault per log line, per song file, and (for each file fault) per log file.
   * Default 0: no faults. Faults that do not apply to a line (NextSong faults on a Home event) are
   * not replaced by another, so the share of bad lines is somewhat below the rate.
   */
  readonly faultRate?: number;
  /** The fault kinds to draw from (default: all). */
  readonly faults?: readonly FaultKind[];
  /** Remove song_data/ and log_data/ already in the output folder (otherwise an error). */
  readonly overwrite?: boolean;
  readonly onProgress?: (progress: GenerateProgress) => void;
}

/** Same shape as the ingest progress, so the CLI's progress bar can show it. */
export interface GenerateProgress {
  readonly done: number;
  readonly total: number;
  readonly current: string;
}

export interface ExpectedBadSongFile {
  readonly key: string;
  readonly fault: SongFault;
}

/** What processing every generated file must produce. */
export interface ExpectedFigures {
  readonly files: number;
  readonly songFiles: number;
  readonly logFiles: number;
  /** Log lines that are JSON objects, any page (bad NextSong events included). */
  readonly events: number;
  readonly nextSongEvents: number;
  /** NextSong events that become plays (songplays rows). */
  readonly goodPlays: number;
  /** Play rows written again under an identity already written (base_plays rows = goodPlays + these). */
  readonly duplicatePlays: number;
  /** Song files repeating a song_id under a greater key (base_songs rows = songs + these); songs has the first. */
  readonly losingSongCopies: number;
  /** Plays whose song, artist and length equal a good song file's title, artist_name and duration. */
  readonly matchedPlays: number;
  readonly blankLines: number;
  readonly badRecords: readonly ExpectedBadRecord[];
  readonly badSongFiles: readonly ExpectedBadSongFile[];
  /** Fields of kept plays and songs set aside (stored as NULL, a song's year as 0), one rejects row each. */
  readonly fieldRejects: readonly ExpectedFieldReject[];
  /** Rows set aside in all: bad records, bad song files and fields set aside. */
  readonly rejects: number;
  /** Fields the schema does not know, rescued in the plays' and songs' rescued_data. */
  readonly rescuedFields: number;
  /** songs rows (one per good song file: song ids are unique) and how many have year 0. */
  readonly songs: number;
  readonly songsYear0: number;
  /** artists rows: distinct artist ids over good song files. */
  readonly artists: number;
  /** users rows, and their level from each user's latest play. */
  readonly users: { readonly total: number; readonly paid: number; readonly free: number };
}

export interface GeneratedSummary {
  readonly seed: string;
  readonly settings: ResolvedSettings;
  readonly songFiles: {
    readonly total: number;
    readonly pretty: number;
    readonly compact: number;
    readonly bad: number;
    /** Second files of a song_id (the song-duplicate-id fault), included in total, pretty and compact. */
    readonly losingCopies: number;
  };
  readonly logFiles: readonly LogFileExpectation[];
  readonly bytes: { readonly songs: number; readonly logs: number; readonly total: number };
  readonly seconds: number;
  readonly expected: ExpectedFigures;
}

export interface ResolvedSettings {
  readonly songs: number;
  readonly users: number;
  readonly startDate: string;
  readonly days: number;
  /** Events per day's file; null when sized by bytes. */
  readonly eventsPerDay: readonly number[] | null;
  readonly logFileBytes: number | null;
  readonly matchShare: number;
  readonly compactShare: number;
  readonly faultRate: number;
  readonly faults: readonly FaultKind[];
}

/** Writes a dataset under `outDir` (song_data/, log_data/) and returns what it must yield. */
export async function generateDataset(outDir: string, options: GenerateOptions = {}): Promise<GeneratedSummary> {
  for (const folder of ['song_data', 'log_data']) {
    const path = join(outDir, folder);
    if (!existsSync(path)) continue;
    if (!options.overwrite) throw new Error(`${path} already exists: choose an empty folder, or overwrite`);
    await rm(path, { recursive: true, force: true });
  }
  return generateInto(new FsDatasetSink(outDir), options, 32);
}

export interface GeneratedDataset {
  /** File contents by key (`song_data/...`, `log_data/...`), as text (a byte that is not UTF-8 reads as U+FFFD)... */
  readonly files: ReadonlyMap<string, string>;
  /** ...and as their exact bytes. */
  readonly fileBytes: ReadonlyMap<string, Uint8Array>;
  readonly catalogue: readonly CatalogueSong[];
  readonly summary: GeneratedSummary;
}

/** The same dataset held in memory: for small tests. */
export async function generateDatasetInMemory(options: GenerateOptions = {}): Promise<GeneratedDataset> {
  const sink = new MemoryDatasetSink();
  let catalogue: readonly CatalogueSong[] = [];
  const summary = await generateInto(sink, options, 1, (songs) => (catalogue = songs));
  return { files: sink.files, fileBytes: sink.fileBytes, catalogue, summary };
}

function resolveSettings(options: GenerateOptions): ResolvedSettings {
  const songs = options.songs ?? 100;
  const users = options.users ?? 50;
  const days = options.days ?? 7;
  const startDate = options.startDate ?? DEFAULT_START_DATE;
  wholeNumber('songs', songs, 0);
  wholeNumber('users', users, 1);
  wholeNumber('days', days, 1);
  dayStart(startDate);
  const share = (name: string, value: number) => {
    if (!(value >= 0 && value <= 1)) throw new RangeError(`${name} must be between 0 and 1, not ${value}`);
    return value;
  };
  const logFileBytes = options.logFileBytes ?? null;
  if (logFileBytes !== null && !(logFileBytes > 0))
    throw new RangeError(`logFileBytes must be positive, not ${logFileBytes}`);
  let eventsPerDay: number[] | null = null;
  if (logFileBytes === null) {
    if (options.eventsPerDay !== undefined) {
      wholeNumber('eventsPerDay', options.eventsPerDay, 0);
      eventsPerDay = Array.from({ length: days }, () => options.eventsPerDay as number);
    } else {
      const total = options.totalEvents ?? 5_000;
      wholeNumber('totalEvents', total, 0);
      eventsPerDay = spread(total, days, new Random(options.seed ?? 1).fork('day-weights'));
    }
  }
  const faults = faultsByScope(options.faults);
  return {
    songs,
    users,
    startDate,
    days,
    eventsPerDay,
    logFileBytes,
    matchShare: share('matchShare', options.matchShare ?? 0.3),
    compactShare: share('compactShare', options.compactShare ?? 0.5),
    faultRate: share('faultRate', options.faultRate ?? 0),
    faults: [...faults.line, ...faults.file, ...faults.song],
  };
}

async function generateInto(
  sink: DatasetSink,
  options: GenerateOptions,
  concurrency: number,
  keepCatalogue?: (songs: CatalogueSong[]) => void,
): Promise<GeneratedSummary> {
  const started = performance.now();
  const settings = resolveSettings(options);
  const rng = new Random(options.seed ?? 1);
  const scopes = faultsByScope(settings.faults);
  const faultRate = settings.faultRate;
  const totalFiles = settings.songs + settings.days;
  let filesDone = 0;
  const progress = (current: string) => options.onProgress?.({ done: filesDone, total: totalFiles, current });

  // Songs.
  const catalogue = generateCatalogue(rng.fork('songs'), {
    songs: settings.songs,
    compactShare: settings.compactShare,
  });
  keepCatalogue?.(catalogue);
  const songFaults = rng.fork('song-faults');
  const goodSongKeys = new Set<string>();
  const goodArtists = new Set<string>();
  const badSongFiles: ExpectedBadSongFile[] = [];
  const songFieldRejects: ExpectedFieldReject[] = [];
  let songRescuedFields = 0;
  let losingCopies = 0;
  let songBytes = 0;
  let songsYear0 = 0;
  let pretty = 0;
  const pending = new Set<Promise<void>>();
  for (const song of catalogue) {
    const fault =
      faultRate > 0 && scopes.song.length > 0 && songFaults.chance(faultRate)
        ? songFaults.pick(scopes.song)
        : undefined;
    const rendered = fault ? renderSongFileWithFault(song, fault, songFaults) : undefined;
    const content = rendered ? rendered.content : renderSongFile(song);
    if (song.format === 'pretty') pretty++;
    if (fault && rendered?.bad) badSongFiles.push({ key: song.key, fault });
    else {
      // What the lake stores for this song (a fault may change its title's text, its year or duration).
      const stored = rendered?.stored ?? { title: song.title, year: song.year, duration: song.duration };
      goodSongKeys.add(songMatchKey(stored.title, song.artistName, stored.duration));
      goodArtists.add(song.artistId);
      if (stored.year === 0) songsYear0++;
      if (fault && rendered?.fieldSetAside)
        songFieldRejects.push({ key: song.key, line: null, field: rendered.fieldSetAside, fault });
      songRescuedFields += rendered?.rescuedFields ?? 0;
    }
    songBytes += typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.length;
    const write = sink.writeFile(song.key, content).then(() => {
      pending.delete(write);
      filesDone++;
      progress(song.key);
    });
    pending.add(write);
    if (rendered?.losingCopy !== undefined) {
      losingCopies++;
      if (song.format === 'pretty') pretty++;
      songBytes += Buffer.byteLength(rendered.losingCopy, 'utf8');
      const copy = sink.writeFile(losingCopyKey(song.key), rendered.losingCopy).then(() => {
        pending.delete(copy);
        filesDone++;
      });
      pending.add(copy);
    }
    if (pending.size >= concurrency) await Promise.race(pending);
  }
  await Promise.all(pending);

  // Logs.
  const startMs = dayStart(settings.startDate);
  const world = new LogWorld(rng.fork('logs'), {
    users: settings.users,
    catalogue,
    goodSongKeys,
    matchShare: settings.matchShare,
    startMs,
  });
  const faults: LogFileFaultOptions = { rate: faultRate, line: scopes.line, file: scopes.file };
  const logFiles: LogFileExpectation[] = [];
  for (let day = 0; day < settings.days; day++) {
    const dayStartMs = startMs + day * DAY_MS;
    const key = logFileKey(dayStartMs);
    const writer = await sink.openStream(key);
    progress(key);
    const expectation = await writeLogDay(world, writer, {
      key,
      dayStartMs,
      ...(settings.eventsPerDay
        ? { events: settings.eventsPerDay[day] as number }
        : { targetBytes: settings.logFileBytes as number }),
      faults,
      rng: rng.fork(`day:${key}`),
      faultRng: rng.fork(`faults:${key}`),
      onBytes: (bytes) => progress(`${key} ${(bytes / 1e6).toFixed(0)} MB`),
    });
    logFiles.push(expectation);
    filesDone++;
    progress(key);
  }

  const sum = (pick: (file: LogFileExpectation) => number) => logFiles.reduce((total, file) => total + pick(file), 0);
  const badRecords = logFiles.flatMap((file) => file.badRecords);
  const fieldRejects = [...songFieldRejects, ...logFiles.flatMap((file) => file.fieldRejects)];
  const logBytes = sum((file) => file.bytes);
  return {
    seed: String(options.seed ?? 1),
    settings,
    songFiles: {
      total: catalogue.length + losingCopies,
      pretty,
      compact: catalogue.length + losingCopies - pretty,
      bad: badSongFiles.length,
      losingCopies,
    },
    logFiles,
    bytes: { songs: songBytes, logs: logBytes, total: songBytes + logBytes },
    seconds: (performance.now() - started) / 1000,
    expected: {
      files: catalogue.length + losingCopies + logFiles.length,
      songFiles: catalogue.length + losingCopies,
      losingSongCopies: losingCopies,
      logFiles: logFiles.length,
      events: sum((file) => file.events),
      nextSongEvents: sum((file) => file.nextSongEvents),
      goodPlays: sum((file) => file.goodPlays),
      duplicatePlays: sum((file) => file.duplicatePlays),
      matchedPlays: sum((file) => file.matchedPlays),
      blankLines: sum((file) => file.blankLines),
      badRecords,
      badSongFiles,
      fieldRejects,
      rejects: badRecords.length + badSongFiles.length + fieldRejects.length,
      rescuedFields: songRescuedFields + sum((file) => file.rescuedFields),
      songs: catalogue.length - badSongFiles.length,
      songsYear0,
      artists: goodArtists.size,
      users: world.expectedUsers(),
    },
  };
}

export interface LogFileOptions {
  readonly seed?: Seed;
  /** The file's UTC day, YYYY-MM-DD (default 2018-11-01). */
  readonly date?: string;
  /** Exactly this many events (default 10,000 unless targetBytes is given)... */
  readonly events?: number;
  /** ...or events until the file holds at least this many bytes. */
  readonly targetBytes?: number;
  readonly users?: number;
  /** The catalogue plays can match: a size (generated from the seed as generateDataset does; default 500) or the songs. */
  readonly songs?: number | readonly CatalogueSong[];
  readonly matchShare?: number;
  readonly faultRate?: number;
  readonly faults?: readonly FaultKind[];
  /** The key the expectations name (default `log_data/YYYY/MM/YYYY-MM-DD-events.json`). */
  readonly key?: string;
  readonly onBytes?: (bytes: number) => void;
}

/** One log file through any chunk writer (the core of generateLogFile; tests can count the chunks). */
export async function writeLogFile(
  writer: ChunkWriter,
  options: LogFileOptions = {},
): Promise<LogFileExpectation & { users: ExpectedFigures['users'] }> {
  const rng = new Random(options.seed ?? 1);
  const dayStartMs = dayStart(options.date ?? DEFAULT_START_DATE);
  const songs = options.songs ?? 500;
  const catalogue = typeof songs === 'number' ? generateCatalogue(rng.fork('songs'), { songs }) : songs;
  const goodSongKeys = new Set(catalogue.map((song) => songMatchKey(song.title, song.artistName, song.duration)));
  const world = new LogWorld(rng.fork('logs'), {
    users: options.users ?? 50,
    catalogue,
    goodSongKeys,
    startMs: dayStartMs,
    ...(options.matchShare === undefined ? {} : { matchShare: options.matchShare }),
  });
  const scopes = faultsByScope(options.faults);
  const faultRate = options.faultRate ?? 0;
  if (!(faultRate >= 0 && faultRate <= 1)) throw new RangeError(`faultRate must be between 0 and 1, not ${faultRate}`);
  const key = options.key ?? logFileKey(dayStartMs);
  const expectation = await writeLogDay(world, writer, {
    key,
    dayStartMs,
    ...(options.targetBytes !== undefined
      ? { targetBytes: options.targetBytes }
      : { events: options.events ?? 10_000 }),
    faults: { rate: faultRate, line: scopes.line, file: scopes.file },
    rng: rng.fork(`day:${key}`),
    faultRng: rng.fork(`faults:${key}`),
    ...(options.onBytes ? { onBytes: options.onBytes } : {}),
  });
  return { ...expectation, users: world.expectedUsers() };
}

/** One (possibly very large) log file at `path`, streamed to disk. */
export async function generateLogFile(
  path: string,
  options: LogFileOptions = {},
): Promise<LogFileExpectation & { users: ExpectedFigures['users'] }> {
  await mkdir(dirname(path), { recursive: true });
  return writeLogFile(fileChunkWriter(path), options);
}

/** One log file in memory: for small tests. `text` reads a byte that is not UTF-8 as U+FFFD; `bytes` are exact. */
export async function generateLogText(
  options: LogFileOptions = {},
): Promise<{ text: string; bytes: Uint8Array; expectation: LogFileExpectation }> {
  const writer = new MemoryChunkWriter();
  const expectation = await writeLogFile(writer, options);
  return { text: writer.text(), bytes: writer.bytes(), expectation };
}

function wholeNumber(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min)
    throw new RangeError(`${name} must be a whole number ≥ ${min}, not ${value}`);
}

/** Midnight UTC of a YYYY-MM-DD date, epoch ms. */
export function dayStart(date: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (!match || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new RangeError(`startDate must be a date as YYYY-MM-DD, not ${date}`);
  }
  return ms;
}

/** `total` split over `parts` with uneven weights (busier and quieter days), summing exactly. */
function spread(total: number, parts: number, rng: Random): number[] {
  const weights = Array.from({ length: parts }, () => rng.float(0.75, 1.25));
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((weight) => (total * weight) / weightSum);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact
    .map((value, i) => [value - Math.floor(value), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of byRemainder) {
    if (left-- <= 0) break;
    counts[i] = (counts[i] as number) + 1;
  }
  return counts;
}
