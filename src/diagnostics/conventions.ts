/**
 * Backups with the discount placed where other code often puts it, for recognising a Q-table
 * computed under another convention. Each is a gamma-contraction in the sup norm, solved here by
 * value iteration (infinite horizon) or backward induction (finite horizon).
 *
 * The engine's convention is the death state: variational Q = E[r + gamma (1-d) V'], exact
 * Q = alpha log E[e^{r/alpha} (d ? 1 : gamma e^{V'/alpha} + 1 - gamma)], V' = alpha log sum_a w e^{Q'/alpha}.
 * The alternatives:
 * - "softmax":  gamma inside the log-sum-exp over actions, V'_g = alpha log sum_a w e^{gamma Q'(a)/alpha},
 *               used undiscounted: variational Q = E[r + (1-d) V'_g], exact Q = alpha log E[e^{(r + (1-d) V'_g)/alpha}].
 *               (Under the max backup it is the same as the engine: max gamma Q = gamma max Q.)
 * - "exponent": (exact) gamma on the value inside the exponent, no death branch: Q = alpha log E[e^{(r + gamma (1-d) V')/alpha}].
 * - "outside":  (exact) gamma outside the log: Q = alpha log E[e^{r/alpha}] + gamma alpha log E[e^{(1-d) V'/alpha}]
 *               (= r + gamma alpha log E e^{V'/alpha} when the reward does not depend on s').
 */
import { ParameterError } from "../errors.js";
import { RULES, isBackup, unreachable, type Backup } from "../inference/rules/index.js";
import type { MdpArrays } from "../mdp/tabular.js";
import { resolveProblem, softValues, type SolverProblem } from "../solvers/common.js";
import { expectedReward } from "../mdp/rewards.js";

/** Where the discount sits; see the module comment. */
export type DiscountPlacement = "softmax" | "exponent" | "outside";

export interface ConventionOptions extends SolverProblem {
  /** A family with the tempered action rule (variational, exact). */
  readonly backup: Backup;
  readonly discount: DiscountPlacement;
  /** Finite horizon (backward induction from V_H = 0); absent for an infinite horizon. */
  readonly horizon?: number;
  /** Stop when max |Q_k - Q_k-1| <= tol (the error is then at most gamma tol / (1 - gamma)). @defaultValue 1e-13 */
  readonly tol?: number;
  /** @defaultValue 1000000 */
  readonly maxIter?: number;
}

export interface ConventionResult {
  /** Q(s, a) at t = 0 (infinite horizon: the fixed point), flat n x m. */
  readonly Q: Float64Array;
  readonly converged: boolean;
  readonly iterations: number;
  readonly residual: number;
}

/** Solve the backup with the discount placed as `discount` says. */
export function conventionQ(mdp: MdpArrays, options: ConventionOptions): ConventionResult {
  const pr = resolveProblem(mdp, options);
  const { alpha, gamma, logW } = pr;
  const { nStates: n, nActions: m, rowStart, next, prob, reward, done } = mdp;
  const { backup, discount } = options;
  if (!isBackup(backup)) throw new ParameterError("backup", `"${String(backup)}" is not a backup`);
  const family = RULES[backup];
  if (family.actions.kind !== "tempered") throw new ParameterError("backup", `${backup}: the placements of the discount are stated for a tempered (soft) action rule`);
  // How the family averages the next states, read from its capabilities: E[.] or alpha log E exp(./alpha).
  const average = family.nextStateAverage;
  const mean = average === "mean" ? true : average === "log-mean-exp" ? false : unreachable(average);
  if (mean && discount !== "softmax") throw new ParameterError("discount", `"${discount}" applies to the exact backup only`);
  const tol = options.tol ?? 1e-13;
  const maxIter = options.maxIter ?? 1_000_000;
  const inv = 1 / alpha;
  const scaled = new Float64Array(n * m);
  const V = new Float64Array(n);
  let Q = new Float64Array(n * m);
  let Qn = new Float64Array(n * m);

  const sweep = (): void => {
    // Next-state values.
    if (discount === "softmax") {
      for (let i = 0; i < Q.length; i++) scaled[i] = gamma * Q[i]!;
      softValues(scaled, logW, n, m, alpha, V, null);
    } else softValues(Q, logW, n, m, alpha, V, null);
    for (let row = 0; row < n * m; row++) {
      const k0 = rowStart[row]!;
      const k1 = rowStart[row + 1]!;
      if (mean) {
        let acc = 0;
        for (let k = k0; k < k1; k++) acc += prob[k]! * (reward[k]! + (done[k] ? 0 : V[next[k]!]!));
        Qn[row] = acc;
        continue;
      }
      const g = discount === "exponent" ? gamma : 1;
      if (discount === "outside") {
        Qn[row] = alpha * logMean(prob, k0, k1, (k) => reward[k]! * inv) + gamma * alpha * logMean(prob, k0, k1, (k) => (done[k] ? 0 : V[next[k]!]! * inv));
      } else {
        Qn[row] = alpha * logMean(prob, k0, k1, (k) => (reward[k]! + (done[k] ? 0 : g * V[next[k]!]!)) * inv);
      }
    }
    [Q, Qn] = [Qn, Q];
  };

  if (options.horizon !== undefined) {
    if (!Number.isInteger(options.horizon) || options.horizon < 1) throw new ParameterError("horizon", `must be an integer >= 1, got ${options.horizon}`);
    // Q = 0 stands for V_H = 0 only through V: start from V = 0 by making the first sweep see Q = 0 with weight 1.
    for (let t = 0; t < options.horizon; t++) sweepFromValues(t === 0);
    return { Q, converged: true, iterations: options.horizon, residual: 0 };
  }
  let residual = Infinity;
  let iterations = 0;
  let best = Infinity;
  let since = 0;
  let converged = false;
  sweepFromValues(true);
  while (iterations < maxIter) {
    sweep();
    iterations++;
    let res = 0;
    let scale = 1;
    for (let i = 0; i < Q.length; i++) {
      res = Math.max(res, Math.abs(Q[i]! - Qn[i]!));
      scale = Math.max(scale, Math.abs(Q[i]!));
    }
    residual = res;
    if (res <= tol) {
      converged = true;
      break;
    }
    if (res < best) {
      best = res;
      since = 0;
    } else if (++since >= 10 && res <= 1024 * Number.EPSILON * scale) {
      converged = true;
      break;
    }
  }
  return { Q, converged, iterations, residual };

  /** The first sweep must see V = 0 (not the soft value of Q = 0, which is alpha log of the prior's mass). */
  function sweepFromValues(first: boolean): void {
    if (!first) {
      sweep();
      return;
    }
    // With V = 0 every placement gives the one-step backup of the reward alone.
    for (let row = 0; row < n * m; row++) {
      const k0 = rowStart[row]!;
      const k1 = rowStart[row + 1]!;
      if (mean) Qn[row] = expectedReward(mdp, row); else Qn[row] = alpha * logMean(prob, k0, k1, (k) => reward[k]! * inv);
    }
    [Q, Qn] = [Qn, Q];
  }
}

/** log sum_k p_k exp(x(k)) over entries with p_k > 0, max-shifted. */
function logMean(prob: Float64Array, k0: number, k1: number, x: (k: number) => number): number {
  let mx = -Infinity;
  for (let k = k0; k < k1; k++) if (prob[k]! > 0) mx = Math.max(mx, x(k));
  let sum = 0;
  for (let k = k0; k < k1; k++) if (prob[k]! > 0) sum += prob[k]! * Math.exp(x(k) - mx);
  return mx + Math.log(sum);
}
