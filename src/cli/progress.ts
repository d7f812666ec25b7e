/**
 * Progress on a terminal: a one-line bar that fits the window, and a status line for a step that
 * takes a while. Nothing at all without a terminal (see CommandIo.terminal): logs and pipes stay clean.
 */
import type { Terminal } from './usage-error.js';

export interface ProgressState {
  readonly done: number;
  readonly total: number;
  /** What is being worked on, e.g. a file name. */
  readonly current: string;
}

export interface Progress {
  readonly update: (progress: ProgressState) => void;
  readonly done: () => void;
}

const SILENT: Progress = { update: () => undefined, done: () => undefined };

/** Wider than this the bar gains nothing, and long lines are hard to read. */
const MAX_WIDTH = 100;

/** Redraws at most this often. */
const REDRAW_MS = 100;

export function progressBar(terminal: Terminal | undefined, unit = 'files'): Progress {
  if (!terminal) return SILENT;
  const started = performance.now();
  let lastDraw = 0;
  let drawn = false;
  return {
    update(progress) {
      const now = performance.now();
      if (progress.done < progress.total && now - lastDraw < REDRAW_MS) return;
      lastDraw = now;
      drawn = true;
      terminal.write(`\r${progressLine(progress, (now - started) / 1000, terminal.columns, unit)}\x1b[K`);
    },
    done() {
      if (drawn) terminal.write('\r\x1b[K');
    },
  };
}

/**
 * `[#####.....] 12/101 files 3.4s song_data/A/B/C/TRX.json`, never longer than `columns - 1`
 * characters (a character in the last column makes some terminals wrap): the name is shortened
 * from the left, then dropped, then the bar, as the window narrows.
 */
export function progressLine(progress: ProgressState, seconds: number, columns: number, unit = 'files'): string {
  const width = Math.max(1, Math.min(columns, MAX_WIDTH) - 1);
  const counts = `${progress.done}/${progress.total} ${unit} ${seconds.toFixed(1)}s`;
  const barWidth = Math.min(30, width - counts.length - 3 - 20);
  const bar = barWidth >= 10 ? `[${filled(progress, barWidth)}] ` : '';
  const head = `${bar}${counts}`;
  if (head.length > width) return head.slice(0, width);
  const room = width - head.length - 1;
  const name = progress.current.length <= room ? progress.current : `…${progress.current.slice(-(room - 1))}`;
  return room >= 8 ? `${head} ${name}` : head;
}

function filled({ done, total }: ProgressState, width: number): string {
  const full = total === 0 ? width : Math.min(width, Math.round((done / total) * width));
  return `${'#'.repeat(full)}${'.'.repeat(width - full)}`;
}

/**
 * `text… 2.1s` on the terminal, counting up until done() clears it: for a step whose length is not
 * known in advance (reading the lake back after an ingest).
 */
export function statusLine(terminal: Terminal | undefined, text: string): { readonly done: () => void } {
  if (!terminal) return { done: () => undefined };
  const started = performance.now();
  const draw = () => {
    const line = `${text} ${((performance.now() - started) / 1000).toFixed(1)}s`;
    terminal.write(`\r${line.slice(0, Math.max(1, Math.min(terminal.columns, MAX_WIDTH) - 1))}\x1b[K`);
  };
  draw();
  const timer = setInterval(draw, 500);
  timer.unref();
  return {
    done() {
      clearInterval(timer);
      terminal.write('\r\x1b[K');
    },
  };
}
