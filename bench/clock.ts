/**
 * Clocks for the simulated-latency store. The real clock sleeps. The virtual clock does not: its
 * time is the process's CPU time plus every simulated wait, so a run that would spend 15 minutes
 * waiting on S3 round trips takes only its CPU time to simulate, and a busy machine (which
 * stretches wall time, not CPU time) distorts it much less.
 *
 * How the virtual clock stays faithful to concurrency: a sleep registers a wake-up time; the clock
 * advances only when nothing else can run (a setImmediate callback runs after every promise
 * continuation has run), and then to the earliest wake-up, waking every sleeper due by then. This
 * holds as long as the code under test waits on nothing but this clock and promises (an
 * in-memory store underneath, no real I/O or timers).
 */

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

interface Sleeper {
  readonly at: number;
  readonly wake: () => void;
}

export class VirtualClock implements Clock {
  private readonly epochAtStart = Date.now();
  private readonly cpuAtStart = process.cpuUsage();
  /** Simulated waiting so far, ms. */
  private waited = 0;
  private readonly sleepers: Sleeper[] = [];
  private pumpScheduled = false;

  now(): number {
    return this.epochAtStart + this.cpuMs() + this.waited;
  }

  /** CPU time of the process since the clock started, ms (user + system, all threads). */
  cpuMs(): number {
    const used = process.cpuUsage(this.cpuAtStart);
    return (used.user + used.system) / 1000;
  }

  /** Simulated waiting so far, ms: the clock's time not spent on the CPU. */
  waitedMs(): number {
    return this.waited;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((wake) => {
      this.sleepers.push({ at: this.now() + ms, wake });
      this.schedulePump();
    });
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => this.pump());
  }

  /** Nothing else can run: move time to the earliest wake-up and wake everyone due. */
  private pump(): void {
    this.pumpScheduled = false;
    if (this.sleepers.length === 0) return;
    const earliest = Math.min(...this.sleepers.map((sleeper) => sleeper.at));
    const now = this.now();
    if (earliest > now) this.waited += earliest - now;
    const due = this.now();
    const still: Sleeper[] = [];
    const woken: Sleeper[] = [];
    for (const sleeper of this.sleepers) (sleeper.at <= due ? woken : still).push(sleeper);
    this.sleepers.splice(0, this.sleepers.length, ...still);
    for (const sleeper of woken.sort((a, b) => a.at - b.at)) sleeper.wake();
    if (this.sleepers.length > 0) this.schedulePump();
  }
}
