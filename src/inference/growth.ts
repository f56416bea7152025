/**
 * The growth rate of exact message passing: log rho(M) for the homogeneous part of the exact
 * operator on z = exp(V/alpha),
 *   (M z)(s) = sum_a w(a|s) sum_{k live, p_k > 0} p_k exp(r_k/alpha) gamma z(s'_k),
 * so that z = M z + b has a positive fixed point iff rho < 1, and otherwise V grows by
 * alpha log rho per sweep.
 *
 * Plain power iteration fails on periodic chains (the increments of V alternate and never settle),
 * so this iterates the shifted matrix M + cI, whose Perron root is rho + c and whose other
 * eigenvalues are strictly smaller in modulus when c > 0; c is taken near rho (from the caller's
 * estimate) so that the shift is neither negligible nor dominant. Everything runs in log space:
 * entries of M can be exp(1e6).
 */
import type { MdpArrays } from "../mdp/tabular.js";
import type { ActionPrior } from "./prior.js";
import { logAddExp } from "../numeric/logspace.js";

/** log((M z)(s)) for y = log z, written into `out` (-Infinity where s has no live entry). */
function logHomogeneous(mdp: MdpArrays, prior: ActionPrior, alpha: number, gamma: number, y: Float64Array, out: Float64Array): void {
  const { nStates: n, nActions: m, rowStart, next, prob, reward, done } = mdp;
  const inv = 1 / alpha;
  const logGamma = Math.log(gamma);
  for (let s = 0; s < n; s++) {
    let mx = -Infinity;
    for (let pass = 0; pass < 2; pass++) {
      let sum = 0;
      for (let a = 0; a < m; a++) {
        const row = s * m + a;
        const w = prior.probs[row]!;
        if (!(w > 0)) continue;
        const lw = Math.log(w) + prior.logMass[s]! + logGamma;
        for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
          if (done[k] || !(prob[k]! > 0)) continue;
          const u = lw + Math.log(prob[k]!) + reward[k]! * inv + y[next[k]!]!;
          if (pass === 0) {
            if (u > mx) mx = u;
          } else sum += Math.exp(u - mx);
        }
      }
      if (pass === 0 && mx === -Infinity) break;
      if (pass === 1) mx += Math.log(sum);
    }
    out[s] = mx;
  }
}

/**
 * log rho(M), by power iteration on M + cI from z = exp(V/alpha) (any finite V works; the
 * current iterate of the message passing is a good start). `logShiftGuess` is log c, a guess of
 * log rho (e.g. the per-sweep growth of V over alpha). Returns -Infinity when M is nilpotent.
 */
export function exactLogSpectralRadius(
  mdp: MdpArrays,
  prior: ActionPrior,
  alpha: number,
  gamma: number,
  V: Float64Array,
  logShiftGuess: number,
  maxIter = 20_000,
): number {
  const n = mdp.nStates;
  let y = Float64Array.from(V, (v) => v / alpha);
  let yn = new Float64Array(n);
  const L = new Float64Array(n);
  // Probe M once to place the shift: max_s log((Mz)/z) bounds log rho from above.
  logHomogeneous(mdp, prior, alpha, gamma, y, L);
  let upper0 = -Infinity;
  for (let s = 0; s < n; s++) upper0 = Math.max(upper0, L[s]! - y[s]!);
  if (upper0 === -Infinity) return -Infinity;
  const logC = Number.isFinite(logShiftGuess) ? Math.min(logShiftGuess, upper0) : upper0;
  let prev = NaN;
  let steady = 0;
  let upper = upper0;
  for (let it = 0; it < maxIter; it++) {
    logHomogeneous(mdp, prior, alpha, gamma, y, L);
    let mx = -Infinity;
    upper = -Infinity;
    for (let s = 0; s < n; s++) {
      const a = L[s]!;
      const b = logC + y[s]!;
      const v = logAddExp(a, b);
      yn[s] = v;
      if (v - y[s]! > upper) upper = v - y[s]!;
      if (v > mx) mx = v;
    }
    for (let s = 0; s < n; s++) yn[s] = yn[s]! - mx; // normalise: max z = 1
    [y, yn] = [yn, y];
    // upper = log(rho + c) from above (Collatz-Wielandt); stop once it no longer moves.
    if (Math.abs(upper - prev) <= 4 * Number.EPSILON * Math.max(1, Math.abs(upper))) {
      if (++steady >= 3) break;
    } else steady = 0;
    prev = upper;
  }
  // log rho = log(exp(upper) - c)
  const d = logC - upper;
  return d >= 0 ? -Infinity : upper + Math.log1p(-Math.exp(d));
}
