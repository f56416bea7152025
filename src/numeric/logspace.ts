/**
 * The log-space convention, stated once.
 *
 * - A probability p is held as log p; p = 0 is `-Infinity` (a mask), never NaN.
 * - Values V and Q are in reward units; `x / alpha` is in nats.
 * - Sums of exponentials are always max-shifted; a sum over an empty or fully masked set is
 *   `-Infinity`, and a max-shift by `-Infinity` is never taken (it would produce NaN).
 */

/** log(exp(a) + exp(b)) without overflow; handles -Infinity on either side. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** log sum_i exp(x[i]) over x[from..to); -Infinity when empty or all masked. */
export function logSumExp(x: ArrayLike<number>, from = 0, to = x.length): number {
  let m = -Infinity;
  for (let i = from; i < to; i++) {
    const v = x[i]!;
    if (v > m) m = v;
  }
  if (m === -Infinity) return -Infinity;
  if (m === Infinity) return Infinity;
  let s = 0;
  for (let i = from; i < to; i++) s += Math.exp(x[i]! - m);
  return m + Math.log(s);
}

/** log of a probability, with log 0 = -Infinity written out (the mask). */
export function safeLog(p: number): number {
  return p > 0 ? Math.log(p) : -Infinity;
}

/** Relative-and-absolute closeness used by checks: |a - b| <= tol * max(1, |a|, |b|). */
export function close(a: number, b: number, tol: number): boolean {
  if (a === b) return true;
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Kahan-Babuska (Neumaier) compensated sum, for probability checks and totals. */
export function fsum(x: ArrayLike<number>, from = 0, to = x.length): number {
  let s = 0;
  let c = 0;
  for (let i = from; i < to; i++) {
    const v = x[i]!;
    const t = s + v;
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + c;
}
