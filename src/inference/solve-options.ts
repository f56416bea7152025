/**
 * The options of {@link solve}: defaults stated once, what each option means, the result's shape,
 * and the check that completes the options (throws {@link ParameterError} naming the option).
 */
import { checkOptionKeys } from "../options.js";
import { ParameterError } from "../errors.js";
import type { MdpArrays } from "../mdp/tabular.js";
import { checkPositive, checkTemperature, checkValueScale, inTemperatureRange, valueScale } from "../limits.js";
import { checkPriorShape, entropyPrior, uniformPrior, type ActionPrior } from "./prior.js";
import { BACKUPS, RULES, allowsInPlaceSchedules, isBackup, type Backup, type RuleFamily } from "./rules/index.js";
import type { Schedule } from "./schedule.js";
import { SWEEP_SCHEDULES, type SweepSchedule } from "./kernels/sweeper.js";

/** Defaults of {@link solve}, stated once. */
export const SOLVE_DEFAULTS = {
  backup: "variational" as Backup,
  alpha: 1,
  /**
   * Infinite horizon, gamma < 1: the largest distance to the fixed point a converged result may
   * have (the run stops when its error bound reaches it); gamma = 1: the tolerance on max |dQ|.
   */
  tol: 1e-10,
  maxIter: 100_000,
  /**
   * Infinite horizon: prioritised Gauss-Seidel where the dynamics rule runs in value space
   * (variational, hard: the fastest schedule, and its answer is within the error bound whatever the
   * number of threads); Jacobi for the exact backup (its fused kernel's only schedule).
   */
  schedule: "prioritised" as SweepSchedule,
  /** Infinite horizon: all cores for tables of at least 2^16 entries, else one thread. */
  threads: "auto" as number | "auto",
} as const;

export interface SolveOptions {
  /** Which rule family: "exact" (sum-product), "variational" (soft Bellman), "hard" (max-product). @defaultValue "variational" */
  readonly backup?: Backup;
  /**
   * A rule family given as a value (it overrides `backup`): the engine reads its capabilities
   * (which kernel may run it, whether the growth check applies), never its name. For extensions and
   * tests; the registered families are {@link RULES}.
   */
  readonly rules?: RuleFamily;
  /** Temperature alpha > 0 (beta in RLHF). @defaultValue 1 */
  readonly alpha?: number;
  /** Discount in (0, 1]; @defaultValue 1 with a horizon, required without one. */
  readonly gamma?: number;
  /** Finite horizon H >= 1; absent for an infinite horizon. */
  readonly horizon?: number;
  /** The action prior; @defaultValue uniform (KL-to-uniform form). */
  readonly prior?: ActionPrior;
  /** Use the unnormalised entropy (MaxEnt / SAC) form instead of KL to uniform (needs no `prior`). */
  readonly entropy?: boolean;
  /**
   * Infinite horizon with gamma < 1: stop when the returned values are within `tol` of the fixed
   * point by the error bound (`errorBound`, e.g. gamma / (1 - gamma) x max |dQ| for the variational
   * backup); with gamma = 1 (no contraction), stop when max |dQ| <= tol.
   * @defaultValue 1e-10
   */
  readonly tol?: number;
  /** @defaultValue 100000 */
  readonly maxIter?: number;
  /**
   * Infinite horizon: stop when the residual stalls at rounding level (10 sweeps without a new
   * smallest residual at 1024 ulp of max |Q|). false runs to `tol` or `maxIter` whatever the
   * residual does (benchmarks that time a fixed number of sweeps from converged values). @defaultValue true
   */
  readonly stallTest?: boolean;
  /** Throw {@link ConvergenceError} instead of returning an unconverged result. */
  readonly strict?: boolean;
  /**
   * Finite horizon: keep Q_t, V_t and policy_t for every step in `steps` (H x n x m numbers). With
   * false, `steps` is null and the run holds O(sqrt(H) n m) numbers (two value slices, and
   * checkpoints for the ELBO's forward pass). Either way the memory is estimated first and a run
   * beyond 2 GiB is refused (ParameterError naming the horizon). @defaultValue true
   */
  readonly keepSteps?: boolean;
  /**
   * Compute the ELBO, log Z and the occupancy (extra passes). They are computed on first read: of
   * `elbo`, `occupancy` or `warnings` on an infinite horizon, of `logZ`, `elbo` or `occupancy` on a
   * finite one (a caller that reads only Q, V and the policy never pays for them); false: they are
   * null and never computed. @defaultValue true
   */
  readonly diagnostics?: boolean;
  /**
   * Finite horizon: the values V_H(s) after the last step (pymdptoolbox's `h`), in reward units; the
   * exact backup, log Z and the ELBO then carry the factor exp(V_H(s_H) / alpha) on the last state.
   * @defaultValue zeros
   */
  readonly terminalValues?: ArrayLike<number>;
  /** Starting values for an infinite horizon. @defaultValue zeros */
  readonly initialValues?: Float64Array;
  /**
   * Infinite horizon, variational and hard backups: the order of the sweeps. "jacobi" updates every
   * state from the previous sweep's values (the textbook iterate sequence; the residual contracts by
   * gamma per sweep); "gauss-seidel" updates in place, in an index order read off the transition
   * graph (towards the states where reward is earned first), which reaches the same fixed point in
   * fewer sweeps; "prioritised" adds, after each full Gauss-Seidel sweep, partial sweeps over the
   * index range where Q still moves most (see kernels/sweeper.ts). Every schedule stops on the
   * residual of a full sweep. The exact backup runs Jacobi only (its fused kernel is Jacobi).
   * @defaultValue "prioritised" ("jacobi" for the exact backup)
   */
  readonly schedule?: SweepSchedule;
  /**
   * Infinite horizon, variational and hard backups: threads that share each sweep (worker threads
   * over SharedArrayBuffers). "auto" uses every core for tables of at least 2^16 transition entries
   * and one thread below; a number is capped at the cores (and the states). Jacobi results are identical for any number; with "gauss-seidel" each
   * thread sweeps its own block (block Gauss-Seidel), so the iterates, not the fixed point, depend on it.
   * @defaultValue "auto"
   */
  readonly threads?: number | "auto";
  /**
   * Infinite horizon: called after every sweep with its number (0 for the first sweep from the
   * starting values, which has no residual: NaN) and its residual max |dQ|; for progress reports
   * and timings (`cai bench` times the sweeps with it). It must not keep or change the arrays.
   */
  readonly onSweep?: (iteration: number, residual: number) => void;
}

export type StopReason = "horizon" | "tolerance" | "stalled" | "max-iterations";

export interface SolveResult {
  readonly backup: Backup;
  readonly alpha: number;
  readonly gamma: number;
  readonly horizon: number | null;
  readonly priorKind: ActionPrior["kind"];
  readonly nStates: number;
  readonly nActions: number;
  /** Q(s, a) at t = 0 (infinite horizon: the fixed point), flat n x m, reward units. */
  readonly Q: Float64Array;
  /** V(s) at t = 0, reward units. */
  readonly V: Float64Array;
  /** q(a | s) at t = 0, flat n x m (infinite horizon: computed from Q and V on first read). */
  readonly policy: Float64Array;
  /**
   * q(. | s) at t = 0 for one state, into `out` (length m): from the table when it exists, else, on
   * an infinite horizon, from Q and V without building the n x m table (what a summary of a few
   * states of a very large table reads).
   */
  policyRow(s: number, out: Float64Array): void;
  /** Finite horizon: Q_t, V_t, policy_t for t = 0..H-1 (V_H = 0 is not stored). */
  readonly steps: { readonly Q: Float64Array[]; readonly V: Float64Array[]; readonly policy: Float64Array[] } | null;
  /** log Z = log sum_s p0(s) exp(V_exact,0(s)/alpha) for a finite horizon (the exact evidence, whatever the backup). */
  readonly logZ: number | null;
  /**
   * ELBO (nats) of the returned policy under the true dynamics; null when not computed or not finite.
   * Computed with the occupancy (and log Z) on first read (a getter; `diagnostics`).
   */
  readonly elbo: number | null;
  /**
   * sum_t gamma^t P(s_t = s) under the returned policy. Infinite horizon, gamma < 1: within
   * max(1e-13, min(tol, 1e-10)) x its sum of the policy's exact occupancy, summed over states
   * (a bound from the final residual, occupancy.ts).
   */
  readonly occupancy: Float64Array | null;
  readonly converged: boolean;
  /** Full sweeps (infinite horizon, after sweep 0) or time steps (finite horizon). */
  readonly iterations: number;
  /**
   * Infinite horizon: state backups run, sweep 0 included: nStates per full sweep, plus the states
   * of the prioritised schedule's partial sweeps (the measure of work when schedules differ).
   */
  readonly backups?: number;
  /** Infinite horizon: the threads that ran the sweeps (1 for the exact backup). */
  readonly threads?: number;
  /** max |Q_k - Q_k-1| at the last sweep (0 for a finite horizon). */
  readonly residual: number;
  /**
   * A bound on max |Q - Q*| (and so on max |V - V*|) of the returned values: L / (1 - L) x residual
   * with L the dynamics rule's Lipschitz constant (gamma for the variational and hard backups; for
   * the exact backup L < 1 grows with max V). 0 for a finite horizon (exact recursion); null with
   * gamma = 1 and no horizon (no contraction: `tol` then bounds the residual).
   */
  readonly errorBound: number | null;
  readonly stopReason: StopReason;
  /**
   * Things the user should know (e.g. trajectories that never end with gamma = 1). Infinite horizon
   * with diagnostics: a getter that first computes them (they may add warnings).
   */
  readonly warnings: readonly string[];
  /** The schedule the engine read off the graph. */
  readonly schedule: Schedule;
}

/** Options checked and completed. */
export interface Resolved {
  rules: RuleFamily;
  alpha: number;
  gamma: number;
  horizon: number | null;
  prior: ActionPrior;
  tol: number;
  maxIter: number;
  stallTest: boolean;
  strict: boolean;
  diagnostics: boolean;
  schedule: SweepSchedule;
  threads: number | "auto";
  /** alpha-based diagnostics (log Z, the ELBO) are within the supported range (false: hard backup only). */
  alphaDiagnostics: boolean;
  keepSteps: boolean;
  /** V_H of a finite horizon (null: zeros). */
  terminal: Float64Array | null;
  /** (max |r| + [entropy] alpha log m) x steps: a bound on |V| (limits.ts). */
  valueScale: number;
}

/**
 * The keys of {@link SolveOptions}: `satisfies` makes this list complete, so that an option added to
 * the interface without being listed here fails to compile rather than being refused at run time.
 */
const SOLVE_OPTION_KEYS = Object.keys({
  backup: true,
  rules: true,
  alpha: true,
  gamma: true,
  horizon: true,
  prior: true,
  entropy: true,
  tol: true,
  maxIter: true,
  stallTest: true,
  strict: true,
  keepSteps: true,
  diagnostics: true,
  terminalValues: true,
  initialValues: true,
  schedule: true,
  threads: true,
  onSweep: true,
} satisfies Record<keyof SolveOptions, true>);

/**
 * Check that `mdp` is a TabularMdp (or its arrays), not a raw Gymnasium object `{P: ...}`.
 * @throws {@link ParameterError} saying how to build one.
 */
export function checkMdpArrays(mdp: unknown): asserts mdp is MdpArrays {
  const m = mdp as Partial<MdpArrays> | null | undefined;
  if (m !== null && typeof m === "object" && m.rowStart instanceof Int32Array && m.prob instanceof Float64Array && typeof m.nStates === "number") return;
  const raw = m !== null && typeof m === "object" && "P" in m;
  throw new ParameterError(
    "mdp",
    raw
      ? "is a raw Gymnasium object {P: ...}: build the tabular MDP first with mdpFromJson(obj) (or parseMdp(text), readMdpFile(path)), which also validates it"
      : "is not a tabular MDP: build one with mdpFromJson, parseMdp, readMdpFile, TabularMdp.fromLists or an environment such as frozenLake()",
  );
}

/** Check and complete the options; throws {@link ParameterError} naming the option. */
export function resolveOptions(mdp: MdpArrays, o: SolveOptions): Resolved {
  checkMdpArrays(mdp);
  checkOptionKeys(o, SOLVE_OPTION_KEYS, "solve");
  const backup = o.backup ?? SOLVE_DEFAULTS.backup;
  if (!isBackup(backup)) throw new ParameterError("backup", `"${String(backup)}" is not one of ${BACKUPS.join(", ")}`);
  const rules = o.rules ?? RULES[backup];
  // The supported ranges (limits.ts). The max semiring's values need no alpha (only log Z and the
  // ELBO do): any alpha > 0 runs there.
  const temperatureFree = rules.actions.kind === "max";
  const alpha = temperatureFree ? checkPositive(o.alpha ?? SOLVE_DEFAULTS.alpha) : checkTemperature(o.alpha ?? SOLVE_DEFAULTS.alpha);
  let horizon: number | null = null;
  if (o.horizon !== undefined) {
    if (!Number.isInteger(o.horizon) || o.horizon < 1) throw new ParameterError("horizon", `must be an integer >= 1, got ${o.horizon}`);
    horizon = o.horizon;
  }
  if (o.gamma === undefined && horizon === null) {
    throw new ParameterError("gamma", "is required for an infinite horizon (give gamma in [0, 1], or a finite horizon)");
  }
  const gamma = o.gamma ?? 1;
  // gamma = 0 is the one-step problem (pymdptoolbox accepts it): every live transition dies at once.
  if (typeof gamma !== "number" || !(gamma >= 0 && gamma <= 1)) throw new ParameterError("gamma", `must be in [0, 1], got ${gamma}`);
  const tol = o.tol ?? SOLVE_DEFAULTS.tol;
  if (!Number.isFinite(tol) || tol < 0) throw new ParameterError("tol", `must be a finite number >= 0, got ${tol}`);
  const maxIter = o.maxIter ?? SOLVE_DEFAULTS.maxIter;
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new ParameterError("maxIter", `must be an integer >= 1, got ${maxIter}`);
  if (o.entropy && o.prior && o.prior.kind !== "entropy") {
    throw new ParameterError("entropy", "the entropy form uses weight 1 per action and cannot be combined with a prior table");
  }
  const prior = o.prior ?? (o.entropy ? entropyPrior(mdp.nStates, mdp.nActions) : uniformPrior(mdp.nStates, mdp.nActions));
  checkPriorShape(prior, mdp.nStates, mdp.nActions);
  if (o.initialValues && o.initialValues.length !== mdp.nStates) {
    throw new ParameterError("initialValues", `has ${o.initialValues.length} values for ${mdp.nStates} states`);
  }
  // The default: prioritised where the family allows in-place schedules, else Jacobi.
  const schedule = o.schedule ?? (allowsInPlaceSchedules(rules) ? SOLVE_DEFAULTS.schedule : "jacobi");
  if (!(SWEEP_SCHEDULES as readonly string[]).includes(schedule)) {
    throw new ParameterError("schedule", `"${String(schedule)}" is not one of ${SWEEP_SCHEDULES.join(", ")}`);
  }
  if (schedule !== "jacobi" && !allowsInPlaceSchedules(rules) && horizon === null) {
    const inPlace = BACKUPS.filter((b) => allowsInPlaceSchedules(RULES[b]));
    throw new ParameterError("schedule", `${schedule} runs with the ${inPlace.join(" and ")} backups; the ${rules.backup} backup sweeps Jacobi`);
  }
  let terminal: Float64Array | null = null;
  if (o.terminalValues !== undefined) {
    if (horizon === null) throw new ParameterError("terminalValues", "are the values after the last step of a finite horizon: give a horizon");
    if (o.terminalValues.length !== mdp.nStates) throw new ParameterError("terminalValues", `has ${o.terminalValues.length} values for ${mdp.nStates} states`);
    terminal = Float64Array.from(o.terminalValues);
    const bad = terminal.findIndex((v) => !Number.isFinite(v));
    if (bad !== -1) throw new ParameterError("terminalValues", `state ${bad}: ${terminal[bad]} is not a finite number`);
  }
  const threads = o.threads ?? SOLVE_DEFAULTS.threads;
  if (threads !== "auto" && !(Number.isInteger(threads) && threads >= 1)) throw new ParameterError("threads", `must be an integer >= 1 or "auto", got ${String(threads)}`);
  const alphaDiagnostics = checkValueScale(mdp, { alpha, gamma, horizon, maxIter, entropy: prior.kind === "entropy", hard: temperatureFree }) && inTemperatureRange(alpha);
  return { rules, alpha, gamma, horizon, prior, tol, maxIter, stallTest: o.stallTest ?? true, strict: o.strict ?? false, diagnostics: o.diagnostics ?? true, schedule, threads, alphaDiagnostics, keepSteps: o.keepSteps ?? true, terminal, valueScale: valueScale(mdp, { alpha, gamma, horizon, maxIter, entropy: prior.kind === "entropy" }) };
}

/**
 * Replace fields of a result by enumerable getters, each computing its value on first read (the
 * diagnostics: infinite.ts, finite.ts). Returns `target`.
 */
export function lazyFields<T extends object>(target: T, getters: { [K in keyof T]?: () => T[K] }): T {
  for (const key of Object.keys(getters) as (keyof T & string)[]) {
    Object.defineProperty(target, key, { get: getters[key]!, enumerable: true, configurable: true });
  }
  return target;
}
