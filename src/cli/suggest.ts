/** "Did you mean …?" for a mistyped command or option: the closest known name, if it is close. */

/** The candidate closest to `typed` by edit distance, when it is close enough to be a typo. */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(typed.toLowerCase(), name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  // A third of the word, at least one edit: `injest`→`ingest`, `--lakes`→`--lake`, not `x`→`demo`.
  const allowed = Math.max(1, Math.floor(typed.replace(/^-+/, '').length / 3));
  return best && best.distance <= allowed ? best.name : undefined;
}

/** ` (did you mean "x"?)`, or nothing. */
export function didYouMean(typed: string, candidates: readonly string[]): string {
  const match = closest(typed, candidates);
  return match ? ` (did you mean "${match}"?)` : '';
}

/** Levenshtein distance, counting a swap of two neighbours as one edit (`igest`, `ingets`). */
export function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const substitution = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        distance = Math.min(distance, at(i - 2, j - 2) + 1);
      (rows[i] as number[])[j] = distance;
    }
  }
  return at(a.length, b.length);
}
