/**
 * Policy iteration with exact policy evaluation by a dense linear solve (ml-matrix): an independent
 * road to the variational (soft Bellman) and hard (Bellman optimality) fixed points of an infinite
 * horizon.
 *
 * Soft:  V_pi = (I - gamma P_pi)^-1 (r_pi - alpha KL(pi || w)),  Q = r + gamma P V_pi,
 *        pi <- w exp((Q - V)/alpha) normalised                (Newton's method on the soft Bellman equation)
 * Hard:  V_a = (I - gamma P_a)^-1 r_a,  a(s) <- argmax over {a : pi0(a|s) > 0} of Q(s, a)   (Howard)
 *
 * `w` is the prior factor's weight (pi0, or 1 per action in the entropy form). Discounting is the
 * engine's: done entries contribute no successor value.
 */
import { RunError } from "../errors.js";
import { TIE_TOLERANCE } from "../inference/rules/actions.js";
import type { MdpArrays } from "../mdp/tabular.js";
import { statesThatNeverEnd } from "../mdp/reachability.js";
import { expectedRewards } from "../mdp/rewards.js";
import { resolveProblem, softValues, solveDense, type SolverProblem } from "./common.js";
import { ConvergenceMonitor } from "../inference/convergence.js";

/** Defaults of the policy iteration solvers, stated once. */
export const POLICY_ITERATION_DEFAULTS = {
  /** Soft: stop when max |Q_k - Q_k-1| <= tol * max(1, max |Q|) (quadratic convergence: the next step would be at rounding level). */
  tol: 1e-12,
  /** Soft: at most this many evaluations. */
  maxIter: 200,
  /** Hard: at most this many evaluations (Howard's iteration ends after finitely many). */
  maxIterHard: 10_000,
} as const;

export interface PolicyIterationOptions extends SolverProblem {
  /** @defaultValue 1e-12 (soft only; relative to max(1, max |Q|)) */
  readonly tol?: number;
  /** @defaultValue 200 soft, 10000 hard */
  readonly maxIter?: number;
}

export interface PolicyIterationResult {
  /** Q(s, a), flat n x m, reward units. */
  readonly Q: Float64Array;
  /** V(s): the soft maximum (soft) or the maximum over the prior's support (hard) of Q(s, .). */
  readonly V: Float64Array;
  /** The improved policy from Q, flat n x m. */
  readonly policy: Float64Array;
  readonly converged: boolean;
  /** Number of policy evaluations (linear solves). */
  readonly iterations: number;
  /** Soft: max |Q_k - Q_k-1| at the last step. Hard: 0 when the policy stopped changing. */
  readonly residual: number;
}

/** P_pi as dense rows of I - gamma P_pi, and the per-state weights, from per-(s,a) weights `pi`. */
function evaluationMatrix(mdp: MdpArrays, pi: Float64Array, gamma: number): Float64Array[] {
  const { nStates: n, nActions: m, rowStart, next, prob, done } = mdp;
  const A: Float64Array[] = new Array(n);
  for (let s = 0; s < n; s++) {
    const row = new Float64Array(n);
    row[s] = 1;
    for (let a = 0; a < m; a++) {
      const qa = pi[s * m + a]!;
      if (qa === 0) continue;
      const r = s * m + a;
      for (let k = rowStart[r]!; k < rowStart[r + 1]!; k++) if (!done[k]) row[next[k]!]! -= gamma * qa * prob[k]!;
    }
    A[s] = row;
  }
  return A;
}

/** Q(s,a) = r(s,a) + gamma sum_{k live} p_k V(s'_k). */
function qFromValues(mdp: MdpArrays, rbar: Float64Array, V: Float64Array, gamma: number, Q: Float64Array): void {
  const { rowStart, next, prob, done } = mdp;
  for (let row = 0; row < Q.length; row++) {
    let acc = 0;
    for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) if (!done[k]) acc += prob[k]! * V[next[k]!]!;
    Q[row] = rbar[row]! + gamma * acc;
  }
}

function checkProper(mdp: MdpArrays, support: Float64Array, gamma: number, what: string): void {
  if (gamma < 1) return;
  const never = statesThatNeverEnd(mdp, support);
  if (never.length > 0) {
    throw new RunError(
      "improper-policy",
      `${what}: with gamma = 1 the policy never ends an episode from state ${never[0]}${never.length > 1 ? ` (and ${never.length - 1} other states)` : ""}, ` +
        `so I - P_pi is singular; use gamma < 1`,
    );
  }
}

/**
 * Soft policy iteration to the variational fixed point of an infinite horizon.
 * Starts from the prior's own policy; every policy it visits has the prior's support.
 * @throws {@link ParameterError} for bad options; {@link RunError} when gamma = 1 and some state can
 * never end its episode under the prior's support (the evaluation system is singular).
 */
export function softPolicyIteration(mdp: MdpArrays, options: PolicyIterationOptions): PolicyIterationResult {
  const pr = resolveProblem(mdp, options);
  const { alpha, gamma, logW } = pr;
  const { nStates: n, nActions: m } = mdp;
  const tol = options.tol ?? POLICY_ITERATION_DEFAULTS.tol;
  const maxIter = options.maxIter ?? POLICY_ITERATION_DEFAULTS.maxIter;
  const rbar = expectedRewards(mdp);
  let pi = Float64Array.from(pr.prior.probs);
  checkProper(mdp, pi, gamma, "soft policy iteration");
  const Q = new Float64Array(n * m);
  const Qprev = new Float64Array(n * m);
  const V = new Float64Array(n);
  let next = new Float64Array(n * m);
  const c = new Float64Array(n);
  let residual = Infinity;
  let converged = false;
  let iterations = 0;
  // Relative tolerance; rounding level: 3 iterations without a smaller change at 1e-9 of the scale.
  const monitor = new ConvergenceMonitor({ tol, relative: true, stallAfter: 3, stallLevel: 1e-9 });
  while (iterations < maxIter) {
    // Evaluation: c(s) = sum_a pi (r(s,a) - alpha log(pi / w)).
    for (let s = 0; s < n; s++) {
      let acc = 0;
      for (let a = 0; a < m; a++) {
        const qa = pi[s * m + a]!;
        if (qa > 0) acc += qa * (rbar[s * m + a]! - alpha * (Math.log(qa) - logW[s * m + a]!));
      }
      c[s] = acc;
    }
    const Vpi = solveDense(evaluationMatrix(mdp, pi, gamma), c, "soft policy evaluation");
    qFromValues(mdp, rbar, Vpi, gamma, Q);
    iterations++;
    let delta = 0;
    let scale = 1;
    for (let i = 0; i < Q.length; i++) {
      if (iterations > 1) delta = Math.max(delta, Math.abs(Q[i]! - Qprev[i]!));
      scale = Math.max(scale, Math.abs(Q[i]!));
    }
    if (iterations > 1) residual = delta;
    Qprev.set(Q);
    // Improvement.
    softValues(Q, logW, n, m, alpha, V, next);
    [pi, next] = [next, pi];
    if (iterations > 1 && monitor.observe(delta, scale) !== null) {
      converged = true;
      break;
    }
  }
  return { Q, V, policy: pi, converged, iterations, residual };
}

/**
 * Howard's policy iteration on the Bellman optimality (max) backup over the prior's support: the
 * engine's hard mode. Ties keep the current action, so the iteration cannot cycle.
 * With gamma = 1 the start policy is an attractor policy (every state keeps a positive chance of
 * ending its episode); improvement keeps policies proper when improper ones are infinitely bad.
 * @throws {@link RunError} when an evaluation system is singular (gamma = 1 and a policy that never ends).
 */
export function hardPolicyIteration(mdp: MdpArrays, options: PolicyIterationOptions): PolicyIterationResult {
  const pr = resolveProblem(mdp, options);
  const { gamma, prior } = pr;
  const { nStates: n, nActions: m } = mdp;
  const maxIter = options.maxIter ?? POLICY_ITERATION_DEFAULTS.maxIterHard;
  const rbar = expectedRewards(mdp);
  const act = gamma < 1 ? firstAllowed(prior.probs, n, m) : attractorPolicy(mdp, prior.probs);
  const pi = new Float64Array(n * m);
  const Q = new Float64Array(n * m);
  const c = new Float64Array(n);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIter) {
    pi.fill(0);
    for (let s = 0; s < n; s++) {
      pi[s * m + act[s]!] = 1;
      c[s] = rbar[s * m + act[s]!]!;
    }
    checkProper(mdp, pi, gamma, "policy iteration");
    const V = solveDense(evaluationMatrix(mdp, pi, gamma), c, "policy evaluation");
    qFromValues(mdp, rbar, V, gamma, Q);
    iterations++;
    let changed = false;
    for (let s = 0; s < n; s++) {
      const cur = act[s]!;
      let bestA = cur;
      let bestQ = Q[s * m + cur]!;
      for (let a = 0; a < m; a++) {
        if (!(prior.probs[s * m + a]! > 0)) continue;
        const q = Q[s * m + a]!;
        if (q > bestQ + 1e-12 * Math.max(1, Math.abs(bestQ))) {
          bestQ = q;
          bestA = a;
        }
      }
      if (bestA !== cur) {
        act[s] = bestA;
        changed = true;
      }
    }
    if (!changed) {
      converged = true;
      break;
    }
  }
  const V = new Float64Array(n);
  const policy = new Float64Array(n * m);
  for (let s = 0; s < n; s++) {
    let mx = -Infinity;
    for (let a = 0; a < m; a++) if (prior.probs[s * m + a]! > 0 && Q[s * m + a]! > mx) mx = Q[s * m + a]!;
    V[s] = mx;
    const cut = mx - TIE_TOLERANCE * Math.max(1, Math.abs(mx));
    let z = 0;
    for (let a = 0; a < m; a++) {
      const p = prior.probs[s * m + a]!;
      const w = p > 0 && Q[s * m + a]! >= cut ? p : 0;
      policy[s * m + a] = w;
      z += w;
    }
    for (let a = 0; a < m; a++) policy[s * m + a] = policy[s * m + a]! / z;
  }
  return { Q, V, policy, converged, iterations, residual: 0 };
}

function firstAllowed(probs: Float64Array, n: number, m: number): Int32Array {
  const act = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    let a = 0;
    while (a < m - 1 && !(probs[s * m + a]! > 0)) a++;
    act[s] = a;
  }
  return act;
}

/**
 * A deterministic policy under which every state that can end its episode keeps a positive chance
 * of doing so: states are layered by their distance to a done entry, and each picks an action with
 * a positive-probability step down a layer.
 */
function attractorPolicy(mdp: MdpArrays, probs: Float64Array): Int32Array {
  const { nStates: n, nActions: m, rowStart, next, prob, done } = mdp;
  const act = firstAllowed(probs, n, m);
  const inSet = new Uint8Array(n);
  let changed = true;
  while (changed) {
    changed = false;
    for (let s = 0; s < n; s++) {
      if (inSet[s]) continue;
      for (let a = 0; a < m && !inSet[s]; a++) {
        const row = s * m + a;
        if (!(probs[row]! > 0)) continue;
        for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
          if (prob[k]! > 0 && (done[k] || inSet[next[k]!])) {
            inSet[s] = 1;
            act[s] = a;
            changed = true;
            break;
          }
        }
      }
    }
  }
  return act;
}
