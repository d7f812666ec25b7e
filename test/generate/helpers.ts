/** Reading generated data back through the product's own transforms, independently of the generator. */
import { transformLogLines, type LogFileResult } from '../../src/domain/log-transform.js';
import { transformSongFile } from '../../src/domain/song-transform.js';
import type { PlayRow, RejectRow, SongRow } from '../../src/domain/rows.js';

/** The lines a reader of the file sees (utf8Lines: no trailing empty line, none for an empty file). */
export function linesOf(text: string): string[] {
  return text === '' ? [] : text.split('\n');
}

export interface ReadBack {
  readonly songs: SongRow[];
  readonly songRejects: RejectRow[];
  readonly logs: Map<string, LogFileResult>;
  readonly plays: PlayRow[];
  readonly logRejects: RejectRow[];
}

export async function readBack(files: ReadonlyMap<string, string>): Promise<ReadBack> {
  const songs: SongRow[] = [];
  const songRejects: RejectRow[] = [];
  const logs = new Map<string, LogFileResult>();
  for (const [key, text] of files) {
    if (key.startsWith('song_data/')) {
      const result = transformSongFile(key, text);
      if (result.ok) songs.push(result.row);
      else songRejects.push(result.reject);
    } else if (key.startsWith('log_data/')) {
      logs.set(key, await transformLogLines(key, linesOf(text)));
    }
  }
  const results = [...logs.values()];
  return { songs, songRejects, logs, plays: results.flatMap((r) => r.plays), logRejects: results.flatMap((r) => r.rejects) };
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
        (play.session_id > seen.session_id || (play.session_id === seen.session_id && play.item_in_session > seen.item_in_session)));
    if (newer) latest.set(play.user_id, play);
  }
  const paid = [...latest.values()].filter((play) => play.level === 'paid').length;
  return { total: latest.size, paid, free: latest.size - paid };
}
