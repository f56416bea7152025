/**
 * "Did you mean": the nearest known name to a misspelt one (flags, commands, option keys), by
 * optimal string alignment distance (edits, with a swap of neighbours counting as one edit).
 */

/** Edit distance with adjacent transpositions (optimal string alignment), case-insensitive. */
export function editDistance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/**
 * The candidate nearest to `name`, when it is near enough to be a slip: at most 2 edits (1 for
 * names of up to 4 characters), or `name` is a prefix or suffix of the candidate (e.g. "slippery"
 * for "isSlippery"). Ties go to the earlier candidate.
 */
export function nearest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const limit = name.length <= 4 ? 1 : 2;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (best !== undefined && bestD <= limit) return best;
  const lower = name.toLowerCase();
  if (lower.length >= 3) return candidates.find((c) => c.toLowerCase().endsWith(lower) || c.toLowerCase().startsWith(lower));
  return undefined;
}

/** " (did you mean X?)" or "". */
export function didYouMean(name: string, candidates: readonly string[], show: (c: string) => string = (c) => c): string {
  const c = nearest(name, candidates);
  return c === undefined ? "" : ` (did you mean ${show(c)}?)`;
}
