/** A one-line progress bar on a terminal; silent when stderr is not one (CI logs, pipes). */
import type { IngestProgress } from '../local/ingest.js';

export function progressBar(stream: NodeJS.WriteStream = process.stderr): {
  update: (progress: IngestProgress) => void;
  done: () => void;
} {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  const started = performance.now();
  let lastDraw = 0;
  let drawn = false;
  return {
    update({ done, total, current }) {
      const now = performance.now();
      if (done < total && now - lastDraw < 100) return;
      lastDraw = now;
      drawn = true;
      const width = 30;
      const filled = total === 0 ? width : Math.round((done / total) * width);
      const seconds = ((now - started) / 1000).toFixed(1);
      const label = current.length > 40 ? `…${current.slice(-39)}` : current;
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} files ${seconds}s ${label}\x1b[K`);
    },
    done() {
      if (drawn) stream.write('\n');
    },
  };
}
