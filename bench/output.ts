/** How the bench prints: lines, section headers with the elapsed time, the machine's load, sizes. */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { MiB } from './support.js';

export const out = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

const processStarted = performance.now();

export function elapsedSeconds(): number {
  return (performance.now() - processStarted) / 1000;
}

/** A section header, with the bench's elapsed time so far. */
export function section(title: string): void {
  out(`\n== ${title}  [t+${elapsedSeconds().toFixed(0)} s]`);
}

/** `uptime`'s line (the load averages), or the load averages alone where there is no uptime. */
export function machineLoad(): string {
  const up = spawnSync('uptime', { encoding: 'utf8' });
  return up.status === 0
    ? up.stdout.trim()
    : `load average: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(', ')}`;
}

export function load1(): number {
  return loadavg()[0] ?? 0;
}

export function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(0)} MiB`;
}

export function seconds(s: number, digits = 2): string {
  return `${s.toFixed(digits)} s`;
}
