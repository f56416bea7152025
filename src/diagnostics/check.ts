/**
 * Judging a Q-table computed elsewhere against the engine: its Bellman residual under the chosen
 * backup, its largest differences from the engine's Q, and whether the difference is a known
 * convention mismatch. Each convention is tested by solving the variant problem and comparing:
 * - the entropy (MaxEnt / SAC) form instead of KL to uniform, or the reverse (without terminal
 *   transitions Q moves by gamma alpha log(m) / (1 - gamma), V by alpha log(m) / (1 - gamma));
 *   and the same with the current step's bonus alpha log(m) inside Q (Q moves by alpha log(m) / (1 - gamma));
 * - the temperature given as its inverse (alpha <-> 1/alpha);
 * - the discount inside the log-sum-exp over actions, or (exact backup) on the value in the exponent,
 *   or outside the log (see conventions.ts);
 * - a state-only reward r(s) = sum_a pi0(a|s) sum_k p_k r_k in place of r(s, a, s');
 * - another backup (exact, variational, hard).
 */
import { NoFixedPointError, ParameterError, RunError } from "../errors.js";
import { entropyPrior, uniformPrior } from "../inference/prior.js";
import { resolveOptions, solve, type SolveOptions } from "../inference/solve.js";
import { BACKUPS, RULES, unreachable, type Backup } from "../inference/rules/index.js";
import { SOLVE_DEFAULTS } from "../inference/solve-options.js";
import type { MdpArrays } from "../mdp/tabular.js";
import { conventionQ, type DiscountPlacement } from "./conventions.js";
import { expectedReward } from "../mdp/rewards.js";


/** Defaults of {@link checkQTable}. */
export const CHECK_DEFAULTS = {
  /** Tolerance on max |their Q - engine Q|, reward units. */
  tol: 1e-6,
  /** How many of the largest differences to list. */
  top: 5,
} as const;

export interface CheckOptions {
  /** The problem their table should solve, as engine options (backup, alpha, gamma, horizon, prior, entropy). */
  readonly solve: SolveOptions;
  /** @defaultValue 1e-6 */
  readonly tol?: number;
  /** @defaultValue 5 */
  readonly top?: number;
}

/** One (state, action) where the tables differ. */
export interface QDifference {
  readonly state: number;
  readonly action: number;
  readonly theirs: number;
  readonly engine: number;
  /** theirs - engine */
  readonly difference: number;
}

/** The verdict on one convention. */
export interface ConventionCheck {
  readonly name: string;
  readonly description: string;
  /** max |their Q - Q under this convention|; null when the convention does not apply or has no fixed point. */
  readonly maxAbsDifference: number | null;
  /** Why it was not tested, when it was not. */
  readonly skipped: string | null;
  readonly matches: boolean;
}

export interface CheckReport {
  readonly withinTolerance: boolean;
  readonly tol: number;
  /** max over all (s, a) of |their Q - engine Q|. */
  readonly maxAbsDifference: number;
  /** The largest differences, largest first. */
  readonly largest: readonly QDifference[];
  /** max |T(Q) - Q| of their table under the chosen backup (infinite horizon; null for a finite one). */
  readonly bellmanResidual: number | null;
  /** residual / (1 - gamma): a bound on max |their Q - Q*| for the variational and hard backups (gamma < 1); else null. */
  readonly distanceBound: number | null;
  /** When their Q - engine Q is one constant (within tol) and not 0: that constant, and its ratio to alpha log(m) / (1 - gamma). */
  readonly constantOffset: { readonly value: number; readonly perAlphaLogMOverOneMinusGamma: number | null } | null;
  /** Every convention tested (empty when the table is within tolerance). */
  readonly conventions: readonly ConventionCheck[];
  /** Names of the conventions under which their table matches, best first. */
  readonly explanation: readonly string[];
  /** The engine's Q, flat n x m. */
  readonly engineQ: Float64Array;
  readonly engine: {
    readonly backup: Backup;
    readonly alpha: number;
    readonly gamma: number;
    readonly horizon: number | null;
    readonly prior: string;
    readonly iterations: number;
    readonly residual: number;
  };
}

/**
 * Check a Q-table against the engine.
 * @param theirs - their Q, flat n x m (row = s * m + a).
 * @throws {@link ParameterError} for bad options; {@link NoFixedPointError} or {@link ConvergenceError}
 * when the engine itself has no answer for the chosen problem.
 */
export function checkQTable(mdp: MdpArrays, theirs: Float64Array, options: CheckOptions): CheckReport {
  const { nStates: n, nActions: m } = mdp;
  if (theirs.length !== n * m) throw new ParameterError("Q", `has ${theirs.length} values for ${n} states x ${m} actions`);
  const tol = options.tol ?? CHECK_DEFAULTS.tol;
  if (!(tol >= 0 && Number.isFinite(tol))) throw new ParameterError("tol", `must be a finite number >= 0, got ${tol}`);
  const top = options.top ?? CHECK_DEFAULTS.top;
  const base = options.solve;
  const r = resolveOptions(mdp, base);
  const backup = r.rules.backup;
  const { alpha, gamma, horizon } = r;
  // The engine must sit well inside the tolerance: its error is at most gamma tol_engine / (1 - gamma).
  const engineTol = Math.min(1e-12, gamma < 1 ? (tol * (1 - gamma)) / 10 : tol / 100);
  const engineQ = (o: SolveOptions, on: MdpArrays = mdp): Float64Array => solve(on, { ...o, tol: engineTol, strict: true, diagnostics: false }).Q;
  const res = solve(mdp, { ...base, tol: engineTol, strict: true, diagnostics: false });
  const ref = res.Q;

  const diffs: QDifference[] = [];
  let maxAbs = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let s = 0; s < n; s++) {
    for (let a = 0; a < m; a++) {
      const d = theirs[s * m + a]! - ref[s * m + a]!;
      maxAbs = Math.max(maxAbs, Math.abs(d));
      lo = Math.min(lo, d);
      hi = Math.max(hi, d);
      diffs.push({ state: s, action: a, theirs: theirs[s * m + a]!, engine: ref[s * m + a]!, difference: d });
    }
  }
  diffs.sort((x, y) => Math.abs(y.difference) - Math.abs(x.difference) || x.state - y.state || x.action - y.action);
  const largest = diffs.slice(0, top).filter((d) => d.difference !== 0);
  const within = maxAbs <= tol;

  let bellmanResidual: number | null = null;
  let distanceBound: number | null = null;
  if (horizon === null) {
    const V = new Float64Array(n);
    const TQ = new Float64Array(n * m);
    r.rules.actions.apply(theirs, r.prior, alpha, V, null);
    r.rules.dynamics.apply(mdp, V, alpha, gamma, TQ);
    bellmanResidual = 0;
    for (let i = 0; i < TQ.length; i++) bellmanResidual = Math.max(bellmanResidual, Math.abs(TQ[i]! - theirs[i]!));
    // A gamma-contraction (every family that always has a fixed point) is within residual / (1 - gamma) of it.
    if (!r.rules.mayHaveNoFixedPoint && gamma < 1) distanceBound = bellmanResidual / (1 - gamma);
    if (distanceBound !== null && !Number.isFinite(distanceBound)) distanceBound = null; // never "<= Infinity"
  }

  const mid = (lo + hi) / 2;
  const unit = gamma < 1 && m > 1 && horizon === null ? (alpha * Math.log(m)) / (1 - gamma) : null;
  const constantOffset = hi - lo <= tol && Math.abs(mid) > tol ? { value: mid, perAlphaLogMOverOneMinusGamma: unit === null ? null : mid / unit } : null;

  const conventions: ConventionCheck[] = [];
  if (!within) {
    const test = (name: string, description: string, q: () => Float64Array | string): void => {
      let out: Float64Array | string;
      try {
        out = q();
      } catch (e) {
        if (e instanceof NoFixedPointError) out = "no fixed point under this convention";
        else if (e instanceof RunError) out = `no answer under this convention: ${e.message}`;
        else throw e;
      }
      if (typeof out === "string") {
        conventions.push({ name, description, maxAbsDifference: null, skipped: out, matches: false });
        return;
      }
      let d = 0;
      for (let i = 0; i < out.length; i++) d = Math.max(d, Math.abs(theirs[i]! - out[i]!));
      conventions.push({ name, description, maxAbsDifference: d, skipped: null, matches: d <= tol });
    };
    const priorKind = r.prior.kind;
    // The max action rule (alpha -> 0) uses the prior's support only, and no temperature.
    const kind = r.rules.actions.kind;
    const maxRule = kind === "max" ? true : kind === "tempered" || kind === null ? false : unreachable(kind);
    const toEntropy = priorKind !== "entropy";
    const logM = alpha * Math.log(m);
    const toggled = (): SolveOptions => {
      const { entropy: _e, prior: _p, ...rest } = base;
      return { ...rest, prior: toEntropy ? entropyPrior(n, m) : uniformPrior(n, m) };
    };
    const noToggle = priorKind === "table" ? "a prior table has no entropy form" : maxRule ? "the hard backup does not use the prior's mass" : m === 1 ? "one action: both forms agree" : null;
    // The offset of Q_0 between the two forms without terminal transitions: the bonus of every later
    // step, alpha log(m) sum_{k=1}^{H-1} gamma^k (finite H) or gamma alpha log(m)/(1 - gamma) (infinite);
    // with the current step's bonus counted too, the sums start at k = 0.
    const offsetText = (first: 0 | 1): string => {
      if (horizon === null) return first === 1 ? "gamma alpha log(m)/(1 - gamma)" : "alpha log(m)/(1 - gamma)";
      let sum = 0;
      for (let k = first; k <= horizon - 1; k++) sum += gamma ** k;
      return `alpha log(m) sum_{k=${first}}^{H-1} gamma^k = ${Number((logM * sum).toPrecision(6))} with H = ${horizon}`;
    };
    test(
      toEntropy ? "entropy-form" : "kl-form",
      toEntropy
        ? `the entropy (MaxEnt/SAC) form V = alpha log sum_a exp(Q/alpha) instead of KL to uniform (without terminal transitions Q is higher by ${offsetText(1)})`
        : `KL to uniform instead of the entropy form (without terminal transitions Q is lower by ${offsetText(1)})`,
      () => noToggle ?? engineQ(toggled()),
    );
    test(
      toEntropy ? "entropy-form-current-bonus" : "kl-form-current-bonus",
      `as the line above, with the current step's entropy bonus alpha log(m) counted in Q (without terminal transitions Q is ${toEntropy ? "higher" : "lower"} by ${offsetText(0)})`,
      () => noToggle ?? engineQ(toggled()).map((q) => q + (toEntropy ? logM : -logM)),
    );
    test("inverse-temperature", `the temperature given as its inverse: alpha = ${1 / alpha} instead of ${alpha}`, () =>
      maxRule ? "the hard backup has no temperature" : alpha === 1 ? "alpha = 1 is its own inverse" : engineQ({ ...base, alpha: 1 / alpha }),
    );
    const placement = (discount: DiscountPlacement, exactOnly: boolean) => (): Float64Array | string => {
      if (gamma === 1) return "gamma = 1: every placement of the discount agrees";
      if (maxRule) return "under the max backup the placement of gamma does not matter";
      if (exactOnly && r.rules.nextStateAverage !== "log-mean-exp") return "applies to the exact backup";
      const { backup: _b, tol: _t, maxIter: _i, strict: _s, diagnostics: _d, initialValues: _v, horizon: _h, ...problem } = base;
      return conventionQ(mdp, { ...problem, gamma, backup, discount, ...(horizon !== null ? { horizon } : {}), tol: engineTol }).Q;
    };
    test("gamma-in-softmax", "gamma inside the log-sum-exp over next actions: V'(s') = alpha log sum_a' w exp(gamma Q(s',a')/alpha), not discounted again", placement("softmax", false));
    test("gamma-in-exponent", "exact backup with gamma on the value inside the exponent, no death state: Q = alpha log E exp((r + gamma V')/alpha)", placement("exponent", true));
    test("gamma-outside-log", "exact backup with gamma outside the log: Q = alpha log E exp(r/alpha) + gamma alpha log E exp(V'/alpha)", placement("outside", true));
    test("state-only-reward", "a state-only reward r(s) = sum_a pi0(a|s) sum_k p_k r_k in place of r(s, a, s')", () => {
      const rs = stateOnlyRewards(mdp, r.prior.probs);
      let change = 0;
      for (let k = 0; k < rs.length; k++) change = Math.max(change, Math.abs(rs[k]! - mdp.reward[k]!));
      return change === 0 ? "the rewards already depend on the state only" : engineQ(base, { ...arraysOf(mdp), reward: rs });
    });
    // The other families, the default first (then the registry's order).
    for (const other of [SOLVE_DEFAULTS.backup, ...BACKUPS.filter((b) => b !== SOLVE_DEFAULTS.backup)]) {
      if (other === backup) continue;
      const what = RULES[other].words.alternative;
      test(`backup-${other}`, `the ${other} backup instead of ${backup}: ${what}`, () => engineQ({ ...base, backup: other }));
    }
  }
  const explanation = conventions
    .filter((c) => c.matches)
    .sort((x, y) => x.maxAbsDifference! - y.maxAbsDifference!)
    .map((c) => c.name);
  return {
    withinTolerance: within,
    tol,
    maxAbsDifference: maxAbs,
    largest,
    bellmanResidual,
    distanceBound,
    constantOffset,
    conventions,
    explanation,
    engineQ: ref,
    engine: { backup, alpha, gamma, horizon, prior: r.prior.kind, iterations: res.iterations, residual: res.residual },
  };
}

function arraysOf(mdp: MdpArrays): MdpArrays {
  const { nStates, nActions, rowStart, next, prob, reward, done, initial } = mdp;
  return { nStates, nActions, rowStart, next, prob, reward, done, initial };
}

/** Per entry: the state-only reward r(s) = sum_a pi0(a|s) sum_k p_k r_k of the entry's state. */
export function stateOnlyRewards(mdp: MdpArrays, probs: Float64Array): Float64Array {
  const { nStates: n, nActions: m, rowStart, reward } = mdp;
  const out = new Float64Array(reward.length);
  for (let s = 0; s < n; s++) {
    let rs = 0;
    for (let a = 0; a < m; a++) {
      const row = s * m + a;
      rs += probs[row]! * expectedReward(mdp, row);
    }
    for (let k = rowStart[s * m]!; k < rowStart[(s + 1) * m]!; k++) out[k] = rs;
  }
  return out;
}
