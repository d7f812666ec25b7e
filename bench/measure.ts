/** Figures every measuring child reports: wall time, CPU time and memory of the work alone. */
import type { MemoryFigures, Timed } from './protocol.js';

/** Samples RSS every 10 ms (a timer cannot fire during long synchronous work, so it can miss a peak; maxRSS cannot). */
export class RssSampler {
  private peak = process.memoryUsage.rss();
  readonly atStart = this.peak;
  private readonly timer = setInterval(() => this.sample(), 10);

  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
  }

  stop(): MemoryFigures {
    clearInterval(this.timer);
    this.sample();
    return { rssAtStart: this.atStart, rssPeakSampled: this.peak, maxRss: process.resourceUsage().maxRSS * 1024 };
  }
}

/** A line for the parent to print while a long measurement runs (bench/fork.ts). */
export function progress(line: string): void {
  process.send?.({ progress: line });
}

export function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/** Runs the work with the clock, the CPU counter and the RSS sampler around it. */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; figures: Timed }> {
  const sampler = new RssSampler();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await work();
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuSecondsSince(cpu);
  return { value, figures: { seconds, cpuSeconds, ...sampler.stop() } };
}
