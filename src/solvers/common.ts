/**
 * Shared pieces of the independent solvers: their options (checked here, not by the engine), dense
 * linear solves on ml-matrix, and the few graph facts they need (which states can end an episode,
 * strongly connected components).
 *
 * The solvers reach the engine's fixed points by other roads (linear solves, eigenvalues, sampling);
 * they share with it only the MDP arrays and the prior, never a message rule.
 */
import { mlMatrix } from "./ml-matrix.js";
import { ParameterError, RunError } from "../errors.js";
import { checkPriorShape, entropyPrior, logWeights, uniformPrior, type ActionPrior } from "../inference/prior.js";
import type { MdpArrays } from "../mdp/tabular.js";

/** Options every independent solver takes: the problem, not the algorithm. */
export interface SolverProblem {
  /** Temperature alpha > 0. @defaultValue 1 */
  readonly alpha?: number;
  /** Discount in (0, 1]. Required. */
  readonly gamma: number;
  /** The action prior. @defaultValue uniform (KL-to-uniform form) */
  readonly prior?: ActionPrior;
  /** The unnormalised entropy (MaxEnt / SAC) form: weight 1 per action (needs no `prior`). */
  readonly entropy?: boolean;
}

/** A problem with its defaults filled in and its parameters checked. */
export interface ResolvedProblem {
  readonly alpha: number;
  readonly gamma: number;
  readonly prior: ActionPrior;
  /** log w(a|s) = logMass[s] + log pi0(a|s), flat n x m; -Infinity where the prior masks the action. */
  readonly logW: Float64Array;
}

/** Check a solver's problem options; errors name the option. */
export function resolveProblem(mdp: MdpArrays, o: SolverProblem): ResolvedProblem {
  const alpha = o.alpha ?? 1;
  if (typeof alpha !== "number" || !Number.isFinite(alpha) || alpha <= 0) throw new ParameterError("alpha", `must be a finite number > 0, got ${alpha}`);
  const gamma = o.gamma;
  if (typeof gamma !== "number" || !(gamma >= 0 && gamma <= 1)) throw new ParameterError("gamma", `must be in [0, 1], got ${gamma}`);
  if (o.entropy && o.prior && o.prior.kind !== "entropy") {
    throw new ParameterError("entropy", "the entropy form uses weight 1 per action and cannot be combined with a prior table");
  }
  const prior = o.prior ?? (o.entropy ? entropyPrior(mdp.nStates, mdp.nActions) : uniformPrior(mdp.nStates, mdp.nActions));
  checkPriorShape(prior, mdp.nStates, mdp.nActions);
  return { alpha, gamma, prior, logW: logWeights(prior) };
}


/**
 * Solve A x = b for a dense square A given as rows (LU with partial pivoting, ml-matrix).
 * @param what - names the system in the error.
 * @throws {@link RunError} when A is singular or the solution is not finite.
 */
export function solveDense(rows: Float64Array[], b: Float64Array, what: string): Float64Array {
  let x: number[];
  const { Matrix, solve: solveLinear } = mlMatrix();
  try {
    x = solveLinear(new Matrix(rows), Matrix.columnVector(b)).to1DArray();
  } catch (e) {
    throw new RunError("singular-system", `${what}: the linear system is singular (${(e as Error).message})`);
  }
  const out = Float64Array.from(x);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i]!)) throw new RunError("singular-system", `${what}: the linear system is singular or out of floating-point range (component ${i} is ${out[i]})`);
  }
  return out;
}



/** V(s) = alpha log sum_a w(a|s) exp(Q(s,a)/alpha) and q(a|s) = w exp((Q - V)/alpha), max-shifted. */
export function softValues(Q: Float64Array, logW: Float64Array, n: number, m: number, alpha: number, V: Float64Array, policy: Float64Array | null): void {
  const inv = 1 / alpha;
  for (let s = 0; s < n; s++) {
    let mx = -Infinity;
    for (let a = 0; a < m; a++) {
      const u = logW[s * m + a]! + Q[s * m + a]! * inv;
      if (u > mx) mx = u;
    }
    let sum = 0;
    for (let a = 0; a < m; a++) {
      const lw = logW[s * m + a]!;
      const e = lw === -Infinity ? 0 : Math.exp(lw + Q[s * m + a]! * inv - mx);
      if (policy) policy[s * m + a] = e;
      sum += e;
    }
    V[s] = alpha * (mx + Math.log(sum));
    if (policy) for (let a = 0; a < m; a++) policy[s * m + a] = policy[s * m + a]! / sum;
  }
}
