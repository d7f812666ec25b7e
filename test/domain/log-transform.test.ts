import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { transformLogLines, LogFileTransform } from '../../src/domain/log-transform.js';
import { SAMPLE_DIR } from '../support/paths.js';
import type { PlayRow } from '../../src/domain/rows.js';

const KEY = 'log_data/2018/11/2018-11-99-events.json';

const nextSong = {
  artist: 'Elena',
  auth: 'Logged In',
  firstName: 'Lily',
  gender: 'F',
  itemInSession: 5,
  lastName: 'Koch',
  length: 269.58322,
  level: 'paid',
  location: 'Chicago-Naperville-Elgin, IL-IN-WI',
  method: 'PUT',
  page: 'NextSong',
  registration: 1541048010796.0,
  sessionId: 818,
  song: 'Setanta matins',
  status: 200,
  ts: 1542837407796,
  userAgent: '"Mozilla/5.0"',
  userId: '15',
};

function line(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...nextSong, ...overrides });
}

describe('transformLogLines on a real sample file', () => {
  it('keeps one row per NextSong event and skips the other pages', async () => {
    const key = 'log_data/2018/11/2018-11-21-events.json';
    const text = readFileSync(join(SAMPLE_DIR, key), 'utf8');
    const lines = text.split('\n');
    const expectedPlays = lines.filter((l) => JSON.parse(l).page === 'NextSong').length;
    const result = await transformLogLines(key, lines);
    expect(result.rejects).toEqual([]);
    expect(result.plays).toHaveLength(expectedPlays);
    expect(result.stats).toMatchObject({ lines: lines.length, events: lines.length, nextSongEvents: expectedPlays, rejectedLines: 0 });
    const elena = result.plays.find((p) => p.song === 'Setanta matins');
    expect(elena).toMatchObject({
      songplay_id: '15-818-5',
      start_time: Date.UTC(2018, 10, 21, 21, 56, 47, 796),
      user_id: 15,
      session_id: 818,
      item_in_session: 5,
      level: 'paid',
      artist: 'Elena',
      length: 269.58322,
      year: 2018,
      month: 11,
      day: 21,
      hour: 21,
      week: 47,
      weekday: 4,
      source_key: key,
    });
    expect(elena?.source_line).toBe(lines.findIndex((l) => l.includes('Setanta matins')) + 1);
  });
});

describe('transformLogLines edge cases', () => {
  it('tolerates CRLF line endings, a BOM, blank lines and no final newline', async () => {
    const text = '\uFEFF' + line({ itemInSession: 1 }) + '\r\n\r\n   \r\n' + line({ itemInSession: 2 }) + '\r\n' + line({ itemInSession: 3 });
    const result = await transformLogLines(KEY, text.split('\n'));
    expect(result.rejects).toEqual([]);
    expect(result.plays.map((p) => [p.item_in_session, p.source_line])).toEqual([
      [1, 1],
      [2, 4],
      [3, 5],
    ]);
    expect(result.stats.blankLines).toBe(2);
    expect(result.plays[2]?.user_agent).toBe('"Mozilla/5.0"');
  });

  it('sets aside bad records with line and reason, and keeps every good line', async () => {
    const lines = [
      line({ itemInSession: 1 }),
      '{"artist": "truncated',
      line({ itemInSession: 2, userId: '' }),
      line({ itemInSession: 3, ts: null }),
      line({ itemInSession: 4, sessionId: '818' }),
      line({ itemInSession: 5.5 }),
      line({ itemInSession: 6, userId: '99999999999' }),
      '[1, 2]',
      line({ itemInSession: 7, length: 'long' }),
      line({ itemInSession: 8, page: 'Home', userId: '' }),
      line({ itemInSession: 9 }),
    ];
    const result = await transformLogLines(KEY, lines);
    expect(result.plays.map((p) => p.item_in_session)).toEqual([1, 9]);
    expect(result.rejects.map((r) => [r.line, r.reason])).toEqual([
      [2, expect.stringMatching(/^line 2: not valid JSON/)],
      [3, 'line 3: userId: empty'],
      [4, 'line 4: ts: missing'],
      [5, 'line 5: sessionId: expected a 32-bit integer, got the string "818"'],
      [6, 'line 6: itemInSession: expected a 32-bit integer, got the number 5.5'],
      [7, 'line 7: userId: expected a 32-bit integer, got the number 99999999999'],
      [8, 'line 8: expected a JSON object, got an array'],
      [9, 'line 9: length: expected a number, got the string "long"'],
    ]);
    for (const reject of result.rejects) {
      expect(reject.source_key).toBe(KEY);
      expect(reject.source).toBe('log_data');
      expect(reject.raw).toBe(lines[(reject.line ?? 0) - 1]);
    }
    expect(result.stats).toMatchObject({ lines: 11, events: 9, nextSongEvents: 8, rejectedLines: 8 });
  });

  it('stores numbers that arrive in text columns as text, and a numeric userId as the id', async () => {
    const result = await transformLogLines(KEY, [line({ artist: 112, song: 4.6, location: 27, userId: 15 })]);
    expect(result.plays[0]).toMatchObject({ artist: '112', song: '4.6', location: '27', user_id: 15 });
  });

  it('keeps text exactly: no trimming, no case folding, unicode intact', async () => {
    const result = await transformLogLines(KEY, [line({ song: ' Björk  ', artist: 'SIGUR RÓS 😀' })]);
    expect(result.plays[0]).toMatchObject({ song: ' Björk  ', artist: 'SIGUR RÓS 😀' });
  });

  it('derives songplay_id from userId, sessionId and itemInSession only', async () => {
    const a = await transformLogLines('log_data/a.json', [line({ ts: 1 })]);
    const b = await transformLogLines('log_data/b.json', [line({ ts: 2, level: 'free' })]);
    expect(a.plays[0]?.songplay_id).toBe('15-818-5');
    expect(b.plays[0]?.songplay_id).toBe(a.plays[0]?.songplay_id);
  });

  it('partitions by the UTC month of each event, not of the file', () => {
    const plays: PlayRow[] = [];
    const transform = new LogFileTransform(KEY, {
      play: (row) => plays.push(row),
      reject: (row) => expect.fail(row.reason),
    });
    transform.addLine(line({ ts: Date.UTC(2018, 10, 30, 23, 59, 59, 999) }), 1);
    transform.addLine(line({ ts: Date.UTC(2018, 11, 1, 0, 0, 0, 0), itemInSession: 6 }), 2);
    expect(plays.map((p) => [p.year, p.month, p.day])).toEqual([
      [2018, 11, 30],
      [2018, 12, 1],
    ]);
  });
});
