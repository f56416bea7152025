/**
 * Infinite horizon: the slice program iterated around the stationary graph's loop (soft value
 * iteration) by a stepper (the plain rule loop or the fused sweeper), stopped by the convergence
 * monitor; exact message passing also watches for linear growth (no fixed point).
 */
import { ConvergenceError, NoFixedPointError } from "../errors.js";
import type { MdpArrays } from "../mdp/tabular.js";
import { ConvergenceMonitor, ENGINE_STALL } from "./convergence.js";
import { evaluateInfinite } from "./evaluate.js";
import { exactLogSpectralRadius } from "./growth.js";
import { openSweeper } from "./kernels/sweeper.js";
import type { Schedule } from "./schedule.js";
import type { Resolved, SolveResult, StopReason } from "./solve-options.js";
import { ruleStepper, type Stepper } from "./stepper.js";
import { trappedStates } from "../mdp/reachability.js";

/** Sweeps between the checks for linear growth (exact mode). */
const GROWTH_WINDOW = 32;

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
  // Variational and hard: the two rules fused per state (kernels/), Jacobi or Gauss-Seidel, on one
  // or more threads, in the sweeper's own buffers. Exact: the rules' own loops, Jacobi (dynamics
  // over all rows, then the prior).
  const stepper: Stepper =
    r.rules.backup === "exact"
      ? ruleStepper(mdp, r.rules, r.prior, r.alpha, r.gamma, start)
      : openSweeper(mdp, r.prior, start, { semiring: r.rules.actions.name, alpha: r.alpha, gamma: r.gamma, schedule: r.schedule, threads: r.threads });
  let V: Float64Array = stepper.values();
  let iterations = 0;
  let residual = Infinity;
  let stopReason: StopReason = "max-iterations";
  const monitor = new ConvergenceMonitor({ tol: r.tol, relative: false, ...ENGINE_STALL });
  const history = new Float64Array(GROWTH_WINDOW);
  let belowOne = false; // exact mode: rho < 1 has been established
  try {
    // Sweep 0: Q from the starting values (its residual is not one: there is no previous Q).
    stepper.sweep();
    V = stepper.values();
    onSweep?.(0, NaN);
    while (iterations < r.maxIter) {
      iterations++;
      const { residual: res, scale } = stepper.sweep();
      V = stepper.values();
      residual = res;
      onSweep?.(iterations, res);
      if (Number.isNaN(res)) break;
      const verdict = monitor.observe(res, scale);
      if (verdict !== null) {
        stopReason = verdict;
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
    stepper.close(); // Q and V stay valid: they are the stepper's arrays, no longer written
  }
  const Q = stepper.Q;
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
    backups: stepper.backups,
    threads: stepper.threads,
    residual,
    stopReason,
    warnings,
    schedule,
  };
}
