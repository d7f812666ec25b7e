import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateLogFile, writeLogFile, type ChunkWriter } from '../../src/generate/index.js';
import { tempDir } from '../support/paths.js';

const dirs = tempDir('generate-stream');
afterAll(() => dirs.cleanup());

const TARGET = 20_000_000;

describe('a large log file is streamed', () => {
  it('goes to the writer in small chunks, one at a time, never as one string', async () => {
    const chunks: number[] = [];
    let writing = 0;
    let overlapping = 0;
    let bytes = 0;
    const writer: ChunkWriter = {
      async write(chunk) {
        if (writing > 0) overlapping++;
        writing++;
        chunks.push(chunk.length);
        bytes += Buffer.byteLength(chunk);
        await new Promise<void>((resolve) => setImmediate(resolve));
        writing--;
      },
      async close() {},
    };
    const expectation = await writeLogFile(writer, { seed: 'stream', targetBytes: TARGET, faultRate: 0.001 });
    expect(expectation.bytes).toBe(bytes);
    expect(bytes).toBeGreaterThanOrEqual(TARGET);
    expect(bytes).toBeLessThan(TARGET + 2_000);
    // 64 KiB chunks (plus at most one line): hundreds of writes, the largest a tiny share of the file.
    expect(chunks.length).toBeGreaterThan(TARGET / 70_000);
    expect(Math.max(...chunks)).toBeLessThan(70_000);
    expect(overlapping).toBe(0);
    expect(expectation.events).toBeGreaterThan(40_000);
  });

  it('generateLogFile writes the file to disk with the expected size and content counts', async () => {
    const path = join(dirs.path, 'log_data/2018/11/2018-11-05-events.json');
    const expectation = await generateLogFile(path, { seed: 'disk', date: '2018-11-05', targetBytes: 4_000_000 });
    expect(statSync(path).size).toBe(expectation.bytes);
    expect(expectation.key).toBe('log_data/2018/11/2018-11-05-events.json');
    const text = readFileSync(path, 'utf8');
    expect(text.endsWith('}')).toBe(true);
    expect(text.split('\n')).toHaveLength(expectation.lines);
    expect(expectation.lines).toBe(expectation.events);
    expect(new Date(expectation.firstTs ?? 0).toISOString().slice(0, 10)).toBe('2018-11-05');
    expect(new Date(expectation.lastTs ?? 0).toISOString().slice(0, 10)).toBe('2018-11-05');
  });
});
