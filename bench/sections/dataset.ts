/** The dataset section: generate (or reuse) the seeded real-shape dataset and say what it holds. */
import { ensureDataset, type DatasetInfo } from '../dataset.js';
import { out, section } from '../output.js';
import type { Settings } from '../settings.js';
import { fmtInt, table } from '../support.js';

export async function datasetSection(settings: Settings): Promise<DatasetInfo> {
  section('dataset');
  const data = await ensureDataset(settings);
  out(
    `${data.reused ? 'reused' : `generated in ${data.generateSeconds.toFixed(1)} s`} (src/generate, as \`sparkify-lake generate\`): ${data.dir}`,
  );
  out(
    table([
      ['input', 'files', 'MB', 'records'],
      [
        'song_data',
        fmtInt(data.songFiles),
        (data.songBytes / 1e6).toFixed(1),
        `${fmtInt(data.songFiles)} songs, one per file`,
      ],
      [
        'log_data',
        fmtInt(data.logFiles),
        (data.logBytes / 1e6).toFixed(1),
        `${fmtInt(data.events)} events (${fmtInt(data.nextSongEvents)} NextSong), ~${fmtInt(data.events / data.logFiles)} a day`,
      ],
      ['total', fmtInt(data.songFiles + data.logFiles), ((data.songBytes + data.logBytes) / 1e6).toFixed(1), ''],
    ]),
  );
  out(
    `expected: base_plays ${fmtInt(data.plays)} rows, base_songs ${fmtInt(data.songs)} rows, ${fmtInt(data.users)} users, ${fmtInt(data.artists)} artists (the generator's counts)`,
  );
  return data;
}
