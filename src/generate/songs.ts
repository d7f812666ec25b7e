/**
 * The song catalogue: N songs by about N/1.5 artists, and their song files in the two formats
 * that occur in the real data (pretty-printed in the schema's field order, and compact with sorted
 * keys), ASCII-only with `\uXXXX` escapes, no trailing newline.
 */
import { RESPELLED_NUMBER_TOKENS, type SongFault } from './faults.js';
import { JsonToken, jsonFloat, jsonString, jsonTextValue, storedText } from './json-text.js';
import type { Random } from './random.js';
import {
  ACCENTED_WORDS,
  ARTIST_LOCATIONS,
  ASCII_WORDS,
  CJK_WORDS,
  EMOJI,
  FIRST_NAMES_F,
  FIRST_NAMES_M,
  LAST_NAMES,
  NUMERIC_ARTISTS,
  NUMERIC_TITLES,
  TITLE_SUFFIXES,
} from './words.js';

export type SongFileFormat = 'pretty' | 'compact';

export interface CatalogueSong {
  readonly trackId: string;
  /** `song_data/<T>/<R>/<A>/<TRACKID>.json`, from the 3rd-5th characters of the track id. */
  readonly key: string;
  readonly songId: string;
  /** Text, or a JSON number when the title is one (4.6). */
  readonly title: string | number;
  readonly artistId: string;
  readonly artistName: string | number;
  readonly artistLocation: string;
  readonly latitude: number | null;
  readonly longitude: number | null;
  /** Seconds, 5 decimals. */
  readonly duration: number;
  /** 0 = unknown. */
  readonly year: number;
  readonly format: SongFileFormat;
}

export interface CatalogueOptions {
  readonly songs: number;
  /** Share of files in the compact, sorted-keys format (default 0.5). */
  readonly compactShare?: number;
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

const ACCENTED_ARTISTS = [
  'Beyoncé',
  'Sigur Rós',
  'Mötley Crüe',
  'Björk',
  'Édith Piaf',
  'Antonín Dvořák',
  'Céline Dion',
  'Maná',
  'Motörhead',
  'Blue Öyster Cult',
  'Hüsker Dü',
  'Françoise Hardy',
  'Café Tacvba',
  'Múm',
  'Sébastien Tellier',
];
const CJK_ARTISTS = ['宇多田ヒカル', '坂本龍一', '방탄소년단', '周杰倫', '椎名林檎', '少女時代'];

export function songFileKey(trackId: string): string {
  return `song_data/${trackId[2]}/${trackId[3]}/${trackId[4]}/${trackId}.json`;
}

/** The key a play is joined on, as the lake compares it: stored text of title and artist, exact duration. */
export function songMatchKey(
  title: string | number | JsonToken | null,
  artist: string | number | JsonToken | null,
  duration: number | null,
): string {
  return `${storedText(title)}\u0000${storedText(artist)}\u0000${duration === null ? 'null' : String(duration)}`;
}

export function generateCatalogue(rng: Random, options: CatalogueOptions): CatalogueSong[] {
  const count = options.songs;
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`songs must be a whole number ≥ 0, not ${count}`);
  const compactShare = options.compactShare ?? 0.5;
  const used = new Set<string>();
  const uniqueId = (make: () => string) => {
    for (;;) {
      const id = make();
      if (!used.has(id)) {
        used.add(id);
        return id;
      }
    }
  };
  const artistCount = count === 0 ? 0 : Math.max(1, Math.round(count / 1.5));
  const artists = Array.from({ length: artistCount }, () => {
    const hasCoordinates = rng.chance(0.45);
    return {
      id: uniqueId(() => `AR${rng.chars(ID_ALPHABET, 16)}`),
      name: randomArtistName(rng),
      location: rng.chance(0.4) ? '' : rng.pick(ARTIST_LOCATIONS),
      latitude: hasCoordinates ? round5(rng.float(-55, 70)) : null,
      longitude: hasCoordinates ? round5(rng.float(-170, 175)) : null,
    };
  });
  // Every artist has a song; the rest go to artists at random, so some have several.
  const artistOfSong = rng.shuffle(Array.from({ length: artistCount }, (_, i) => i));
  while (artistOfSong.length < count) artistOfSong.push(rng.int(0, artistCount - 1));
  const songs: CatalogueSong[] = [];
  for (let i = 0; i < count; i++) {
    const artist = artists[artistOfSong[i] as number];
    if (!artist) throw new Error('no artist for a song');
    const trackId = uniqueId(() => `TR${rng.chars(LETTERS, 3)}${rng.chars(ID_ALPHABET, 13)}`);
    songs.push({
      trackId,
      key: songFileKey(trackId),
      songId: uniqueId(() => `SO${rng.chars(ID_ALPHABET, 16)}`),
      title: randomTitle(rng),
      artistId: artist.id,
      artistName: artist.name,
      // The same artist id sometimes comes with another location on another song.
      artistLocation: rng.chance(0.05) ? rng.pick(ARTIST_LOCATIONS) : artist.location,
      latitude: artist.latitude,
      longitude: artist.longitude,
      duration: randomDuration(rng),
      year: rng.chance(0.6) ? 0 : rng.int(1955, 2010),
      format: rng.chance(compactShare) ? 'compact' : 'pretty',
    });
  }
  return songs;
}

export function randomDuration(rng: Random): number {
  return round5(Math.min(1800, Math.max(15, rng.logNormal(230, 0.35))));
}

function round5(value: number): number {
  return Math.round(value * 1e5) / 1e5;
}

function word(rng: Random): string {
  return rng.pick(ASCII_WORDS);
}

export function randomTitle(rng: Random): string | number {
  if (rng.chance(0.01)) return rng.pick(NUMERIC_TITLES);
  const style = rng.next();
  let title: string;
  if (style < 0.08)
    title = rng.chance(0.5) ? `${rng.pick(ACCENTED_WORDS)} ${word(rng)}` : `${word(rng)} ${rng.pick(ACCENTED_WORDS)}`;
  else if (style < 0.11) title = rng.chance(0.5) ? rng.pick(CJK_WORDS) : `${rng.pick(CJK_WORDS)} (${word(rng)})`;
  else if (style < 0.13) title = `${word(rng)} ${rng.pick(EMOJI)}`;
  else if (style < 0.15) title = `Theme From "${word(rng)} ${word(rng)}"`;
  else if (style < 0.17) title = `${word(rng)}/${word(rng)}`;
  else {
    const words = rng.int(1, 4);
    title = Array.from({ length: words }, () => word(rng)).join(' ');
    if (rng.chance(0.15)) title = `The ${title}`;
  }
  if (rng.chance(0.1)) title += rng.pick(TITLE_SUFFIXES);
  return withStraySpaces(rng, title, 0.02);
}

export function randomArtistName(rng: Random): string | number {
  if (rng.chance(0.015)) return rng.pick(NUMERIC_ARTISTS);
  const style = rng.next();
  const person = () => `${rng.pick(rng.chance(0.5) ? FIRST_NAMES_F : FIRST_NAMES_M)} ${rng.pick(LAST_NAMES)}`;
  let name: string;
  if (style < 0.3) name = person();
  else if (style < 0.45) name = `The ${word(rng)}s`;
  else if (style < 0.65) name = `${word(rng)} ${word(rng)}`;
  else if (style < 0.7) name = `DJ ${word(rng)}`;
  else if (style < 0.75) name = `${person()} & The ${word(rng)}s`;
  else if (style < 0.83) name = rng.pick(ACCENTED_ARTISTS);
  else if (style < 0.86) name = rng.pick(CJK_ARTISTS);
  else if (style < 0.9) name = `${word(rng)} feat. ${person()}`;
  else if (style < 0.92) name = `${word(rng)}/${word(rng)}`;
  else name = word(rng);
  return withStraySpaces(rng, name, 0.01);
}

function withStraySpaces(rng: Random, text: string, share: number): string {
  if (!rng.chance(share)) return text;
  const where = rng.int(0, 2);
  return `${where !== 1 ? ' ' : ''}${text}${where !== 0 ? ' ' : ''}`;
}

type Field = readonly [name: string, json: string];

/** The song's fields in the schema's order (the pretty format keeps it; the compact one sorts). */
function songFields(song: CatalogueSong): Field[] {
  return [
    ['num_songs', '1'],
    ['artist_id', jsonString(song.artistId)],
    ['artist_latitude', song.latitude === null ? 'null' : jsonFloat(song.latitude)],
    ['artist_longitude', song.longitude === null ? 'null' : jsonFloat(song.longitude)],
    ['artist_location', jsonString(song.artistLocation)],
    ['artist_name', jsonTextValue(song.artistName)],
    ['song_id', jsonString(song.songId)],
    ['title', jsonTextValue(song.title)],
    ['duration', jsonFloat(song.duration)],
    ['year', String(song.year)],
  ];
}

function renderObject(fields: readonly Field[], format: SongFileFormat): string {
  if (format === 'pretty') return `{${fields.map(([name, json]) => `"${name}": ${json}`).join(', ')}}`;
  const sorted = [...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${sorted.map(([name, json]) => `"${name}":${json}`).join(',')}}`;
}

const withField = (fields: readonly Field[], name: string, json: string): Field[] =>
  fields.map(([n, j]) => [n, n === name ? json : j] as const);

/** The song file as the real data writes it. */
export function renderSongFile(song: CatalogueSong, format: SongFileFormat = song.format): string {
  return renderObject(songFields(song), format);
}

/** A song file with a fault, and what the lake must make of it. */
export interface RenderedSongFile {
  /** Text, or bytes when the fault puts bytes no string can hold (invalid UTF-8). */
  readonly content: string | Uint8Array;
  /** The file is set aside whole. */
  readonly bad: boolean;
  /** For a kept file: what songs stores (title as text, year, duration; null when set aside). */
  readonly stored: {
    readonly title: string | number | JsonToken;
    readonly year: number;
    readonly duration: number | null;
  } | null;
  /** A field set aside in a kept file (a rejects row names it). */
  readonly fieldSetAside: string | null;
  /** Fields the schema does not know, rescued. */
  readonly rescuedFields: number;
  /** A second file with the same song_id, to be written under `losingCopyKey` (song-duplicate-id). */
  readonly losingCopy?: string;
}

/** Where the losing copy of a duplicated song_id goes: beside the song, a key that sorts after it. */
export function losingCopyKey(key: string): string {
  return key.replace(/\.json$/, 'DUP.json');
}

/** A marker character event and song text never holds raw (the escaper writes it as \u0000): replaced by an invalid byte. */
const INVALID_BYTE_MARKER = '\u0000';

/** The song file spoiled by a fault; `rng` chooses where a truncated file ends and which variant. */
export function renderSongFileWithFault(
  song: CatalogueSong,
  fault: SongFault,
  rng: Random,
  format: SongFileFormat = song.format,
): RenderedSongFile {
  const fields = songFields(song);
  const bad = (content: string | Uint8Array): RenderedSongFile => ({
    content,
    bad: true,
    stored: null,
    fieldSetAside: null,
    rescuedFields: 0,
  });
  const kept = (
    content: string,
    changes: Partial<{
      title: string | number | JsonToken;
      year: number;
      duration: number | null;
      fieldSetAside: string;
      rescuedFields: number;
    }> = {},
  ): RenderedSongFile => ({
    content,
    bad: false,
    stored: {
      title: changes.title ?? song.title,
      year: changes.year ?? song.year,
      duration: changes.duration === undefined ? song.duration : changes.duration,
    },
    fieldSetAside: changes.fieldSetAside ?? null,
    rescuedFields: changes.rescuedFields ?? 0,
  });
  const titleText = jsonTextValue(song.title);
  // The title as a JSON string literal, whatever it is (a number title becomes its text).
  const titleString = titleText.startsWith('"') ? titleText : jsonString(titleText);
  switch (fault) {
    case 'song-empty':
      return bad('');
    case 'song-array':
      return bad(`[${renderObject(fields, format)}]`);
    case 'song-truncated': {
      // Any proper prefix of an object is invalid JSON: its closing brace is the last character.
      const text = renderObject(fields, format);
      return bad(text.slice(0, rng.int(1, text.length - 1)));
    }
    case 'song-missing-song-id':
      return bad(
        renderObject(
          fields.filter(([name]) => name !== 'song_id'),
          format,
        ),
      );
    case 'song-duplicate-key':
      return bad(renderObject([...fields, ['song_id', jsonString(`${song.songId}X`)]], format));
    case 'song-lone-surrogate':
      return bad(renderObject(withField(fields, 'title', `${titleString.slice(0, -1)}\\ud83d"`), format));
    case 'song-invalid-utf8': {
      const text = renderObject(
        withField(fields, 'title', `${titleString.slice(0, -1)}${INVALID_BYTE_MARKER}"`),
        format,
      );
      const bytes = Buffer.from(text, 'utf8');
      bytes[bytes.indexOf(0)] = 0xff;
      return bad(bytes);
    }
    case 'song-numbers-as-strings':
      return kept(
        renderObject(
          fields.map(
            ([name, json]) =>
              [
                name,
                ['artist_latitude', 'artist_longitude', 'duration', 'year'].includes(name) && json !== 'null'
                  ? jsonString(json)
                  : json,
              ] as const,
          ),
          format,
        ),
      );
    case 'song-unknown-field':
      return kept(renderObject([...fields, ['track_id', jsonString(song.trackId)]], format), { rescuedFields: 1 });
    case 'song-number-token-title': {
      const token = new JsonToken(rng.pick(RESPELLED_NUMBER_TOKENS));
      return kept(renderObject(withField(fields, 'title', token.token), format), { title: token });
    }
    case 'song-duplicate-id': {
      const other = withField(
        withField(
          withField(
            withField(fields, 'title', jsonString(`Losing copy of ${song.songId}`)),
            'artist_id',
            '"ARLOSINGCOPY"',
          ),
          'artist_name',
          '"Not The Artist"',
        ),
        'duration',
        jsonFloat(song.duration + 1.5),
      );
      return { ...kept(renderObject(fields, format)), losingCopy: renderObject(other, format) };
    }
    case 'song-bad-field': {
      const which = rng.pick(['year', 'duration', 'artist_latitude'] as const);
      if (which === 'year')
        return kept(
          renderObject(withField(fields, 'year', rng.pick(['"unknown"', '1999.5', '-1', '{"y":1999}'])), format),
          { year: 0, fieldSetAside: 'year' },
        );
      if (which === 'duration')
        return kept(renderObject(withField(fields, 'duration', rng.pick(['"long"', '[1]', 'true'])), format), {
          duration: null,
          fieldSetAside: 'duration',
        });
      return kept(renderObject(withField(fields, 'artist_latitude', rng.pick(['123.0', '"north"', '{}'])), format), {
        fieldSetAside: 'artist_latitude',
      });
    }
  }
}

/** The content of a song file spoiled by a fault (see renderSongFileWithFault for what it must give). */
export function renderFaultySongFile(
  song: CatalogueSong,
  fault: SongFault,
  rng: Random,
  format: SongFileFormat = song.format,
): string | Uint8Array {
  return renderSongFileWithFault(song, fault, rng, format).content;
}
