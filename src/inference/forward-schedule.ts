/**
 * The forward message schedule, read off the same trajectory graph as the backward one.
 *
 * Start at the initial factor p0: it sends alpha_0 to s_0. Then, per slice: the prior factor on s_t
 * (interface "s") sends alpha_t(s, a) = alpha_t(s) q_t(a|s) to a_t; the dynamics factor that sees
 * s_t on its "s" interface sends alpha_t+1 to its "next" state. Stop at s_H (no dynamics factor sees
 * it on "s"), or when the walk returns to where it started (the stationary graph's loop).
 */
import type { FactorKind, TrajectoryGraph } from "../graph/trajectory-graph.js";
import type { Schedule, ScheduleStep } from "./schedule.js";

/** Read the forward schedule off a trajectory graph: initial, then (prior, dynamics) per slice. */
export function forwardSchedule(tg: TrajectoryGraph): Schedule {
  const g = tg.graph;
  const initial = g.findNode((_k, a) => a.role === "factor" && a.kind === "initial");
  if (initial === undefined) throw new Error("the trajectory graph has no initial factor");
  const start = tg.neighbourOn(initial, "out");
  const steps: ScheduleStep[] = [{ factor: initial, kind: "initial", t: g.getNodeAttribute(initial, "t"), to: [start], from: initial }];
  let current = start;
  for (;;) {
    const prior = tg.factorsOf(current).find((f) => f.kind === "prior" && f.iface === "s");
    if (!prior) break;
    const a = tg.neighbourOn(prior.factor, "a");
    const t = g.getNodeAttribute(prior.factor, "t");
    steps.push({ factor: prior.factor, kind: "prior", t, to: [a], from: current });
    const dyn = tg.factorsOf(a).find((f) => f.kind === "dynamics");
    if (!dyn) throw new Error(`action variable ${a} has no dynamics factor`);
    const next = tg.neighbourOn(dyn.factor, "next");
    steps.push({ factor: dyn.factor, kind: "dynamics", t, to: [next], from: a });
    current = next;
    if (tg.stationary && current === start) break;
  }
  return { stationary: tg.stationary, horizon: tg.horizon, steps };
}

/**
 * The forward program the engine runs, checked to be the one the graph dictates: the initial factor
 * first, then prior -> dynamics per slice.
 */
export function forwardProgram(schedule: Schedule): { readonly opening: FactorKind; readonly perStep: readonly FactorKind[] } {
  const kinds = schedule.steps.map((s) => s.kind);
  if (kinds[0] !== "initial" || kinds.length < 3 || (kinds.length - 1) % 2 !== 0) throw new Error(`unexpected forward schedule: ${kinds.join(" -> ")}`);
  for (let i = 1; i < kinds.length; i++) {
    if (kinds[i] !== (i % 2 === 1 ? "prior" : "dynamics")) throw new Error(`forward schedule is not a repeated slice: ${kinds.join(" -> ")}`);
  }
  return { opening: "initial", perStep: ["prior", "dynamics"] };
}
