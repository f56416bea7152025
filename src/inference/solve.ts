/**
 * The engine: message passing on the trajectory graph.
 *
 * The schedule is read off the graph (dynamics -> prior per slice, then the initial factor), and each
 * step runs the rule of the chosen family (exact, variational, hard) for that factor kind. A finite
 * horizon runs the slice schedule for t = H-1..0 from V_H = 0; an infinite horizon iterates it around
 * the stationary graph's loop (soft value iteration) to a tolerance.
 *
 * Options and result: solve-options.ts; finite horizon: finite.ts; infinite horizon: infinite.ts
 * (driving a stepper, stepper.ts, stopped by the convergence monitor, convergence.ts).
 */
import { TrajectoryGraph } from "../graph/trajectory-graph.js";
import type { MdpArrays } from "../mdp/tabular.js";
import { solveFinite } from "./finite.js";
import { solveInfinite } from "./infinite.js";
import { backwardSchedule, sliceProgram, type Schedule } from "./schedule.js";
import { resolveOptions, type SolveOptions, type SolveResult } from "./solve-options.js";

export { SOLVE_DEFAULTS, resolveOptions, type Resolved, type SolveOptions, type SolveResult, type StopReason } from "./solve-options.js";
export { initialLogZ } from "./finite.js";

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

