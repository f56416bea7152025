/**
 * Inverse RL on the trajectory graph: maximum causal entropy IRL (Ziebart 2010, the variational
 * backup) and maximum entropy IRL (Ziebart 2008, the exact backup), reward r_theta(s, a) = theta . phi(s, a).
 *
 *   L(theta) = (theta . mu_D - p0 . V_0(theta)) / alpha - (l2 / 2) |theta|^2          (nats per episode)
 *   grad L   = (mu_D - E[phi]) / alpha - l2 theta
 *
 * mu_D = sum_{s,a} mu_D(s, a) phi(s, a), the demonstrations' discounted feature counts per episode.
 * - variational (MCE IRL, dual form): V_0 is the soft Bellman value; E[phi] the state-action occupancy
 *   of q(tau) (envelope identity d (p0 . V_0) / d r(s, a) = occupancy). With gamma = 1 and counts equal
 *   to expectations under the true dynamics, L is the causal log-likelihood sum_t log pi(a_t|s_t) up to
 *   the prior's constant; with sampled episodes or gamma < 1 the maximisers differ: L is optimised,
 *   the log-likelihood is reported beside it.
 * - exact (MaxEnt IRL): V_0 is the exact (sum-product) value, p0 . V_0 / alpha = E_{s_0 ~ p0} log Z(s_0),
 *   and L the log-likelihood of whole trajectories under p(tau | s_0, O, theta); E[phi] the occupancy
 *   of that posterior (inference/forward.ts, start "p0").
 * Both are concave in theta (log-partition functions of linear rewards). Maximised by L-BFGS.
 */
import { NoFixedPointError, ParameterError } from "../errors.js";
import type { MdpArrays } from "../mdp/tabular.js";
import { marginals } from "../inference/forward.js";
import { RULES } from "../inference/rules/index.js";
import type { ActionPrior } from "../inference/prior.js";
import { solve, type SolveOptions, type SolveResult } from "../inference/solve.js";
import type { IrlDemonstrations } from "./demonstrations.js";
import type { FeatureMap } from "./features.js";
import { lbfgs, type LbfgsStop } from "./lbfgs.js";

/** The backups IRL runs on: the variational one is MCE IRL, the exact one MaxEnt IRL. */
export type IrlBackup = "variational" | "exact";
export const IRL_BACKUPS: readonly IrlBackup[] = ["variational", "exact"];

/** Defaults of {@link inverseRl}, stated once. */
export const IRL_DEFAULTS = {
  backup: "variational" as IrlBackup,
  alpha: 1,
  l2: 0,
  /** Stop when max |grad L| <= tol (the feature gap / alpha, plus the l2 term). */
  tol: 1e-6,
  maxIter: 500,
  /** Tolerance of each inner infinite-horizon solve (max |dQ|). */
  solveTol: 1e-12,
} as const;

export interface IrlOptions {
  /** @defaultValue "variational" (MCE IRL) */
  readonly backup?: IrlBackup;
  /** @defaultValue 1 */
  readonly alpha?: number;
  /** Discount; @defaultValue 1 with a horizon, required without. */
  readonly gamma?: number;
  readonly horizon?: number;
  /** Action prior; @defaultValue uniform. */
  readonly prior?: ActionPrior;
  /** The entropy (MaxEnt / SAC) form instead of KL to uniform, as imitation's MCE IRL uses. */
  readonly entropy?: boolean;
  /** @defaultValue 0 */
  readonly l2?: number;
  /** @defaultValue 1e-6 */
  readonly tol?: number;
  /** @defaultValue 500 */
  readonly maxIter?: number;
  /** Starting theta; @defaultValue zeros. */
  readonly theta0?: Float64Array;
  /** @defaultValue 1e-12 */
  readonly solveTol?: number;
  /** After every iteration (0 for the start): the objective and max |mu_D - E[phi]|. */
  readonly onIteration?: (point: IrlCurvePoint) => void;
}

export interface IrlCurvePoint {
  readonly iteration: number;
  readonly objective: number;
  readonly featureGap: number;
}

export interface IrlResult {
  readonly backup: IrlBackup;
  readonly theta: Float64Array;
  /** r_theta(s, a), flat n x m (the reward of every transition out of (s, a)). */
  readonly reward: Float64Array;
  /** The solve of the learned reward (its policy is the learned soft policy; exact: the posterior policy). */
  readonly solution: SolveResult;
  /** L(theta) at the end (nats per episode). */
  readonly objective: number;
  /** Mean over demonstrated episodes of sum_t log pi_t(a_t | s_t) under the learned policy; null for counts of a finite horizon. */
  readonly logLikelihood: number | null;
  /** max_i |mu_D,i - E[phi_i]|. */
  readonly featureGap: number;
  readonly demoFeatures: Float64Array;
  readonly expectedFeatures: Float64Array;
  readonly iterations: number;
  readonly evaluations: number;
  readonly converged: boolean;
  readonly stop: LbfgsStop;
  readonly curve: readonly IrlCurvePoint[];
}

/** The MDP with the reward of every entry of row (s, a) set to rewardSA[s m + a]. */
export function withReward(mdp: MdpArrays, rewardSA: Float64Array): MdpArrays {
  const reward = new Float64Array(mdp.prob.length);
  const rows = mdp.nStates * mdp.nActions;
  for (let row = 0; row < rows; row++) reward.fill(rewardSA[row]!, mdp.rowStart[row]!, mdp.rowStart[row + 1]!);
  return { nStates: mdp.nStates, nActions: mdp.nActions, rowStart: mdp.rowStart, next: mdp.next, prob: mdp.prob, reward, done: mdp.done, initial: mdp.initial };
}

/** What one evaluation of L at theta computes. */
export interface IrlEvaluation {
  readonly objective: number;
  readonly gradient: Float64Array;
  readonly expectedFeatures: Float64Array;
  readonly solution: SolveResult;
  readonly reward: Float64Array;
}

function resolve(mdp: MdpArrays, features: FeatureMap, demos: IrlDemonstrations, o: IrlOptions) {
  const backup = o.backup ?? IRL_DEFAULTS.backup;
  if (!IRL_BACKUPS.includes(backup)) throw new ParameterError("backup", `"${String(backup)}" is not one of ${IRL_BACKUPS.join(", ")} (inverse RL needs a soft backup)`);
  const l2 = o.l2 ?? IRL_DEFAULTS.l2;
  if (!(Number.isFinite(l2) && l2 >= 0)) throw new ParameterError("l2", `must be a finite number >= 0, got ${l2}`);
  const tol = o.tol ?? IRL_DEFAULTS.tol;
  if (!(Number.isFinite(tol) && tol >= 0)) throw new ParameterError("tol", `must be a finite number >= 0, got ${tol}`);
  const maxIter = o.maxIter ?? IRL_DEFAULTS.maxIter;
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new ParameterError("maxIter", `must be an integer >= 1, got ${maxIter}`);
  if (features.nStates !== mdp.nStates || features.nActions !== mdp.nActions) {
    throw new ParameterError("features", `are for ${features.nStates} states x ${features.nActions} actions, the MDP has ${mdp.nStates} x ${mdp.nActions}`);
  }
  if (demos.counts.length !== mdp.nStates * mdp.nActions) throw new ParameterError("demonstrations", `have ${demos.counts.length} counts, expected ${mdp.nStates * mdp.nActions}`);
  if (o.theta0 && o.theta0.length !== features.dim) throw new ParameterError("theta0", `has ${o.theta0.length} numbers for ${features.dim} features`);
  const solveOptions: SolveOptions = {
    backup,
    alpha: o.alpha ?? IRL_DEFAULTS.alpha,
    ...(o.gamma !== undefined ? { gamma: o.gamma } : {}),
    ...(o.horizon !== undefined ? { horizon: o.horizon } : {}),
    ...(o.prior ? { prior: o.prior } : {}),
    ...(o.entropy ? { entropy: true } : {}),
    tol: o.solveTol ?? IRL_DEFAULTS.solveTol,
    diagnostics: false,
    threads: 1,
  };
  return { backup, l2, tol, maxIter, solveOptions };
}

/**
 * The objective L(theta) and its gradient (one backward and one forward pass).
 * @throws {@link NoFixedPointError} when the exact backup has no fixed point at theta (infinite horizon).
 */
export function irlObjective(mdp: MdpArrays, features: FeatureMap, demos: IrlDemonstrations, theta: Float64Array, options: IrlOptions = {}, warm?: Float64Array): IrlEvaluation {
  const { backup, l2, solveOptions } = resolve(mdp, features, demos, options);
  return evaluate(mdp, features, demos, theta, backup, l2, warm ? { ...solveOptions, initialValues: warm } : solveOptions);
}

function evaluate(mdp: MdpArrays, features: FeatureMap, demos: IrlDemonstrations, theta: Float64Array, backup: IrlBackup, l2: number, solveOptions: SolveOptions): IrlEvaluation {
  const k = features.dim;
  const reward = new Float64Array(mdp.nStates * mdp.nActions);
  features.reward(theta, reward);
  const m = withReward(mdp, reward);
  const solution = solve(m, solveOptions);
  // Exact messages (MaxEnt IRL): expected counts under the posterior p(tau | O); otherwise under q(tau).
  const fw = marginals(m, solution, RULES[backup].exactMessages ? { from: "posterior", start: "p0" } : {});
  const expectedFeatures = new Float64Array(k);
  features.expect(fw.stateActionOccupancy, expectedFeatures);
  const muD = new Float64Array(k);
  features.expect(demos.counts, muD);
  const alpha = solution.alpha;
  let value = 0;
  for (let s = 0; s < mdp.nStates; s++) if (mdp.initial[s]! > 0) value += mdp.initial[s]! * solution.V[s]!;
  let dotTheta = 0;
  let norm2 = 0;
  const gradient = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    dotTheta += theta[i]! * muD[i]!;
    norm2 += theta[i]! * theta[i]!;
    gradient[i] = (muD[i]! - expectedFeatures[i]!) / alpha - l2 * theta[i]!;
  }
  const objective = (dotTheta - value) / alpha - 0.5 * l2 * norm2;
  return { objective, gradient, expectedFeatures, solution, reward };
}

/** Mean over episodes of sum_t log pi_t(a_t|s_t); counts: sum c(s,a) log pi(a|s) with the stationary policy. */
function logLikelihood(solution: SolveResult, demos: IrlDemonstrations): number | null {
  const m = solution.nActions;
  const pol = (t: number) => (solution.steps ? solution.steps.policy[t]! : solution.policy);
  let total = 0;
  if (demos.trajectories) {
    for (const tr of demos.trajectories) tr.actions.forEach((a, t) => (total += Math.log(pol(t)[tr.states[t]! * m + a]!)));
    return total / demos.episodes;
  }
  if (solution.steps) return null;
  // Counts are discounted as the objective counts them; the likelihood here weighs steps the same way.
  for (let i = 0; i < demos.counts.length; i++) if (demos.counts[i]! > 0) total += demos.counts[i]! * Math.log(solution.policy[i]!);
  return total;
}

/**
 * How far L may be off from rounding and the inner solves' tolerance: infinite horizon, the values are
 * within tol gamma / (1 - gamma) of the fixed point; finite horizon, rounding over H steps.
 */
function objectiveNoise(o: SolveOptions): number {
  const alpha = o.alpha ?? 1;
  const gamma = o.gamma ?? 1;
  if (o.horizon === undefined) return (10 * (o.tol ?? IRL_DEFAULTS.solveTol) * gamma) / (1 - gamma) / alpha;
  return (64 * Number.EPSILON * o.horizon) / alpha;
}

/**
 * Learn theta by maximising L (MCE IRL with the variational backup, MaxEnt IRL with the exact one).
 * @throws {@link ParameterError} for bad options; {@link NoFixedPointError} when the exact backup has
 *   no fixed point at the starting theta (infinite horizon).
 */
export function inverseRl(mdp: MdpArrays, features: FeatureMap, demos: IrlDemonstrations, options: IrlOptions = {}): IrlResult {
  const { backup, l2, tol, maxIter, solveOptions } = resolve(mdp, features, demos, options);
  const k = features.dim;
  const muD = new Float64Array(k);
  features.expect(demos.counts, muD);
  let warm: Float64Array | undefined;
  let last: IrlEvaluation | null = null;
  const at = (theta: Float64Array): IrlEvaluation | null => {
    try {
      const ev = evaluate(mdp, features, demos, theta, backup, l2, warm ? { ...solveOptions, initialValues: warm } : solveOptions);
      if (solveOptions.horizon === undefined && ev.solution.converged) warm = ev.solution.V;
      return ev;
    } catch (e) {
      if (e instanceof NoFixedPointError && last !== null) return null; // outside the domain: the line search shortens the step
      throw e;
    }
  };
  const gapOf = (ev: IrlEvaluation) => {
    let g = 0;
    for (let i = 0; i < k; i++) g = Math.max(g, Math.abs(muD[i]! - ev.expectedFeatures[i]!));
    return g;
  };
  const curve: IrlCurvePoint[] = [];
  const run = lbfgs(
    (theta, grad) => {
      const ev = at(theta);
      if (ev === null) return Infinity;
      last = ev;
      for (let i = 0; i < k; i++) grad[i] = -ev.gradient[i]!;
      return -ev.objective;
    },
    options.theta0 ? Float64Array.from(options.theta0) : new Float64Array(k),
    {
      maxIter,
      gtol: tol,
      fNoise: objectiveNoise(solveOptions),
      onIteration(iteration, f) {
        const point = { iteration, objective: -f, featureGap: gapOf(last!) };
        curve.push(point);
        options.onIteration?.(point);
      },
    },
  );
  // The final point's evaluation (the optimiser's last accepted point; re-evaluated if a rejected trial came after it).
  const final = evaluate(mdp, features, demos, run.x, backup, l2, warm ? { ...solveOptions, initialValues: warm } : solveOptions);
  return {
    backup,
    theta: run.x,
    reward: final.reward,
    solution: final.solution,
    objective: final.objective,
    logLikelihood: logLikelihood(final.solution, demos),
    featureGap: gapOf(final),
    demoFeatures: muD,
    expectedFeatures: final.expectedFeatures,
    iterations: run.iterations,
    evaluations: run.evaluations + 1,
    converged: run.converged,
    stop: run.stop,
    curve,
  };
}
