/** Song file → one base_songs row, or the reason the file is set aside. Pure: no I/O. */
import { rejectRow, type RejectRow, type SongRow } from './rows.js';
import {
  BadValueError,
  isPlainObject,
  optionalDouble,
  optionalInt,
  optionalText,
  requiredInt,
  requiredText,
} from './values.js';

export type SongFileResult =
  | { readonly ok: true; readonly row: SongRow }
  | { readonly ok: false; readonly reject: RejectRow };

const BYTE_ORDER_MARK = '\uFEFF';

export function transformSongFile(sourceKey: string, text: string): SongFileResult {
  const reject = (reason: string): SongFileResult => ({
    ok: false,
    reject: rejectRow('song_data', sourceKey, null, reason, text),
  });
  const body = text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text;
  if (body.trim() === '') return reject('empty file');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    return reject(`not valid JSON: ${(error as Error).message}`);
  }
  if (!isPlainObject(parsed)) {
    return reject(`expected one JSON object, got ${Array.isArray(parsed) ? 'an array' : typeof parsed}`);
  }
  try {
    return { ok: true, row: songRow(sourceKey, parsed) };
  } catch (error) {
    if (error instanceof BadValueError) return reject(error.message);
    throw error;
  }
}

function songRow(sourceKey: string, song: Record<string, unknown>): SongRow {
  return {
    song_id: requiredText('song_id', song.song_id),
    title: optionalText('title', song.title),
    artist_id: requiredText('artist_id', song.artist_id),
    artist_name: optionalText('artist_name', song.artist_name),
    artist_location: optionalText('artist_location', song.artist_location),
    artist_latitude: optionalDouble('artist_latitude', song.artist_latitude),
    artist_longitude: optionalDouble('artist_longitude', song.artist_longitude),
    duration: optionalDouble('duration', song.duration),
    num_songs: optionalInt('num_songs', song.num_songs),
    source_key: sourceKey,
    // The partition key: a song without a year has no place in the lake (0 is "unknown").
    year: requiredInt('year', song.year),
  };
}
