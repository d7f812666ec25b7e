/** `--profile`: the whole local ingest once per kind under node --cpu-prof, and where its time goes. */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { runChild } from '../fork.js';
import { out, section } from '../output.js';
import { table } from '../support.js';
import { lakeOf, type BenchContext } from './context.js';

/** Pipeline stages whose inclusive CPU time the profile reports, by function name. */
const PROFILE_STAGES: readonly (readonly [string, string])[] = [
  ['addLogFile', 'one log file: lines → rows into the batch (processBatch)'],
  ['addLine', 'one log line: JSON.parse, checks, row building'],
  ['playRow', 'typed base_plays row from an event (inside addLine)'],
  ['timePartsOf', 'hour/day/ISO week/weekday (inside playRow)'],
  ['utf8Lines', 'byte stream → lines'],
  ['passThrough', 'SHA-256 of the source while reading'],
  ['addSongFile', 'one song file → row into the batch'],
  ['transformSongFile', 'song JSON → row (inside addSongFile)'],
  ['appendRowGroup', 'column extraction + hyparquet-writer encode of a row group'],
  ['writeColumn', 'hyparquet-writer: one column chunk (dictionary, levels, pages, snappy, statistics)'],
  ['useDictionary', 'hyparquet-writer: dictionary decision and build'],
  ['getStatistics', 'hyparquet-writer: min/max statistics'],
  ['compressInput', 'hyparquet-writer: snappy'],
  ['putParquet', 'FsObjectStore.put of an output (sync part)'],
];

export async function profileSection(context: BenchContext): Promise<void> {
  const { settings, data, repoRoot } = context;
  section('profile of our pipeline (ingestFolder under node --cpu-prof, once per kind; ratio not measured)');
  const dir = join(settings.workDir, 'profiles');
  await rm(dir, { recursive: true, force: true });
  for (const kind of ['log', 'song'] as const) {
    const kindDir = join(dir, kind);
    await mkdir(kindDir, { recursive: true });
    const lakeDir = lakeOf(context, 'ours-profile');
    await rm(lakeDir, { recursive: true, force: true });
    const { result } = await runChild(repoRoot, { mode: 'ingest', dataDir: data.dir, lakeDir, kinds: [kind] }, [
      '--cpu-prof',
      `--cpu-prof-dir=${kindDir}`,
    ]);
    out(`\n-- ${kind} files only: ${result.seconds.toFixed(2)} s under the profiler`);
    await summariseProfile(kindDir);
  }
}

async function summariseProfile(dir: string): Promise<void> {
  const { selfTimes, inclusiveTimes } = await import('../profile-summary.js');
  const file = (await readdir(dir)).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error('no .cpuprofile written');
  const profile = JSON.parse(await readFile(join(dir, file), 'utf8'));
  const { functions, groups, totalMicros } = selfTimes(profile);
  const pct = (m: number) => `${((100 * m) / totalMicros).toFixed(1)}%`;
  out(`  ${join(dir, file)}: ${(totalMicros / 1e6).toFixed(1)} s sampled (process start and module loading included)`);
  out(
    table([
      ['self time', 'ms', 'function', 'where'],
      ...functions.slice(0, 25).map((f) => [pct(f.micros), (f.micros / 1000).toFixed(0), f.name, f.where]),
    ]),
  );
  out(
    table([
      ['self time', 'ms', 'package / folder'],
      ...groups.slice(0, 12).map((g) => [pct(g.micros), (g.micros / 1000).toFixed(0), g.name]),
    ]),
  );
  const inclusive = inclusiveTimes(
    profile,
    PROFILE_STAGES.map(([name]) => name),
  );
  out(
    table([
      ['inclusive', 'ms', 'stage (function and what it calls; synchronous parts of async functions only)'],
      ...PROFILE_STAGES.map(([name, what]) => [
        pct(inclusive.get(name) ?? 0),
        ((inclusive.get(name) ?? 0) / 1000).toFixed(0),
        `${name}: ${what}`,
      ]),
    ]),
  );
}
