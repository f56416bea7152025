/**
 * The forward half of message passing: marginals and occupancy measures of a trajectory distribution.
 *
 *   alpha_0(s)    = start(s)                                   (initial factor: p0, or p(s_0 | O))
 *   alpha_t(s, a) = alpha_t(s) q_t(a | s)                       (prior factor, forward rule)
 *   alpha_t+1(s') = sum_{s,a} alpha_t(s, a) P_t(s' | s, a)      (dynamics factor, forward rule; done entries end the episode)
 *
 * Two distributions over trajectories, named by `from`:
 * - "policy": q(tau) = p0 prod q_t(a|s) P(s'|s,a), the returned policy run in the world's dynamics
 *   (the variational posterior; any backup). Its marginals D_t are undiscounted (P(s_t = s, the
 *   episode still running)); occupancy = sum_t gamma^t D_t (the death state of the discount carries the rest).
 * - "posterior": p(tau | O), exact backup only: posterior policy p(a|s,O) = pi0 exp((Q - V)/alpha)
 *   and posterior dynamics p(s'|s,a,O) proportional to P(s'|s,a) exp(r/alpha) [gamma exp(V'(s')/alpha)]
 *   (inference/posterior.ts), whose death branch (gamma < 1) is part of the posterior dynamics: its
 *   marginals are P(s_t = s, alive) and occupancy = sum_t D_t.
 *
 * For a finite horizon H the marginals run t = 0..H; D_H (the state after the last action, where no
 * action is taken) is reported but not counted in the occupancy (imitation's `Dcum` counts it; the
 * value gradient does not).
 */
import { ConvergenceError, ParameterError } from "../errors.js";
import { TrajectoryGraph } from "../graph/trajectory-graph.js";
import type { MdpArrays } from "../mdp/tabular.js";
import { forwardProgram, forwardSchedule } from "./forward-schedule.js";
import { posteriorInitial } from "./posterior.js";
import { RULES } from "./rules/index.js";
import type { SolveResult } from "./solve.js";

/** Which trajectory distribution: the returned policy in the true dynamics, or the exact posterior. */
export type TrajectorySource = "policy" | "posterior";
/** The closed list of {@link TrajectorySource} values (flags and help read it). */
export const TRAJECTORY_SOURCES: readonly TrajectorySource[] = ["policy", "posterior"];

/** Defaults of {@link marginals}. */
export const MARGINAL_DEFAULTS = {
  from: "policy" as TrajectorySource,
  /** Infinite horizon: stop when the (discounted) live mass still to be counted is below this. */
  tol: 1e-15,
  /**
   * Infinite horizon: at most this many steps (for the policy with gamma < 1, at least the number of
   * steps after which gamma^t / (1 - gamma) falls below tol, plus 1000).
   */
  maxIter: 100_000,
} as const;

export interface MarginalOptions {
  /** q(tau) ("policy") or p(tau | O) ("posterior", exact backup only). @defaultValue "policy" */
  readonly from?: TrajectorySource;
  /**
   * With `from: "posterior"`: where s_0 comes from. "posterior" is p(s_0 | O) (the full p(tau | O),
   * whose counts are alpha d log Z / d r); "p0" is p(tau | s_0, O) with s_0 ~ p0 (Ziebart 2008's
   * forward pass, the gradient of p0 . V_0 / alpha). They agree for a single start state.
   * @defaultValue "posterior"
   */
  readonly start?: "posterior" | "p0";
  /** @defaultValue 1e-15 */
  readonly tol?: number;
  /** @defaultValue 100000 (the policy with gamma < 1: at least enough steps for gamma^t / (1 - gamma) to fall below tol) */
  readonly maxIter?: number;
}

export interface Marginals {
  readonly from: TrajectorySource;
  /** The distribution of s_0: "p0" for the policy and for a posterior started at p0. */
  readonly start: "posterior" | "p0";
  readonly horizon: number | null;
  readonly gamma: number;
  readonly nStates: number;
  readonly nActions: number;
  /** Finite horizon: D_t(s) for t = 0..H (the last one is s_H); null for an infinite horizon. */
  readonly stateMarginals: Float64Array[] | null;
  /** Finite horizon: D_t(s, a) flat n x m, t = 0..H-1; null for an infinite horizon. */
  readonly stateActionMarginals: Float64Array[] | null;
  /** Finite horizon: D_H, the distribution of the state after the last action (not in the occupancy). */
  readonly finalState: Float64Array | null;
  /** sum_t w_t D_t(s), t = 0..H-1 (w_t = gamma^t for the policy, 1 for the posterior). */
  readonly stateOccupancy: Float64Array;
  /** sum_t w_t D_t(s, a), flat n x m. */
  readonly stateActionOccupancy: Float64Array;
  /** Per CSR entry k of (s, a): the expected (discounted) number of times the transition is taken. */
  readonly transitionCounts: Float64Array;
  /** Time steps propagated. */
  readonly iterations: number;
  /** Infinite horizon: a bound on the occupancy mass not counted (0 for a finite horizon). */
  readonly residual: number;
}

/**
 * Per CSR entry, for the exact posterior given next-step values V': `live[k]` the probability of
 * going on to next[k] (0 for done entries), `taken[k]` the probability of taking the entry at all
 * (its death branch included).
 */
export function posteriorEntries(mdp: MdpArrays, Vnext: Float64Array, alpha: number, gamma: number, live: Float64Array, taken: Float64Array, Q: Float64Array): void {
  const { nStates: n, nActions: m, rowStart, next, prob, reward, done } = mdp;
  RULES.exact.dynamics.apply(mdp, Vnext, alpha, gamma, Q);
  const inv = 1 / alpha;
  const logGamma = Math.log(gamma);
  const logDeath = gamma < 1 ? Math.log1p(-gamma) : -Infinity;
  for (let row = 0; row < n * m; row++) {
    const q = Q[row]! * inv;
    for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
      const p = prob[k]!;
      if (!(p > 0) || q === -Infinity) {
        live[k] = 0;
        taken[k] = 0;
        continue;
      }
      const base = Math.log(p) + reward[k]! * inv - q;
      if (done[k]) {
        live[k] = 0;
        taken[k] = Math.exp(base);
      } else {
        const l = Math.exp(base + logGamma + Vnext[next[k]!]! * inv);
        live[k] = l;
        taken[k] = logDeath === -Infinity ? l : l + Math.exp(base + logDeath);
      }
    }
  }
}

/**
 * One slice of the forward program: the prior factor's rule (alpha_t(s,a) = alpha_t(s) q(a|s)), then
 * the dynamics factor's (alpha_t+1(s') = sum alpha_t(s,a) live_k), adding w * alpha_t(s,a) to the
 * occupancies and w * alpha_t(s,a) * taken_k to the transition counts. Returns the live mass at t+1.
 */
function slice(
  mdp: MdpArrays,
  d: Float64Array,
  policy: Float64Array,
  live: Float64Array,
  taken: Float64Array,
  w: number,
  sa: Float64Array,
  dn: Float64Array,
  occS: Float64Array,
  occSA: Float64Array,
  counts: Float64Array,
): number {
  const { nStates: n, nActions: m, rowStart, next, done } = mdp;
  dn.fill(0);
  for (let s = 0; s < n; s++) {
    const ds = d[s]!;
    occS[s]! += w * ds;
    if (ds === 0) {
      sa.fill(0, s * m, (s + 1) * m);
      continue;
    }
    for (let a = 0; a < m; a++) {
      const row = s * m + a;
      const x = ds * policy[row]!;
      sa[row] = x;
      if (x === 0) continue;
      occSA[row]! += w * x;
      const wx = w * x;
      for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
        counts[k]! += wx * taken[k]!;
        if (!done[k]) dn[next[k]!]! += x * live[k]!;
      }
    }
  }
  let mass = 0;
  for (let s = 0; s < n; s++) mass += dn[s]!;
  return mass;
}

/**
 * Forward messages on the trajectory graph of a solved problem: state and state-action marginals
 * (finite horizon) and the occupancy measures, of q(tau) or of the exact posterior p(tau | O).
 * @param result - what {@link solve} returned for this MDP (its policy, and for the posterior its values).
 * @throws {@link ParameterError} for a posterior of a non-exact backup or a result of another MDP;
 *   {@link ConvergenceError} when, on an infinite horizon, the live mass does not vanish within maxIter steps.
 */
export function marginals(mdp: MdpArrays, result: SolveResult, options: MarginalOptions = {}): Marginals {
  const from = options.from ?? MARGINAL_DEFAULTS.from;
  if (!TRAJECTORY_SOURCES.includes(from)) throw new ParameterError("from", `"${String(from)}" is not one of ${TRAJECTORY_SOURCES.join(", ")}`);
  if (result.nStates !== mdp.nStates || result.nActions !== mdp.nActions) {
    throw new ParameterError("result", `is for ${result.nStates} states x ${result.nActions} actions, the MDP has ${mdp.nStates} x ${mdp.nActions}`);
  }
  const posterior = from === "posterior";
  if (posterior && !RULES[result.backup].exactMessages) {
    throw new ParameterError("from", `the exact posterior p(tau | O) belongs to the exact backup; this result is ${result.backup} (use from "policy" for q(tau))`);
  }
  const start = posterior ? (options.start ?? "posterior") : "p0";
  if (start !== "posterior" && start !== "p0") throw new ParameterError("start", `"${String(start)}" is not one of posterior, p0`);
  const tol = options.tol ?? MARGINAL_DEFAULTS.tol;
  if (!(tol >= 0 && Number.isFinite(tol))) throw new ParameterError("tol", `must be a finite number >= 0, got ${tol}`);
  const g = result.gamma;
  const discounted = from === "policy" && g < 1 && tol > 0 ? Math.ceil(Math.log(tol * (1 - g)) / Math.log(g)) + 1000 : 0;
  const maxIter = options.maxIter ?? Math.max(MARGINAL_DEFAULTS.maxIter, discounted);
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new ParameterError("maxIter", `must be an integer >= 1, got ${maxIter}`);

  forwardProgram(forwardSchedule(TrajectoryGraph.forMdp(mdp, result.gamma))); // the program below: initial, then prior -> dynamics per slice
  const { nStates: n, nActions: m } = mdp;
  const E = mdp.prob.length;
  const { gamma, alpha } = result;
  const occS = new Float64Array(n);
  const occSA = new Float64Array(n * m);
  const counts = new Float64Array(E);
  const live = posterior ? new Float64Array(E) : mdp.prob;
  const taken = posterior ? new Float64Array(E) : mdp.prob;
  const Qtmp = posterior ? new Float64Array(n * m) : null;
  let d: Float64Array = start === "posterior" ? posteriorInitial(mdp, result.V, alpha) : Float64Array.from(mdp.initial);
  const base = { from, start, gamma, nStates: n, nActions: m } as const;

  if (result.horizon !== null) {
    const H = result.horizon;
    const steps = result.steps!;
    const stateMarginals: Float64Array[] = [];
    const stateActionMarginals: Float64Array[] = [];
    const zeros = new Float64Array(n);
    let w = 1;
    for (let t = 0; t < H; t++) {
      if (posterior) posteriorEntries(mdp, t + 1 < H ? steps.V[t + 1]! : zeros, alpha, gamma, live, taken, Qtmp!);
      const sa = new Float64Array(n * m);
      const dn = new Float64Array(n);
      stateMarginals.push(d);
      slice(mdp, d, steps.policy[t]!, live, taken, w, sa, dn, occS, occSA, counts);
      stateActionMarginals.push(sa);
      d = dn;
      if (!posterior) w *= gamma;
    }
    stateMarginals.push(d);
    return { ...base, horizon: H, stateMarginals, stateActionMarginals, finalState: d, stateOccupancy: occS, stateActionOccupancy: occSA, transitionCounts: counts, iterations: H, residual: 0 };
  }

  // Infinite horizon: the stationary slice, looped until the live mass still to be counted vanishes.
  if (posterior) posteriorEntries(mdp, result.V, alpha, gamma, live, taken, Qtmp!);
  const policy = result.policy;
  const sa = new Float64Array(n * m);
  let dn: Float64Array = new Float64Array(n);
  let w = 1;
  let iterations = 0;
  let residual = Infinity;
  // The weight of the future: the policy's weights fall by gamma per step (at most 1/(1-gamma) to come).
  const tail = !posterior && gamma < 1 ? 1 / (1 - gamma) : 1;
  while (iterations < maxIter) {
    const mass = slice(mdp, d, policy, live, taken, w, sa, dn, occS, occSA, counts);
    iterations++;
    [d, dn] = [dn, d];
    if (!posterior) w *= gamma;
    residual = w * mass * tail;
    if (residual <= tol || mass === 0) break;
  }
  if (!(residual <= tol) && d.some((x) => x > 0)) {
    throw new ConvergenceError(iterations, residual, tol);
  }
  return { ...base, horizon: null, stateMarginals: null, stateActionMarginals: null, finalState: null, stateOccupancy: occS, stateActionOccupancy: occSA, transitionCounts: counts, iterations, residual: Math.max(0, residual) };
}
