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
  if (typeof gamma !== "number" || !(gamma > 0 && gamma <= 1)) throw new ParameterError("gamma", `must be in (0, 1], got ${gamma}`);
  if (o.entropy && o.prior && o.prior.kind !== "entropy") {
    throw new ParameterError("entropy", "the entropy form uses weight 1 per action and cannot be combined with a prior table");
  }
  const prior = o.prior ?? (o.entropy ? entropyPrior(mdp.nStates, mdp.nActions) : uniformPrior(mdp.nStates, mdp.nActions));
  checkPriorShape(prior, mdp.nStates, mdp.nActions);
  return { alpha, gamma, prior, logW: logWeights(prior) };
}

/** r(s, a) = sum_k p_k r_k, flat n x m. */
export function expectedRewards(mdp: MdpArrays): Float64Array {
  const { rowStart, prob, reward } = mdp;
  const out = new Float64Array(mdp.nStates * mdp.nActions);
  for (let row = 0; row < out.length; row++) {
    let acc = 0;
    for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) acc += prob[k]! * reward[k]!;
    out[row] = acc;
  }
  return out;
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

/**
 * States from which no episode can end when actions are drawn from `support` (flat n x m, > 0 where
 * an action may be taken): no positive-probability path reaches a done entry. With gamma = 1 a
 * policy with this support evaluates to a singular system exactly when the list is not empty.
 */
export function statesThatNeverEnd(mdp: MdpArrays, support: ArrayLike<number>): number[] {
  const { nStates: n, nActions: m, rowStart, next, prob, done } = mdp;
  // Reverse edges s' -> s over live entries of supported actions; seeds: states with a done entry.
  const ends = new Uint8Array(n);
  const preds: number[][] = Array.from({ length: n }, () => []);
  for (let s = 0; s < n; s++) {
    for (let a = 0; a < m; a++) {
      const row = s * m + a;
      if (!(support[row]! > 0)) continue;
      for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
        if (!(prob[k]! > 0)) continue;
        if (done[k]) ends[s] = 1;
        else preds[next[k]!]!.push(s);
      }
    }
  }
  const stack: number[] = [];
  for (let s = 0; s < n; s++) if (ends[s]) stack.push(s);
  while (stack.length > 0) {
    const t = stack.pop()!;
    for (const s of preds[t]!) {
      if (!ends[s]) {
        ends[s] = 1;
        stack.push(s);
      }
    }
  }
  const out: number[] = [];
  for (let s = 0; s < n; s++) if (!ends[s]) out.push(s);
  return out;
}

/**
 * Strongly connected components of a directed graph on n nodes given by adjacency lists (Tarjan,
 * iterative). Components come out in reverse topological order: a component's successors come
 * before it.
 */
export function stronglyConnected(n: number, adj: readonly (readonly number[])[]): number[][] {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  const work: [number, number][] = [];
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    work.push([root, 0]);
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const v = frame[0];
      const edges = adj[v]!;
      if (frame[1] < edges.length) {
        const w = edges[frame[1]++]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]![0];
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] === index[v]) {
        const comp: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          comp.push(w);
        } while (w !== v);
        out.push(comp.sort((x, y) => x - y));
      }
    }
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
