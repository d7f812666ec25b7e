import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { transformSongBytes, transformSongFile } from '../../src/domain/song-transform.js';
import { BAD_SONG_FAULTS, SONG_FAULTS } from '../../src/generate/faults.js';
import { jsonString, mojibake } from '../../src/generate/json-text.js';
import { Random } from '../../src/generate/random.js';
import {
  generateCatalogue,
  renderSongFile,
  renderSongFileWithFault,
  type CatalogueSong,
} from '../../src/generate/songs.js';
import { SAMPLE_DIR } from '../support/paths.js';

const catalogue = generateCatalogue(new Random('songs-test'), { songs: 3000 });

/** A catalogue entry holding a real sample file's values. */
function fromSample(key: string): { song: CatalogueSong; text: string } {
  const text = readFileSync(join(SAMPLE_DIR, key), 'utf8');
  const v = JSON.parse(text) as {
    song_id: string;
    title: string;
    artist_id: string;
    artist_name: string;
    artist_location: string;
    artist_latitude: number | null;
    artist_longitude: number | null;
    duration: number;
    year: number;
  };
  const trackId = key.split('/').at(-1)!.replace('.json', '');
  const song: CatalogueSong = {
    trackId,
    key,
    songId: v.song_id,
    title: v.title,
    artistId: v.artist_id,
    artistName: v.artist_name,
    artistLocation: v.artist_location,
    latitude: v.artist_latitude,
    longitude: v.artist_longitude,
    duration: v.duration,
    year: v.year,
    format: 'pretty',
  };
  return { song, text };
}

describe('song files in the real formats', () => {
  it.each([
    'song_data/A/A/A/TRAAAAW128F429D538.json',
    'song_data/A/A/A/TRAAABD128F429CF47.json',
    'song_data/A/B/B/TRABBJE12903CDB442.json',
  ])('renders %s byte for byte as the real file (pretty, \\u escapes, no newline)', (key) => {
    const { song, text } = fromSample(key);
    expect(renderSongFile(song, 'pretty')).toBe(text);
  });

  it('writes the compact format with sorted keys and no spaces', () => {
    const { song } = fromSample('song_data/A/B/B/TRABBJE12903CDB442.json');
    expect(renderSongFile(song, 'compact')).toBe(
      '{"artist_id":"ARGCY1Y1187B9A4FA5","artist_latitude":36.16778,"artist_location":"Nashville, TN.","artist_longitude":-86.77836,' +
        '"artist_name":"Gloriana","duration":153.33832,"num_songs":1,"song_id":"SOQOTLQ12AB01868D0","title":"Clementina Santaf\\u00e8","year":0}',
    );
  });

  it('escapes like Python json.dumps: ASCII only, lower-case hex, surrogate pairs, slash only in logs', () => {
    for (const text of ['Café 😀 東京', ' a"b\\c/d\n\t ', 'x\u0007\u007f', '❤️']) {
      const literal = jsonString(text);
      expect(literal).toMatch(/^[\x20-\x7e]*$/);
      expect(JSON.parse(literal)).toBe(text);
      expect(JSON.parse(jsonString(text, true))).toBe(text);
    }
    expect(jsonString('Café😀')).toBe('"Caf\\u00e9\\ud83d\\ude00"');
    expect(jsonString('a/b')).toBe('"a/b"');
    expect(jsonString('a/b', true)).toBe('"a\\/b"');
    expect(jsonString(mojibake('é'), true)).toBe('"\\u00c3\\u0083\\u00c2\\u00a9"');
  });
});

describe('generateCatalogue', () => {
  it('makes ids, keys and artists like the real catalogue', () => {
    const ids = (pick: (song: CatalogueSong) => string) => new Set(catalogue.map(pick));
    expect(ids((s) => s.songId).size).toBe(catalogue.length);
    expect(ids((s) => s.trackId).size).toBe(catalogue.length);
    const odd = catalogue.filter(
      (song) =>
        !/^SO[A-Z0-9]{16}$/.test(song.songId) ||
        !/^AR[A-Z0-9]{16}$/.test(song.artistId) ||
        !/^TR[A-Z]{3}[A-Z0-9]{13}$/.test(song.trackId) ||
        song.key !== `song_data/${song.trackId[2]}/${song.trackId[3]}/${song.trackId[4]}/${song.trackId}.json` ||
        Math.round(song.duration * 1e5) / 1e5 !== song.duration,
    );
    expect(odd).toEqual([]);
    expect(ids((s) => s.artistId).size).toBe(Math.round(catalogue.length / 1.5));
  });

  it('has the real data quirks in about the real shares', () => {
    const share = (test: (song: CatalogueSong) => boolean) => catalogue.filter(test).length / catalogue.length;
    expect(share((s) => s.year === 0)).toBeCloseTo(0.6, 1);
    expect(share((s) => s.latitude === null)).toBeCloseTo(0.55, 1);
    expect(share((s) => s.format === 'compact')).toBeCloseTo(0.5, 1);
    const texts = catalogue.flatMap((s) => [s.title, s.artistName]);
    expect(texts.some((t) => typeof t === 'number')).toBe(true);
    expect(texts.some((t) => typeof t === 'string' && t !== t.trim())).toBe(true);
    expect(texts.some((t) => typeof t === 'string' && /[À-ž]/.test(t))).toBe(true);
    expect(texts.some((t) => typeof t === 'string' && /[\u3040-\u9fff\uac00-\ud7af]/.test(t))).toBe(true);
    expect(texts.some((t) => typeof t === 'string' && /\p{Extended_Pictographic}/u.test(t))).toBe(true);
  });

  it('every file is read back by transformSongFile with the catalogue values, text kept as it is', () => {
    const rows = [];
    const expected = [];
    for (const song of catalogue) {
      const text = renderSongFile(song);
      const shapeOk =
        /^[\x20-\x7e]*$/.test(text) &&
        text.endsWith('}') &&
        text.startsWith(song.format === 'pretty' ? '{"num_songs": 1, "artist_id": ' : '{"artist_id":"');
      if (!shapeOk) throw new Error(`${song.key} is not in the real format: ${text}`);
      const result = transformSongFile(song.key, text);
      if (!result.ok) throw new Error(`${song.key} rejected: ${result.reject.reason}`);
      rows.push(result.row);
      expected.push({
        song_id: song.songId,
        title: String(song.title),
        artist_id: song.artistId,
        artist_name: String(song.artistName),
        artist_location: song.artistLocation,
        artist_latitude: song.latitude,
        artist_longitude: song.longitude,
        duration: song.duration,
        num_songs: 1,
        source_key: song.key,
        rescued_data: null,
        year: song.year,
      });
    }
    expect(rows).toEqual(expected);
  });

  it('each song fault does what it declares: a bad file, or a kept song with what it stores, fields set aside and rescued', () => {
    const rng = new Random('faults');
    for (const fault of SONG_FAULTS) {
      for (const song of catalogue.slice(0, 100)) {
        for (const format of ['pretty', 'compact'] as const) {
          const rendered = renderSongFileWithFault(song, fault, rng, format);
          const bytes = typeof rendered.content === 'string' ? Buffer.from(rendered.content, 'utf8') : rendered.content;
          const result = transformSongBytes('song_data/X/Y/Z/TRX.json', bytes);
          const label = `${fault}: ${Buffer.from(bytes).toString('utf8')}`;
          expect(rendered.bad, label).toBe(BAD_SONG_FAULTS.has(fault));
          expect(result.ok, label).toBe(!rendered.bad);
          if (!result.ok || !rendered.stored) continue;
          expect([result.row.title, result.row.year, result.row.duration], label).toEqual([
            String(rendered.stored.title),
            rendered.stored.year,
            rendered.stored.duration,
          ]);
          expect(
            result.rejects.map((reject) => reject.field),
            label,
          ).toEqual(rendered.fieldSetAside ? [rendered.fieldSetAside] : []);
          expect(result.rescuedFields, label).toBe(rendered.rescuedFields);
          expect(result.row.rescued_data === null, label).toBe(rendered.rescuedFields === 0);
        }
      }
    }
  });
});
