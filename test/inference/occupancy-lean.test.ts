/**
 * The lean occupancy (occupancy.ts worklistOccupancy: pushing mass from a work list, two n-vectors)
 * that the infinite-horizon diagnostics take when the policy's merged matrix and the Krylov solve
 * would not fit their memory budget (limits.ts diagnosticsMemoryBudget). Its check against a dense
 * linear solve (ml-matrix) shares occupancy.test.ts's property with the Krylov solve; here: its
 * sweep cap, evaluateInfinite's ELBO and occupancy on either path (memoryBudget 0 forces the lean
 * one), the policy rows from Q and V, and the budget.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { entropyPrior, frozenLakeOpen, randomMdp, solve, tablePrior, uniformPrior } from "../../src/index.js";
import { maxSemiring, policyRowsFromValues, temperedSemiring } from "../../src/inference/rules/actions.js";
import { evaluateInfinite, occupancyTolerance } from "../../src/inference/evaluate.js";
import { mergedEntries, occupancySolveBytes, policyMatrix, worklistOccupancy } from "../../src/inference/occupancy.js";
import { diagnosticsMemoryBudget, tableBytes } from "../../src/limits.js";
import { fcParams } from "../support/arbitraries.js";
import { l1, randomPolicy, sum } from "../support/occupancy.js";

describe("lean occupancy (work list)", () => {
  it("gives up (null) after maxPushes pushes, leaving the caller to say so", () => {
    const mdp = frozenLakeOpen(10);
    expect(worklistOccupancy(mdp, randomPolicy(100, 4, 1), 0.99, 1e-10, 50)).toBeNull();
  });

  it("evaluateInfinite gives the same ELBO and occupancy on the lean path (memoryBudget 0) as on the Krylov path", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 50 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 100000 }), fc.double({ min: 0.5, max: 0.99, noNaN: true }), (n, m, seed, gamma) => {
        const mdp = randomMdp({ states: n, actions: m, successors: Math.min(4, n), seed, terminalProbability: 0.1 });
        const q = randomPolicy(n, m, seed);
        const prior = uniformPrior(n, m);
        const fast = evaluateInfinite(mdp, prior, 0.3, gamma, q, { tol: 1e-10, maxIter: 100000 });
        const lean = evaluateInfinite(mdp, prior, 0.3, gamma, q, { tol: 1e-10, maxIter: 100000, memoryBudget: 0 });
        const rel = occupancyTolerance(1e-10);
        expect(l1(lean.occupancy!, fast.occupancy!)).toBeLessThanOrEqual(2 * rel * sum(fast.occupancy!) + 1e-13 / (1 - gamma));
        // Both ELBOs are p0 . V^q within gamma / (1 - gamma) x their last change of 1e-10 / alpha.
        expect(Math.abs(lean.elbo! - fast.elbo!)).toBeLessThanOrEqual(2e-10 / 0.3 + 1e-12 * Math.abs(fast.elbo!));
      }),
      fcParams(80),
    );
  });

  it("the budget: the Krylov path's bytes are counted from the merged entries; a 4-million-state lake takes the lean path, a million-state one the Krylov path", () => {
    const mdp = frozenLakeOpen(8);
    const q = randomPolicy(64, 4, 2);
    const M = policyMatrix(mdp, q, 0.9);
    expect(mergedEntries(mdp, q)).toBe(M.start[64]);
    // The open lake's rows: 12 entries per state, merged to at most 4 neighbours.
    const bytes = (N: number) => occupancySolveBytes(N * N, 4 * N * N);
    const budget = (N: number) => diagnosticsMemoryBudget(4 * N * N, 12 * (N * N - 1) + 4);
    expect(bytes(1000)).toBeLessThanOrEqual(budget(1000));
    expect(bytes(2000)).toBeGreaterThan(budget(2000));
    expect(budget(2000)).toBe(tableBytes(4 * 2000 * 2000, 12 * (2000 * 2000 - 1) + 4) / 2);
  });

  it("policy rows from Q and V equal the action rule's policy table (tempered and max; uniform, entropy and masked table priors)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 100000 }), fc.double({ min: 0.01, max: 10, noNaN: true }), fc.constantFrom("uniform", "entropy", "table"), (n, m, seed, alpha, kind) => {
        let x = seed + 3;
        const rnd = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
        const Q = Float64Array.from({ length: n * m }, () => (rnd() - 0.5) * 10);
        // Ties for the max rule: some actions share their state's best value.
        for (let s = 0; s < n; s++) if (m > 1 && rnd() < 0.3) Q[s * m + 1] = Q[s * m]!;
        const rows = Array.from({ length: n }, () => {
          const w = Array.from({ length: m }, (_, a) => (a > 0 && rnd() < 0.3 ? 0 : 0.1 + rnd()));
          const t = w.reduce((u, v) => u + v, 0);
          return w.map((v) => v / t);
        });
        const prior = kind === "uniform" ? uniformPrior(n, m) : kind === "entropy" ? entropyPrior(n, m) : tablePrior(rows, n, m);
        for (const rule of [temperedSemiring, maxSemiring]) {
          const V = new Float64Array(n);
          const table = new Float64Array(n * m);
          rule.apply(Q, prior, alpha, V, table);
          const row = policyRowsFromValues(rule.kind, Q, V, prior, alpha)!;
          const out = new Float64Array(m);
          for (let s = 0; s < n; s++) {
            row(s, out);
            for (let a = 0; a < m; a++) expect(Math.abs(out[a]! - table[s * m + a]!), `${rule.name} state ${s} action ${a}`).toBeLessThanOrEqual(1e-13);
          }
        }
        expect(policyRowsFromValues(null, Q, new Float64Array(n), prior, alpha)).toBeNull();
      }),
      fcParams(100),
    );
  });

  it("on the lean path with rows, the diagnostics never build the policy's table, and agree with the Krylov path", () => {
    const mdp = randomMdp({ states: 60, actions: 3, successors: 4, seed: 5, terminalProbability: 0.05 });
    const res = solve(mdp, { alpha: 0.4, gamma: 0.95, diagnostics: false });
    const prior = uniformPrior(60, 3);
    let built = 0;
    const source = {
      table: () => {
        built++;
        return res.policy;
      },
      row: policyRowsFromValues("tempered", res.Q, res.V, prior, 0.4),
    };
    const lean = evaluateInfinite(mdp, prior, 0.4, 0.95, source, { tol: 1e-10, maxIter: 100000, start: res.V, memoryBudget: 0 });
    expect(built).toBe(0);
    const fast = evaluateInfinite(mdp, prior, 0.4, 0.95, res.policy, { tol: 1e-10, maxIter: 100000, start: res.V });
    expect(l1(lean.occupancy!, fast.occupancy!)).toBeLessThanOrEqual(2 * occupancyTolerance(1e-10) * sum(fast.occupancy!));
    expect(Math.abs(lean.elbo! - fast.elbo!)).toBeLessThanOrEqual(2e-10 / 0.4 + 1e-12 * Math.abs(fast.elbo!));
  });
});
