/**
 * The factor graph's structure, and the schedule the engine reads off it.
 */
import { describe, expect, it } from "vitest";
import { TrajectoryGraph, backwardSchedule, sliceProgram } from "../../src/index.js";

describe("the unrolled trajectory graph", () => {
  const tg = TrajectoryGraph.build({ nStates: 4, nActions: 2, hasTerminal: true, gamma: 0.9, horizon: 3 });
  const json = tg.toJSON();

  it("has s_0..s_H, a_t and observed O_t variables, and p0, pi0_t, P_t factors", () => {
    expect(json.variables.map((v) => v.key).sort()).toEqual(["O_0", "O_1", "O_2", "a_0", "a_1", "a_2", "s_0", "s_1", "s_2", "s_3"].sort());
    expect(json.factors.map((f) => f.key).sort()).toEqual(["P_0", "P_1", "P_2", "p0", "pi0_0", "pi0_1", "pi0_2"].sort());
    expect(json.variables.filter((v) => v.observed).map((v) => v.key).sort()).toEqual(["O_0", "O_1", "O_2"]);
    expect(json.variables.find((v) => v.key === "s_1")!.domain).toBe("4 states + death");
  });

  it("connects each dynamics factor to s_t, a_t, s_t+1 and O_t through named interfaces", () => {
    const p1 = json.edges.filter((e) => e.factor === "P_1").map((e) => `${e.interface}:${e.variable}`).sort();
    expect(p1).toEqual(["O:O_1", "a:a_1", "next:s_2", "s:s_1"]);
    expect(json.edges.filter((e) => e.factor === "pi0_2").map((e) => `${e.interface}:${e.variable}`).sort()).toEqual(["a:a_2", "s:s_2"]);
    expect(json.edges).toHaveLength(1 + 3 * (2 + 4));
  });

  it("yields a backward schedule that is the stationary slice's program repeated H times, then p0", () => {
    const sched = backwardSchedule(tg);
    expect(sched.steps.map((s) => `${s.factor}->${s.to.join(",")}`)).toEqual([
      "P_2->s_2,a_2",
      "pi0_2->s_2",
      "P_1->s_1,a_1",
      "pi0_1->s_1",
      "P_0->s_0,a_0",
      "pi0_0->s_0",
      "p0->",
    ]);
    const slice = backwardSchedule(TrajectoryGraph.build({ nStates: 4, nActions: 2, hasTerminal: true, gamma: 0.9 }));
    expect(sliceProgram(sched)).toEqual(sliceProgram(slice));
  });

  it("exports DOT with shaded observed variables and interface labels", () => {
    const dot = tg.toDot();
    expect(dot.startsWith("graph trajectory {")).toBe(true);
    expect(dot).toContain('"O_1" [shape=circle, style=filled');
    expect(dot).toContain('"P_0" -- "s_1" [label="next"]');
  });
});

describe("the stationary one-slice graph", () => {
  const tg = TrajectoryGraph.build({ nStates: 2, nActions: 3, hasTerminal: false, gamma: 1 });

  it("loops: the dynamics factor's next interface returns to s", () => {
    const edges = tg.toJSON().edges.filter((e) => e.factor === "P").map((e) => `${e.interface}:${e.variable}`).sort();
    expect(edges).toEqual(["O:O", "a:a", "next:s", "s:s"]);
    expect(tg.horizon).toBeNull();
    expect(tg.toJSON().variables.find((v) => v.key === "s")!.domain).toBe("2 states");
  });

  it("gives the schedule P -> (s, a), pi0 -> s, p0", () => {
    expect(backwardSchedule(tg).steps.map((s) => s.kind)).toEqual(["dynamics", "prior", "initial"]);
  });
});
