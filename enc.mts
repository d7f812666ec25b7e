import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createReadStream } from 'node:fs';
import { transformLogStreamInto } from './src/domain/log-transform.ts';
import { BASE_PLAYS } from './src/domain/tables.ts';
import { encodeParquet } from './src/parquet/writer.ts';
const data = '/work/main/.bench/data-1-s15000-e240000-d30';
const dir = join(data, 'log_data/2018/11');
const rows: object[] = [];
for (const f of readdirSync(dir).slice(0, 10))
  await transformLogStreamInto(f, createReadStream(join(dir, f)), {
    play: (r) => {
      rows.push(r);
    },
    reject: () => {},
  });
for (let i = 0; i < 4; i++) {
  const c = process.cpuUsage();
  const body = encodeParquet(BASE_PLAYS, rows, { write_id: 'w' });
  const u = process.cpuUsage(c);
  console.log(`encode ${rows.length} rows: ${((u.user + u.system) / 1000).toFixed(0)} ms cpu, ${body.length} bytes`);
}
