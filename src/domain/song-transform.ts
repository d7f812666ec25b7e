/**
 * Song file → one base_songs row, or the reason the file is set aside. Pure: no I/O.
 *
 * The contract's rules for a song file: it must be valid UTF-8 holding one JSON object (no
 * duplicated key, no lone surrogate escape) with a usable song_id and artist_id (the key fields),
 * else the file is bad. Any other field with an invalid value is stored as NULL (year as 0,
 * unknown), the song is kept, and a rejects row names the field. Fields the schema does not know
 * are kept, as JSON text, in rescued_data.
 */
import { JsonRecordError, JsonRecordReader, type JsonKind } from './json-record.js';
import { rejectRow, type RejectRow, type SongRow } from './rows.js';
import { invalidUtf8Problem } from './utf8-lines.js';
import { BadValueError, optionalDouble, optionalInt, optionalText, requiredText } from './values.js';

export type SongFileResult =
  | {
      readonly ok: true;
      readonly row: SongRow;
      /** Fields set aside (stored as NULL or year 0), one rejects row each; the row is kept. */
      readonly rejects: readonly RejectRow[];
      /** Fields the schema does not know, kept in the row's rescued_data. */
      readonly rescuedFields: number;
    }
  | { readonly ok: false; readonly reject: RejectRow };

/** The fields of a song file (the contract's list); any other field is rescued. */
export const SONG_FIELDS = [
  'num_songs',
  'artist_id',
  'artist_latitude',
  'artist_longitude',
  'artist_location',
  'artist_name',
  'song_id',
  'title',
  'duration',
  'year',
] as const;

type SongField = (typeof SONG_FIELDS)[number];

const BYTE_ORDER_MARK = '\uFEFF';
/** A release year: 0 (unknown) or a plausible calendar year; it names a partition folder. */
const MAX_YEAR = 9999;

/** A song file as it arrived, bytes: invalid UTF-8 makes it a bad file (never repaired into U+FFFD). */
export function transformSongBytes(sourceKey: string, bytes: Uint8Array): SongFileResult {
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  // Only text with U+FFFD can hide invalid bytes; a genuine U+FFFD (EF BF BD) is valid.
  if (text.includes('\uFFFD')) {
    const problem = invalidUtf8Problem(bytes);
    if (problem !== undefined) return fileRejected(sourceKey, `not valid UTF-8: ${problem}`, text);
  }
  return transformSongFile(sourceKey, text);
}

/** A song file as text (already known to be valid Unicode, or from a test). */
export function transformSongFile(sourceKey: string, text: string): SongFileResult {
  const body = text.startsWith(BYTE_ORDER_MARK) ? text.slice(1) : text;
  if (body.trim() === '') return fileRejected(sourceKey, 'empty file', text);
  const reader = new JsonRecordReader(SONG_FIELDS);
  try {
    reader.read(body);
  } catch (error) {
    if (!(error instanceof JsonRecordError)) throw error;
    if (error.problem === 'not-an-object')
      return fileRejected(sourceKey, error.message.replace('a JSON object', 'one JSON object'), text);
    return fileRejected(
      sourceKey,
      error.problem === 'syntax' ? `not valid JSON: ${error.message}` : error.message,
      text,
    );
  }
  const kindOf = (name: SongField): JsonKind | undefined => {
    const field = reader.fieldOf(SONG_FIELDS.indexOf(name));
    return field < 0 ? undefined : reader.kind(field);
  };
  const fieldText = (name: SongField): string => {
    const field = reader.fieldOf(SONG_FIELDS.indexOf(name));
    return field < 0 ? '' : reader.value(field);
  };
  let songId: string;
  let artistId: string;
  try {
    songId = requiredText('song_id', kindOf('song_id'), fieldText('song_id'));
    artistId = requiredText('artist_id', kindOf('artist_id'), fieldText('artist_id'));
  } catch (error) {
    if (error instanceof BadValueError) return fileRejected(sourceKey, error.message, text);
    throw error;
  }
  const rejects: RejectRow[] = [];
  /** A non-key field's value, or `fallback` and a rejects row when it is invalid. */
  const kept = <T>(
    name: SongField,
    read: (kind: JsonKind | undefined, value: string) => T,
    fallback: T,
    storedAs: string,
  ): T => {
    try {
      return read(kindOf(name), fieldText(name));
    } catch (error) {
      if (!(error instanceof BadValueError)) throw error;
      rejects.push(
        rejectRow(
          'song_data',
          sourceKey,
          null,
          `${error.message}; stored as ${storedAs}, the song is kept`,
          text,
          name,
        ),
      );
      return fallback;
    }
  };
  const textField = (name: SongField) => kept(name, (kind, value) => optionalText(name, kind, value), null, 'NULL');
  const doubleField = (name: SongField, min?: number, max?: number) =>
    kept(name, (kind, value) => optionalDouble(name, kind, value, min, max), null, 'NULL');
  let rescued: string | null = null;
  for (let field = 0; field < reader.count; field++) {
    if (reader.slot(field) !== -1) continue;
    rescued = rescued === null ? `{${reader.rawField(field)}` : `${rescued},${reader.rawField(field)}`;
  }
  const row: SongRow = {
    song_id: songId,
    title: textField('title'),
    artist_id: artistId,
    artist_name: textField('artist_name'),
    artist_location: textField('artist_location'),
    artist_latitude: doubleField('artist_latitude', -90, 90),
    artist_longitude: doubleField('artist_longitude', -180, 180),
    duration: doubleField('duration'),
    num_songs: kept('num_songs', (kind, value) => optionalInt('num_songs', kind, value), null, 'NULL'),
    source_key: sourceKey,
    rescued_data: rescued === null ? null : `${rescued}}`,
    // The partition key: no value, or an invalid one, is 0, the data's own "unknown".
    year: kept('year', (kind, value) => optionalInt('year', kind, value, 0, MAX_YEAR) ?? 0, 0, '0 (unknown)'),
  };
  return { ok: true, row, rejects, rescuedFields: reader.unknownCount };
}

function fileRejected(sourceKey: string, reason: string, text: string): SongFileResult {
  return { ok: false, reject: rejectRow('song_data', sourceKey, null, reason, text) };
}
