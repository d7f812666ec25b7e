import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestFolder } from '../../src/local/ingest.js';
import { withLakeSql } from '../../src/local/lake-sql.js';
import { compactLake, DEFAULT_COMPACTION } from '../../src/pipeline/compact.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';
import { BAD_LINE_FAULTS } from '../../src/generate/faults.js';
import { generateDataset, generateDatasetInMemory, type GenerateOptions } from '../../src/generate/index.js';
import { tempDir } from '../support/paths.js';
import { linesOf } from './helpers.js';

const dirs = tempDir('generate');
afterAll(() => dirs.cleanup());

function filesUnder(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(root, path).split('\\').join('/'), readFileSync(path, 'utf8'));
    }
  };
  walk(root);
  return files;
}

const sorted = (files: ReadonlyMap<string, string>) => [...files].sort(([a], [b]) => (a < b ? -1 : 1));

describe('generation from a seed', () => {
  const options: GenerateOptions = { seed: 'same', songs: 60, totalEvents: 1_500, days: 2, faultRate: 0.1 };

  it('the same seed gives byte-identical files, on disk as in memory; another seed other files', async () => {
    const first = await generateDatasetInMemory(options);
    const second = await generateDatasetInMemory(options);
    expect(sorted(second.files)).toEqual(sorted(first.files));
    expect(second.summary.expected).toEqual(first.summary.expected);

    const out = join(dirs.path, 'same');
    const summary = await generateDataset(out, options);
    expect(sorted(filesUnder(out))).toEqual(sorted(first.files));
    expect(summary.expected).toEqual(first.summary.expected);

    const other = await generateDatasetInMemory({ ...options, seed: 'other' });
    const otherFiles = new Set(other.files.values());
    expect([...first.files.values()].filter((text) => otherFiles.has(text) && text !== '')).toEqual([]);
  });

  it('writes both song formats', async () => {
    const { files, summary } = await generateDatasetInMemory({ seed: 3, songs: 40, totalEvents: 10, days: 1 });
    const songs = [...files].filter(([key]) => key.startsWith('song_data/')).map(([, text]) => text);
    expect(songs.filter((text) => text.startsWith('{"num_songs": 1, '))).toHaveLength(summary.songFiles.pretty);
    expect(songs.filter((text) => text.startsWith('{"artist_id":"'))).toHaveLength(summary.songFiles.compact);
    expect(summary.songFiles.pretty).toBeGreaterThan(0);
    expect(summary.songFiles.compact).toBeGreaterThan(0);
  });

  it('refuses a folder that already holds data, unless told to overwrite', async () => {
    const out = join(dirs.path, 'same');
    await expect(generateDataset(out, options)).rejects.toThrow(/already exists/);
    const again = await generateDataset(out, { ...options, seed: 'replaced', overwrite: true });
    expect(filesUnder(out).size).toBe(again.expected.files);
  });

  it('mixes faults over the same events: a faulty file is the clean file with some lines spoiled', async () => {
    const base: GenerateOptions = { seed: 8, songs: 30, totalEvents: 2_000, days: 2 };
    const clean = await generateDatasetInMemory(base);
    const faulty = await generateDatasetInMemory({
      ...base,
      faultRate: 0.2,
      faults: [...BAD_LINE_FAULTS, 'blank-line'],
    });
    for (const file of faulty.summary.logFiles) {
      const cleanLines = linesOf(clean.files.get(file.key) ?? '');
      const bad = new Set(file.badRecords.map((record) => record.line));
      const lines = linesOf(faulty.files.get(file.key) ?? '');
      const differing: string[] = [];
      let event = 0;
      lines.forEach((line, i) => {
        if (line.trim() === '') return; // an inserted blank line
        if (!bad.has(i + 1) && line !== cleanLines[event]) differing.push(line);
        event++;
      });
      expect(event).toBe(cleanLines.length);
      expect(differing).toEqual([]);
      expect(bad.size).toBeGreaterThan(0);
    }
  });

  it('spreads totalEvents over the days exactly; eventsPerDay and logFileBytes size each file', async () => {
    const total = await generateDatasetInMemory({ seed: 1, songs: 5, totalEvents: 1_001, days: 4 });
    expect(total.summary.logFiles.reduce((sum, file) => sum + file.events, 0)).toBe(1_001);
    expect(new Set(total.summary.logFiles.map((file) => file.events)).size).toBeGreaterThan(1);
    const perDay = await generateDatasetInMemory({
      seed: 1,
      songs: 5,
      eventsPerDay: 250,
      days: 2,
      startDate: '2019-12-31',
    });
    expect(perDay.summary.logFiles.map((file) => [file.key, file.events])).toEqual([
      ['log_data/2019/12/2019-12-31-events.json', 250],
      ['log_data/2020/01/2020-01-01-events.json', 250],
    ]);
    const sized = await generateDatasetInMemory({ seed: 1, songs: 5, logFileBytes: 300_000, days: 2 });
    for (const file of sized.summary.logFiles) {
      expect(file.bytes).toBeGreaterThanOrEqual(300_000);
      expect(file.bytes).toBeLessThan(300_000 + 2_000);
    }
  });

  it('rejects options out of range', async () => {
    await expect(generateDatasetInMemory({ faultRate: 2 })).rejects.toThrow(RangeError);
    await expect(generateDatasetInMemory({ days: 0 })).rejects.toThrow(RangeError);
    await expect(generateDatasetInMemory({ startDate: '2018-02-30' })).rejects.toThrow(RangeError);
    await expect(generateDatasetInMemory({ faults: ['nope' as never] })).rejects.toThrow(RangeError);
  });
});

describe('a generated dataset through the local ingest', () => {
  it('sets aside exactly the expected records and files, and the lake holds the expected tables', async () => {
    const input = join(dirs.path, 'ingest-input');
    const lake = join(dirs.path, 'ingest-lake');
    const { expected } = await generateDataset(input, {
      seed: 'ingest',
      songs: 40,
      users: 25,
      totalEvents: 1_200,
      days: 3,
      faultRate: 0.15,
      matchShare: 0.5,
    });
    expect(expected.badRecords.length).toBeGreaterThan(0);
    expect(expected.badSongFiles.length).toBeGreaterThan(0);

    expect(expected.fieldRejects.length).toBeGreaterThan(0);
    expect(expected.rescuedFields).toBeGreaterThan(0);

    const summary = await ingestFolder(input, lake);
    expect(summary.failures).toEqual([]);
    expect(summary.files).toBe(expected.files);
    expect(summary.rejects).toHaveLength(expected.rejects);
    expect(
      summary.rejects
        .filter((reject) => reject.source === 'log_data' && reject.field === null)
        .map((reject) => [reject.source_key, reject.line]),
    ).toEqual(
      [...expected.badRecords]
        .sort((a, b) => a.key.localeCompare(b.key) || a.line - b.line)
        .map((record) => [record.key, record.line]),
    );
    const fieldKey = (key: string, line: number | null, field: string | null) => `${key}#${line}#${field}`;
    expect(
      summary.rejects
        .filter((reject) => reject.field !== null)
        .map((r) => fieldKey(r.source_key, r.line, r.field))
        .sort(),
    ).toEqual(expected.fieldRejects.map((f) => fieldKey(f.key, f.line, f.field)).sort());
    expect(summary.byStatus.rejected).toBe(expected.badSongFiles.length);
    expect(summary.logEvents).toEqual({ all: expected.events, nextSong: expected.nextSongEvents });
    expect(summary.rowsWritten.base_plays).toBe(expected.goodPlays + expected.duplicatePlays);
    expect(summary.rowsWritten.base_songs).toBe(expected.songs + expected.losingSongCopies);
    expect(summary.rescuedFields).toBe(expected.rescuedFields);

    const figures = () =>
      withLakeSql(lake, new FsObjectStore(lake), (sql) =>
        sql.query(`SELECT (SELECT count(*) FROM songplays) AS plays, (SELECT count(song_id) FROM songplays) AS matched,
                        (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM users WHERE level = 'paid') AS paid,
                        (SELECT count(*) FROM songs) AS songs, (SELECT count(*) FROM songs WHERE year = 0) AS year0,
                        (SELECT count(*) FROM artists) AS artists, (SELECT count(*) FROM rejects) AS rejects,
                        (SELECT count(*) FROM rejects WHERE field IS NOT NULL) AS fields,
                        (SELECT count(rescued_data) FROM base_plays) + (SELECT count(rescued_data) FROM base_songs) AS rescued`),
      );
    // Each rescuing fault adds one field to one record; compaction (columns merged by name) keeps them.
    const tables = await figures();
    expect(tables.rows).toEqual([
      [
        expected.goodPlays,
        expected.matchedPlays,
        expected.users.total,
        expected.users.paid,
        expected.songs,
        expected.songsYear0,
        expected.artists,
        expected.rejects,
        expected.fieldRejects.length,
        expected.rescuedFields,
      ],
    ]);
    await compactLake(new FsObjectStore(lake), { ...DEFAULT_COMPACTION, retiredGraceMs: 0 });
    await compactLake(new FsObjectStore(lake), { ...DEFAULT_COMPACTION, retiredGraceMs: 0 });
    expect((await figures()).rows).toEqual(tables.rows);
  });
});

describe('the duplication faults through the local ingest (issue 10: one event identity, one winning song copy)', () => {
  it('a repeated event is one songplay and a second file of a song_id changes no figure, before and after compaction', async () => {
    const input = join(dirs.path, 'duplicates-input');
    const lake = join(dirs.path, 'duplicates-lake');
    const { expected } = await generateDataset(input, {
      seed: 'duplicates',
      songs: 60,
      users: 20,
      totalEvents: 900,
      days: 2,
      faultRate: 0.3,
      matchShare: 0.6,
      faults: ['duplicate-event', 'song-duplicate-id'],
    });
    expect(expected.duplicatePlays).toBeGreaterThan(10);
    expect(expected.losingSongCopies).toBeGreaterThan(5);
    expect(expected.rejects).toBe(0);

    const summary = await ingestFolder(input, lake);
    expect(summary.failures).toEqual([]);
    expect(summary.files).toBe(expected.files);
    expect(summary.rowsWritten.base_plays).toBe(expected.goodPlays + expected.duplicatePlays);
    expect(summary.rowsWritten.base_songs).toBe(expected.songs + expected.losingSongCopies);
    const figures = async () =>
      (
        await withLakeSql(lake, new FsObjectStore(lake), (sql) =>
          sql.query(`SELECT (SELECT count(*) FROM songplays) AS plays, (SELECT count(song_id) FROM songplays) AS matched,
                          (SELECT count(*) FROM songs) AS songs, (SELECT count(*) FROM artists) AS artists,
                          (SELECT count(*) FROM artists WHERE artist_id = 'ARLOSINGCOPY') AS losing_artists,
                          (SELECT count(*) FROM songs WHERE title LIKE 'Losing copy of %') AS losing_titles`),
        )
      ).rows;
    const want = [[expected.goodPlays, expected.matchedPlays, expected.songs, expected.artists, 0, 0]];
    expect(await figures()).toEqual(want);
    await compactLake(new FsObjectStore(lake), { ...DEFAULT_COMPACTION, retiredGraceMs: 0 });
    await compactLake(new FsObjectStore(lake), { ...DEFAULT_COMPACTION, retiredGraceMs: 0 });
    expect(await figures()).toEqual(want);
  });
});
