/**
 * The lesson page's state logic (src/lesson/model.ts), without a browser: the controls' updates,
 * the map editor, demonstrations drawn as paths, and the numbers each step shows, each checked
 * against something computed another way (hand-written Bellman iterations and policy evaluation,
 * closed forms, the engine's own fixed point).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cliffWalking, frozenLake, solve, type TabularMdp } from "../../src/index.js";
import {
  ALPHA_SLIDER,
  DEMO_SMOOTHING,
  actionBetween,
  alphaOf,
  backupRuns,
  buildWorld,
  cycleCell,
  demoCounts,
  discountedOccupancy,
  evidence,
  extendDemo,
  formatNumber,
  initialState,
  parseNumber,
  policyEntropy,
  priorOptions,
  SAMPLE_EPISODES,
  sampleRuns,
  startValue,
  sweeps,
  withWorld,
  type LessonState,
} from "../../src/lesson/model.js";

function world(state: LessonState): TabularMdp {
  const built = buildWorld(state);
  if (!("mdp" in built)) throw new Error(built.error);
  return built.mdp;
}

/** Soft Bellman backup (variational, uniform prior) written out by hand: V <- alpha log mean_a exp(Q/alpha). */
function handBackup(mdp: TabularMdp, V: Float64Array, alpha: number, gamma: number): Float64Array {
  const { nStates: n, nActions: m } = mdp;
  const out = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    const Q: number[] = [];
    for (let a = 0; a < m; a++) {
      let q = 0;
      for (let k = mdp.rowStart[s * m + a]!; k < mdp.rowStart[s * m + a + 1]!; k++) q += mdp.prob[k]! * (mdp.reward[k]! + (mdp.done[k] ? 0 : gamma * V[mdp.next[k]!]!));
      Q.push(q);
    }
    const top = Math.max(...Q);
    out[s] = top + alpha * Math.log(Q.reduce((acc, q) => acc + Math.exp((q - top) / alpha), 0) / m);
  }
  return out;
}

/** E[sum_t gamma^t r_t] of policy q from p0, by plain iterative policy evaluation of the rewards. */
function handReturn(mdp: TabularMdp, q: Float64Array, gamma: number): number {
  const { nStates: n, nActions: m } = mdp;
  let V = new Float64Array(n);
  for (let it = 0; it < 100_000; it++) {
    const W = new Float64Array(n);
    let delta = 0;
    for (let s = 0; s < n; s++) {
      let v = 0;
      for (let a = 0; a < m; a++) {
        let x = 0;
        for (let k = mdp.rowStart[s * m + a]!; k < mdp.rowStart[s * m + a + 1]!; k++) x += mdp.prob[k]! * (mdp.reward[k]! + (mdp.done[k] ? 0 : gamma * V[mdp.next[k]!]!));
        v += q[s * m + a]! * x;
      }
      W[s] = v;
      delta = Math.max(delta, Math.abs(v - V[s]!));
    }
    V = W;
    if (delta < 1e-14) break;
  }
  return startValue(mdp, V);
}

describe("controls", () => {
  it("the alpha slider is logarithmic from 0.01 to 10", () => {
    const s = initialState();
    expect(alphaOf({ ...s, logAlpha: ALPHA_SLIDER.min })).toBeCloseTo(0.01, 14);
    expect(alphaOf({ ...s, logAlpha: ALPHA_SLIDER.max })).toBeCloseTo(10, 12);
    expect(alphaOf({ ...s, logAlpha: 0 })).toBe(1);
    // The page opens at the README's alpha = 0.05, to the slider's step of 0.01 decades.
    expect(Math.abs(Math.log10(alphaOf(s)) - Math.log10(0.05))).toBeLessThanOrEqual(ALPHA_SLIDER.step / 2);
  });

  it("a click cycles a cell start -> frozen -> hole -> goal -> start and leaves the other cells alone", () => {
    const map = ["SFFF", "FHFH", "FFFH", "HFFG"];
    const seen = [map[1]![2]];
    let m = map;
    for (let i = 0; i < 4; i++) {
      m = cycleCell(m, 1, 2);
      seen.push(m[1]![2]);
      expect(m.filter((_, r) => r !== 1)).toEqual(map.filter((_, r) => r !== 1));
    }
    expect(seen).toEqual(["F", "H", "G", "S", "F"]);
    expect(() => cycleCell(map, 4, 0)).toThrow(RangeError);
  });

  it("a map without a start or a goal is no world: the page gets the engine's message", () => {
    const s = initialState();
    const noStart = { ...s, map: cycleCell(s.map, 0, 0) }; // S -> F
    const built = buildWorld(noStart);
    expect("error" in built && built.error).toMatch(/no start cell S/);
  });

  it("changing the world resets its map and the demonstration", () => {
    const s = { ...initialState(), demo: [0, 1] };
    const t = withWorld(s, "lake8");
    expect(t.map).toHaveLength(8);
    expect(t.demo).toEqual([]);
    expect(world(withWorld(s, "cliff")).nStates).toBe(48);
  });
});

describe("the edited map is the world that is solved", () => {
  it("a frozen cell turned into a hole ends episodes there (value 0) and the values match solve on frozenLake with that map", () => {
    const s0 = withWorld(initialState(), "lake4");
    const s = { ...s0, map: cycleCell(s0.map, 2, 1) }; // row 2, column 1: F -> H
    expect(s.map[2]).toBe("FHFH");
    const mdp = world(s);
    const direct = frozenLake({ map: ["SFFF", "FHFH", "FHFH", "HFFG"], successRate: 1 / 3 });
    const hole = 2 * 4 + 1;
    for (let k = mdp.rowStart[hole * 4]!; k < mdp.rowStart[hole * 4 + 4]!; k++) expect(mdp.done[k]).toBe(1);
    const a = solve(mdp, { alpha: alphaOf(s), gamma: s.gamma });
    const b = solve(direct, { alpha: alphaOf(s), gamma: s.gamma });
    expect(a.V[hole]).toBe(0);
    for (let i = 0; i < 16; i++) expect(Math.abs(a.V[i]! - b.V[i]!)).toBeLessThan(1e-12);
  });
});

describe("demonstrations drawn as a path", () => {
  it("moves between neighbours are the actions their names say (FrozenLake LEFT, DOWN, RIGHT, UP; CliffWalking UP, RIGHT, DOWN, LEFT)", () => {
    const lake = frozenLake();
    expect(actionBetween(lake, 5, 6)).toBe(2); // RIGHT
    expect(actionBetween(lake, 5, 1)).toBe(3); // UP
    expect(actionBetween(lake, 5, 9)).toBe(1); // DOWN
    expect(actionBetween(lake, 5, 4)).toBe(0); // LEFT
    expect(actionBetween(lake, 5, 10)).toBeUndefined();
    const cliff = cliffWalking();
    expect(actionBetween(cliff, 24, 25)).toBe(1); // RIGHT
    expect(actionBetween(cliff, 24, 12)).toBe(0); // UP
  });

  it("a path becomes counts and the prior (count + lambda) / (count(s) + m lambda); a cell that is not a neighbour is refused", () => {
    const s0: LessonState = { ...initialState(), prior: "demonstrations" };
    const mdp = world(s0);
    let s = s0;
    for (const cell of [0, 1, 2, 6, 2]) s = extendDemo(s, mdp, cell).state;
    const refused = extendDemo(s, mdp, 15);
    expect(refused.state).toBe(s);
    expect(refused.message).toMatch(/not next to/);
    expect(s.demo).toEqual([0, 1, 2, 6, 2]);
    const counts = demoCounts(mdp, s.demo);
    expect(counts[0 * 4 + 2]).toBe(1); // 0 -> 1 RIGHT
    expect(counts[2 * 4 + 1]).toBe(1); // 2 -> 6 DOWN
    expect(counts[6 * 4 + 3]).toBe(1); // 6 -> 2 UP
    expect(counts.reduce((a, b) => a + b, 0)).toBe(4);
    const prior = priorOptions(s, mdp).prior!;
    const l = DEMO_SMOOTHING;
    // State 2: one DOWN demonstrated (2 -> 6).
    const row = [0, 1, 2, 3].map((a) => prior.probs[2 * 4 + a]!);
    expect(row[1]).toBeCloseTo((1 + l) / (1 + 4 * l), 12);
    expect(row[0]).toBeCloseTo(l / (1 + 4 * l), 12);
    // An undemonstrated state keeps the uniform prior.
    expect(prior.probs[9 * 4]).toBeCloseTo(0.25, 12);
  });
});

describe("step 3: the backups' numbers", () => {
  it("V(start) is solve's V at the start; each policy's return matches hand-written policy evaluation; exact >= variational; the greedy policy really gets V_hard", () => {
    for (const w of ["lake4", "lake8", "cliff"] as const) {
      const s = { ...withWorld(initialState(), w), logAlpha: w === "cliff" ? 0 : initialState().logAlpha };
      const mdp = world(s);
      const runs = backupRuns(s, mdp);
      expect(runs.map((r) => r.backup)).toEqual(["exact", "variational", "hard"]);
      for (const r of runs) {
        const direct = solve(mdp, { backup: r.backup, alpha: alphaOf(s), gamma: s.gamma });
        expect(r.vStart).toBe(startValue(mdp, direct.V));
        const ret = handReturn(mdp, direct.policy, s.gamma);
        expect(Math.abs(r.realReturn! - ret)).toBeLessThan(1e-8 * Math.max(1, Math.abs(ret)));
      }
      const [ex, va, hard] = runs;
      expect(ex!.vStart!).toBeGreaterThanOrEqual(va!.vStart! - 1e-12);
      expect(Math.abs(hard!.realReturn! - hard!.vStart!)).toBeLessThan(1e-7 * Math.max(1, Math.abs(hard!.vStart!)));
      // Optimism: exact believes more than its policy gets.
      expect(ex!.vStart!).toBeGreaterThan(ex!.realReturn!);
    }
  });

  it("the hard backup's values do not depend on alpha (the page keeps its run while alpha moves)", () => {
    const s = withWorld(initialState(), "lake8");
    const mdp = world(s);
    const a = backupRuns({ ...s, logAlpha: -2 }, mdp)[2]!;
    const b = backupRuns({ ...s, logAlpha: 1 }, mdp)[2]!;
    expect(Array.from(a.result!.V)).toEqual(Array.from(b.result!.V));
    expect(Array.from(a.result!.policy)).toEqual(Array.from(b.result!.policy));
    expect(a.realReturn).toBe(b.realReturn);
  });

  it("never-occupied cells: CliffWalking's runs still give finite numbers everywhere", () => {
    const s = withWorld(initialState(), "cliff");
    for (const r of backupRuns(s, world(s))) expect(Array.from(r.result!.V).every(Number.isFinite)).toBe(true);
  });
});

describe("the discounted occupancy by one linear solve", () => {
  it("matches solve's occupancy (iterated forward) to 1e-9 on every world and backup, and sums to the expected discounted episode length", () => {
    for (const w of ["lake4", "lake8", "cliff", "open8"] as const) {
      const s = { ...withWorld(initialState(), w), logAlpha: 0 };
      const mdp = world(s);
      for (const backup of ["exact", "variational", "hard"] as const) {
        const res = solve(mdp, { backup, alpha: 1, gamma: s.gamma });
        const d = discountedOccupancy(mdp, res.policy, s.gamma)!;
        for (let i = 0; i < mdp.nStates; i++) expect(Math.abs(d[i]! - res.occupancy![i]!), `${w} ${backup} state ${i}`).toBeLessThan(1e-9 * Math.max(1, res.occupancy![i]!));
        const total = d.reduce((a, b) => a + b, 0);
        expect(total).toBeLessThanOrEqual(1 / (1 - s.gamma) + 1e-9);
      }
    }
  });
});

describe("step 4: policy entropy", () => {
  it("is log m at a huge alpha (the prior) and falls as alpha falls", () => {
    const s = initialState();
    const mdp = world(s);
    const H = (logAlpha: number) => policyEntropy(mdp, solve(mdp, { alpha: 10 ** logAlpha, gamma: s.gamma }))!;
    expect(H(6)).toBeCloseTo(Math.log(4), 6);
    expect(H(1)).toBeGreaterThan(H(-1));
    expect(H(-1)).toBeGreaterThan(H(-2));
  });
});

describe("step 5: evidence", () => {
  it("log Z >= ELBO of either policy; deterministic dynamics from one start with gamma = 1: log Z = ELBO(q*) and exact = variational", () => {
    const s = { ...initialState(), horizon: 12 };
    const ev = evidence(s, world(s));
    expect(ev.logZ! - ev.elboVariational!).toBeGreaterThanOrEqual(-1e-12);
    expect(ev.logZ! - ev.elboExact!).toBeGreaterThanOrEqual(-1e-12);
    expect(ev.elboVariational!).toBeGreaterThanOrEqual(ev.elboExact! - 1e-12); // q* maximises the ELBO
    const det = { ...s, slippery: false, gamma: 1 };
    const d = evidence(det, world(det));
    expect(Math.abs(d.logZ! - d.elboVariational!)).toBeLessThan(1e-9 * Math.max(1, Math.abs(d.logZ!)));
    const Ve = d.exact!.V;
    const Vv = d.variational!.V;
    for (let i = 0; i < Ve.length; i++) expect(Math.abs(Ve[i]! - Vv[i]!)).toBeLessThan(1e-9);
  });

  it("the infinite-horizon toggle has no log Z and the ELBOs of solve", () => {
    const s = { ...initialState(), finite: false };
    const mdp = world(s);
    const ev = evidence(s, mdp);
    expect(ev.logZ).toBeNull();
    expect(ev.elboVariational).toBe(solve(mdp, { alpha: alphaOf(s), gamma: s.gamma }).elbo);
  });
});

describe("step 6: V_k, sweep by sweep", () => {
  it("V_k = T^k(0) by hand-written soft Bellman backups; V_k equals solve's iterate after k sweeps; the residual is max |V_k - V_k-1|", () => {
    const s = { ...withWorld(initialState(), "lake8"), logAlpha: -1 };
    const mdp = world(s);
    const sw = sweeps(s, mdp, 60);
    expect(sw.V).toHaveLength(61);
    let V: Float64Array = new Float64Array(mdp.nStates);
    expect(Array.from(sw.V[0]!)).toEqual(Array.from(V));
    for (let k = 1; k <= 60; k++) {
      const prev = V;
      V = handBackup(mdp, V, alphaOf(s), s.gamma);
      for (let i = 0; i < mdp.nStates; i++) expect(Math.abs(sw.V[k]![i]! - V[i]!)).toBeLessThan(1e-12);
      let r = 0;
      for (let i = 0; i < mdp.nStates; i++) r = Math.max(r, Math.abs(V[i]! - prev[i]!));
      expect(Math.abs(sw.residual[k]! - r)).toBeLessThan(1e-12);
    }
    // solve with maxIter = k - 1 runs sweep 0 and k - 1 more: V_k.
    for (const k of [2, 10, 60]) {
      const it = solve(mdp, { alpha: alphaOf(s), gamma: s.gamma, maxIter: k - 1, tol: 0, schedule: "jacobi" });
      for (let i = 0; i < mdp.nStates; i++) expect(Math.abs(sw.V[k]![i]! - it.V[i]!)).toBeLessThan(1e-12);
    }
  });

  it("V_k approaches the fixed point within gamma * residual / (1 - gamma)", () => {
    const s = { ...initialState(), gamma: 0.9, logAlpha: 0 };
    const mdp = world(s);
    const sw = sweeps(s, mdp);
    const star = sw.fixedPoint!.V;
    // The engine's V* is itself within gamma tol / (1 - gamma) = 9e-10 of the true fixed point (tol 1e-10).
    for (const k of [5, 20, 100]) {
      let d = 0;
      for (let i = 0; i < mdp.nStates; i++) d = Math.max(d, Math.abs(sw.V[k]![i]! - star[i]!));
      expect(d).toBeLessThanOrEqual((0.9 * sw.residual[k]!) / 0.1 + 1e-9);
      expect(d).toBeGreaterThan(0.1 * sw.residual[k]!); // and not trivially: V_k has not arrived
    }
  });
});

describe("step 7: samples", () => {
  it("the same seed gives the same episodes; policy episodes move along the world's entries; the posterior reaches the goal more often (optimism)", () => {
    const s = initialState();
    const mdp = world(s);
    const a = sampleRuns(s, mdp);
    const b = sampleRuns(s, mdp);
    expect(a.policy!.samples.episodes).toEqual(b.policy!.samples.episodes);
    expect(a.posterior!.samples.episodes).toEqual(b.posterior!.samples.episodes);
    expect(sampleRuns({ ...s, seed: 2 }, mdp).policy!.samples.episodes).not.toEqual(a.policy!.samples.episodes);
    const m = mdp.nActions;
    for (const e of a.policy!.samples.episodes) {
      for (let t = 0; t + 1 < e.states.length; t++) {
        const row = e.states[t]! * m + e.actions[t]!;
        let p = 0;
        for (let k = mdp.rowStart[row]!; k < mdp.rowStart[row + 1]!; k++) if (mdp.next[k] === e.states[t + 1]) p += mdp.prob[k]!;
        expect(p).toBeGreaterThan(0);
      }
    }
    for (const sum of [a.policy!, a.posterior!]) {
      expect(sum.ends.done + sum.ends.death + sum.ends.cut).toBe(SAMPLE_EPISODES);
      const total = sum.samples.episodes.reduce((acc, e) => acc + e.rewards.reduce((x, y) => x + y, 0), 0);
      expect(sum.meanReturn).toBeCloseTo(total / SAMPLE_EPISODES, 14);
    }
    // FrozenLake 4x4, alpha 0.05: the exact policy reaches the goal in few episodes of the real
    // world; its posterior, whose dynamics lean towards the goal, in most.
    expect(a.posterior!.meanReturn).toBeGreaterThan(0.5);
    expect(a.policy!.meanReturn).toBeLessThan(a.posterior!.meanReturn);
  });
});

describe("number formatting", () => {
  it("4 significant digits, exponent outside [1e-3, 1e4), a true minus sign, integers (counts) as integers, a dash for no number", () => {
    expect(formatNumber(0.780346)).toBe("0.7803");
    expect(formatNumber(-15.6123)).toBe("−15.61");
    expect(formatNumber(0.00012346)).toBe("1.235e-4");
    expect(formatNumber(123456)).toBe("1.235e+5");
    expect(formatNumber(0)).toBe("0");
    expect(formatNumber(33)).toBe("33");
    expect(formatNumber(-1)).toBe("−1");
    expect(formatNumber(1.5)).toBe("1.500");
    expect(formatNumber(-0)).toBe("0");
    expect(formatNumber(null)).toBe("—");
    expect(formatNumber(undefined)).toBe("—");
  });

  it("what is printed reads back within half a unit of its last digit", () => {
    fc.assert(
      fc.property(fc.double({ min: -1e8, max: 1e8, noNaN: true }), (x) => {
        const y = parseNumber(formatNumber(x));
        return Math.abs(y - x) <= 5e-4 * Math.abs(x) + 1e-300;
      }),
    );
  });
});
