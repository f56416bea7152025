/**
 * Todorov's linearly solvable MDPs: the desirability solved in Todorov's notation against message
 * passing and the exact linear solve on the same problem written as an MDP with "action = next
 * state"; the average-cost eigenproblem against the long-run reward of its own optimal control.
 */
import { Matrix, solve as solveLinear } from "ml-matrix";
import { describe, expect, it } from "vitest";
import { ParameterError, PriorError, solve } from "../../src/index.js";
import { exactGrowth, exactLinearSolve } from "../../src/solvers/exact-linear.js";
import { linearlySolvableMdp, lmdpAverageCost, lmdpFirstExit, type LinearlySolvableSpec } from "../../src/solvers/lmdp.js";

/** A 6-state LMDP: a ring with a shortcut, two terminal states, costs of both signs, some moves masked. */
const firstExit: LinearlySolvableSpec = {
  passive: [
    [0.2, 0.5, 0, 0.3, 0, 0],
    [0.1, 0.2, 0.4, 0, 0.3, 0],
    [0, 0.3, 0.3, 0.2, 0, 0.2],
    [0.25, 0, 0.25, 0.25, 0.25, 0],
    [0, 0, 0, 0, 1, 0],
    [0, 0, 0, 0, 0, 1],
  ],
  cost: [0.3, 0.1, 0.5, -0.2, 2, -1],
  terminal: [4, 5],
};

/** An irreducible, aperiodic LMDP without terminal states (average cost). */
const ring: LinearlySolvableSpec = {
  passive: [
    [0.5, 0.5, 0, 0],
    [0, 0.3, 0.7, 0],
    [0.1, 0, 0.4, 0.5],
    [0.6, 0, 0, 0.4],
  ],
  cost: [0.2, 1, -0.3, 0.5],
};

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(1, Math.abs(b));

describe("first-exit LMDP: z = G z solved in Todorov's notation", () => {
  for (const alpha of [0.5, 1, 3]) {
    it(`gives V = alpha log z and u* = the posterior policy of message passing (exact and variational, gamma = 1), alpha = ${alpha}`, () => {
      const sol = lmdpFirstExit(firstExit, alpha);
      const { mdp, prior } = linearlySolvableMdp(firstExit);
      for (const backup of ["exact", "variational"] as const) {
        const res = solve(mdp, { backup, alpha, gamma: 1, prior, tol: 0 });
        for (let s = 0; s < 6; s++) expect(rel(res.V[s]!, alpha * Math.log(sol.z[s]!)), `${backup} V(${s})`).toBeLessThan(1e-9);
        for (let s = 0; s < 4; s++) for (let t = 0; t < 6; t++) expect(Math.abs(res.policy[s * 6 + t]! - sol.control[s * 6 + t]!)).toBeLessThan(1e-9);
      }
      const lin = exactLinearSolve(mdp, { alpha, gamma: 1, prior });
      for (let s = 0; s < 6; s++) expect(rel(lin.V[s]!, -sol.v[s]!)).toBeLessThan(1e-12);
    });
  }

  it("rejects passive rows that are not distributions and costs that are not finite", () => {
    expect(() => linearlySolvableMdp({ passive: [[0.5, 0.4], [0, 1]], cost: [0, 0] })).toThrow(PriorError);
    expect(() => linearlySolvableMdp({ passive: [[1, 0], [0, 1]], cost: [0, Number.NaN] })).toThrow(ParameterError);
    expect(() => linearlySolvableMdp({ passive: [[1, 0], [0, 1]], cost: [0] })).toThrow(/cost/);
  });
});

describe("average-cost LMDP: lambda z = G z", () => {
  it("alpha log lambda is the long-run reward per step of u*: E_mu[-q(s) - alpha KL(u*(.|s) || p(.|s))]", () => {
    for (const alpha of [0.5, 1, 2]) {
      const avg = lmdpAverageCost(ring, alpha);
      const n = 4;
      // Stationary distribution of u*: mu^T (I - U) = 0 with sum mu = 1 (last equation replaced).
      const A = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === n - 1 ? 1 : (i === j ? 1 : 0) - avg.control[j * n + i]!)));
      const b = Array.from({ length: n }, (_, i) => [i === n - 1 ? 1 : 0]);
      const mu = solveLinear(new Matrix(A), new Matrix(b)).to1DArray();
      let gain = 0;
      for (let s = 0; s < n; s++) {
        let kl = 0;
        for (let t = 0; t < n; t++) {
          const u = avg.control[s * n + t]!;
          if (u > 0) kl += u * Math.log(u / ring.passive[s]![t]!);
        }
        gain += mu[s]! * (-ring.cost[s]! - alpha * kl);
      }
      expect(Math.abs(gain - -avg.averageCost)).toBeLessThan(1e-12);
    }
  });

  it("equals the growth rate alpha log rho of exact message passing on the MDP, and the finite-horizon engine's growth per step", () => {
    const alpha = 0.7;
    const avg = lmdpAverageCost(ring, alpha);
    const { mdp, prior } = linearlySolvableMdp(ring);
    const g = exactGrowth(mdp, { alpha, gamma: 1, prior });
    expect(Math.abs(g.growthPerStep! - -avg.averageCost)).toBeLessThan(1e-12);
    for (const backup of ["exact", "variational"] as const) {
      const a = solve(mdp, { backup, alpha, prior, horizon: 400 }).V;
      const b = solve(mdp, { backup, alpha, prior, horizon: 401 }).V;
      for (let s = 0; s < 4; s++) expect(Math.abs(b[s]! - a[s]! - -avg.averageCost)).toBeLessThan(1e-9);
    }
  });
});
