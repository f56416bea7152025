/** Small numeric helpers shared by the tests, written without the package's own. */

/** A probability vector from positive weights, with the rounding error put on the largest entry. */
export function normalise(w: readonly number[]): number[] {
  const total = w.reduce((x, y) => x + y, 0);
  const p = w.map((x) => x / total);
  // Make the sum as close to 1 as rounding allows: the error goes on the largest entry.
  const err = 1 - p.reduce((x, y) => x + y, 0);
  const i = p.indexOf(Math.max(...p));
  p[i]! += err;
  return p;
}

/** |a - b| relative to max(1, |a|, |b|). */
export const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));
