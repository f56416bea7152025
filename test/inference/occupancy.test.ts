/**
 * The occupancy solve for gamma < 1 (occupancy.ts: BiCGSTAB on the symmetric Gauss-Seidel split
 * system) against a dense linear solve (ml-matrix) of d = (I - gamma P_q^T)^-1 p0 and against
 * pushing mass (evaluate.ts, the earlier method), on random MDPs and policies and on an open lake
 * started in one corner (the case where pushing needs thousands of sweeps). Its stated guarantee:
 * sum_s |d - d_q| <= occupancyTolerance(tol) x sum_s d, and the reported bound holds.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { frozenLakeOpen, randomMdp, uniformPrior, type MdpArrays } from "../../src/index.js";
import { evaluateInfinite, occupancyTolerance, pushOccupancy } from "../../src/inference/evaluate.js";
import { policyMatrix, solveOccupancy, worklistOccupancy } from "../../src/inference/occupancy.js";
import { fcParams } from "../support/arbitraries.js";
import { denseOccupancy, l1, randomPolicy, sum } from "../support/occupancy.js";

describe("occupancy solve (gamma < 1)", () => {
  it("equals the dense linear solve within its stated relative L1 tolerance, and its bound holds, on random MDPs and policies (the Krylov solve and the lean work list)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 100000 }),
        fc.double({ min: 0.3, max: 0.999, noNaN: true }),
        fc.constantFrom(1e-6, 1e-10, 1e-13),
        fc.boolean(),
        (n, m, seed, gamma, relTol, zeros) => {
          const mdp = randomMdp({ states: n, actions: m, successors: Math.min(3, n), seed, terminalProbability: seed % 3 === 0 ? 0 : 0.2 });
          const q = randomPolicy(n, m, seed, zeros);
          const d = denseOccupancy(mdp, q, gamma);
          // The dense solve's own rounding: a few ulps of each entry's magnitude, summed.
          const rounding = 1e-14 * sum(d) / (1 - gamma);
          for (const solved of [solveOccupancy(policyMatrix(mdp, q, gamma), mdp.initial, gamma, relTol, 10000), worklistOccupancy(mdp, q, gamma, relTol, 1e9)]) {
            expect(solved).not.toBeNull();
            const err = l1(solved!.d, d);
            expect(err).toBeLessThanOrEqual(relTol * sum(solved!.d) + rounding);
            expect(err).toBeLessThanOrEqual(solved!.errorBound + rounding);
            expect(solved!.d.every((x) => x >= 0)).toBe(true);
          }
        },
      ),
      fcParams(120),
    );
  });

  it("agrees with pushing mass (the earlier method) within both methods' bounds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 60 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 100000 }), fc.double({ min: 0.5, max: 0.99, noNaN: true }), (n, m, seed, gamma) => {
        const mdp = randomMdp({ states: n, actions: m, successors: Math.min(4, n), seed, terminalProbability: 0.1 });
        const q = randomPolicy(n, m, seed);
        const pushed = pushOccupancy(mdp, q, gamma, 100000)!;
        const solved = solveOccupancy(policyMatrix(mdp, q, gamma), mdp.initial, gamma, 1e-12, 10000)!;
        // Rounding: both sum terms that add up to sum(d) <= 1 / (1 - gamma) over about 1 / (1 - gamma) steps.
        expect(l1(pushed, solved.d)).toBeLessThanOrEqual(solved.errorBound + 1e-16 / (1 - gamma) + (1e-15 * sum(pushed)) / (1 - gamma));
      }),
      fcParams(80),
    );
  });

  it("without terminal entries it sums to 1 / (1 - gamma); an open lake started in a corner (gamma 0.999) matches the dense solve state by state", () => {
    for (const gamma of [0.9, 0.99, 0.999]) {
      const mdp = frozenLakeOpen(12);
      const n = mdp.nStates;
      const q = randomPolicy(n, mdp.nActions, 3);
      const relTol = occupancyTolerance(1e-10);
      const ev = evaluateInfinite(mdp, uniformPrior(n, mdp.nActions), 0.1, gamma, q, { tol: 1e-10, maxIter: 100000 });
      const d = denseOccupancy(mdp, q, gamma);
      const err = l1(ev.occupancy!, d);
      expect(err).toBeLessThanOrEqual(relTol * sum(d) + 1e-14 * sum(d));
      expect(err).toBeLessThanOrEqual(ev.occupancyErrorBound! + 1e-14 * sum(d));
      // The goal's entries are done: the mass that reaches it leaves; the rest of the sum is 1 / (1 - gamma).
      const noGoal = randomMdp({ states: 50, actions: 3, successors: 4, seed: 11 });
      const qq = randomPolicy(50, 3, 5);
      const e2 = evaluateInfinite(noGoal, uniformPrior(50, 3), 0.1, gamma, qq, { tol: 1e-10, maxIter: 100000 });
      expect(Math.abs(sum(e2.occupancy!) - 1 / (1 - gamma))).toBeLessThanOrEqual(relTol / (1 - gamma) + 1e-13 / (1 - gamma));
    }
  });

  it("a state entered only through done entries (and not at the start) has occupancy exactly 0", () => {
    // 0 -> 1 (done) or 0 -> 0; state 1 is never occupied; p0 on state 0 only.
    const mdp = {
      nStates: 2,
      nActions: 1,
      rowStart: Int32Array.from([0, 2, 3]),
      next: Int32Array.from([1, 0, 1]),
      prob: Float64Array.from([0.5, 0.5, 1]),
      reward: new Float64Array(3),
      done: Uint8Array.from([1, 0, 0]),
      initial: Float64Array.from([1, 0]),
    } as unknown as MdpArrays;
    const q = Float64Array.from([1, 1]);
    const solved = solveOccupancy(policyMatrix(mdp, q, 0.9), mdp.initial, 0.9, 1e-13, 100)!;
    expect(solved.d[1]).toBe(0);
    expect(Math.abs(solved.d[0]! - 1 / (1 - 0.45))).toBeLessThanOrEqual(1e-13 * 2);
  });
});

describe("gamma = 1: pushing mass, as before", () => {
  it("a proper policy (every episode ends) gets the dense solve's occupancy; an improper one (a cycle with no exit) gets null", () => {
    let compared = 0;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 100000 }), (n, m, seed) => {
        const mdp = randomMdp({ states: n, actions: m, successors: Math.min(3, n), seed, terminalProbability: 0.5 });
        const q = randomPolicy(n, m, seed);
        let d: number[];
        try {
          d = denseOccupancy(mdp, q, 1);
        } catch {
          return; // singular: some states (maybe unreached) never end their episodes
        }
        // Numerically singular (a loop kept with probability 1 - 1e-16): also improper.
        if (!d.every((x) => Number.isFinite(x) && Math.abs(x) < 1e6)) return;
        const ev = evaluateInfinite(mdp, uniformPrior(n, m), 0.5, 1, q, { tol: 1e-12, maxIter: 100000 });
        expect(ev.occupancy).not.toBeNull();
        for (let s = 0; s < n; s++) expect(Math.abs(ev.occupancy![s]! - d[s]!), `state ${s}`).toBeLessThanOrEqual(1e-9 * Math.max(1, d[s]!));
        compared++;
      }),
      fcParams(60),
    );
    expect(compared).toBeGreaterThan(20);
    const cycle = randomMdp({ states: 5, actions: 2, successors: 2, seed: 4 }); // no done entries
    const ev = evaluateInfinite(cycle, uniformPrior(5, 2), 0.5, 1, randomPolicy(5, 2, 1), { tol: 1e-12, maxIter: 500 });
    expect(ev.occupancy).toBeNull();
    expect(ev.elbo).toBeNull();
  });
});
