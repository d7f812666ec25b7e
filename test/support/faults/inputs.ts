/** Input folders for the fault suite: subsets of the sample, and edited copies of its files. */
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sourceKindOf } from '../../../src/domain/layout.js';
import { SAMPLE_DIR } from '../paths.js';

/** Every file under a folder, as keys relative to it ('/'-separated), sorted. */
export function folderKeys(dir: string): string[] {
  const keys: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(join(dir, relative), { withFileTypes: true })) {
      const key = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(key);
      else if (entry.isFile()) keys.push(key);
    }
  };
  walk('');
  return keys.sort();
}

/** The one song of the sample that a play matches ("Setanta matins", Elena's play 15-818-5 at ts 1542837407796). */
export const SETANTA_SONG = 'song_data/A/A/C/TRAACCG128F92E8A55.json';
export const SETANTA_LOG = 'log_data/2018/11/2018-11-21-events.json';
export const SETANTA_PLAY = '15-818-5-1542837407796';

export const SAMPLE_KEYS: readonly string[] = folderKeys(SAMPLE_DIR).filter((key) => sourceKindOf(key) !== undefined);
export const SAMPLE_SONGS: readonly string[] = SAMPLE_KEYS.filter((key) => sourceKindOf(key) === 'song');
export const SAMPLE_LOGS: readonly string[] = SAMPLE_KEYS.filter((key) => sourceKindOf(key) === 'log');

/** A small but meaningful subset: 10 songs (the matched one among them) and 3 logs (its play's day among them). */
export const SMALL_SUBSET: readonly string[] = [
  ...new Set([...SAMPLE_SONGS.slice(0, 9), SETANTA_SONG]),
  'log_data/2018/11/2018-11-01-events.json',
  SETANTA_LOG,
  'log_data/2018/11/2018-11-25-events.json',
].sort();

export function sampleText(key: string): string {
  return readFileSync(join(SAMPLE_DIR, key), 'utf8');
}

/** Copies these sample files into a new input folder. */
export function copySample(dir: string, keys: readonly string[]): string {
  for (const key of keys) {
    mkdirSync(dirname(join(dir, key)), { recursive: true });
    cpSync(join(SAMPLE_DIR, key), join(dir, key));
  }
  return dir;
}

export function writeInput(dir: string, key: string, content: string | Uint8Array): void {
  mkdirSync(dirname(join(dir, key)), { recursive: true });
  writeFileSync(join(dir, key), content);
}

export interface LogEvent {
  readonly page?: unknown;
  readonly ts?: unknown;
  readonly userId?: unknown;
  readonly sessionId?: unknown;
  readonly itemInSession?: unknown;
  readonly [field: string]: unknown;
}

/** The events of a JSON-lines log text (every line is valid JSON in the sample). */
export function logEvents(text: string): LogEvent[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LogEvent);
}

/** songplay_id of every NextSong event, computed from the raw events (the identity userId-sessionId-itemInSession-ts). */
export function playIds(events: readonly LogEvent[]): string[] {
  return events
    .filter((e) => e.page === 'NextSong')
    .map((e) => `${Number(e.userId)}-${String(e.sessionId)}-${String(e.itemInSession)}-${String(e.ts)}`);
}

const DAY_MS = 86_400_000;

/**
 * A new version of a log file: only every `keepEvery`-th event, each moved `days` days later (30
 * days moves November 2018 into December, so its plays change partition).
 */
export function shiftedLog(text: string, options: { days: number; keepEvery: number }): string {
  return logEvents(text)
    .filter((_, i) => i % options.keepEvery === 0)
    .map((event) => JSON.stringify({ ...event, ts: (event.ts as number) + options.days * DAY_MS }))
    .join('\n');
}
