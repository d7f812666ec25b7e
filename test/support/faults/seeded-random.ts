/**
 * A small seeded pseudo-random generator (mulberry32) so every "random" order or batch split in
 * the fault suite is reproducible from its seed: a failing seed can be rerun as it failed.
 */
export interface Random {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
}

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { seed, next, int: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}

/** A new array: the items in a seeded random order (Fisher-Yates). */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Consecutive batches of random sizes in [min, max] covering every item once, in order. */
export function randomBatches<T>(items: readonly T[], random: Random, min: number, max: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; ) {
    const size = random.int(min, max);
    batches.push(items.slice(i, i + size));
    i += size;
  }
  return batches;
}
