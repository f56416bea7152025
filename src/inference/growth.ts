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

/**
 * log((M z)(s)) for y = log z, written into `out` (-Infinity where s has no live entry). With
 * `within`, only states s with within[s] = 1 are computed, and only entries into such states count
 * (the principal submatrix of M on that set).
 */
function logHomogeneous(mdp: MdpArrays, prior: ActionPrior, alpha: number, gamma: number, y: Float64Array, out: Float64Array, within: Uint8Array | null = null): void {
  const { nStates: n, nActions: m, rowStart, next, prob, reward, done } = mdp;
  const inv = 1 / alpha;
  const logGamma = Math.log(gamma);
  for (let s = 0; s < n; s++) {
    let mx = -Infinity;
    if (within && !within[s]) {
      out[s] = -Infinity;
      continue;
    }
    for (let pass = 0; pass < 2; pass++) {
      let sum = 0;
      for (let a = 0; a < m; a++) {
        const row = s * m + a;
        const w = prior.probs[row]!;
        if (!(w > 0)) continue;
        const lw = Math.log(w) + prior.logMass[s]! + logGamma;
        for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
          if (done[k] || !(prob[k]! > 0) || (within && !within[next[k]!])) continue;
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
 * log rho (e.g. the per-sweep growth of V over alpha). Returns -Infinity when M is nilpotent, an
 * upper bound below 0 as soon as the Collatz-Wielandt bound proves rho < 1, and NaN when the
 * estimate has not settled within `maxIter` iterations (each costs about one log-space sweep).
 * With `bounds`, also the proven bounds on log rho where it stopped ({@link LogRadiusBounds}).
 */
export function exactLogSpectralRadius(
  mdp: MdpArrays,
  prior: ActionPrior,
  alpha: number,
  gamma: number,
  V: Float64Array,
  logShiftGuess: number,
  maxIter = 20_000,
  bounds?: LogRadiusBounds,
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
  let logC = Number.isFinite(logShiftGuess) ? Math.min(logShiftGuess, upper0) : upper0;
  let prev = NaN;
  let steady = 0;
  let upper = upper0;
  let logOnePlusC = logAddExp(0, logC);
  let settled = false;
  let steps = 0;
  // The upper bound's steadiness is not enough (it stays flat while the iterate is flat where it
  // peaks, e.g. inside a uniform grid): when it has been steady for `checkAfter` steps, a lower bound
  // from the iterate must meet it within `tol`; each failed check doubles the wait.
  let checkAfter = 3;
  let logLowerProven = -Infinity;
  const logRhoUpper = (u: number): number => {
    const d = logC - u;
    return d >= 0 ? -Infinity : u + Math.log1p(-Math.exp(d));
  };
  const lowerFrom = (theta: number): number => exactLogGrowthLowerBound(mdp, prior, alpha, gamma, Float64Array.from(y, (v) => alpha * v), 4, 0, theta);
  for (let it = 0; it < maxIter; it++) {
    steps++;
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
    // Settled: the bound moves by no more than rounding in its log-space sums (entries up to exp(700)).
    if (Math.abs(upper - prev) <= 1e-13 * Math.max(1, Math.abs(upper))) {
      if (++steady >= checkAfter) {
        const lu = logRhoUpper(upper);
        const tol = 1e-12 * Math.max(1, Math.abs(lu));
        const lo = Number.isFinite(lu) ? lowerFrom(lu - tol) : NaN;
        if (lo >= lu - tol) {
          logLowerProven = lo;
          settled = true;
          break;
        }
        checkAfter *= 2;
        steady = 0;
      }
    } else steady = 0;
    prev = upper;
    // rho + c <= exp(upper) < 1 + c: rho < 1 is proven, whatever the rest of the iteration gives.
    if (upper < logOnePlusC) {
      settled = true;
      break;
    }
    // Every 32 steps unsettled, move the shift to the current upper bound on rho, exp(upper) - c:
    // with c near rho the eigenvalues of modulus near rho (periodic parts) lose their weight fast.
    if (it % 32 === 31) {
      const next = upper + Math.log1p(-Math.exp(logC - upper));
      if (Number.isFinite(next)) {
        logC = next;
        logOnePlusC = logAddExp(0, logC);
        prev = NaN;
        steady = 0;
      }
    }
  }
  // log rho <= log(exp(upper) - c)
  const logUpper = logRhoUpper(upper);
  // Settled by the bounds: they agree to 1e-12; the middle is rho to rounding. Settled by rho < 1
  // proven: the upper bound, below 0.
  const value = !settled ? NaN : logLowerProven > -Infinity ? (logLowerProven + logUpper) / 2 : logUpper;
  if (bounds) {
    bounds.steps = steps;
    // A lower bound from the last iterate (close to the Perron vector): Collatz-Wielandt on the
    // states whose ratio is at least theta (exactLogGrowthLowerBound without its smoothing steps),
    // theta as close below the upper bound as proves anything.
    let lo = logLowerProven;
    if (!(lo > -Infinity) && Number.isFinite(logUpper)) {
      for (const gap of [1e-9, 1e-6, 1e-4, 1e-2, 1e-1]) {
        const got = lowerFrom(logUpper - gap * Math.max(1, Math.abs(logUpper)));
        if (got >= -Infinity) {
          lo = got;
          break;
        }
      }
    }
    // A proven lower bound is never lowered: an upper bound below it (rounding in the log-space
    // sums) is raised to it instead.
    bounds.logLower = Math.max(bounds.logLower, lo);
    bounds.logUpper = Math.max(logUpper, bounds.logLower);
  }
  return value;
}

/**
 * Proven bounds on log rho where {@link exactLogSpectralRadius} stops (its budget spent or settled):
 * `logLower` starts as the caller's proven lower bound (-Infinity when none) and is raised by one
 * from the last iterate; `logUpper` is the Collatz-Wielandt bound of the last step; `steps` the
 * power-iteration steps taken.
 */
export interface LogRadiusBounds {
  logLower: number;
  logUpper: number;
  steps: number;
}

/**
 * A lower bound on rho(M) from the values V (z = exp(V/alpha)), in a few log-space passes, valid on
 * periodic chains too. The iterates of a growing run alternate on a periodic part (a 2-cycle whose
 * rewards sit on one edge grows on every other sweep), so the plain ratio (M z)(s) / z(s) can dip
 * below 1 on a growing state. The test therefore uses the shifted matrix A = M + cI with c > 0 the
 * upper bound max_s (M z)(s) / z(s) >= rho(M): a few steps z <- A z first damp the periodic
 * components (the eigenvalues rho w of a cycle map to |rho w + c| < rho + c), then, on a set S of
 * states shrunk to those whose ratio (A_S z)(s) / z(s) counting only entries into S is at least
 * 1 + c, Collatz-Wielandt on the principal submatrix gives rho(M) >= rho(M_S) = rho(A_S) - c >=
 * lambda - c >= 1, lambda the smallest ratio: no fixed point. Returns log(lambda - c), or NaN when
 * the passes prove nothing. Meant for a run whose V grows steadily. With `logTheta`, the states kept
 * are those whose ratio is at least theta + c instead of 1 + c: a proof of rho >= theta (any theta;
 * -Infinity keeps every state whose ratio is defined).
 */
export function exactLogGrowthLowerBound(mdp: MdpArrays, prior: ActionPrior, alpha: number, gamma: number, V: Float64Array, passes = 4, smoothing = 8, logTheta = 0): number {
  const n = mdp.nStates;
  let y = Float64Array.from(V, (v) => v / alpha);
  let yn = new Float64Array(n);
  const L = new Float64Array(n);
  logHomogeneous(mdp, prior, alpha, gamma, y, L);
  let logC = -Infinity;
  for (let s = 0; s < n; s++) if (L[s]! - y[s]! > logC) logC = L[s]! - y[s]!;
  if (!Number.isFinite(logC)) return NaN;
  // Smooth: z <- (M + cI) z, normalised to max z = 1 (no overflow however large V is).
  for (let step = 0; step < smoothing; step++) {
    let mx = -Infinity;
    for (let s = 0; s < n; s++) {
      const v = logAddExp(L[s]!, logC + y[s]!);
      yn[s] = v;
      if (v > mx) mx = v;
    }
    for (let s = 0; s < n; s++) yn[s] = yn[s]! - mx;
    [y, yn] = [yn, y];
    logHomogeneous(mdp, prior, alpha, gamma, y, L);
  }
  // The states kept are those whose ratio (A_S z)(s) / z(s) is at least theta + c (theta = 1 by default).
  const logOnePlusC = logAddExp(logTheta, logC);
  const inS = new Uint8Array(n).fill(1);
  for (let pass = 0; pass < passes; pass++) {
    let size = 0;
    let dropped = false;
    let lowest = Infinity;
    for (let s = 0; s < n; s++) {
      if (!inS[s]) continue;
      const r = logAddExp(L[s]!, logC + y[s]!) - y[s]!; // log((A_S z)(s) / z(s))
      if (!(r >= logOnePlusC)) {
        inS[s] = 0;
        dropped = true;
      } else {
        size++;
        if (r < lowest) lowest = r;
      }
    }
    if (size === 0) return NaN;
    if (!dropped) {
      // log(lambda - c), lambda = exp(lowest) >= 1 + c
      const d = logC - lowest;
      return lowest + Math.log1p(-Math.exp(d));
    }
    logHomogeneous(mdp, prior, alpha, gamma, y, L, inS);
  }
  return NaN;
}

/**
 * Decide, after exact message passing stopped on a small residual, whether it really reached a fixed
 * point: the operator has one iff rho(M) < 1 (or rho = 1 where the values stopped moving), and the
 * residual alone cannot tell (a growth of 1e-11 per sweep is below any tolerance). Cheap first: at a
 * true fixed point z = Mz + b with b >= 0, so max_s (Mz)(s)/z(s) <= 1 there (Collatz-Wielandt), and
 * a bound <= 1 within rounding settles it without a power iteration.
 * @returns log rho when rho exceeds 1 beyond rounding (no fixed point), else null.
 */
export function exactGrowthBeyondRounding(mdp: MdpArrays, prior: ActionPrior, alpha: number, gamma: number, V: Float64Array): number | null {
  const n = mdp.nStates;
  const y = Float64Array.from(V, (v) => v / alpha);
  const L = new Float64Array(n);
  logHomogeneous(mdp, prior, alpha, gamma, y, L);
  let upper = -Infinity;
  let scale = 1;
  for (let s = 0; s < n; s++) {
    if (L[s]! - y[s]! > upper) upper = L[s]! - y[s]!;
    scale = Math.max(scale, Math.abs(y[s]!));
  }
  const rounding = 64 * Number.EPSILON * scale;
  if (upper <= rounding) return null;
  // About 2^24 entry visits at most (a second or so); growth counts when its proven lower bound
  // says so, settled or not.
  const nnz = mdp.rowStart[n * mdp.nActions]!;
  const bounds: LogRadiusBounds = { logLower: -Infinity, logUpper: Infinity, steps: 0 };
  const logRho = exactLogSpectralRadius(mdp, prior, alpha, gamma, V, upper, Math.max(64, Math.min(20_000, Math.floor(2 ** 24 / Math.max(1, nnz)))), bounds);
  if (logRho > 64 * Number.EPSILON) return logRho;
  return bounds.logLower > 64 * Number.EPSILON ? (bounds.logLower + bounds.logUpper) / 2 : null;
}
