/**
 * Todorov's linearly solvable MDPs (Todorov 2007, 2009) in their own notation, and as the case
 * "action = next state" of a tabular MDP.
 *
 * An LMDP has passive dynamics p(s'|s), a state cost q(s), and a control cost alpha KL(u(.|s) || p(.|s)).
 * With desirability z(s) = exp(-v(s)/alpha) and G = diag(exp(-q/alpha)) P:
 *   first exit:     z_N = G_NN z_N + G_NT z_T,  z_T = exp(-q_T/alpha)      (terminal states T, interior N)
 *   average cost:   lambda z = G z,  average cost c = -alpha log lambda     (lambda the Perron root of G)
 *   optimal control u*(s'|s) = p(s'|s) z(s') / sum_t p(t|s) z(t)
 * As a tabular MDP (see {@link linearlySolvableMdp}): action a moves deterministically to state a,
 * the prior is pi0(a|s) = p(a|s), the reward is -q(s); terminal states end the episode with reward -q(s).
 * Deterministic dynamics make the exact and variational backups the same there (gamma = 1), and
 * v = -V, z = exp(V/alpha).
 */
import { mlMatrix } from "./ml-matrix.js";
import { ParameterError, RunError } from "../errors.js";
import { tablePrior, type ActionPrior } from "../inference/prior.js";
import { TabularMdp, type TransitionEntry } from "../mdp/tabular.js";
import { solveDense } from "./common.js";

/** An LMDP: passive dynamics, state costs, and optionally terminal states (first-exit formulation). */
export interface LinearlySolvableSpec {
  /** p(s'|s) as n rows of n probabilities (each row sums to 1 within 1e-9). */
  readonly passive: readonly (readonly number[])[];
  /** q(s), finite; for a terminal state its terminal cost q_T(s). */
  readonly cost: readonly number[];
  /** Terminal states (first exit): the episode ends there, paying q_T. */
  readonly terminal?: readonly number[];
  /** Initial distribution of the tabular MDP. @defaultValue uniform */
  readonly initial?: ArrayLike<number>;
}

function checkSpec(spec: LinearlySolvableSpec): { n: number; prior: ActionPrior; terminal: Uint8Array } {
  const n = spec.passive.length;
  if (n < 1) throw new ParameterError("passive", "needs at least one state");
  const prior = tablePrior(spec.passive, n, n, "passive dynamics");
  if (spec.cost.length !== n) throw new ParameterError("cost", `has ${spec.cost.length} entries for ${n} states`);
  spec.cost.forEach((c, s) => {
    if (typeof c !== "number" || !Number.isFinite(c)) throw new ParameterError(`cost[${s}]`, `must be a finite number, got ${c}`);
  });
  const terminal = new Uint8Array(n);
  for (const t of spec.terminal ?? []) {
    if (!Number.isInteger(t) || t < 0 || t >= n) throw new ParameterError("terminal", `state ${t} is not in 0..${n - 1}`);
    terminal[t] = 1;
  }
  return { n, prior, terminal };
}

/**
 * The LMDP as a tabular MDP with "action = next state": n actions, action a goes to state a with
 * probability 1 and reward -q(s); from a terminal state every action ends the episode with reward
 * -q_T(s). The prior is the passive dynamics (0 masks the moves it does not allow).
 */
export function linearlySolvableMdp(spec: LinearlySolvableSpec): { mdp: TabularMdp; prior: ActionPrior } {
  const { n, prior, terminal } = checkSpec(spec);
  const P: TransitionEntry[][][] = [];
  for (let s = 0; s < n; s++) {
    const row: TransitionEntry[][] = [];
    for (let a = 0; a < n; a++) {
      row.push(terminal[s] ? [{ prob: 1, next: s, reward: -spec.cost[s]!, done: true }] : [{ prob: 1, next: a, reward: -spec.cost[s]!, done: false }]);
    }
    P.push(row);
  }
  const mdp = TabularMdp.fromLists(P, spec.initial ? { initial: spec.initial, meta: { name: "linearly solvable MDP" } } : { meta: { name: "linearly solvable MDP" } });
  return { mdp, prior };
}

/** Result of {@link lmdpFirstExit}. */
export interface LmdpSolution {
  /** Desirability z(s) = exp(-v(s)/alpha). */
  readonly z: Float64Array;
  /** Optimal cost-to-go v(s) = -alpha log z(s) (= -V(s) of the tabular MDP). */
  readonly v: Float64Array;
  /** Optimal control u*(s'|s) = p(s'|s) z(s') / sum_t p(t|s) z(t), flat n x n (terminal rows: the passive row). */
  readonly control: Float64Array;
}

/**
 * First exit: solve z_N = G_NN z_N + G_NT z_T with z_T = exp(-q_T/alpha) (one linear solve on the
 * interior states, ml-matrix). Needs every interior state to reach a terminal state under p.
 * @throws {@link RunError} when the interior system is singular (some interior states never exit).
 */
export function lmdpFirstExit(spec: LinearlySolvableSpec, alpha = 1): LmdpSolution {
  const { n, terminal } = checkSpec(spec);
  if (!(alpha > 0 && Number.isFinite(alpha))) throw new ParameterError("alpha", `must be a finite number > 0, got ${alpha}`);
  const interior: number[] = [];
  const pos = new Int32Array(n).fill(-1);
  for (let s = 0; s < n; s++) if (!terminal[s]) pos[s] = interior.push(s) - 1;
  const z = new Float64Array(n);
  for (let s = 0; s < n; s++) if (terminal[s]) z[s] = Math.exp(-spec.cost[s]! / alpha);
  if (interior.length > 0) {
    const rows = interior.map((s, i) => {
      const r = new Float64Array(interior.length);
      r[i] = 1;
      const g = Math.exp(-spec.cost[s]! / alpha);
      spec.passive[s]!.forEach((p, t) => {
        if (pos[t]! >= 0) r[pos[t]!]! -= g * p;
      });
      return r;
    });
    const rhs = Float64Array.from(interior, (s) => {
      const g = Math.exp(-spec.cost[s]! / alpha);
      let acc = 0;
      spec.passive[s]!.forEach((p, t) => {
        if (terminal[t]) acc += g * p * z[t]!;
      });
      return acc;
    });
    const zi = solveDense(rows, rhs, "LMDP first exit");
    interior.forEach((s, i) => (z[s] = zi[i]!));
  }
  for (let s = 0; s < n; s++) if (!(z[s]! > 0)) throw new RunError("singular-system", `LMDP first exit: state ${s} has desirability ${z[s]} (it never reaches a terminal state)`);
  return { z, v: z.map((x) => -alpha * Math.log(x)), control: control(spec, z, terminal) };
}

function control(spec: LinearlySolvableSpec, z: Float64Array, terminal: Uint8Array): Float64Array {
  const n = z.length;
  const u = new Float64Array(n * n);
  for (let s = 0; s < n; s++) {
    const p = spec.passive[s]!;
    let sum = 0;
    for (let t = 0; t < n; t++) sum += p[t]! * (terminal[s] ? 1 : z[t]!);
    for (let t = 0; t < n; t++) u[s * n + t] = (p[t]! * (terminal[s] ? 1 : z[t]!)) / sum;
  }
  return u;
}

/** Result of {@link lmdpAverageCost}. */
export interface LmdpAverage {
  /** The Perron root lambda of G = diag(exp(-q/alpha)) P. */
  readonly lambda: number;
  /** Optimal average cost per step c = -alpha log lambda (the average reward is -c = alpha log lambda). */
  readonly averageCost: number;
  /** The Perron vector z > 0 (max entry 1): the desirability up to a constant. */
  readonly z: Float64Array;
  /** Optimal control u*(s'|s) = p(s'|s) z(s') / sum_t p(t|s) z(t), flat n x n. */
  readonly control: Float64Array;
}

/**
 * Average cost: the principal eigenpair of G = diag(exp(-q/alpha)) P (ml-matrix
 * EigenvalueDecomposition). Needs p irreducible (one recurrent class covering every state) and no
 * terminal states.
 * @throws {@link RunError} when the Perron vector is not positive (p reducible).
 */
export function lmdpAverageCost(spec: LinearlySolvableSpec, alpha = 1): LmdpAverage {
  const { n, terminal } = checkSpec(spec);
  if (terminal.some((t) => t === 1)) throw new ParameterError("terminal", "the average-cost formulation has no terminal states");
  if (!(alpha > 0 && Number.isFinite(alpha))) throw new ParameterError("alpha", `must be a finite number > 0, got ${alpha}`);
  const qmin = Math.min(...spec.cost);
  // Scale by exp(qmin/alpha) so that the largest factor is 1: lambda = exp(-qmin/alpha) lambda'.
  const rows = spec.passive.map((p, s) => Float64Array.from(p, (x) => x * Math.exp(-(spec.cost[s]! - qmin) / alpha)));
  const { EigenvalueDecomposition, Matrix } = mlMatrix();
  const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: false });
  const re = evd.realEigenvalues;
  const im = evd.imaginaryEigenvalues;
  let best = 0;
  for (let i = 1; i < n; i++) if (re[i]! > re[best]! || (re[i] === re[best] && Math.abs(im[i]!) < Math.abs(im[best]!))) best = i;
  const vec = Float64Array.from(evd.eigenvectorMatrix.getColumn(best));
  let mx = 0;
  for (const x of vec) if (Math.abs(x) > Math.abs(mx)) mx = x;
  const z = vec.map((x) => x / mx);
  for (let s = 0; s < n; s++) if (!(z[s]! > 0)) throw new RunError("reducible", `LMDP average cost: the Perron vector vanishes at state ${s} (the passive dynamics are not irreducible)`);
  const lambdaScaled = re[best]!;
  const averageCost = qmin - alpha * Math.log(lambdaScaled);
  return { lambda: Math.exp(-averageCost / alpha), averageCost, z, control: control(spec, z, terminal) };
}
