/**
 * The engine: message passing on the trajectory graph.
 *
 * The schedule is read off the graph (dynamics -> prior per slice, then the initial factor), and each
 * step runs the rule of the chosen family (exact, variational, hard) for that factor kind. A finite
 * horizon runs the slice schedule for t = H-1..0 from V_H = 0; an infinite horizon iterates it around
 * the stationary graph's loop (soft value iteration) to a tolerance.
 */
import { ConvergenceError, NoFixedPointError, ParameterError } from "../errors.js";
import { TrajectoryGraph } from "../graph/trajectory-graph.js";
import type { MdpArrays } from "../mdp/tabular.js";
import { evaluateFinite, evaluateInfinite } from "./evaluate.js";
import { exactLogSpectralRadius } from "./growth.js";
import { checkPriorShape, entropyPrior, uniformPrior, type ActionPrior } from "./prior.js";
import { RULES, type Backup, type RuleFamily } from "./rules/index.js";
import { backwardSchedule, sliceProgram, type Schedule } from "./schedule.js";
import { trappedStates } from "./termination.js";
import { openSweeper, type SweepSchedule } from "./kernels/sweeper.js";

/** Defaults of {@link solve}, stated once. */
export const SOLVE_DEFAULTS = {
  backup: "variational" as Backup,
  alpha: 1,
  /** Tolerance on max |Q_k - Q_k-1| for an infinite horizon. */
  tol: 1e-10,
  maxIter: 100_000,
  /** Infinite horizon: synchronous sweeps (every state from the previous sweep's values). */
  schedule: "jacobi" as SweepSchedule,
  /** Infinite horizon: all cores for tables of at least 2^16 entries, else one thread. */
  threads: "auto" as number | "auto",
} as const;

export interface SolveOptions {
  /** Which rule family: "exact" (sum-product), "variational" (soft Bellman), "hard" (max-product). @defaultValue "variational" */
  readonly backup?: Backup;
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
  /** @defaultValue 1e-10 */
  readonly tol?: number;
  /** @defaultValue 100000 */
  readonly maxIter?: number;
  /** Throw {@link ConvergenceError} instead of returning an unconverged result. */
  readonly strict?: boolean;
  /** Compute the ELBO, log Z and the occupancy (extra passes). @defaultValue true */
  readonly diagnostics?: boolean;
  /** Starting values for an infinite horizon. @defaultValue zeros */
  readonly initialValues?: Float64Array;
  /**
   * Infinite horizon, variational and hard backups: the order of the sweeps. "jacobi" updates every
   * state from the previous sweep's values (the textbook iterate sequence; the residual contracts by
   * gamma per sweep); "gauss-seidel" updates in place, in an index order read off the transition
   * graph (towards the states where reward is earned first), which reaches the same fixed point in
   * fewer sweeps; "prioritised" adds, after each full Gauss-Seidel sweep, partial sweeps over the
   * index range where Q still moves most (see kernels/sweeper.ts). Every schedule stops on the
   * residual of a full sweep. The exact backup runs Jacobi only (its no-fixed-point test measures
   * growth per step).
   * @defaultValue "jacobi"
   */
  readonly schedule?: SweepSchedule;
  /**
   * Infinite horizon, variational and hard backups: threads that share each sweep (worker threads
   * over SharedArrayBuffers). "auto" uses every core for tables of at least 2^16 transition entries
   * and one thread below. Jacobi results are identical for any number; with "gauss-seidel" each
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
  /** Finite horizon: Q_t, V_t, policy_t for t = 0..H-1 (V_H = 0 is not stored). */
  readonly steps: { readonly Q: Float64Array[]; readonly V: Float64Array[]; readonly policy: Float64Array[] } | null;
  /** log Z = log sum_s p0(s) exp(V_exact,0(s)/alpha) for a finite horizon (the exact evidence, whatever the backup). */
  readonly logZ: number | null;
  /** ELBO (nats) of the returned policy under the true dynamics; null when not computed or not finite. */
  readonly elbo: number | null;
  /** sum_t gamma^t P(s_t = s) under the returned policy. */
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
  readonly stopReason: StopReason;
  /** Things the user should know (e.g. trajectories that never end with gamma = 1). */
  readonly warnings: readonly string[];
  /** The schedule the engine read off the graph. */
  readonly schedule: Schedule;
}

interface Resolved {
  rules: RuleFamily;
  alpha: number;
  gamma: number;
  horizon: number | null;
  prior: ActionPrior;
  tol: number;
  maxIter: number;
  strict: boolean;
  diagnostics: boolean;
  schedule: SweepSchedule;
  threads: number | "auto";
}

/** Check and complete the options; throws {@link ParameterError} naming the option. */
export function resolveOptions(mdp: MdpArrays, o: SolveOptions): Resolved {
  const backup = o.backup ?? SOLVE_DEFAULTS.backup;
  if (!(backup in RULES)) throw new ParameterError("backup", `"${String(backup)}" is not one of exact, variational, hard`);
  const alpha = o.alpha ?? SOLVE_DEFAULTS.alpha;
  if (typeof alpha !== "number" || !Number.isFinite(alpha) || alpha <= 0) throw new ParameterError("alpha", `must be a finite number > 0, got ${alpha}`);
  let horizon: number | null = null;
  if (o.horizon !== undefined) {
    if (!Number.isInteger(o.horizon) || o.horizon < 1) throw new ParameterError("horizon", `must be an integer >= 1, got ${o.horizon}`);
    horizon = o.horizon;
  }
  if (o.gamma === undefined && horizon === null) {
    throw new ParameterError("gamma", "is required for an infinite horizon (give gamma in (0, 1], or a finite horizon)");
  }
  const gamma = o.gamma ?? 1;
  if (typeof gamma !== "number" || !(gamma > 0 && gamma <= 1)) throw new ParameterError("gamma", `must be in (0, 1], got ${gamma}`);
  const tol = o.tol ?? SOLVE_DEFAULTS.tol;
  if (!Number.isFinite(tol) || tol < 0) throw new ParameterError("tol", `must be a finite number >= 0, got ${tol}`);
  const maxIter = o.maxIter ?? SOLVE_DEFAULTS.maxIter;
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new ParameterError("max-iter", `must be an integer >= 1, got ${maxIter}`);
  if (o.entropy && o.prior && o.prior.kind !== "entropy") {
    throw new ParameterError("entropy", "the entropy form uses weight 1 per action and cannot be combined with a prior table");
  }
  const prior = o.prior ?? (o.entropy ? entropyPrior(mdp.nStates, mdp.nActions) : uniformPrior(mdp.nStates, mdp.nActions));
  checkPriorShape(prior, mdp.nStates, mdp.nActions);
  if (o.initialValues && o.initialValues.length !== mdp.nStates) {
    throw new ParameterError("initialValues", `has ${o.initialValues.length} values for ${mdp.nStates} states`);
  }
  const schedule = o.schedule ?? SOLVE_DEFAULTS.schedule;
  if (schedule !== "jacobi" && schedule !== "gauss-seidel" && schedule !== "prioritised") {
    throw new ParameterError("schedule", `"${String(schedule)}" is not one of jacobi, gauss-seidel, prioritised`);
  }
  if (schedule !== "jacobi" && backup === "exact" && horizon === null) {
    throw new ParameterError("schedule", `${schedule} runs with the variational and hard backups; the exact backup sweeps Jacobi (its no-fixed-point test measures the growth per step)`);
  }
  const threads = o.threads ?? SOLVE_DEFAULTS.threads;
  if (threads !== "auto" && !(Number.isInteger(threads) && threads >= 1)) throw new ParameterError("threads", `must be an integer >= 1 or "auto", got ${String(threads)}`);
  return { rules: RULES[backup], alpha, gamma, horizon, prior, tol, maxIter, strict: o.strict ?? false, diagnostics: o.diagnostics ?? true, schedule, threads };
}

/** The schedule the engine runs: read off the graph of this problem (stationary slice). */
export function engineSchedule(mdp: MdpArrays, gamma: number): Schedule {
  return backwardSchedule(TrajectoryGraph.forMdp(mdp, gamma));
}

/**
 * Solve the control-as-inference problem on a tabular MDP by message passing.
 * @throws {@link ParameterError} for bad options, {@link NoFixedPointError} when exact message
 * passing on an infinite horizon has no fixed point, {@link ConvergenceError} under `strict`.
 */
export function solve(mdp: MdpArrays, options: SolveOptions = {}): SolveResult {
  const r = resolveOptions(mdp, options);
  const schedule = engineSchedule(mdp, r.gamma);
  sliceProgram(schedule); // the engine below runs exactly this program: dynamics -> prior per slice, then initial
  return r.horizon !== null ? solveFinite(mdp, r, r.horizon, schedule) : solveInfinite(mdp, r, schedule, options.initialValues, options.onSweep);
}

/**
 * One application of the slice program (dynamics -> prior) to values V: the backup operator T.
 * A fixed point V* satisfies T(V*) = V*; `max |Q - Q*|` of `applyBackup(mdp, V*, ...)` is how far
 * a returned result is from being one.
 */
export function applyBackup(
  mdp: MdpArrays,
  V: Float64Array,
  options: Pick<SolveOptions, "backup" | "alpha" | "gamma" | "prior" | "entropy">,
): { Q: Float64Array; V: Float64Array; policy: Float64Array } {
  const r = resolveOptions(mdp, { ...options, gamma: options.gamma ?? 1, horizon: 1 });
  const Q = new Float64Array(mdp.nStates * mdp.nActions);
  const Vout = new Float64Array(mdp.nStates);
  const policy = new Float64Array(mdp.nStates * mdp.nActions);
  r.rules.dynamics.apply(mdp, V, r.alpha, r.gamma, Q);
  r.rules.actions.apply(Q, r.prior, r.alpha, Vout, policy);
  return { Q, V: Vout, policy };
}

/** Exact backward pass for log Z alone (no storage of the steps). */
function exactLogZ(mdp: MdpArrays, r: Resolved, H: number): number {
  const n = mdp.nStates;
  const Q = new Float64Array(n * mdp.nActions);
  let V = new Float64Array(n);
  let Vn = new Float64Array(n);
  for (let t = H - 1; t >= 0; t--) {
    RULES.exact.dynamics.apply(mdp, V, r.alpha, r.gamma, Q);
    RULES.exact.actions.apply(Q, r.prior, r.alpha, Vn, null);
    [V, Vn] = [Vn, V];
  }
  return initialLogZ(mdp, V, r.alpha);
}

/** The initial factor's exact rule: log Z = log sum_s p0(s) exp(V_0(s)/alpha). */
export function initialLogZ(mdp: MdpArrays, V0: Float64Array, alpha: number): number {
  let mx = -Infinity;
  for (let s = 0; s < mdp.nStates; s++) if (mdp.initial[s]! > 0 && V0[s]! / alpha > mx) mx = V0[s]! / alpha;
  let sum = 0;
  for (let s = 0; s < mdp.nStates; s++) if (mdp.initial[s]! > 0) sum += mdp.initial[s]! * Math.exp(V0[s]! / alpha - mx);
  return mx + Math.log(sum);
}

function solveFinite(mdp: MdpArrays, r: Resolved, H: number, schedule: Schedule): SolveResult {
  const n = mdp.nStates;
  const m = mdp.nActions;
  const Qs: Float64Array[] = new Array(H);
  const Vs: Float64Array[] = new Array(H);
  const Ps: Float64Array[] = new Array(H);
  let Vnext = new Float64Array(n); // V_H = 0
  for (let t = H - 1; t >= 0; t--) {
    const Q = new Float64Array(n * m);
    const V = new Float64Array(n);
    const P = new Float64Array(n * m);
    r.rules.dynamics.apply(mdp, Vnext, r.alpha, r.gamma, Q);
    r.rules.actions.apply(Q, r.prior, r.alpha, V, P);
    Qs[t] = Q;
    Vs[t] = V;
    Ps[t] = P;
    Vnext = V;
  }
  let logZ: number | null = null;
  let elbo: number | null = null;
  let occupancy: Float64Array | null = null;
  if (r.diagnostics) {
    logZ = r.rules.backup === "exact" ? initialLogZ(mdp, Vs[0]!, r.alpha) : exactLogZ(mdp, r, H);
    const ev = evaluateFinite(mdp, r.prior, r.alpha, r.gamma, Ps);
    elbo = Number.isFinite(ev.elbo) ? ev.elbo : null;
    occupancy = ev.occupancy;
  }
  return {
    backup: r.rules.backup,
    alpha: r.alpha,
    gamma: r.gamma,
    horizon: H,
    priorKind: r.prior.kind,
    nStates: n,
    nActions: m,
    Q: Qs[0]!,
    V: Vs[0]!,
    policy: Ps[0]!,
    steps: { Q: Qs, V: Vs, policy: Ps },
    logZ: logZ !== null && Number.isFinite(logZ) ? logZ : null,
    elbo,
    occupancy,
    converged: true,
    iterations: H,
    residual: 0,
    stopReason: "horizon",
    warnings: [],
    schedule,
  };
}

/** How many sweeps without a new smallest residual count as a stall at rounding level. */
const STALL_SWEEPS = 10;
/** Rounding level of the residual, relative to max(1, max |Q|). */
const ROUNDING_LEVEL = 1024 * Number.EPSILON;
/** Sweeps between the checks for linear growth (exact mode). */
const GROWTH_WINDOW = 32;

function solveInfinite(mdp: MdpArrays, r: Resolved, schedule: Schedule, start?: Float64Array, onSweep?: (iteration: number, residual: number) => void): SolveResult {
  const n = mdp.nStates;
  const m = mdp.nActions;
  const warnings: string[] = [];
  if (r.gamma === 1) {
    const trapped = trappedStates(mdp, r.prior);
    if (trapped.length > 0) {
      warnings.push(
        `gamma = 1 with no horizon: from state ${trapped[0]}${trapped.length > 1 ? ` (and ${trapped.length - 1} other states)` : ""} ` +
          `some policy avoids termination forever, so a fixed point exists only if such policies are infinitely bad`,
      );
    }
  }
  // Variational and hard: the two rules fused per state (kernels/), Jacobi or Gauss-Seidel, on one
  // or more threads, in the sweeper's own buffers. Exact: the rules' own loops, Jacobi (dynamics
  // over all rows, then the prior).
  const sweeper =
    r.rules.backup === "exact"
      ? null
      : openSweeper(mdp, r.prior, start, { semiring: r.rules.actions.name, alpha: r.alpha, gamma: r.gamma, schedule: r.schedule, threads: r.threads });
  let V: Float64Array = sweeper ? sweeper.values() : start ? Float64Array.from(start) : new Float64Array(n);
  let Q = sweeper ? sweeper.Q : new Float64Array(n * m);
  let Qn = sweeper ? Q : new Float64Array(n * m);
  let iterations = 0;
  let residual = Infinity;
  let best = Infinity;
  let sinceBest = 0;
  let stopReason: StopReason = "max-iterations";
  const history = new Float64Array(GROWTH_WINDOW);
  let belowOne = false; // exact mode: rho < 1 has been established
  try {
    // Sweep 0: Q from the starting values.
    if (sweeper) {
      sweeper.sweep();
      V = sweeper.values();
    } else {
      r.rules.dynamics.apply(mdp, V, r.alpha, r.gamma, Q);
      r.rules.actions.apply(Q, r.prior, r.alpha, V, null);
    }
    onSweep?.(0, NaN);
    while (iterations < r.maxIter) {
      iterations++;
      let res = 0;
      let scale = 1;
      if (sweeper) {
        ({ residual: res, scale } = sweeper.sweep());
        V = sweeper.values();
      } else {
        r.rules.dynamics.apply(mdp, V, r.alpha, r.gamma, Qn);
        for (let i = 0; i < Qn.length; i++) {
          const d = Math.abs(Qn[i]! - Q[i]!);
          if (d > res) res = d;
          const a = Math.abs(Qn[i]!);
          if (a > scale) scale = a;
        }
        [Q, Qn] = [Qn, Q];
        r.rules.actions.apply(Q, r.prior, r.alpha, V, null);
      }
      residual = res;
      onSweep?.(iterations, res);
      if (Number.isNaN(res)) break;
      if (res <= r.tol) {
        stopReason = "tolerance";
        break;
      }
      if (res < best) {
        best = res;
        sinceBest = 0;
      } else if (++sinceBest >= STALL_SWEEPS && res <= ROUNDING_LEVEL * scale) {
        stopReason = "stalled";
        break;
      }
      if (r.rules.backup === "exact") {
        const slot = iterations % GROWTH_WINDOW;
        const before = history[slot]!;
        history[slot] = res;
        if (iterations >= 4 * GROWTH_WINDOW && iterations % GROWTH_WINDOW === 0 && Math.abs(res - before) <= 1e-6 * res) {
          // Residual steady at a positive level: linear growth, or slow convergence. Decide by rho.
          if (!belowOne) {
            const logRho = exactLogSpectralRadius(mdp, r.prior, r.alpha, r.gamma, V, res / r.alpha);
            if (logRho >= 0) throw new NoFixedPointError(r.alpha * logRho, Math.exp(logRho));
            belowOne = true; // a fixed point exists: keep iterating, never ask again
          }
        }
      }
    }
  } finally {
    sweeper?.close(); // Q and V stay valid: they are the sweeper's arrays, no longer written
  }
  const converged = stopReason === "tolerance" || stopReason === "stalled";
  if (!converged && r.rules.backup === "exact" && Number.isFinite(residual)) {
    const logRho = belowOne ? -Infinity : exactLogSpectralRadius(mdp, r.prior, r.alpha, r.gamma, V, residual / r.alpha);
    if (logRho >= 0) throw new NoFixedPointError(r.alpha * logRho, Math.exp(logRho));
  }
  if (!converged && r.strict) throw new ConvergenceError(iterations, residual, r.tol);
  // V from the final Q by the action rule itself (the kernels agree with it to rounding). The
  // policy q(a|s) = pi0 exp((Q - V)/alpha) is built on first read: a caller that wants the values
  // alone (the benchmark, a sweep over alpha) never holds another n x m array.
  r.rules.actions.apply(Q, r.prior, r.alpha, V, null);
  const finalQ = Q;
  let policy: Float64Array | undefined;
  const policyOf = (): Float64Array => {
    if (!policy) {
      policy = new Float64Array(n * m);
      r.rules.actions.apply(finalQ, r.prior, r.alpha, new Float64Array(n), policy);
    }
    return policy;
  };
  let elbo: number | null = null;
  let occupancy: Float64Array | null = null;
  if (r.diagnostics) {
    const ev = evaluateInfinite(mdp, r.prior, r.alpha, r.gamma, policyOf(), { tol: Math.max(r.tol, 1e-12), maxIter: r.maxIter, start: V });
    elbo = ev.elbo !== null && Number.isFinite(ev.elbo) ? ev.elbo : null;
    occupancy = ev.occupancy;
    if (ev.elbo === null) warnings.push("the ELBO of the returned policy did not settle (the policy may never end its episodes)");
  }
  if (!converged) warnings.push(`not converged: residual ${residual.toExponential(3)} after ${iterations} sweeps (tolerance ${r.tol})`);
  return {
    backup: r.rules.backup,
    alpha: r.alpha,
    gamma: r.gamma,
    horizon: null,
    priorKind: r.prior.kind,
    nStates: n,
    nActions: m,
    Q,
    V,
    get policy() {
      return policyOf();
    },
    steps: null,
    logZ: null,
    elbo,
    occupancy,
    converged,
    iterations,
    backups: sweeper ? sweeper.backups : (iterations + 1) * n,
    threads: sweeper ? sweeper.threads : 1,
    residual,
    stopReason,
    warnings,
    schedule,
  };
}

