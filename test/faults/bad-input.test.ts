/**
 * G7 and G7b (docs/ARCHITECTURE.md), bad records and bad files: one generated dirty input folder (test/support/faults/
 * dirty-input.ts) with every case the contract names. Every good row is kept, every bad record or
 * bad file is in `rejects` with its source key, line, reason and raw text, the ingest summary counts
 * them, and the real handler on fauxqs (S3 event keys URL-encoded) gives the very same answers.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestFolder, type IngestSummary } from '../../src/local/ingest.js';
import { sourceKindOf } from '../../src/domain/layout.js';
import { startLocalAws, type LocalAws } from '../support/local-s3.js';
import { tempDir } from '../support/paths.js';
import {
  writeDirtyInput,
  PLUS_SONG_KEY,
  UNICODE_LOG_KEY,
  UNICODE_SONG_KEY,
  type DirtyInput,
} from '../support/faults/dirty-input.js';
import {
  expectNoGarbage,
  expectSameAnswers,
  rowsOf,
  snapshotBucketLake,
  snapshotLake,
  type LakeSnapshot,
} from '../support/faults/lake-compare.js';
import {
  createWorld,
  eventRecord,
  expectNoFailures,
  landFolder,
  restoreObservability,
  worker,
  type World,
} from '../support/worker-harness.js';

const dirs = tempDir('faults-dirty');
const input = join(dirs.path, 'input');
const lakeDir = join(dirs.path, 'lake');
let dirty: DirtyInput;
let summary: IngestSummary;
let lake: LakeSnapshot;

beforeAll(async () => {
  dirty = writeDirtyInput(input);
  summary = await ingestFolder(input, lakeDir);
  lake = await snapshotLake(lakeDir);
});
afterAll(() => {
  restoreObservability();
  dirs.cleanup();
});

describe('a dirty input folder, ingested locally', () => {
  it('the ingest summary counts every file, row and reject, and no file fails', () => {
    expect(summary.failures).toEqual([]);
    expect(summary.files).toBe(dirty.songFiles + dirty.logFiles);
    expect(summary.byStatus).toMatchObject({
      processed: Object.keys(dirty.songs).length + dirty.logFiles,
      rejected: dirty.songFiles - Object.keys(dirty.songs).length,
    });
    expect(
      Object.keys(dirty.songs).length +
        dirty.rejects.filter((r) => r.source === 'song_data' && r.field === null).length,
    ).toBe(dirty.songFiles);
    // base_user_latest: one row per log file and user with a play in it.
    const usersPerFile = new Set(
      dirty.plays.map((play) => `${play.source_key}\u0000${play.songplay_id.split('-')[0]}`),
    );
    expect(summary.rowsWritten).toEqual({
      base_songs: Object.keys(dirty.songs).length,
      base_plays: dirty.plays.length,
      base_user_latest: usersPerFile.size,
      base_rejects: dirty.rejects.length,
    });
    expect(summary.logEvents).toEqual(dirty.logEvents);
    expect(summary.rejects).toHaveLength(dirty.rejects.length);
    expect(dirty.rejects.length).toBeGreaterThanOrEqual(13);
  });

  it('every good row is kept: plays (with their source line), songs with numbers stored as text, users with unicode intact', () => {
    expect(
      rowsOf(lake, 'base_plays')
        .map((row) => ({ songplay_id: row.songplay_id, source_key: row.source_key, source_line: row.source_line }))
        .sort((a, b) => String(a.songplay_id).localeCompare(String(b.songplay_id))),
    ).toEqual(
      dirty.plays
        .map(({ songplay_id, source_key, source_line }) => ({ songplay_id, source_key, source_line }))
        .sort((a, b) => a.songplay_id.localeCompare(b.songplay_id)),
    );
    expect(Object.fromEntries(rowsOf(lake, 'songplays').map((row) => [row.songplay_id, row.song_id]))).toEqual(
      Object.fromEntries(dirty.plays.map((p) => [p.songplay_id, p.song_id])),
    );
    expect(Object.fromEntries(rowsOf(lake, 'base_songs').map((row) => [row.song_id, row.source_key]))).toEqual(
      dirty.songs,
    );
    expect(rowsOf(lake, 'songs').find((row) => row.song_id === 'SODIRTY0000000001')).toEqual({
      song_id: 'SODIRTY0000000001',
      title: '4.6',
      artist_id: 'ARDIRTY0000000112',
      year: 2001,
      duration: 123.45,
    });
    expect(rowsOf(lake, 'songs').find((row) => row.song_id === 'SODIRTY0000000002')).toMatchObject({
      title: 'Zoë’s song',
      year: 0,
    });
    expect(rowsOf(lake, 'artists').find((row) => row.artist_id === 'ARDIRTY0000000112')).toMatchObject({ name: '112' });
    expect(rowsOf(lake, 'songs').find((row) => row.song_id === 'SODIRTYTOKEN')).toMatchObject({ title: '4.60' });
    expect(rowsOf(lake, 'songs').find((row) => row.song_id === 'SODIRTYYEAR')).toMatchObject({
      year: 2001,
      duration: 100.5,
    });
    expect(rowsOf(lake, 'songs').find((row) => row.song_id === 'SODIRTYYEARBAD')).toMatchObject({ year: 0 });
    const dirtyPlays = new Map(rowsOf(lake, 'base_plays').map((row) => [row.item_in_session, row]));
    expect(dirtyPlays.get(16)).toMatchObject({ user_id: 42, location: '4.60', rescued_data: null });
    expect(dirtyPlays.get(17)).toMatchObject({ length: null });
    expect(dirtyPlays.get(18)).toMatchObject({ rescued_data: '{"deviceId":"phone-1"}' });
    expect(rowsOf(lake, 'users').map((row) => [row.user_id, row.first_name])).toEqual([
      [42, 'Zoë'],
      [43, 'Ann'],
    ]);
  });

  it('every bad record and bad file is in rejects with its source key, line, reason and raw text, and in the summary', () => {
    const byPlace = (r: { readonly source_key?: unknown; readonly line?: unknown }): string =>
      `${String(r.source_key)}#${String(r.line)}`;
    const actual = new Map(rowsOf(lake, 'rejects').map((row) => [byPlace(row), row]));
    const summarised = new Map(summary.rejects.map((row) => [byPlace(row), row]));
    expect([...actual.keys()].sort()).toEqual(dirty.rejects.map(byPlace).sort());
    expect([...summarised.keys()].sort()).toEqual(dirty.rejects.map(byPlace).sort());
    for (const expected of dirty.rejects) {
      const row = actual.get(byPlace(expected))!;
      expect(row, byPlace(expected)).toMatchObject({
        source_key: expected.source_key,
        line: expected.line,
        field: expected.field,
        raw: expected.raw,
        source: expected.source,
      });
      expect(row.reason, byPlace(expected)).toMatch(expected.reason);
      expect(summarised.get(byPlace(expected))).toMatchObject({
        source_key: expected.source_key,
        line: expected.line,
        raw: expected.raw,
        reason: row.reason,
      });
    }
  });
});

describe('the same dirty folder through the real handler on fauxqs', () => {
  let aws: LocalAws;
  let w: World;
  beforeAll(async () => {
    aws = await startLocalAws();
    w = await createWorld(aws);
  });
  afterAll(async () => {
    w?.restore();
    await aws?.stop();
  });

  it("keys with spaces, unicode, + and % survive S3 event encoding, and the answers equal the local run's", async () => {
    const keys = await landFolder(aws, w.landing, input);
    expect(keys).toEqual(expect.arrayContaining([UNICODE_SONG_KEY, PLUS_SONG_KEY, UNICODE_LOG_KEY]));
    for (const key of keys) {
      const record = eventRecord(w.landing, key);
      if (key === UNICODE_SONG_KEY) expect(record.body).toContain('TR+%C3%A9+1.json');
      if (key === PLUS_SONG_KEY) expect(record.body).toContain('TR%2B50%25.json');
      expectNoFailures(await worker(w, sourceKindOf(key)!).run([record]), key);
    }
    const handlerLake = await snapshotBucketLake(aws.s3Client, w.lake, join(dirs.path, 'handler-lake'));
    expectSameAnswers(handlerLake, lake, 'handler lake vs local ingest');
    expectNoGarbage(handlerLake, 'every file once');
    // The awkward keys are in the answers as they are, decoded once.
    expect(rowsOf(handlerLake, 'base_songs').map((row) => row.source_key)).toEqual(
      expect.arrayContaining([UNICODE_SONG_KEY, PLUS_SONG_KEY]),
    );
    expect(rowsOf(handlerLake, 'base_plays').map((row) => row.source_key)).toContain(UNICODE_LOG_KEY);
  });
});
