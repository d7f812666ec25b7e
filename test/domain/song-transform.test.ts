/** G7 and G7b (docs/ARCHITECTURE.md): the song transform. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { transformSongBytes, transformSongFile } from '../../src/domain/song-transform.js';
import { SAMPLE_DIR } from '../support/paths.js';

const KEY = 'song_data/A/B/C/TRABCXX.json';

function accepted(text: string) {
  const result = transformSongFile(KEY, text);
  if (!result.ok) throw new Error(`rejected: ${result.reject.reason}`);
  expect(result.rejects).toEqual([]);
  return result.row;
}

/** A song kept with some fields set aside: the row and the fields named by its rejects rows. */
function keptWithRejects(text: string) {
  const result = transformSongFile(KEY, text);
  if (!result.ok) throw new Error(`rejected: ${result.reject.reason}`);
  for (const reject of result.rejects)
    expect(reject).toMatchObject({ source_key: KEY, line: null, raw: text, source: 'song_data' });
  return { row: result.row, rejects: result.rejects.map((r) => [r.field, r.reason]) };
}

function rejectedReason(text: string): string {
  const result = transformSongFile(KEY, text);
  if (result.ok) throw new Error('accepted');
  expect(result.reject.source_key).toBe(KEY);
  expect(result.reject.line).toBeNull();
  expect(result.reject.source).toBe('song_data');
  return result.reject.reason;
}

describe('transformSongFile on real sample files', () => {
  it('reads the pretty-printed format', () => {
    const key = 'song_data/A/A/A/TRAAAAW128F429D538.json';
    const result = transformSongFile(key, readFileSync(join(SAMPLE_DIR, key), 'utf8'));
    expect(result).toEqual({
      ok: true,
      rejects: [],
      rescuedFields: 0,
      row: {
        song_id: 'SOMZWCG12A8C13C480',
        title: "I Didn't Mean To",
        artist_id: 'ARD7TVE1187B99BFB1',
        artist_name: 'Casual',
        artist_location: 'California - LA',
        artist_latitude: null,
        artist_longitude: null,
        duration: 218.93179,
        num_songs: 1,
        source_key: key,
        rescued_data: null,
        year: 0,
      },
    });
  });
});

describe('transformSongFile edge cases', () => {
  const base = {
    num_songs: 1,
    artist_id: 'AR1',
    artist_latitude: 35.5,
    artist_longitude: -97.1,
    artist_location: '',
    artist_name: 'A',
    song_id: 'SO1',
    title: 'T',
    duration: 1.5,
    year: 1999,
  };

  it('keeps text exactly as it arrived: spaces, empty strings, unicode escapes', () => {
    const row = accepted(JSON.stringify({ ...base, title: '  Héllo \u00e9 😀 ', artist_location: '' }));
    expect(row.title).toBe('  Héllo é 😀 ');
    expect(row.artist_location).toBe('');
  });

  it('stores numbers that arrive in text columns as their decimal text', () => {
    const row = accepted(
      '{"song_id":"SO1","artist_id":"AR1","artist_name":112,"title":4.6,"artist_location":27,"year":0,"duration":1}',
    );
    expect([row.artist_name, row.title, row.artist_location]).toEqual(['112', '4.6', '27']);
  });

  it('tolerates a byte order mark and a compact, newline-less file', () => {
    expect(accepted(`\uFEFF${JSON.stringify(base)}`).song_id).toBe('SO1');
  });

  it.each([
    ['', 'empty file'],
    ['   \n', 'empty file'],
    ['{"song_id": "SO1", "artist_id": ', 'not valid JSON'],
    [JSON.stringify([base]), 'expected one JSON object, got an array'],
    ['"just text"', 'expected one JSON object, got a string'],
    [JSON.stringify({ ...base, song_id: undefined }), 'song_id: missing'],
    [JSON.stringify({ ...base, artist_id: '' }), 'artist_id: missing'],
  ])('sets aside %j with a reason', (text, reason) => {
    expect(rejectedReason(text)).toContain(reason);
  });

  it('keeps the raw text of a bad file, truncated', () => {
    const result = transformSongFile(KEY, 'x'.repeat(10_000));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reject.raw).toHaveLength(4096);
  });

  it('never cuts an emoji in half when truncating the raw text', () => {
    const result = transformSongFile(KEY, `${'x'.repeat(4095)}😀 and more`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reject.raw).toBe('x'.repeat(4095));
  });
});

describe('issue 10 in song files', () => {
  const base =
    '{"num_songs":1,"artist_id":"AR1","artist_latitude":35.5,"artist_longitude":-97.1,"artist_location":"","artist_name":"A","song_id":"SO1","title":"T","duration":1.5,"year":1999}';
  /** The base file with some fields' raw JSON replaced (or added). */
  const withRaw = (raw: Record<string, string>): string =>
    Object.entries(raw).reduce(
      (text, [name, json]) =>
        text.includes(`"${name}":`)
          ? text.replace(new RegExp(`"${name}":("[^"]*"|[^,}]*)`), `"${name}":${json}`)
          : text.replace(/}$/, `,"${name}":${json}}`),
      base,
    );

  it('rule 1: text columns keep the exact token of a number or literal', () => {
    const row = accepted(withRaw({ title: '4.60', artist_name: '12345678901234567890', artist_location: 'true' }));
    expect([row.title, row.artist_name, row.artist_location]).toEqual(['4.60', '12345678901234567890', 'true']);
  });

  it('rule 1: a duplicated key or an unpaired surrogate escape makes the file bad', () => {
    expect(rejectedReason(withRaw({}).replace(/}$/, ',"song_id":"SO2"}'))).toMatch(
      /^duplicated key "song_id" at position \d+$/,
    );
    expect(rejectedReason(withRaw({ title: '"\\uD83D"' }))).toMatch(
      /^not valid Unicode: unpaired surrogate escape \\uD83D at position \d+$/,
    );
    expect(accepted(withRaw({ title: '"\\uD83D\\uDE00"' })).title).toBe('😀');
  });

  it('rule 2: invalid UTF-8 bytes make the file bad; valid mis-decoded text and a genuine U+FFFD are kept', () => {
    const [before, after] = base.split('"T"') as [string, string];
    const latin1 = Buffer.concat([Buffer.from(`${before}"Caf`), Buffer.from([0xe9]), Buffer.from(`"${after}`)]);
    const result = transformSongBytes(KEY, latin1);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.reject).toMatchObject({
        reason: `not valid UTF-8: byte 0xE9 at byte ${before.length + 4}`,
        field: null,
        raw: `${before}"Caf\uFFFD"${after}`,
      });
    const kept = transformSongBytes(KEY, Buffer.from(withRaw({ title: '"BeyoncÃ© \uFFFD"' }), 'utf8'));
    expect(kept.ok && kept.row.title).toBe('BeyoncÃ© \uFFFD');
    const bom = transformSongBytes(KEY, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(base)]));
    expect(bom.ok && bom.row.song_id).toBe('SO1');
  });

  it('rule 3: numeric columns accept strings holding a number literal', () => {
    const row = accepted(withRaw({ duration: '"215.2"', year: '"2001"', artist_latitude: '"35.5"', num_songs: '"1"' }));
    expect([row.duration, row.year, row.artist_latitude, row.num_songs]).toEqual([215.2, 2001, 35.5, 1]);
  });

  it('rule 4: song_id and artist_id are keys: missing or invalid makes the file bad', () => {
    expect(rejectedReason(withRaw({ song_id: '{"id":"SO1"}' }))).toBe('song_id: expected text, got an object');
    expect(rejectedReason(withRaw({ artist_id: 'null' }))).toBe('artist_id: missing');
  });

  it('rule 4: any other invalid field is NULL (year 0), the song is kept, and a rejects row names the field', () => {
    const { row, rejects } = keptWithRejects(
      withRaw({
        title: '{"x":1}',
        artist_name: '[]',
        duration: '"long"',
        num_songs: '3e10',
        artist_latitude: '95',
        artist_longitude: '"west"',
        year: '1999.5',
      }),
    );
    expect(row).toMatchObject({
      song_id: 'SO1',
      artist_id: 'AR1',
      title: null,
      artist_name: null,
      duration: null,
      num_songs: null,
      artist_latitude: null,
      artist_longitude: null,
      year: 0,
    });
    expect(rejects).toEqual([
      ['title', 'title: expected text, got an object; stored as NULL, the song is kept'],
      ['artist_name', 'artist_name: expected text, got an array; stored as NULL, the song is kept'],
      [
        'artist_latitude',
        'artist_latitude: out of range (-90 … 90), got the number 95; stored as NULL, the song is kept',
      ],
      [
        'artist_longitude',
        'artist_longitude: expected a number, got the string "west"; stored as NULL, the song is kept',
      ],
      ['duration', 'duration: expected a number, got the string "long"; stored as NULL, the song is kept'],
      ['num_songs', 'num_songs: expected a 32-bit integer, got the number 3e10; stored as NULL, the song is kept'],
      ['year', 'year: expected a whole number, got the number 1999.5; stored as 0 (unknown), the song is kept'],
    ]);
  });

  it('rule 4: year out of 0 … 9999 or not a number is 0 with a reject; a missing or null year is 0 without one', () => {
    expect(keptWithRejects(withRaw({ year: '-5' })).rejects).toEqual([
      ['year', 'year: out of range (0 … 9999), got the number -5; stored as 0 (unknown), the song is kept'],
    ]);
    expect(keptWithRejects(withRaw({ year: '"abc"' })).row.year).toBe(0);
    expect(accepted(withRaw({ year: 'null' })).year).toBe(0);
    expect(accepted(base.replace(',"year":1999', '')).year).toBe(0);
  });

  it('issue 11: fields the schema does not know are kept in rescued_data, exactly as they arrived', () => {
    const result = transformSongFile(KEY, withRaw({ track_id: '"TR1"', tempo: '120.50', tags: '[ "a" ]' }));
    expect(result.ok && [result.row.rescued_data, result.rescuedFields]).toEqual([
      '{"track_id":"TR1","tempo":120.50,"tags":[ "a" ]}',
      3,
    ]);
    expect(accepted(base).rescued_data).toBeNull();
  });
});
