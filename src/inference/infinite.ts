/**
 * Infinite horizon: the slice program iterated around the stationary graph's loop (soft value
 * iteration) by a stepper (the plain rule loop or the fused sweeper), stopped by the convergence
 * monitor; exact message passing also watches for linear growth (no fixed point).
 */
import { ConvergenceError, NoFixedPointError } from "../errors.js";
import type { MdpArrays } from "../mdp/tabular.js";
import { ConvergenceMonitor, ENGINE_STALL, NO_STALL } from "./convergence.js";
import { evaluateInfinite } from "./evaluate.js";
import { NO_ALPHA_DIAGNOSTICS } from "./finite.js";
import { exactGrowthBeyondRounding, exactLogGrowthLowerBound, exactLogSpectralRadius, type LogRadiusBounds } from "./growth.js";
import { expFormFits } from "./kernels/plan.js";
import { EXP_FORM_ALPHA_PER_SCALE } from "../limits.js";
import { openSweeper } from "./kernels/sweeper.js";
import { familyKernel, unreachable } from "./rules/index.js";
import { policyRowsFromValues } from "./rules/actions.js";
import { rowReader, type PolicyRow } from "./occupancy.js";
import type { Schedule } from "./schedule.js";
import { lazyFields, type Resolved, type SolveResult, type StopReason } from "./solve-options.js";
import { ruleStepper, type Stepper } from "./stepper.js";
import { trappedStates } from "../mdp/reachability.js";
import { collectGarbage } from "../host.js";

/** Tables of at least this many (s, a) rows ask for a garbage collection between the sweeps and the diagnostics. */
const LARGE_ROWS = 1 << 22;

/** Sweeps between the checks for linear growth (exact mode). */
const GROWTH_WINDOW = 32;
/** Power-iteration steps a growth test may take when its bounds decide nothing (each about one log-space sweep). */
const GROWTH_BUDGET = 4;
/**
 * Power-iteration steps for the growth rate that NoFixedPointError reports, once growth is proven:
 * about 2^24 entry visits (each step visits every entry once, in log space: about a second whatever
 * the table's size), at least 64 and at most 20 000. Where the proven bounds on rho do not meet
 * within it (to 1e-12) the error reports them: a chain whose second eigenvalue is close to rho
 * (0.997 rho on the open 30 x 30 lake with the entropy prior) takes 8900 steps to meet.
 */
function growthReportBudget(nnz: number): number {
  return Math.max(64, Math.min(20_000, Math.floor(2 ** 24 / Math.max(1, nnz))));
}

/**
 * The bound on the distance of the returned values to the fixed point after a sweep with
 * max |dQ| = `residual`.
 * - With the exp-space kernel's contraction factor kappa < 1 (exact backup): z = b + M z is a
 *   kappa-contraction in the norm weighted by the sweep's input z_old (M z_old <= kappa z_old), so
 *   |z - z*| <= eps z_old with eps = kappa / (1 - kappa) (exp(residual/alpha) - 1), and
 *   |V - V*| = alpha |log(z/z*)| <= -alpha log(1 - eps exp(residual/alpha)).
 * - Otherwise max |Q - Q*| <= L / (1 - L) x residual, with L the dynamics rule's Lipschitz constant
 *   over next values up to max Q + residual + the bound itself (a few rounds from L at max Q; the
 *   exact rule's L grows with the values). `top` is max Q, or NaN when unknown (then `scale` =
 *   max(1, max |Q|) stands for it).
 * Infinity when no bound holds (L or kappa reaching 1).
 */
function errorBoundOf(r: Resolved, residual: number, top: number, scale: number, kappa: number): number {
  if (kappa < 1) {
    const grow = Math.exp(residual / r.alpha);
    const eps = (kappa / (1 - kappa)) * Math.expm1(residual / r.alpha);
    return eps * grow < 1 ? -r.alpha * Math.log1p(-eps * grow) : Infinity;
  }
  const vMax = (Number.isNaN(top) ? scale : top) + residual;
  const rule = r.rules.dynamics;
  let bound = 0;
  for (let round = 0; round < 6; round++) {
    const L = rule.lipschitz(r.gamma, r.alpha, vMax + bound);
    if (!(L < 1)) return Infinity;
    const next = (L / (1 - L)) * residual;
    if (next <= bound * (1 + 1e-3)) return Math.max(next, bound);
    bound = next;
  }
  return Infinity;
}

/** max - min of the starting values (0 without them). */
function startSpread(start: Float64Array | undefined): number {
  if (!start || start.length === 0) return 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of start) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi - lo;
}

export function solveInfinite(mdp: MdpArrays, r: Resolved, schedule: Schedule, start?: Float64Array, onSweep?: (iteration: number, residual: number) => void): SolveResult {
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
  let stepper: Stepper = openStepper(mdp, r, start);
  const threads = stepper.threads;
  /** Leave the kernel (its numbers out of range): the rule loop continues from its values and Q. */
  const leaveKernel = () => {
    const k = stepper;
    k.finishQ();
    stepper = ruleStepper(mdp, r.rules, r.prior, r.alpha, r.gamma, k.values(), k);
    k.close();
  };
  let iterations = 0;
  let residual = Infinity;
  let stopReason: StopReason = "max-iterations";
  // gamma < 1: stop when the bound on the distance to the fixed point, L / (1 - L) x residual,
  // reaches the tolerance (the monitor keeps the stall test); gamma = 1: stop on the residual.
  const bounded = r.gamma < 1;
  const monitor = new ConvergenceMonitor({ tol: bounded ? 0 : r.tol, relative: false, ...(r.stallTest ? ENGINE_STALL : NO_STALL) });
  let lastTop = NaN;
  let lastScale = 1;
  let lastContraction = NaN;
  const history = new Float64Array(GROWTH_WINDOW);
  let lastWindowMax = NaN;
  let belowOne = false; // exact mode: rho < 1 has been established
  let growthWindow = GROWTH_WINDOW; // sweeps between growth tests; doubles after an undecided one
  let lastGrowthTest = 0;
  /** Proven bounds on log rho when the growth rate to report did not settle (logGrowth), else null. */
  let reportBounds: LogRadiusBounds | null = null;
  /** The error for a proven growth of log rho per alpha (with the bounds when rho is not known to rounding). */
  const noFixedPoint = (logRho: number): NoFixedPointError =>
    new NoFixedPointError(r.alpha * logRho, Math.exp(logRho), logRho, reportBounds ? { logLower: reportBounds.logLower, logUpper: reportBounds.logUpper, alpha: r.alpha, steps: reportBounds.steps } : undefined);
  /** Exact mode: log rho, NaN when undecided: the last sweep's upper bound, a lower bound, then a short power iteration. */
  const logGrowth = (res: number): number => {
    const bound = stepper.growthUpperBound();
    if (bound < 1 - 1e-9) return Math.log(bound); // rho < 1 proven by the last sweep
    const Vnow = stepper.values();
    const lower = exactLogGrowthLowerBound(mdp, r.prior, r.alpha, r.gamma, Vnow);
    if (lower >= 0) {
      // rho >= 1 proven: the run ends with NoFixedPointError, which reports rho itself (a power
      // iteration from the growing values with the shift c = the proven bound <= rho), or, when it
      // does not settle within its budget, the proven bounds on rho where it stopped.
      const bounds: LogRadiusBounds = { logLower: lower, logUpper: Infinity, steps: 0 };
      const rho = exactLogSpectralRadius(mdp, r.prior, r.alpha, r.gamma, Vnow, lower, growthReportBudget(mdp.rowStart[mdp.nStates * mdp.nActions]!), bounds);
      if (rho >= lower) return rho;
      reportBounds = bounds;
      return Number.isFinite(bounds.logUpper) ? (bounds.logLower + bounds.logUpper) / 2 : bounds.logLower;
    }
    return exactLogSpectralRadius(mdp, r.prior, r.alpha, r.gamma, Vnow, res / r.alpha, GROWTH_BUDGET);
  };
  try {
    // Sweep 0: Q from the starting values (its residual is not one: there is no previous Q).
    stepper.sweep();
    if (!stepper.inRange) leaveKernel();
    onSweep?.(0, NaN);
    while (iterations < r.maxIter) {
      iterations++;
      let { residual: res, scale, top, contraction } = stepper.sweep();
      if (!stepper.inRange) {
        leaveKernel();
        // A sweep the kernel could not run (NaN) is run by the rule loop instead.
        if (Number.isNaN(res)) ({ residual: res, scale, top, contraction } = stepper.sweep());
      }
      residual = res;
      lastTop = top;
      lastScale = scale;
      lastContraction = contraction;
      onSweep?.(iterations, res);
      if (Number.isNaN(res)) break;
      if (bounded && errorBoundOf(r, res, top, scale, contraction) <= r.tol) {
        stopReason = "tolerance";
        break;
      }
      const verdict = monitor.observe(res, scale);
      if (verdict !== null) {
        stopReason = verdict;
        break;
      }
      if (r.rules.mayHaveNoFixedPoint && !belowOne) {
        history[iterations % GROWTH_WINDOW] = res;
        // The largest residual of the last window against that of the window before. A converging
        // run's falls geometrically (by gamma^32 or so per window); a growing run's tends to a
        // positive level (alpha log rho), often slowly (like 1/sweeps) and cycling on a periodic
        // chain (a 3-cycle repeats every 3 sweeps), where only the window's largest settles. Less
        // than 1% down in a window (a contraction above 0.9997 per sweep) asks the growth test.
        let windowMax = 0;
        if (iterations % GROWTH_WINDOW === 0) {
          for (let i = 0; i < GROWTH_WINDOW; i++) windowMax = Math.max(windowMax, history[i]!);
        }
        const steady = iterations % GROWTH_WINDOW === 0 && windowMax >= 0.99 * lastWindowMax;
        if (iterations % GROWTH_WINDOW === 0) lastWindowMax = windowMax;
        if (iterations >= 4 * GROWTH_WINDOW && iterations - lastGrowthTest >= growthWindow && steady) {
          // Residual barely falling: linear growth, or slow convergence. Decide by rho (a few
          // log-space passes); undecided, ask again after twice as many sweeps.
          lastGrowthTest = iterations;
          const logRho = logGrowth(res);
          if (logRho >= 0) throw noFixedPoint(logRho);
          if (logRho < 0) belowOne = true; // a fixed point exists: keep iterating, never ask again
          else growthWindow *= 2;
        }
      }
    }
    stepper.finishQ(); // Q in reward units
  } finally {
    stepper.close(); // Q and V stay valid: they are the stepper's arrays, no longer written
  }
  const Q = stepper.Q;
  const V = stepper.values();
  const converged = stopReason === "tolerance" || stopReason === "stalled";
  const bound = bounded && Number.isFinite(residual) ? errorBoundOf(r, residual, lastTop, lastScale, lastContraction) : null;
  const errorBound = bound !== null && Number.isFinite(bound) ? bound : null;
  if (stopReason === "stalled" && bounded && !(errorBound !== null && errorBound <= r.tol)) {
    warnings.push(
      `the residual stalled at rounding level (${residual.toExponential(3)}) before the error bound reached the tolerance: the values are within ${errorBound === null ? "an unknown distance" : errorBound.toExponential(3)} of the fixed point (tolerance ${r.tol})`,
    );
  }
  if (!converged && r.rules.mayHaveNoFixedPoint && Number.isFinite(residual) && !belowOne) {
    // Stopped by maxIter: the growth test may cost a few sweeps at most. On the exp-space kernel a
    // log-space pass of the test costs about 40 of its sweeps, so there only the last sweep's own
    // bound (free) can settle it; the rule loop's sweeps cost as much as the test's passes.
    const kappa = stepper.growthUpperBound();
    const onKernel = !Number.isNaN(kappa);
    const logRho = onKernel ? (kappa < 1 - 1e-9 ? Math.log(kappa) : NaN) : logGrowth(residual);
    if (logRho >= 0) throw noFixedPoint(logRho);
    if (Number.isNaN(logRho)) {
      warnings.push(
        onKernel
          ? `whether a fixed point exists is undecided after ${iterations} sweeps: the last sweep's bound on the growth rate (${kappa.toPrecision(6)}) is not below 1; run more sweeps (maxIter), which test the growth as they go`
          : `whether a fixed point exists is undecided: the growth test (${GROWTH_BUDGET} power-iteration steps) did not settle; run more sweeps (maxIter)`,
      );
    }
  }
  if (converged && r.rules.mayHaveNoFixedPoint) {
    // A small residual is not a fixed point: the spectral radius decides (a growth below the
    // tolerance per sweep, e.g. a reward of 1e-11 on a cycle with gamma = 1, stops on the residual).
    const logRho = exactGrowthBeyondRounding(mdp, r.prior, r.alpha, r.gamma, V);
    if (logRho !== null) throw noFixedPoint(logRho);
  }
  if (!converged && r.strict) throw new ConvergenceError(iterations, residual, r.tol);
  // V from the final Q by the action rule itself (the kernels agree with it to rounding). The
  // policy q(a|s) = pi0 exp((Q - V)/alpha) is built on first read: a caller that wants the values
  // alone (the benchmark, a sweep over alpha) never holds another n x m array.
  r.rules.actions.apply(Q, r.prior, r.alpha, V, null);
  const policyOf = lazyPolicy(Q, r);
  const rowsOf = policyRowsFromValues(r.rules.actions.kind, Q, V, r.prior, r.alpha);
  // The diagnostics (ELBO, occupancy, and the warnings they may add) are computed when first read
  // (infiniteDiagnostics): a caller that wants the values alone pays nothing for them, and the
  // result reads the same either way.
  const after = converged ? [] : [`not converged: residual ${residual.toExponential(3)} after ${iterations} sweeps (tolerance ${r.tol})`];
  const diag = r.diagnostics ? infiniteDiagnostics(mdp, r, Q, V, policyOf, rowsOf) : null;
  const fields: Omit<SolveResult, "policy"> = {
    policyRow: rowsOf ?? ((s, out) => rowReader(policyOf(), m)(s, out)),
    backup: r.rules.backup,
    alpha: r.alpha,
    gamma: r.gamma,
    horizon: null,
    priorKind: r.prior.kind,
    nStates: n,
    nActions: m,
    Q,
    V,
    steps: null,
    logZ: null,
    elbo: null,
    occupancy: null,
    converged,
    iterations,
    backups: stepper.backups,
    threads,
    residual,
    errorBound,
    stopReason,
    warnings: diag === null ? [...warnings, ...after] : [],
    schedule,
  };
  if (diag !== null) {
    let all: readonly string[] | undefined;
    lazyFields(fields, {
      elbo: () => diag().elbo,
      occupancy: () => diag().occupancy,
      warnings: () => (all ??= [...warnings, ...diag().warnings, ...after]),
    });
  }
  return withPolicy(policyOf, fields);
}

/**
 * The ELBO and occupancy of the returned policy, computed once, on first call. Made outside
 * solveInfinite so that the result's getters keep Q, V and the options alive, not the sweeps'
 * closures (the stepper and its compiled table).
 */
function infiniteDiagnostics(
  mdp: MdpArrays,
  r: Resolved,
  Q: Float64Array,
  V: Float64Array,
  policyOf: () => Float64Array,
  rowsOf: PolicyRow | null,
): () => { elbo: number | null; occupancy: Float64Array | null; warnings: string[] } {
  let done: { elbo: number | null; occupancy: Float64Array | null; warnings: string[] } | undefined;
  return () => {
    if (done) return done;
    const warnings: string[] = [];
    // The sweeps' compiled table and buffers are garbage by now: free them before the diagnostics
    // allocate (at millions of states the two would otherwise add up in the peak).
    if (Q.length >= LARGE_ROWS) collectGarbage();
    // The policy's table only where the diagnostics need it: a table too large for their memory
    // budget reads its rows from Q and V instead (evaluate.ts), and the table is built on first read.
    const policy = { table: policyOf, row: rowsOf };
    const ev = evaluateInfinite(mdp, r.prior, r.alpha, r.gamma, policy, { tol: Math.max(r.tol, 1e-12), maxIter: r.maxIter, start: V });
    const elbo = r.alphaDiagnostics && ev.elbo !== null && Number.isFinite(ev.elbo) ? ev.elbo : null;
    if (!r.alphaDiagnostics) warnings.push(NO_ALPHA_DIAGNOSTICS);
    else if (ev.elbo === null) {
      // The evaluation is an iteration of its own, capped at maxIter sweeps: say which cause applies.
      warnings.push(
        r.gamma < 1
          ? `the ELBO of the returned policy was not computed: evaluating the policy ran out of sweeps (${r.maxIter}) before reaching the tolerance; allow more sweeps (maxIter)`
          : `the ELBO of the returned policy was not computed: its evaluation did not settle within ${r.maxIter} sweeps; with gamma = 1 the policy may never end its episodes, or it needs more sweeps (maxIter)`,
      );
    }
    done = { elbo, occupancy: ev.occupancy, warnings };
    return done;
  };
}


/**
 * q(a|s) = pi0 exp((Q - V)/alpha), built on first read: a caller that wants the values alone (the
 * benchmark, a sweep over alpha) never holds another n x m array. Made here, outside solveInfinite,
 * so that the result's getter keeps Q and the options alive, not the sweeps' closures (the stepper
 * and its compiled table, hundreds of MiB at millions of states).
 */
function lazyPolicy(Q: Float64Array, r: Resolved): () => Float64Array {
  let policy: Float64Array | undefined;
  return () => {
    if (!policy) {
      const n = r.prior.nStates;
      // Whatever the diagnostics left is garbage by now: free it before another n x m array.
      if (Q.length >= LARGE_ROWS) collectGarbage();
      policy = new Float64Array(Q.length);
      r.rules.actions.apply(Q, r.prior, r.alpha, new Float64Array(n), policy);
    }
    return policy;
  };
}

/** The result with `policy` as a getter (enumerable, like the other fields). */
function withPolicy(policyOf: () => Float64Array, fields: Omit<SolveResult, "policy">): SolveResult {
  return Object.defineProperty(fields, "policy", { get: policyOf, enumerable: true, configurable: true }) as SolveResult;
}

/**
 * The stepper the family's capabilities select. The fused kernel it declares (and fits, rules/):
 * "affine-value" (variational, hard) on any schedule and thread count; "affine-exp" (exact, linear in
 * z = exp(V/alpha)) Jacobi, while the numbers stay in range (plan.ts expFormFits here, the sweeper's
 * per-sweep check after; the loop hands over to the rules when they leave it). Without a kernel, the
 * family's own log-space rule loops, Jacobi. A new kernel id fails to compile here until handled.
 */
function openStepper(mdp: MdpArrays, r: Resolved, start: Float64Array | undefined): Stepper {
  const kernel = familyKernel(r.rules);
  const plain = () => ruleStepper(mdp, r.rules, r.prior, r.alpha, r.gamma, start);
  if (kernel === null) return plain();
  // familyKernel checked that the form and the semiring kind are the kernel's.
  const form = r.rules.dynamics.affine!;
  const fused = () => openSweeper(mdp, r.prior, start, { semiring: r.rules.actions.kind!, form, alpha: r.alpha, gamma: r.gamma, schedule: r.schedule, threads: r.threads });
  switch (kernel) {
    case "affine-value":
      return fused();
    case "affine-exp":
      return r.schedule === "jacobi" &&
        startSpread(start) / r.alpha < 300 &&
        // exp(Q/alpha) near 1 holds Q to alpha x 2.2e-16 only: at alpha far above the values the
        // log-space rules (expm1/log1p form) keep what the exp form rounds away (limits.ts).
        r.alpha <= EXP_FORM_ALPHA_PER_SCALE * Math.max(1, r.valueScale) &&
        expFormFits(mdp, form, r.gamma, r.alpha)
        ? fused()
        : plain();
    default:
      return unreachable(kernel);
  }
}
