/** Reading generated data back through the product's own transforms, independently of the generator. */
import { transformLogStreamInto, type LogFileResult } from '../../src/domain/log-transform.js';
import { transformSongBytes } from '../../src/domain/song-transform.js';
import type { PlayRow, RejectRow, SongRow } from '../../src/domain/rows.js';

/** The lines a reader of the file sees (utf8Lines: no trailing empty line, none for an empty file). */
export function linesOf(text: string): string[] {
  return text === '' ? [] : text.split('\n');
}

export interface ReadBack {
  readonly songs: SongRow[];
  /** Bad song files and fields set aside in kept ones. */
  readonly songRejects: RejectRow[];
  /** Fields of kept songs the schema does not know. */
  readonly songRescuedFields: number;
  readonly logs: Map<string, LogFileResult>;
  readonly plays: PlayRow[];
  readonly logRejects: RejectRow[];
}

/** Reads files as the worker does: bytes, log files streamed line by line in small chunks. */
export async function readBack(files: ReadonlyMap<string, Uint8Array>): Promise<ReadBack> {
  const songs: SongRow[] = [];
  const songRejects: RejectRow[] = [];
  let songRescuedFields = 0;
  const logs = new Map<string, LogFileResult>();
  for (const [key, bytes] of files) {
    if (key.startsWith('song_data/')) {
      const result = transformSongBytes(key, bytes);
      if (result.ok) {
        songs.push(result.row);
        songRejects.push(...result.rejects);
        songRescuedFields += result.rescuedFields;
      } else songRejects.push(result.reject);
    } else if (key.startsWith('log_data/')) {
      logs.set(key, await transformLogBytes(key, bytes));
    }
  }
  const results = [...logs.values()];
  return {
    songs,
    songRejects,
    songRescuedFields,
    logs,
    plays: results.flatMap((r) => r.plays),
    logRejects: results.flatMap((r) => r.rejects),
  };
}

/** One row per song_id, from the smallest source key: the copy songs, artists and the matching use. */
export function winningSongs(songs: readonly SongRow[]): SongRow[] {
  const winners = new Map<string, SongRow>();
  for (const song of songs) {
    const known = winners.get(song.song_id);
    if (!known || song.source_key < known.source_key) winners.set(song.song_id, song);
  }
  return [...winners.values()];
}

/** One log file's bytes through the transform, in 4 KiB chunks (lines cross chunk boundaries). */
export async function transformLogBytes(key: string, bytes: Uint8Array): Promise<LogFileResult> {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (let at = 0; at < bytes.length; at += 4096) yield bytes.subarray(at, at + 4096);
  }
  const plays: PlayRow[] = [];
  const rejects: RejectRow[] = [];
  const stats = await transformLogStreamInto(key, chunks(), {
    play: (row) => plays.push(row),
    reject: (row) => rejects.push(row),
  });
  return { plays, rejects, stats };
}

/** The songplays join, done here from the rows: title = song, artist_name = artist, duration = length. */
export function matchedPlays(songs: readonly SongRow[], plays: readonly PlayRow[]): number {
  const keys = new Set(songs.map((song) => JSON.stringify([song.title, song.artist_name, song.duration])));
  return plays.filter((play) => keys.has(JSON.stringify([play.song, play.artist, play.length]))).length;
}

/** users rows from the plays: level of each user's latest play (ts, then session, then item). */
export function usersFrom(plays: readonly PlayRow[]): { total: number; paid: number; free: number } {
  const latest = new Map<number, PlayRow>();
  for (const play of plays) {
    const seen = latest.get(play.user_id);
    const newer =
      !seen ||
      play.start_time > seen.start_time ||
      (play.start_time === seen.start_time &&
        (play.session_id > seen.session_id ||
          (play.session_id === seen.session_id && play.item_in_session > seen.item_in_session)));
    if (newer) latest.set(play.user_id, play);
  }
  const paid = [...latest.values()].filter((play) => play.level === 'paid').length;
  return { total: latest.size, paid, free: latest.size - paid };
}
