import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { transformSongFile } from '../../src/domain/song-transform.js';
import { SAMPLE_DIR } from '../support/paths.js';

const KEY = 'song_data/A/B/C/TRABCXX.json';

function accepted(text: string) {
  const result = transformSongFile(KEY, text);
  if (!result.ok) throw new Error(`rejected: ${result.reject.reason}`);
  return result.row;
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
        year: 0,
      },
    });
  });
});

describe('transformSongFile edge cases', () => {
  const base = { num_songs: 1, artist_id: 'AR1', artist_latitude: 35.5, artist_longitude: -97.1, artist_location: '', artist_name: 'A', song_id: 'SO1', title: 'T', duration: 1.5, year: 1999 };

  it('keeps text exactly as it arrived: spaces, empty strings, unicode escapes', () => {
    const row = accepted(JSON.stringify({ ...base, title: '  Héllo \u00e9 😀 ', artist_location: '' }));
    expect(row.title).toBe('  Héllo é 😀 ');
    expect(row.artist_location).toBe('');
  });

  it('stores numbers that arrive in text columns as their decimal text', () => {
    const row = accepted('{"song_id":"SO1","artist_id":"AR1","artist_name":112,"title":4.6,"artist_location":27,"year":0,"duration":1}');
    expect([row.artist_name, row.title, row.artist_location]).toEqual(['112', '4.6', '27']);
  });

  it('tolerates a byte order mark and a compact, newline-less file', () => {
    expect(accepted('\uFEFF' + JSON.stringify(base)).song_id).toBe('SO1');
  });

  it.each([
    ['', 'empty file'],
    ['   \n', 'empty file'],
    ['{"song_id": "SO1", "artist_id": ', 'not valid JSON'],
    [JSON.stringify([base]), 'expected one JSON object, got an array'],
    ['"just text"', 'expected one JSON object, got string'],
    [JSON.stringify({ ...base, song_id: undefined }), 'song_id: missing'],
    [JSON.stringify({ ...base, artist_id: '' }), 'artist_id: missing'],
    [JSON.stringify({ ...base, year: 1999.5 }), 'year: expected a 32-bit integer, got the number 1999.5'],
    [JSON.stringify({ ...base, year: null }), 'year: missing'],
    [JSON.stringify({ ...base, duration: '215.2' }), 'duration: expected a number, got the string "215.2"'],
    [JSON.stringify({ ...base, title: { x: 1 } }), 'title: expected text, got an object'],
    [JSON.stringify({ ...base, num_songs: 3e10 }), 'num_songs: expected a 32-bit integer'],
  ])('sets aside %j with a reason', (text, reason) => {
    expect(rejectedReason(text)).toContain(reason);
  });

  it('keeps the raw text of a bad file, truncated', () => {
    const result = transformSongFile(KEY, 'x'.repeat(10_000));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reject.raw).toHaveLength(4096);
  });

  it('never cuts an emoji in half when truncating the raw text', () => {
    const result = transformSongFile(KEY, 'x'.repeat(4095) + '😀 and more');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reject.raw).toBe('x'.repeat(4095));
  });
});
