/**
 * Evaluating a policy q(a|s) under the true dynamics: the ELBO and the state marginals (occupancy).
 *
 *   ELBO(q) = E_q[ sum_t gamma^t ( r_t / alpha - log(q(a_t|s_t) / w(a_t|s_t)) ) ]     (nats)
 *
 * with w the prior factor's weight (pi0, or 1 per action in the entropy form). Discounting is the
 * death state: only live trajectories collect reward and pay KL. Occupancy is
 * sum_t gamma^t P_q(s_t = s), the expected number of (discounted) visits.
 */
import type { MdpArrays } from "../mdp/tabular.js";
import { priorConstants, type ActionPrior } from "./prior.js";
import { expectedReward } from "../mdp/rewards.js";
import { mergedEntries, occupancySolveBytes, policyMatrix, rowReader, solveOccupancy, worklistOccupancy, type PolicyMatrix, type PolicyRow, type PolicyRows } from "./occupancy.js";

/** A policy for the diagnostics: its table (built when asked), and its rows without the table where the action rule gives them in closed form. */
export interface PolicySource {
  table(): Float64Array;
  readonly row: PolicyRow | null;
}
import { diagnosticsMemoryBudget } from "../limits.js";
import { collectGarbage } from "../host.js";

/** Per (s, a): r(s,a)/alpha - KL contribution, i.e. the one-step ELBO integrand, weighted by q. */
function stepGain(mdp: MdpArrays, prior: ActionPrior, alpha: number, q: PolicyRows, out: Float64Array): void {
  const { nStates: n, nActions: m } = mdp;
  const rowOf = rowReader(q, m);
  const qs = new Float64Array(m);
  // The uniform and entropy priors' two numbers, never their n x m tables (built on first read:
  // 160 MiB at 4 million states x 4 actions); a table prior's arrays, read once (they may be getters).
  const constants = priorConstants(prior);
  const probs = constants === null ? prior.probs : null;
  const logMass = constants === null ? prior.logMass : null;
  for (let s = 0; s < n; s++) {
    let acc = 0;
    const lm = logMass !== null ? logMass[s]! : constants!.logMass;
    rowOf(s, qs);
    for (let a = 0; a < m; a++) {
      const row = s * m + a;
      const qa = qs[a]!;
      if (qa === 0) continue;
      const r = expectedReward(mdp, row);
      const w = probs !== null ? probs[row]! : constants!.prob;
      // q > 0 where the prior is 0 would make the KL infinite; the engine's policies never do that.
      const logRatio = w > 0 ? Math.log(qa / w) - lm : Infinity;
      acc += qa * (r / alpha - logRatio);
    }
    out[s] = acc;
  }
}

/** d' (s') = gamma * sum_{s,a,k live} d(s) q(a|s) p_k  (the live mass one step later). */
function propagate(mdp: MdpArrays, q: Float64Array, gamma: number, d: Float64Array, out: Float64Array): void {
  const { nStates: n, nActions: m, rowStart, next, prob, done } = mdp;
  out.fill(0);
  for (let s = 0; s < n; s++) {
    const ds = d[s]!;
    if (ds === 0) continue;
    for (let a = 0; a < m; a++) {
      const row = s * m + a;
      const mass = gamma * ds * q[row]!;
      if (mass === 0) continue;
      for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) if (!done[k]) out[next[k]!]! += mass * prob[k]!;
    }
  }
}

/**
 * Finite horizon: ELBO of a time-indexed policy (policies[t], t = 0..H-1) and the occupancy
 * sum_t gamma^t P(s_t = s), by one forward pass. `policies` may be any iterable in time order (a
 * generator that recomputes them segment by segment keeps a long horizon's memory small).
 */
export function evaluateFinite(
  mdp: MdpArrays,
  prior: ActionPrior,
  alpha: number,
  gamma: number,
  policies: Iterable<Float64Array>,
  terminalValues?: ArrayLike<number>,
): { elbo: number; occupancy: Float64Array } {
  const n = mdp.nStates;
  let d = Float64Array.from(mdp.initial);
  let dn = new Float64Array(n);
  const gain = new Float64Array(n);
  const occupancy = new Float64Array(n);
  let elbo = 0;
  for (const q of policies) {
    stepGain(mdp, prior, alpha, q, gain);
    for (let s = 0; s < n; s++) {
      if (d[s] !== 0) elbo += d[s]! * gain[s]!;
      occupancy[s]! += d[s]!;
    }
    propagate(mdp, q, gamma, d, dn);
    [d, dn] = [dn, d];
  }
  // d is now the live mass after the last step (gamma^H P(s_H = s, alive)): it collects V_H / alpha.
  if (terminalValues) for (let s = 0; s < n; s++) if (d[s] !== 0) elbo += (d[s]! * terminalValues[s]!) / alpha;
  return { elbo, occupancy };
}

/**
 * The relative L1 accuracy of an infinite-horizon occupancy (gamma < 1) for a solve tolerance `tol`:
 * sum_s |d(s) - d_q(s)| <= occupancyTolerance(tol) x sum_s d(s).
 */
export function occupancyTolerance(tol: number): number {
  return Math.min(1e-10, Math.max(tol, 1e-13));
}

/**
 * Infinite horizon: V^q(s) = sum_a q [r(s,a) - alpha log(q/w) + gamma E(1-done) V^q(s')] by
 * iteration from `start`, ELBO = sum_s p0(s) V^q(s) / alpha, and the discounted occupancy.
 * Returns null fields when the iteration does not settle within `maxIter` (an improper policy).
 * For gamma < 1 the occupancy is within {@link occupancyTolerance}(tol) x its sum of the policy's
 * exact occupancy in L1 (occupancy.ts: a bound from the final residual, in `occupancyErrorBound`),
 * by a Krylov solve on the policy's merged matrix, or, when that would take more memory than
 * {@link diagnosticsMemoryBudget} allows, by pushing mass from a work list in a few n-vectors.
 */
export function evaluateInfinite(
  mdp: MdpArrays,
  prior: ActionPrior,
  alpha: number,
  gamma: number,
  policy: Float64Array | PolicySource,
  options: { tol: number; maxIter: number; start?: Float64Array; /** Bytes the fast path may take (default: diagnosticsMemoryBudget). */ memoryBudget?: number },
): { elbo: number | null; occupancy: Float64Array | null; occupancyErrorBound: number | null } {
  const { nStates: n, nActions: m, rowStart } = mdp;
  const source: PolicySource = policy instanceof Float64Array ? { table: () => policy, row: null } : policy;
  // The policy's one-step matrix, merged over actions (on a grid, 12 entries per state become 5),
  // when it and the Krylov solve fit the diagnostics' memory budget; else the table itself (lean),
  // with the policy's rows computed as they are needed when the action rule has a closed form.
  const rows: PolicyRows = source.row ?? source.table();
  // When M with every entry (an upper bound on its merged entries) fits, it is built without
  // counting them first, in arrays of that length of which it writes only what it needs.
  const nnz = rowStart[n * m]!;
  const budget = options.memoryBudget ?? diagnosticsMemoryBudget(n * m, nnz);
  const merged = occupancySolveBytes(n, nnz) <= budget ? null : mergedEntries(mdp, rows);
  const lean = merged !== null && occupancySolveBytes(n, merged) > budget;
  const q: PolicyRows = lean ? rows : source.table();
  // (The count is M's size only when it was taken from the same numbers: rows computed from Q and V
  // may round a vanishing probability differently from the table.)
  const M = lean ? null : policyMatrix(mdp, q as Float64Array, gamma, merged !== null && q === rows ? merged : undefined, merged === null ? nnz : undefined);
  const elbo = policyElbo(mdp, prior, alpha, gamma, q, M, options);
  // Lean: the ELBO's vectors are garbage now; free them before the occupancy allocates its own.
  if (lean) collectGarbage();
  if (gamma < 1) {
    const relTol = occupancyTolerance(options.tol);
    const solved = M !== null ? solveOccupancy(M, mdp.initial, gamma, relTol, options.maxIter) : worklistOccupancy(mdp, q, gamma, relTol, options.maxIter * n);
    if (solved) return { elbo, occupancy: solved.d, occupancyErrorBound: solved.errorBound };
  }
  const pushed = pushOccupancy(mdp, source.table(), gamma, options.maxIter);
  return { elbo, occupancy: pushed, occupancyErrorBound: pushed && gamma < 1 ? 1e-16 / (1 - gamma) : null };
}

/**
 * ELBO = p0 . V^q / alpha, V^q (nats) by Gauss-Seidel sweeps in place, alternating the index order
 * (each sweep is a gamma-contraction with V^q as its fixed point, and information flows both ways
 * along the index in two sweeps), over M when given, else over the table; stop when gamma / (1 -
 * gamma) x the sweep's largest change, a bound on the distance to V^q, reaches the tolerance (or the
 * change stalls at rounding level). Null when it does not within maxIter sweeps. Its n-vectors are
 * free again when it returns (before the occupancy allocates its own).
 */
function policyElbo(
  mdp: MdpArrays,
  prior: ActionPrior,
  alpha: number,
  gamma: number,
  q: PolicyRows,
  M: PolicyMatrix | null,
  options: { tol: number; maxIter: number; start?: Float64Array },
): number | null {
  const { nStates: n, nActions: m, rowStart, next, prob, done } = mdp;
  const rowOf = rowReader(q, m);
  const qs = new Float64Array(m);
  const gain = new Float64Array(n);
  stepGain(mdp, prior, alpha, q, gain);
  // (A loop, not Float64Array.from with a map function, which goes through a list of n boxed numbers.)
  const V = new Float64Array(n);
  if (options.start) for (let s = 0; s < n; s++) V[s] = options.start[s]! / alpha;
  const tol = Math.max(options.tol / alpha, 1e-13);
  const factor = gamma < 1 ? gamma / (1 - gamma) : 1;
  for (let it = 0; it < options.maxIter; it++) {
    let delta = 0;
    let scale = 1;
    const up = it % 2 === 1;
    for (let i = 0; i < n; i++) {
      const s = up ? n - 1 - i : i;
      let acc = gain[s]!;
      if (M !== null) {
        acc += M.self[s]! * V[s]!;
        for (let j = M.start[s]!; j < M.start[s + 1]!; j++) acc += M.val[j]! * V[M.col[j]!]!;
      } else {
        rowOf(s, qs);
        for (let a = 0; a < m; a++) {
          const row = s * m + a;
          const qa = qs[a]!;
          if (qa === 0) continue;
          let e = 0;
          for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) if (!done[k]) e += prob[k]! * V[next[k]!]!;
          acc += qa * gamma * e;
        }
      }
      const dv = Math.abs(acc - V[s]!);
      if (dv > delta) delta = dv;
      if (Math.abs(acc) > scale) scale = Math.abs(acc);
      V[s] = acc;
    }
    if (factor * delta <= tol || delta <= 64 * Number.EPSILON * scale) {
      let elbo = 0;
      for (let s = 0; s < n; s++) elbo += mdp.initial[s]! * V[s]!;
      return elbo;
    }
  }
  return null;
}

/**
 * Occupancy d = p0 + gamma P_q^T d, by pushing mass in place (Gauss-Seidel on the residual form):
 * `pending` holds mass that has reached a state but not yet been counted and passed on; a state's
 * pending mass is added to its occupancy and pushed to its successors, which, when they come later
 * in the sweep's order, pass it on in the same sweep. The order alternates, so flows in either
 * direction along the index move far in two sweeps. Pending mass never grows: stop when it is
 * below 1e-16 (for gamma < 1 the occupancy is then within 1e-16 / (1 - gamma) of its limit in
 * total); null when it is not within maxIter sweeps (with gamma = 1, an improper policy).
 */
export function pushOccupancy(mdp: MdpArrays, q: Float64Array, gamma: number, maxIter: number): Float64Array | null {
  const { nStates: n, nActions: m, rowStart, next, prob, done } = mdp;
  const total = new Float64Array(n);
  const pending = Float64Array.from(mdp.initial);
  for (let it = 0; it < maxIter; it++) {
    const up = it % 2 === 1;
    let mass = 0;
    for (let i = 0; i < n; i++) {
      const s = up ? n - 1 - i : i;
      const x = pending[s]!;
      if (x === 0) continue;
      pending[s] = 0;
      total[s]! += x;
      for (let a = 0; a < m; a++) {
        const row = s * m + a;
        const w = gamma * x * q[row]!;
        if (w === 0) continue;
        for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) if (!done[k]) pending[next[k]!]! += w * prob[k]!;
      }
    }
    for (let s = 0; s < n; s++) mass += pending[s]!;
    if (mass <= 1e-16) return total;
  }
  return null;
}
