/**
 * Run as a child process (with a heap limit) by the large-file test: processes one landing file
 * from a folder into a lake folder and prints the outcome and the peak RSS as JSON.
 */
import { processSourceObject } from '../../src/pipeline/process-source-object.js';
import { FsObjectStore } from '../../src/storage/fs-store.js';

const [inputDir, lakeDir, key] = process.argv.slice(2);
if (!inputDir || !lakeDir || !key) throw new Error('usage: process-one-file <input-dir> <lake-dir> <key>');
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 10);
const outcome = await processSourceObject(key, { source: new FsObjectStore(inputDir), lake: new FsObjectStore(lakeDir) });
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss);
process.stdout.write(JSON.stringify({ rows: outcome.rows, bytesRead: outcome.bytesRead, outputs: outcome.outputs, peakRss }));
