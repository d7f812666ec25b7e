/**
 * ObjectStore adapters for the benchmark only: an in-memory store, a wrapper that counts requests
 * as S3 would bill them, and a wrapper that makes every request take a simulated S3 round trip
 * (20–40 ms, seeded), at most a fixed number in flight, as the AWS SDK's connection pool allows.
 */
import { Random } from '../src/generate/random.js';
import type { ObjectInfo, ObjectStore } from '../src/storage/object-store.js';
import type { Clock } from './clock.js';

/** Keys per page of S3 ListObjectsV2: one LIST request per page. */
export const LIST_PAGE_KEYS = 1_000;

/** Objects held in a Map: the lake for simulations, no file system involved. */
export class MemoryObjectStore implements ObjectStore {
  readonly description = 'memory';
  private readonly objects = new Map<string, Uint8Array>();

  async openRead(key: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    const body = this.objects.get(key);
    return body === undefined ? undefined : oneChunk(body);
  }

  async put(key: string, body: Uint8Array | string): Promise<void> {
    this.objects.set(key, typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.objects.delete(key);
  }

  async *list(prefix: string): AsyncIterable<string> {
    for await (const object of this.listObjects(prefix)) yield object.key;
  }

  async *listObjects(prefix: string): AsyncIterable<ObjectInfo> {
    // A snapshot, in key order, as S3 lists.
    const keys = [...this.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
    for (const key of keys) {
      const body = this.objects.get(key);
      if (body !== undefined) yield { key, size: body.length };
    }
  }

  get size(): number {
    return this.objects.size;
  }

  get bytes(): number {
    let total = 0;
    for (const body of this.objects.values()) total += body.length;
    return total;
  }

  keys(): string[] {
    return [...this.objects.keys()];
  }
}

async function* oneChunk(body: Uint8Array): AsyncGenerator<Uint8Array> {
  yield body;
}

export type RequestKind = 'GET' | 'PUT' | 'LIST' | 'DELETE';

export interface RequestCounts {
  GET: number;
  PUT: number;
  LIST: number;
  DELETE: number;
}

export function noRequests(): RequestCounts {
  return { GET: 0, PUT: 0, LIST: 0, DELETE: 0 };
}

export function totalRequests(counts: RequestCounts): number {
  return counts.GET + counts.PUT + counts.LIST + counts.DELETE;
}

/**
 * Counts requests as S3 bills them: openRead = GET (a missing key too), put = PUT, delete =
 * DELETE, and one LIST per page of up to 1,000 keys of a listing (at least one per listing).
 */
export class CountingObjectStore implements ObjectStore {
  readonly counts: RequestCounts = noRequests();
  readonly description: string;

  constructor(
    private readonly inner: ObjectStore,
    /** Told of every request, e.g. to group the PUTs of one batch. */
    private readonly onRequest?: (kind: RequestKind, key: string) => void,
  ) {
    this.description = inner.description;
  }

  async openRead(key: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    this.count('GET', key);
    return this.inner.openRead(key);
  }

  async put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    this.count('PUT', key);
    await this.inner.put(key, body, contentType);
  }

  async delete(key: string): Promise<void> {
    this.count('DELETE', key);
    await this.inner.delete(key);
  }

  /** One request per 1,000 keys, as S3's DeleteObjects. */
  async deleteMany(keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += 1000) this.count('DELETE', keys[start] ?? '');
    await this.inner.deleteMany(keys);
  }

  async *list(prefix: string): AsyncIterable<string> {
    for await (const object of this.listObjects(prefix)) yield object.key;
  }

  async *listObjects(prefix: string): AsyncIterable<ObjectInfo> {
    let onPage = 0;
    this.count('LIST', prefix);
    for await (const object of this.inner.listObjects(prefix)) {
      if (onPage === LIST_PAGE_KEYS) {
        this.count('LIST', prefix);
        onPage = 0;
      }
      onPage += 1;
      yield object;
    }
  }

  private count(kind: RequestKind, key: string): void {
    this.counts[kind] += 1;
    this.onRequest?.(kind, key);
  }
}

/** At most `limit` holders at once; the others wait in arrival order. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active += 1;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}

/** Thrown for every request that starts after the simulated Lambda timeout: the run is cut off there. */
export class SimulatedTimeout extends Error {
  constructor(at: number) {
    super(`simulated Lambda timeout at ${new Date(at).toISOString()}`);
    this.name = 'SimulatedTimeout';
  }
}

export interface LatencyOptions {
  readonly clock: Clock;
  readonly seed: string;
  /** Round trip of one request, ms: uniform in [min, max]. */
  readonly minMs: number;
  readonly maxMs: number;
  /**
   * Requests in flight at once; more wait for a free connection. 50 is the AWS SDK v3 default
   * (maxSockets of @smithy/node-http-handler), which the stack's workers do not change.
   */
  readonly maxInFlight: number;
  /** Requests starting at or after this clock time fail with SimulatedTimeout. */
  readonly killAt?: number;
}

/**
 * Every request waits for a connection, then one simulated round trip (the time to the first byte
 * of a GET, or to the response of a PUT, DELETE or LIST page), then runs against the inner store.
 * Transfer time is not modelled: the objects it is used with are small.
 */
export class LatencyObjectStore implements ObjectStore {
  readonly description: string;
  private readonly random: Random;
  private readonly connections: Semaphore;

  constructor(
    private readonly inner: ObjectStore,
    private readonly options: LatencyOptions,
  ) {
    this.description = `${inner.description} (+${options.minMs}–${options.maxMs} ms per request)`;
    this.random = new Random(options.seed);
    this.connections = new Semaphore(options.maxInFlight);
  }

  openRead(key: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    return this.request(() => this.inner.openRead(key));
  }

  put(key: string, body: Uint8Array | string, contentType?: string): Promise<void> {
    return this.request(() => this.inner.put(key, body, contentType));
  }

  delete(key: string): Promise<void> {
    return this.request(() => this.inner.delete(key));
  }

  /** One delayed request per 1,000 keys, as S3's DeleteObjects. */
  async deleteMany(keys: readonly string[]): Promise<void> {
    for (let start = 0; start < keys.length; start += 1000) {
      const chunk = keys.slice(start, start + 1000);
      await this.request(() => this.inner.deleteMany(chunk));
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    for await (const object of this.listObjects(prefix)) yield object.key;
  }

  async *listObjects(prefix: string): AsyncIterable<ObjectInfo> {
    const all: ObjectInfo[] = [];
    for await (const object of this.inner.listObjects(prefix)) all.push(object);
    for (let start = 0; start === 0 || start < all.length; start += LIST_PAGE_KEYS) {
      const page = await this.request(async () => all.slice(start, start + LIST_PAGE_KEYS));
      yield* page;
    }
  }

  private request<T>(work: () => Promise<T>): Promise<T> {
    return this.connections.run(async () => {
      const { clock, killAt } = this.options;
      if (killAt !== undefined && clock.now() >= killAt) throw new SimulatedTimeout(killAt);
      await clock.sleep(this.random.float(this.options.minMs, this.options.maxMs));
      return work();
    });
  }
}
