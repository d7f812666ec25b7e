/**
 * The cost of reading log lines with our strict JSON reader (src/domain/json-record.ts) against
 * JSON.parse, on the same lines, warm, in one process: CPU time (process.cpuUsage) per round,
 * median of `--runs` rounds (default 9), rounds of the two interleaved so machine load hits both.
 *
 *   tsx bench/experiments/json-record.ts [log file ...]   (default: every log file of data/sample)
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { JsonRecordReader } from '../../src/domain/json-record.js';
import { LOG_FIELDS } from '../../src/domain/log-transform.js';
import { median } from '../support.js';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 9;
const files = args.length > 0 ? args : walk('data/sample/log_data');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const lines = files.flatMap((file) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== ''),
);
const bytes = lines.reduce((sum, line) => sum + Buffer.byteLength(line), 0);
const reader = new JsonRecordReader(LOG_FIELDS);
let sink = 0;

const engines: Record<string, () => void> = {
  'JSON.parse': () => {
    for (const line of lines) sink += (JSON.parse(line) as object) ? 1 : 0;
  },
  JsonRecordReader: () => {
    for (const line of lines) {
      reader.read(line);
      sink += reader.count;
    }
  },
};

const times: Record<string, number[]> = Object.fromEntries(Object.keys(engines).map((name) => [name, []]));
for (const work of Object.values(engines)) work(); // warm
for (let run = 0; run < runs; run++) {
  for (const [name, work] of Object.entries(engines)) {
    const start = process.cpuUsage();
    work();
    const used = process.cpuUsage(start);
    times[name]?.push((used.user + used.system) / 1000);
  }
}
console.log(
  `${lines.length} lines, ${(bytes / 1e6).toFixed(1)} MB, ${runs} rounds (median CPU ms per round); checksum ${sink}`,
);
const base = median(times['JSON.parse'] ?? []);
for (const [name, ms] of Object.entries(times)) {
  const m = median(ms);
  console.log(
    `${name.padEnd(18)} ${m.toFixed(1).padStart(8)} ms  ${((m * 1000) / lines.length).toFixed(2).padStart(6)} µs/line  ${(bytes / 1e3 / m).toFixed(0).padStart(5)} MB/s  ×${(m / base).toFixed(2)} JSON.parse  (min ${Math.min(...ms).toFixed(1)}, max ${Math.max(...ms).toFixed(1)})`,
  );
}
