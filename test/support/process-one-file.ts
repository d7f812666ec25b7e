/**
 * Run as a child process (with a heap limit) by the large-file test: processes one landing file
 * from a folder into a lake folder as a batch of its own (processBatch, as a worker does with an
 * SQS batch of one message) and prints the outcome, the objects written and the peak RSS as JSON.
 */
import { processBatch } from '../../src/pipeline/process-batch.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';

const [inputDir, lakeDir, key] = process.argv.slice(2);
if (!inputDir || !lakeDir || !key) throw new Error('usage: process-one-file <input-dir> <lake-dir> <key>');
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 10);
// Any sequencer will do: the lake holds no other version of the key.
const result = await processBatch([{ key, seq: '1'.padEnd(32, '0') }], {
  source: new FsObjectStore(inputDir),
  lake: new FsObjectStore(lakeDir),
});
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
const [outcome] = result.outcomes;
if (outcome?.status !== 'processed')
  throw new Error(`${key} not processed: ${outcome?.status} ${outcome?.error?.message ?? ''}`);
process.stdout.write(
  JSON.stringify({
    writeId: result.writeId,
    rows: outcome.rows,
    bytesRead: outcome.bytesRead,
    objects: result.objectsWritten,
    committed: result.committed.length,
    peakRss,
  }),
);
