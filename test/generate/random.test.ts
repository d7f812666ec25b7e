import { describe, expect, it } from 'vitest';
import { Random, WeightedTable } from '../../src/generate/random.js';

const draws = (rng: Random, n: number) => Array.from({ length: n }, () => rng.uint32());

describe('Random', () => {
  it('repeats its sequence for a seed, and a number seed equals its text', () => {
    expect(draws(new Random(42), 50)).toEqual(draws(new Random(42), 50));
    expect(draws(new Random(42), 50)).toEqual(draws(new Random('42'), 50));
    expect(draws(new Random(42), 50)).not.toEqual(draws(new Random(43), 50));
  });

  it('pins the first values, so output cannot drift across platforms or refactors unnoticed', () => {
    const rng = new Random(1);
    expect(draws(rng, 3)).toEqual([663261097, 853986954, 1331713668]);
  });

  it('forks by label, independently of what the parent has drawn', () => {
    const a = new Random(7);
    const b = new Random(7);
    draws(b, 100);
    expect(draws(a.fork('x'), 20)).toEqual(draws(b.fork('x'), 20));
    expect(draws(a.fork('x'), 20)).not.toEqual(draws(a.fork('y'), 20));
  });

  it('keeps int, float and next53 within their ranges and covers the ends', () => {
    const rng = new Random(3);
    const ints = Array.from({ length: 5000 }, () => rng.int(-2, 2));
    expect(new Set(ints)).toEqual(new Set([-2, -1, 0, 1, 2]));
    for (let i = 0; i < 5000; i++) {
      const f = rng.float(1, 2);
      expect(f >= 1 && f < 2).toBe(true);
      const g = rng.next53();
      expect(g >= 0 && g < 1).toBe(true);
    }
    const wide = rng.int(0, 2 ** 40);
    expect(Number.isInteger(wide) && wide >= 0 && wide <= 2 ** 40).toBe(true);
    expect(() => rng.int(3, 2)).toThrow(RangeError);
  });

  it('picks by weight, shuffles into a permutation', () => {
    const rng = new Random(5);
    const table = new WeightedTable([
      ['a', 1],
      ['b', 0],
      ['c', 3],
    ] as const);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 8000; i++) counts[table.pick(rng)]++;
    expect(counts.b).toBe(0);
    expect(counts.c / counts.a).toBeGreaterThan(2.5);
    expect(counts.c / counts.a).toBeLessThan(3.5);
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = rng.shuffle([...items]);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((x, y) => x - y)).toEqual(items);
    expect(rng.weighted([['only', 2]])).toBe('only');
  });
});
