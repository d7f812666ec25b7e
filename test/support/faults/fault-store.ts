/**
 * A fault-injecting wrapper around any ObjectStore (the folder store or the S3 store on fauxqs).
 *
 * - `crashAfterWrites: k` lets k writes (put or delete, counted together, in call order) succeed and
 *   then "crashes": the (k+1)-th write throws before it reaches the store, and so does every later
 *   call, as if the process had died there. k = 0 crashes before the first write.
 * - `crashAfterWrite(op, key)` crashes right after a chosen write (named by key, not position).
 * - `failRead(key, attempt)` makes a given read fail (attempt counts reads of that key, from 1):
 *   a poison object (always) or a transient one (the first n attempts).
 * - `failWrite(op, key, attempt)` does the same for writes without crashing the store.
 * - `gate(op, key)` is awaited before every call, so a test can hold a call at a chosen point.
 *
 * Every call is recorded in `calls`, with whether it reached the inner store, and every write that
 * reached it in `timeline` twice, when it started and when it was done: whether one write began
 * only after others were complete (the commit after the data) is read from there.
 */
import type { ObjectInfo, ObjectStore } from '../../../src/storage/object-store.js';

export type StoreOp = 'read' | 'put' | 'delete' | 'list';

export interface StoreCall {
  readonly op: StoreOp;
  readonly key: string;
  /** 'ok': passed to the inner store; 'fault': an injected failure. */
  readonly outcome: 'ok' | 'fault';
}

export interface FaultPlan {
  readonly crashAfterWrites?: number;
  /** Crash right after the first write this predicate matches has reached the store. */
  readonly crashAfterWrite?: (op: 'put' | 'delete', key: string) => boolean;
  readonly failRead?: (key: string, attempt: number) => boolean;
  readonly failWrite?: (op: 'put' | 'delete', key: string, attempt: number) => boolean;
  readonly gate?: (op: StoreOp, key: string) => Promise<void> | void;
}

/** The error every injected fault throws, so tests can tell it from a real failure. */
export class InjectedFault extends Error {
  constructor(
    readonly op: StoreOp,
    readonly key: string,
    detail: string,
  ) {
    super(`injected fault: ${op} ${key} (${detail})`);
    this.name = 'InjectedFault';
  }
}

export interface WriteEvent {
  readonly op: 'put' | 'delete';
  readonly key: string;
  readonly phase: 'start' | 'done';
}

export class FaultyObjectStore implements ObjectStore {
  readonly calls: StoreCall[] = [];
  readonly timeline: WriteEvent[] = [];
  readonly description: string;
  private writeCount = 0;
  private dead = false;
  private readonly attempts = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    readonly inner: ObjectStore,
    private readonly plan: FaultPlan = {},
  ) {
    this.description = `faulty(${inner.description})`;
  }

  /** Writes that reached the inner store. */
  get writes(): number {
    return this.writeCount;
  }

  /** Whether the simulated crash has happened. */
  get crashed(): boolean {
    return this.dead;
  }

  /**
   * Resolves once every write that reached the inner store has finished. A batch that fails on
   * one write returns while its other writes (started before the failure, in parallel) may still
   * be under way: a test waits for them before it looks at what they left.
   */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Keys of the calls of one kind that reached the inner store, in order. */
  keys(op: StoreOp): string[] {
    return this.calls.filter((c) => c.op === op && c.outcome === 'ok').map((c) => c.key);
  }

  async openRead(key: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    await this.enter('read', key);
    const attempt = this.attempt('read', key);
    if (this.plan.failRead?.(key, attempt)) this.fault('read', key, `read attempt ${attempt}`);
    this.calls.push({ op: 'read', key, outcome: 'ok' });
    return this.inner.openRead(key);
  }

  async put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    await this.enterWrite('put', key);
    await this.track(this.inner.put(key, body, contentType));
    this.timeline.push({ op: 'put', key, phase: 'done' });
    if (this.plan.crashAfterWrite?.('put', key)) this.dead = true;
  }

  async delete(key: string): Promise<void> {
    await this.enterWrite('delete', key);
    await this.track(this.inner.delete(key));
    this.timeline.push({ op: 'delete', key, phase: 'done' });
    if (this.plan.crashAfterWrite?.('delete', key)) this.dead = true;
  }

  /** Each key is one delete to the crash plan: a crash can fall between two keys of one request. */
  async deleteMany(keys: readonly string[]): Promise<void> {
    for (const key of keys) await this.delete(key);
  }

  async *list(prefix: string): AsyncIterable<string> {
    await this.enter('list', prefix);
    this.calls.push({ op: 'list', key: prefix, outcome: 'ok' });
    yield* this.inner.list(prefix);
  }

  async *listObjects(prefix: string): AsyncIterable<ObjectInfo> {
    await this.enter('list', prefix);
    this.calls.push({ op: 'list', key: prefix, outcome: 'ok' });
    yield* this.inner.listObjects(prefix);
  }

  private async track(write: Promise<void>): Promise<void> {
    this.inFlight.add(write);
    try {
      await write;
    } finally {
      this.inFlight.delete(write);
    }
  }

  private async enter(op: StoreOp, key: string): Promise<void> {
    await this.plan.gate?.(op, key);
    if (this.dead) this.fault(op, key, 'the process crashed earlier');
  }

  private async enterWrite(op: 'put' | 'delete', key: string): Promise<void> {
    await this.enter(op, key);
    if (this.plan.crashAfterWrites !== undefined && this.writeCount >= this.plan.crashAfterWrites) {
      this.dead = true;
      this.fault(op, key, `crash after ${this.plan.crashAfterWrites} write(s)`);
    }
    const attempt = this.attempt(op, key);
    if (this.plan.failWrite?.(op, key, attempt)) this.fault(op, key, `${op} attempt ${attempt}`);
    this.writeCount += 1;
    this.calls.push({ op, key, outcome: 'ok' });
    this.timeline.push({ op, key, phase: 'start' });
  }

  private attempt(op: StoreOp, key: string): number {
    const id = `${op}\u0000${key}`;
    const n = (this.attempts.get(id) ?? 0) + 1;
    this.attempts.set(id, n);
    return n;
  }

  private fault(op: StoreOp, key: string, detail: string): never {
    this.calls.push({ op, key, outcome: 'fault' });
    throw new InjectedFault(op, key, detail);
  }
}
