/**
 * Forward messages: the marginals and occupancy measures of q(tau) and of the exact posterior p(tau | O).
 *
 *   D_0 = start,  D_t(s, a) = D_t(s) q_t(a|s),  D_t+1(s') = sum_{s,a} D_t(s, a) P_t(s'|s,a)  (live entries)
 *   occupancy = sum_t gamma^t D_t (policy) or sum_t D_t (posterior, whose death branch is in its dynamics)
 *
 * Checked against: brute-force enumeration of every trajectory (an oracle written here, apart from
 * the engine); the sums (each D_t sums to 1 without terminal entries; the occupancy to sum_t gamma^t);
 * and the envelope identities, by central finite differences:
 *   d (p0 . V_0) / d r(s, a) = sum_t gamma^t D_t(s, a) of q            (variational backup)
 *   alpha d log Z / d r(s, a, s') = expected count of that transition under p(tau | O)   (exact backup)
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConvergenceError, TabularMdp, TrajectoryGraph, marginals, solve, type MdpArrays, type ActionPrior } from "../../src/index.js";
import { forwardSchedule } from "../../src/inference/forward-schedule.js";
import { arbMdp, arbPriorKind, arbPriorSeed, fcParams, makePrior } from "../support/arbitraries.js";

interface BruteMarginals {
  D: Float64Array[]; // t = 0..H
  DSA: Float64Array[]; // t = 0..H-1
  counts: Float64Array; // per CSR entry, weighted as the engine weights them
}

/**
 * Enumerate every trajectory. Policy: weight p0 prod q P, no death branch, counts weighted gamma^t.
 * Posterior: weight p0 prod w P exp(r/alpha) with the death branch, normalised by the total.
 */
function brute(mdp: TabularMdp, H: number, gamma: number, opts: { policies?: readonly Float64Array[]; prior?: ActionPrior; alpha?: number; fixedStart?: boolean }): BruteMarginals {
  const { nStates: n, nActions: m } = mdp;
  const D = Array.from({ length: H + 1 }, () => new Float64Array(n));
  const DSA = Array.from({ length: H }, () => new Float64Array(n * m));
  const counts = new Float64Array(mdp.prob.length);
  const posterior = opts.policies === undefined;
  interface Path { w: number; visits: Array<[t: number, s: number, a: number, k: number, alive: boolean]>; sH: number }
  const paths: Path[] = [];
  const walk = (t: number, s: number, w: number, visits: Path["visits"]): void => {
    if (t === H) {
      paths.push({ w, visits, sH: s });
      return;
    }
    for (let a = 0; a < m; a++) {
      const qa = posterior ? opts.prior!.probs[s * m + a]! * Math.exp(opts.prior!.logMass[s]!) : opts.policies![t]![s * m + a]!;
      if (qa === 0) continue;
      for (let k = mdp.rowStart[s * m + a]!; k < mdp.rowStart[s * m + a + 1]!; k++) {
        const p = mdp.prob[k]!;
        if (p === 0) continue;
        const w2 = w * qa * p * (posterior ? Math.exp(mdp.reward[k]! / opts.alpha!) : 1);
        const v2: Path["visits"] = [...visits, [t, s, a, k, true]];
        if (mdp.done[k]) {
          paths.push({ w: w2, visits: v2, sH: -1 });
          continue;
        }
        if (posterior && gamma < 1) {
          paths.push({ w: w2 * (1 - gamma), visits: v2, sH: -1 });
          walk(t + 1, mdp.next[k]!, w2 * gamma, v2);
        } else walk(t + 1, mdp.next[k]!, w2, v2);
      }
    }
  };
  for (let s = 0; s < n; s++) if (mdp.initial[s]! > 0) {
    const before = paths.length;
    walk(0, s, mdp.initial[s]!, []);
    if (posterior && opts.fixedStart) {
      // p(tau | s_0, O): normalise within the start state.
      let z = 0;
      for (let i = before; i < paths.length; i++) z += paths[i]!.w;
      for (let i = before; i < paths.length; i++) paths[i]!.w *= mdp.initial[s]! / z;
    }
  }
  let Z = 0;
  for (const p of paths) Z += p.w;
  if (!posterior || opts.fixedStart) Z = 1;
  for (const p of paths) {
    const w = p.w / Z;
    for (const [t, s, a, k] of p.visits) {
      D[t]![s]! += w;
      DSA[t]![s * m + a]! += w;
      counts[k]! += w * (posterior ? 1 : gamma ** t);
    }
    if (p.sH >= 0) D[H]![p.sH]! += w;
  }
  return { D, DSA, counts };
}

const arbSetting = fc.record({
  alpha: fc.double({ min: 0.3, max: 3, noNaN: true }),
  gamma: fc.oneof(fc.constant(1), fc.double({ min: 0.3, max: 0.99, noNaN: true })),
  H: fc.integer({ min: 1, max: 3 }),
  backup: fc.constantFrom("variational", "exact", "hard" as const),
  priorKind: arbPriorKind,
  priorSeed: arbPriorSeed,
});

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void => {
  expect(a.length, what).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    if (Math.abs(a[i]! - b[i]!) > tol) expect.fail(`${what}[${i}]: engine ${a[i]} vs ${b[i]}`);
  }
};

function occupancyOf(D: readonly Float64Array[], H: number, w: (t: number) => number): Float64Array {
  const out = new Float64Array(D[0]!.length);
  for (let t = 0; t < H; t++) for (let i = 0; i < out.length; i++) out[i]! += w(t) * D[t]![i]!;
  return out;
}

describe("forward messages equal brute-force enumeration over trajectories", () => {
  it("q(tau): D_t(s) for t = 0..H, D_t(s, a), occupancies and transition counts, for every backup's policy", () => {
    fc.assert(
      fc.property(arbMdp(), arbSetting, (mdp, st) => {
        const prior = makePrior(st.priorKind, mdp, st.priorSeed);
        const res = solve(mdp, { backup: st.backup, alpha: st.alpha, gamma: st.gamma, horizon: st.H, prior });
        const fw = marginals(mdp, res);
        const b = brute(mdp, st.H, st.gamma, { policies: res.steps!.policy });
        expect(fw.from).toBe("policy");
        for (let t = 0; t <= st.H; t++) close(fw.stateMarginals![t]!, b.D[t]!, 1e-12, `D_${t}`);
        for (let t = 0; t < st.H; t++) close(fw.stateActionMarginals![t]!, b.DSA[t]!, 1e-12, `D_${t}(s,a)`);
        close(fw.finalState!, b.D[st.H]!, 1e-12, "D_H");
        close(fw.stateOccupancy, occupancyOf(b.D, st.H, (t) => st.gamma ** t), 1e-12, "state occupancy");
        close(fw.stateActionOccupancy, occupancyOf(b.DSA, st.H, (t) => st.gamma ** t), 1e-12, "state-action occupancy");
        close(fw.transitionCounts, b.counts, 1e-12, "transition counts");
        // The solve result's own `occupancy` (ELBO pass) is the same state occupancy.
        close(fw.stateOccupancy, res.occupancy!, 1e-12, "solve's occupancy");
      }),
      fcParams(150),
    );
  });

  it("p(tau | O): the exact posterior's marginals and transition counts, started at p(s_0 | O) or at p0", () => {
    fc.assert(
      fc.property(arbMdp(), arbSetting, fc.boolean(), (mdp, st, fixedStart) => {
        const prior = makePrior(st.priorKind, mdp, st.priorSeed);
        const res = solve(mdp, { backup: "exact", alpha: st.alpha, gamma: st.gamma, horizon: st.H, prior });
        const fw = marginals(mdp, res, { from: "posterior", start: fixedStart ? "p0" : "posterior" });
        const b = brute(mdp, st.H, st.gamma, { prior, alpha: st.alpha, fixedStart });
        for (let t = 0; t <= st.H; t++) close(fw.stateMarginals![t]!, b.D[t]!, 1e-10, `D_${t}`);
        for (let t = 0; t < st.H; t++) close(fw.stateActionMarginals![t]!, b.DSA[t]!, 1e-10, `D_${t}(s,a)`);
        close(fw.stateActionOccupancy, occupancyOf(b.DSA, st.H, () => 1), 1e-10, "state-action occupancy");
        close(fw.transitionCounts, b.counts, 1e-10, "transition counts");
      }),
      fcParams(150),
    );
  });
});

describe("sums of the marginals", () => {
  it("without terminal entries each D_t sums to 1 and the occupancy to sum_t gamma^t (finite) or 1/(1 - gamma) (infinite)", () => {
    fc.assert(
      fc.property(arbMdp({ terminal: false }), arbSetting, (mdp, st) => {
        const prior = makePrior(st.priorKind, mdp, st.priorSeed);
        const res = solve(mdp, { backup: st.backup, alpha: st.alpha, gamma: st.gamma, horizon: st.H, prior });
        const fw = marginals(mdp, res);
        const sum = (x: ArrayLike<number>) => Array.from(x).reduce((p, q) => p + q, 0);
        for (const D of fw.stateMarginals!) expect(Math.abs(sum(D) - 1)).toBeLessThan(1e-12);
        for (const D of fw.stateActionMarginals!) expect(Math.abs(sum(D) - 1)).toBeLessThan(1e-12);
        let geometric = 0;
        for (let t = 0; t < st.H; t++) geometric += st.gamma ** t;
        expect(Math.abs(sum(fw.stateOccupancy) - geometric)).toBeLessThan(1e-12);
        expect(Math.abs(sum(fw.stateActionOccupancy) - geometric)).toBeLessThan(1e-12);
        if (st.gamma < 1) {
          const inf = solve(mdp, { backup: st.backup === "exact" ? "variational" : st.backup, alpha: st.alpha, gamma: st.gamma, prior });
          const fi = marginals(mdp, inf);
          expect(fi.stateMarginals).toBeNull();
          expect(Math.abs(sum(fi.stateOccupancy) - 1 / (1 - st.gamma))).toBeLessThan(1e-12 / (1 - st.gamma));
          expect(Math.abs(sum(fi.stateActionOccupancy) - 1 / (1 - st.gamma))).toBeLessThan(1e-12 / (1 - st.gamma));
        }
      }),
      fcParams(100),
    );
  });
});

/** The MDP with r(s, a, .) raised by h on every entry of row (s, a) (or on entry k alone). */
function bumped(mdp: MdpArrays, h: number, row: number | null, k: number | null): MdpArrays {
  const reward = Float64Array.from(mdp.reward);
  if (row !== null) for (let j = mdp.rowStart[row]!; j < mdp.rowStart[row + 1]!; j++) reward[j]! += h;
  if (k !== null) reward[k]! += h;
  return { nStates: mdp.nStates, nActions: mdp.nActions, rowStart: mdp.rowStart, next: mdp.next, prob: mdp.prob, reward, done: mdp.done, initial: mdp.initial };
}

const dot = (p: ArrayLike<number>, v: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += p[i]! * v[i]!;
  return s;
};
/** alpha log sum_s p0 exp(V_0/alpha): alpha log Z (finite horizon) or its stationary analogue. */
const alphaLogZ = (p0: ArrayLike<number>, V: ArrayLike<number>, alpha: number) => {
  let mx = -Infinity;
  for (let s = 0; s < p0.length; s++) if (p0[s]! > 0) mx = Math.max(mx, V[s]! / alpha);
  let z = 0;
  for (let s = 0; s < p0.length; s++) if (p0[s]! > 0) z += p0[s]! * Math.exp(V[s]! / alpha - mx);
  return alpha * (mx + Math.log(z));
};

describe("envelope identities (central finite differences, 1e-6 relative)", () => {
  const h = 1e-5;
  const relErr = (fd: number, exact: number) => Math.abs(fd - exact) / Math.max(1e-3, Math.abs(exact));

  it("variational: d (p0 . V_0) / d r(s, a) = the state-action occupancy of q, finite and infinite horizons", () => {
    fc.assert(
      fc.property(arbMdp({ maxStates: 4 }), arbSetting, fc.boolean(), (mdp, st, infinite) => {
        const prior = makePrior(st.priorKind, mdp, st.priorSeed);
        const gamma = infinite ? Math.min(st.gamma, 0.9) : st.gamma;
        const opts = { backup: "variational" as const, alpha: st.alpha, gamma, prior, tol: 1e-14, ...(infinite ? {} : { horizon: st.H }) };
        const fw = marginals(mdp, solve(mdp, opts));
        for (let row = 0; row < mdp.nStates * mdp.nActions; row++) {
          const up = dot(mdp.initial, solve(bumped(mdp, h, row, null), opts).V);
          const down = dot(mdp.initial, solve(bumped(mdp, -h, row, null), opts).V);
          const fd = (up - down) / (2 * h);
          expect(relErr(fd, fw.stateActionOccupancy[row]!), `row ${row}: fd ${fd} vs ${fw.stateActionOccupancy[row]}`).toBeLessThan(1e-6);
        }
      }),
      fcParams(40),
    );
  });

  it("exact: alpha d log Z / d r(s, a, s') = the posterior's expected count of that transition, finite and infinite horizons", () => {
    fc.assert(
      fc.property(arbMdp({ maxStates: 4 }), arbSetting, fc.boolean(), (mdp, st, infinite) => {
        // Infinite horizon: a small discount and no entropy prior keep the exact operator a contraction.
        const prior = makePrior(infinite && st.priorKind === "entropy" ? "uniform" : st.priorKind, mdp, st.priorSeed);
        const gamma = infinite ? Math.min(st.gamma, 0.1) : st.gamma;
        const alpha = infinite ? Math.max(st.alpha, 1) : st.alpha;
        const opts = { backup: "exact" as const, alpha, gamma, prior, tol: 1e-14, ...(infinite ? {} : { horizon: st.H }) };
        const res = solve(mdp, opts);
        const fw = marginals(mdp, res, { from: "posterior" });
        if (!infinite) expect(Math.abs(alphaLogZ(mdp.initial, res.V, alpha) / alpha - res.logZ!)).toBeLessThan(1e-12 * Math.max(1, Math.abs(res.logZ!)));
        for (let k = 0; k < mdp.prob.length; k++) {
          const up = alphaLogZ(mdp.initial, solve(bumped(mdp, h, null, k), opts).V, alpha);
          const down = alphaLogZ(mdp.initial, solve(bumped(mdp, -h, null, k), opts).V, alpha);
          const fd = (up - down) / (2 * h);
          expect(relErr(fd, fw.transitionCounts[k]!), `entry ${k}: fd ${fd} vs ${fw.transitionCounts[k]}`).toBeLessThan(1e-6);
        }
      }),
      fcParams(40),
    );
  });

  it("exact with start p0: d (p0 . V_0) / d r(s, a) = the state-action occupancy of p(tau | s_0, O)", () => {
    fc.assert(
      fc.property(arbMdp({ maxStates: 4 }), arbSetting, (mdp, st) => {
        const prior = makePrior(st.priorKind, mdp, st.priorSeed);
        const opts = { backup: "exact" as const, alpha: st.alpha, gamma: st.gamma, prior, horizon: st.H };
        const fw = marginals(mdp, solve(mdp, opts), { from: "posterior", start: "p0" });
        for (let row = 0; row < mdp.nStates * mdp.nActions; row++) {
          const fd = (dot(mdp.initial, solve(bumped(mdp, h, row, null), opts).V) - dot(mdp.initial, solve(bumped(mdp, -h, row, null), opts).V)) / (2 * h);
          expect(relErr(fd, fw.stateActionOccupancy[row]!), `row ${row}`).toBeLessThan(1e-6);
        }
      }),
      fcParams(40),
    );
  });
});

describe("the forward schedule is read off the trajectory graph", () => {
  it("initial, then prior -> dynamics per slice (unrolled: H slices; stationary: one slice that loops)", () => {
    const spec = { nStates: 2, nActions: 2, gamma: 0.9, hasTerminal: false };
    const unrolled = forwardSchedule(TrajectoryGraph.build({ ...spec, horizon: 3 }));
    expect(unrolled.steps.map((s) => s.kind)).toEqual(["initial", "prior", "dynamics", "prior", "dynamics", "prior", "dynamics"]);
    expect(unrolled.steps.map((s) => s.to[0])).toEqual(["s_0", "a_0", "s_1", "a_1", "s_2", "a_2", "s_3"]);
    const stationary = forwardSchedule(TrajectoryGraph.build(spec));
    expect(stationary.steps.map((s) => s.kind)).toEqual(["initial", "prior", "dynamics"]);
  });

  it("an infinite horizon whose episodes never end (gamma = 1, no terminal entry) is a ConvergenceError, never a number", () => {
    const mdp = TabularMdp.fromLists([[[{ prob: 1, next: 0, reward: -1, done: false }]]]);
    const res = solve(mdp, { gamma: 0.5 });
    expect(() => marginals(mdp, { ...res, gamma: 1 }, { maxIter: 1000 })).toThrow(ConvergenceError);
    expect(marginals(mdp, res).stateOccupancy[0]).toBeCloseTo(2, 13);
  });

  it("the posterior belongs to the exact backup only", () => {
    const mdp = fc.sample(arbMdp(), { numRuns: 1, seed: 1 })[0]!;
    const res = solve(mdp, { horizon: 2 });
    expect(() => marginals(mdp, res, { from: "posterior" })).toThrow(/exact backup/);
  });
});
