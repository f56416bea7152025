/**
 * The backward message schedule, read off the trajectory graph.
 *
 * Start at the last state variable (s_H, or in the stationary graph the state whose message arrives
 * through the dynamics factor's "next" loop). Repeatedly: the dynamics factor that sees the current
 * state on its "next" interface sends Q to (s, a); the prior factor on that action variable sends V
 * to s; move to s. When no dynamics factor sees s on "next" (s_0), or the walk returns to where it
 * started (the stationary loop), the initial factor closes the schedule (log Z or the ELBO).
 */
import type { FactorKind, TrajectoryGraph } from "../graph/trajectory-graph.js";

export interface ScheduleStep {
  /** The factor that sends the message. */
  readonly factor: string;
  readonly kind: FactorKind;
  /** Time index, or null in the stationary graph. */
  readonly t: number | null;
  /** The variables the message goes to. */
  readonly to: readonly string[];
  /** The variable whose incoming message the factor uses (its "next" state, or the action for the prior). */
  readonly from: string;
}

export interface Schedule {
  readonly stationary: boolean;
  readonly horizon: number | null;
  readonly steps: readonly ScheduleStep[];
}

/** Read the backward schedule off a trajectory graph. */
export function backwardSchedule(tg: TrajectoryGraph): Schedule {
  const g = tg.graph;
  const stationary = tg.stationary;
  const steps: ScheduleStep[] = [];
  // The frontier: the state variable with the largest time index (s_H), or the single state
  // variable of the stationary slice.
  const states = g.filterNodes((_k, a) => a.role === "variable" && a.kind === "state");
  let frontier = states[0]!;
  for (const s of states) if ((g.getNodeAttribute(s, "t") ?? 0) > (g.getNodeAttribute(frontier, "t") ?? 0)) frontier = s;
  let current = frontier;
  for (;;) {
    const dyn = tg.factorsOf(current).find((f) => f.kind === "dynamics" && f.iface === "next");
    if (!dyn) break;
    const s = tg.neighbourOn(dyn.factor, "s");
    const a = tg.neighbourOn(dyn.factor, "a");
    const t = g.getNodeAttribute(dyn.factor, "t");
    steps.push({ factor: dyn.factor, kind: "dynamics", t, to: [s, a], from: current });
    const prior = tg.factorsOf(a).find((f) => f.kind === "prior");
    if (!prior) throw new Error(`action variable ${a} has no prior factor`);
    steps.push({ factor: prior.factor, kind: "prior", t, to: [tg.neighbourOn(prior.factor, "s")], from: a });
    current = s;
    if (stationary && current === frontier) break;
  }
  const initial = tg.factorsOf(current).find((f) => f.kind === "initial");
  if (!initial) throw new Error(`state variable ${current} has no initial factor`);
  steps.push({ factor: initial.factor, kind: "initial", t: g.getNodeAttribute(initial.factor, "t"), to: [], from: current });
  return { stationary, horizon: tg.horizon, steps };
}

/**
 * The per-slice sequence of factor kinds the engine runs each sweep (or each time step), checked to
 * be the one the graph dictates: dynamics -> prior, then the initial factor at the end.
 */
export function sliceProgram(schedule: Schedule): { readonly perStep: readonly FactorKind[]; readonly closing: FactorKind } {
  const kinds = schedule.steps.map((s) => s.kind);
  const closing = kinds[kinds.length - 1];
  const perStep = kinds.slice(0, 2);
  if (closing !== "initial" || perStep[0] !== "dynamics" || perStep[1] !== "prior") {
    throw new Error(`unexpected schedule: ${kinds.join(" -> ")}`);
  }
  for (let i = 0; i < kinds.length - 1; i++) {
    if (kinds[i] !== perStep[i % 2]) throw new Error(`schedule is not a repeated slice: ${kinds.join(" -> ")}`);
  }
  return { perStep, closing };
}
