/**
 * The exact (sum-product) backup of an infinite horizon solved as a linear system, and the
 * Perron-Frobenius growth rate of exact message passing where that system has no positive solution.
 *
 * With z = exp(V/alpha) the exact backup with its death state is linear in z:
 *   z(s) = sum_a w(a|s) sum_k p_k e^{r_k/alpha} [done_k ? 1 : gamma z(s'_k) + 1 - gamma]  =  (M z)(s) + b(s)
 * with M >= 0 (live entries, gamma included) and b >= 0 (done entries and the death branch). When the
 * spectral radius rho(M) < 1, z = (I - M)^-1 b > 0 is the unique fixed point and message passing
 * converges to it; when rho(M) >= 1 there is none and V_t grows by alpha log rho per step
 * (alpha log rho is the largest growth; a state grows at the rate of the fastest class it can reach).
 * Todorov's linearly solvable MDPs are the case "action = next state" (see lmdp.ts).
 */
import { mlMatrix } from "./ml-matrix.js";
import { NoFixedPointError, RunError } from "../errors.js";
import type { MdpArrays } from "../mdp/tabular.js";
import { statesThatNeverEnd, stronglyConnected } from "../mdp/reachability.js";
import { logAddExp } from "../numeric/logspace.js";
import { resolveProblem, softValues, solveDense, type ResolvedProblem, type SolverProblem } from "./common.js";
import { softPolicyIteration } from "./policy-iteration.js";

/** The exponentiated operator in log space: live terms s -> t with log coefficient, and log b(s). */
interface LogOperator {
  readonly from: Int32Array;
  readonly to: Int32Array;
  /** log M contribution of one entry: log w + log p + r/alpha + log gamma. */
  readonly logc: Float64Array;
  /** log b(s) (-Infinity where b(s) = 0). */
  readonly logb: Float64Array;
}

function logOperator(mdp: MdpArrays, pr: ResolvedProblem): LogOperator {
  const { nStates: n, nActions: m, rowStart, next, prob, reward, done } = mdp;
  const { alpha, gamma, logW } = pr;
  const inv = 1 / alpha;
  const logGamma = Math.log(gamma);
  const logDeath = gamma < 1 ? Math.log1p(-gamma) : -Infinity;
  const from: number[] = [];
  const to: number[] = [];
  const logc: number[] = [];
  const logb = new Float64Array(n).fill(-Infinity);
  for (let s = 0; s < n; s++) {
    const bTerms: number[] = [];
    for (let a = 0; a < m; a++) {
      const row = s * m + a;
      const lw = logW[row]!;
      if (lw === -Infinity) continue;
      for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
        if (!(prob[k]! > 0)) continue;
        const u = lw + Math.log(prob[k]!) + reward[k]! * inv;
        if (done[k]) bTerms.push(u);
        else {
          from.push(s);
          to.push(next[k]!);
          logc.push(u + logGamma);
          if (logDeath > -Infinity) bTerms.push(u + logDeath);
        }
      }
    }
    logb[s] = logSum(bTerms);
  }
  return { from: Int32Array.from(from), to: Int32Array.from(to), logc: Float64Array.from(logc), logb };
}

function logSum(terms: readonly number[]): number {
  let mx = -Infinity;
  for (const t of terms) if (t > mx) mx = t;
  if (mx === -Infinity) return -Infinity;
  let sum = 0;
  for (const t of terms) sum += Math.exp(t - mx);
  return mx + Math.log(sum);
}

/** Result of {@link exactGrowth}. */
export interface ExactGrowth {
  /** log rho(M); null when M is nilpotent (no cycle of live entries: rho = 0). */
  readonly logSpectralRadius: number | null;
  /** rho(M) = exp(logSpectralRadius); 0 when nilpotent. */
  readonly spectralRadius: number;
  /** alpha log rho: how much V grows per sweep of exact message passing when rho >= 1; null when rho = 0. */
  readonly growthPerStep: number | null;
  /** Per state s: log of the largest spectral radius among the classes s can reach (null: none with a cycle). */
  readonly logRadiusByState: readonly (number | null)[];
  /** The strongly connected classes of live entries that carry a cycle, with their log spectral radius. */
  readonly classes: readonly { readonly states: readonly number[]; readonly logSpectralRadius: number }[];
}

/**
 * The Perron-Frobenius growth rate of exact message passing: alpha log rho(M), with M the operator on
 * z = exp(V/alpha) above. Computed class by class (strongly connected components of the live
 * entries; the Perron root of an irreducible block is a simple eigenvalue), each block scaled by its
 * largest entry and decomposed with ml-matrix's EigenvalueDecomposition.
 */
export function exactGrowth(mdp: MdpArrays, options: SolverProblem): ExactGrowth {
  const pr = resolveProblem(mdp, options);
  return growthOf(mdp.nStates, logOperator(mdp, pr), pr.alpha);
}

function growthOf(n: number, op: LogOperator, alpha: number): ExactGrowth {
  const adjSets: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  for (let i = 0; i < op.from.length; i++) adjSets[op.from[i]!]!.add(op.to[i]!);
  const adj = adjSets.map((set) => [...set]);
  const comps = stronglyConnected(n, adj);
  const compOf = new Int32Array(n);
  comps.forEach((c, i) => {
    for (const s of c) compOf[s] = i;
  });
  // Terms grouped by the class of their source, kept only inside the class.
  const inside: number[][] = comps.map(() => []);
  for (let i = 0; i < op.from.length; i++) {
    const c = compOf[op.from[i]!]!;
    if (compOf[op.to[i]!] === c) inside[c]!.push(i);
  }
  const compLog: (number | null)[] = comps.map((states, c) => {
    const terms = inside[c]!;
    if (terms.length === 0) return null; // a single state without a self-loop: no cycle
    if (states.length === 1) return logSum(terms.map((i) => op.logc[i]!));
    const local = new Map<number, number>();
    states.forEach((s, i) => local.set(s, i));
    let mx = -Infinity;
    for (const i of terms) mx = Math.max(mx, op.logc[i]!);
    const rows = states.map(() => new Float64Array(states.length));
    for (const i of terms) rows[local.get(op.from[i]!)!]![local.get(op.to[i]!)!]! += Math.exp(op.logc[i]! - mx);
    const { EigenvalueDecomposition, Matrix } = mlMatrix();
  const evd = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: false });
    const re = evd.realEigenvalues;
    const im = evd.imaginaryEigenvalues;
    let rho = 0;
    for (let i = 0; i < re.length; i++) rho = Math.max(rho, Math.hypot(re[i]!, im[i]!));
    return mx + Math.log(rho);
  });
  // Reachable maximum: Tarjan lists a class after every class it reaches.
  const reach: (number | null)[] = new Array(comps.length).fill(null);
  for (let c = 0; c < comps.length; c++) {
    let best = compLog[c]!;
    for (const s of comps[c]!) {
      for (const t of adj[s]!) {
        const d = compOf[t]!;
        if (d !== c && reach[d] !== null && (best === null || reach[d]! > best)) best = reach[d]!;
      }
    }
    reach[c] = best;
  }
  let logRho: number | null = null;
  for (const l of compLog) if (l !== null && (logRho === null || l > logRho)) logRho = l;
  return {
    logSpectralRadius: logRho,
    spectralRadius: logRho === null ? 0 : Math.exp(logRho),
    growthPerStep: logRho === null ? null : alpha * logRho,
    logRadiusByState: Array.from({ length: n }, (_, s) => reach[compOf[s]!]!),
    classes: comps.flatMap((states, c) => (compLog[c] === null ? [] : [{ states, logSpectralRadius: compLog[c]! }])),
  };
}

export interface ExactLinearResult {
  /** Q(s, a), flat n x m, reward units. */
  readonly Q: Float64Array;
  /** V(s) = alpha log z(s). */
  readonly V: Float64Array;
  /** q(a|s) = w exp((Q - V)/alpha), flat n x m. */
  readonly policy: Float64Array;
  /**
   * max_s (M z)(s) / z(s) = max_s (1 - b(s)/z(s)) at the solution: a Collatz-Wielandt upper bound on
   * rho(M), below 1 (it may round to 1 when b(s)/z(s) is below the rounding level).
   */
  readonly radiusBound: number;
  /** How many linear solves the rescaling took (1 to 4). */
  readonly solves: number;
}

/** Exponent beyond which exp() leaves the double range. */
const EXP_LIMIT = 700;

/**
 * Solve the exact backup of an infinite horizon as the linear system (I - M) z = b.
 *
 * The system is solved for y = z / exp(u) with a per-state scale u (first u = 0; if that leaves the
 * floating-point range, u = V_variational / alpha from soft policy iteration), then rescaled with
 * u <- u + log y until y = 1 to rounding: the answer does not depend on u, only its accuracy does.
 * @throws {@link NoFixedPointError} when rho(M) >= 1 (computed by {@link exactGrowth});
 * {@link RunError} when states that never end (gamma = 1) have no finite value, or when the numbers
 * leave the floating-point range.
 */
export function exactLinearSolve(mdp: MdpArrays, options: SolverProblem): ExactLinearResult {
  const pr = resolveProblem(mdp, options);
  const { nStates: n, nActions: m } = mdp;
  const op = logOperator(mdp, pr);
  const fail = (): never => {
    const g = growthOf(n, op, pr.alpha);
    if (g.logSpectralRadius !== null && g.logSpectralRadius >= 0) throw new NoFixedPointError(g.growthPerStep!, g.spectralRadius);
    throw new RunError("out-of-range", "exact linear solve: exp(V/alpha) leaves the floating-point range; use the engine (cai solve)");
  };
  if (pr.gamma === 1) {
    const never = statesThatNeverEnd(mdp, pr.prior.probs);
    if (never.length > 0) {
      const g = growthOf(n, op, pr.alpha);
      if (g.logSpectralRadius !== null && g.logSpectralRadius >= 0) throw new NoFixedPointError(g.growthPerStep!, g.spectralRadius);
      throw new RunError(
        "no-fixed-point",
        `exact linear solve: with gamma = 1, no episode ends from state ${never[0]}${never.length > 1 ? ` (and ${never.length - 1} other states)` : ""}, ` +
          `and the growth there is alpha log rho = ${g.growthPerStep} < 0 per step: its value falls without bound`,
      );
    }
  }
  const attempt = (u: Float64Array): Float64Array | null => {
    const rows: Float64Array[] = Array.from({ length: n }, (_, s) => {
      const r = new Float64Array(n);
      r[s] = 1;
      return r;
    });
    const rhs = new Float64Array(n);
    for (let i = 0; i < op.from.length; i++) {
      const s = op.from[i]!;
      const t = op.to[i]!;
      const e = op.logc[i]! + u[t]! - u[s]!;
      if (e > EXP_LIMIT) return null;
      rows[s]![t]! -= Math.exp(e);
    }
    for (let s = 0; s < n; s++) {
      const e = op.logb[s]! - u[s]!;
      if (e > EXP_LIMIT) return null;
      rhs[s] = Math.exp(e);
    }
    let y: Float64Array;
    try {
      y = solveDense(rows, rhs, "exact linear solve");
    } catch {
      return null;
    }
    for (let s = 0; s < n; s++) if (!(y[s]! > 0) || !Number.isFinite(Math.log(y[s]!))) return null;
    return y;
  };
  let u: Float64Array = new Float64Array(n);
  let y = attempt(u);
  let solves = 1;
  if (!y) {
    let scale: Float64Array | null = null;
    try {
      scale = softPolicyIteration(mdp, options).V.map((v) => v / pr.alpha);
    } catch {
      scale = null;
    }
    if (scale) {
      u = scale;
      y = attempt(u);
      solves++;
    }
  }
  if (!y) return fail();
  for (let round = 0; round < 3; round++) {
    let worst = 0;
    const next = new Float64Array(n);
    for (let s = 0; s < n; s++) {
      const ly = Math.log(y[s]!);
      next[s] = u[s]! + ly;
      worst = Math.max(worst, Math.abs(ly));
    }
    if (worst <= 1e-14) break;
    const y2 = attempt(next);
    solves++;
    if (!y2) break;
    u = next;
    y = y2;
  }
  const V = new Float64Array(n);
  let radiusBound = 0;
  for (let s = 0; s < n; s++) {
    V[s] = pr.alpha * (u[s]! + Math.log(y[s]!));
    radiusBound = Math.max(radiusBound, 1 - Math.exp(op.logb[s]! - u[s]!) / y[s]!);
  }
  const Q = new Float64Array(n * m);
  exactQ(mdp, pr, V, Q);
  const policy = new Float64Array(n * m);
  const Vcheck = new Float64Array(n);
  softValues(Q, pr.logW, n, m, pr.alpha, Vcheck, policy);
  return { Q, V, policy, radiusBound, solves };
}

/** Q(s,a) = alpha log sum_k p_k exp(r_k/alpha) [done_k ? 1 : gamma exp(V(s')/alpha) + 1 - gamma], max-shifted. */
export function exactQ(mdp: MdpArrays, pr: { alpha: number; gamma: number }, V: Float64Array, Q: Float64Array): void {
  const { nStates: n, rowStart, next, prob, reward, done } = mdp;
  const { alpha, gamma } = pr;
  const inv = 1 / alpha;
  const logGamma = Math.log(gamma);
  const logDeath = gamma < 1 ? Math.log1p(-gamma) : -Infinity;
  const W = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    W[t] = logAddExp(logGamma + V[t]! * inv, logDeath);
  }
  for (let row = 0; row < Q.length; row++) {
    let mx = -Infinity;
    for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
      if (prob[k]! > 0) mx = Math.max(mx, reward[k]! * inv + (done[k] ? 0 : W[next[k]!]!));
    }
    let sum = 0;
    for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
      if (prob[k]! > 0) sum += prob[k]! * Math.exp(reward[k]! * inv + (done[k] ? 0 : W[next[k]!]!) - mx);
    }
    Q[row] = alpha * (mx + Math.log(sum));
  }
}
