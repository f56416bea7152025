/**
 * A guaranteed answer: for gamma < 1, `tol` is a distance to the fixed point. A converged result's
 * `errorBound` is at most `tol` (or it stalled at rounding level) and bounds its actual distance to
 * the fixed point, computed independently: soft policy iteration (a linear solve per policy) for the
 * variational backup, the linear solve of (I - M) z = b for the exact backup, Jacobi run to rounding
 * for the hard backup. Every schedule and thread count returns an answer within the bound, so any
 * two differ by at most twice the tolerance. With gamma = 1 there is no bound (null).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exactLinearSolve, frozenLakeOpen, randomMdp, softPolicyIteration, solve } from "../../src/index.js";
import { fcParams } from "../support/arbitraries.js";
import { cliSandbox } from "../support/cli.js";

function maxGap(a: Float64Array, b: Float64Array): number {
  let g = 0;
  for (let i = 0; i < b.length; i++) g = Math.max(g, Math.abs(a[i]! - b[i]!));
  return g;
}

const arbCase = fc.record({
  states: fc.integer({ min: 1, max: 30 }),
  actions: fc.integer({ min: 1, max: 4 }),
  successors: fc.integer({ min: 1, max: 4 }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  terminal: fc.constantFrom(0, 0.2),
  alpha: fc.double({ min: 0.1, max: 3, noNaN: true }),
  gamma: fc.double({ min: 0.5, max: 0.98, noNaN: true }),
  tol: fc.constantFrom(1e-4, 1e-7, 1e-9),
});
type Case = typeof arbCase extends fc.Arbitrary<infer T> ? T : never;
const build = (c: Case) => randomMdp({ states: c.states, actions: c.actions, successors: Math.min(c.successors, c.states), seed: c.seed, terminalProbability: c.terminal });

describe("tol is a distance to the fixed point (gamma < 1)", () => {
  it("variational, every schedule, 1 and 2 threads: errorBound <= tol and max |V - V*| <= errorBound, V* by soft policy iteration", () => {
    fc.assert(
      fc.property(arbCase, fc.constantFrom("jacobi" as const, "gauss-seidel" as const, "prioritised" as const), (c, schedule) => {
        const mdp = build(c);
        const star = softPolicyIteration(mdp, { alpha: c.alpha, gamma: c.gamma });
        for (const threads of [1, 2]) {
          const res = solve(mdp, { alpha: c.alpha, gamma: c.gamma, tol: c.tol, schedule, threads, diagnostics: false });
          expect(res.converged).toBe(true);
          expect(res.errorBound).not.toBeNull();
          if (res.stopReason === "tolerance") expect(res.errorBound!).toBeLessThanOrEqual(c.tol);
          // The bound is gamma / (1 - gamma) x the residual.
          expect(res.errorBound!).toBeCloseTo((c.gamma / (1 - c.gamma)) * res.residual, 15);
          // Policy iteration's own answer is exact to ~1e-12 (linear solves).
          expect(maxGap(res.V, star.V)).toBeLessThanOrEqual(res.errorBound! + 1e-11);
          expect(maxGap(res.Q, star.Q)).toBeLessThanOrEqual(res.errorBound! + 1e-11);
        }
      }),
      fcParams(25),
    );
  });

  it("hard: max |V - V*| <= errorBound <= tol, V* by Jacobi run to rounding on one thread", () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const mdp = build(c);
        const star = solve(mdp, { backup: "hard", gamma: c.gamma, tol: 0, schedule: "jacobi", threads: 1, diagnostics: false });
        const res = solve(mdp, { backup: "hard", gamma: c.gamma, tol: c.tol, threads: 2, diagnostics: false });
        expect(res.converged).toBe(true);
        if (res.stopReason === "tolerance") expect(res.errorBound!).toBeLessThanOrEqual(c.tol);
        expect(maxGap(res.V, star.V)).toBeLessThanOrEqual(res.errorBound! + 1e-12);
      }),
      fcParams(25),
    );
  });

  it("exact (on the fused kernel): max |V - V*| <= errorBound <= tol, V* by the linear solve of (I - M) z = b", () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const mdp = build(c);
        // alpha >= 1, gamma <= 0.3, rewards in [-1, 1]: rho <= 0.3 e < 1, a fixed point exists.
        const o = { alpha: Math.max(c.alpha, 1), gamma: Math.min(c.gamma, 0.3) };
        const star = exactLinearSolve(mdp, o);
        const res = solve(mdp, { backup: "exact", ...o, tol: c.tol, threads: 2, diagnostics: false });
        expect(res.converged).toBe(true);
        expect(res.errorBound).not.toBeNull();
        if (res.stopReason === "tolerance") expect(res.errorBound!).toBeLessThanOrEqual(c.tol);
        expect(maxGap(res.V, star.V)).toBeLessThanOrEqual(res.errorBound! + 1e-11);
      }),
      fcParams(25),
    );
  });

  it("the default schedule's answer is the same for 1, 2 and 3 threads within twice the tolerance, and within tol of the fixed point (open 40 x 40 lake)", () => {
    const mdp = frozenLakeOpen(40);
    const o = { alpha: 0.1, gamma: 0.99, diagnostics: false } as const;
    // V*: Jacobi to rounding level (stalled) on one thread, checked against its own bound.
    const star = solve(mdp, { ...o, tol: 0, schedule: "jacobi", threads: 1 });
    expect(star.errorBound!).toBeLessThan(1e-11);
    const runs = [1, 2, 3].map((threads) => solve(mdp, { ...o, tol: 1e-8, threads }));
    for (const r of runs) {
      expect(r.converged).toBe(true);
      expect(r.errorBound!).toBeLessThanOrEqual(1e-8);
      expect(maxGap(r.V, star.V)).toBeLessThanOrEqual(1e-8 + star.errorBound!);
    }
    expect(maxGap(runs[0]!.V, runs[1]!.V)).toBeLessThanOrEqual(2e-8);
    expect(maxGap(runs[0]!.V, runs[2]!.V)).toBeLessThanOrEqual(2e-8);
    // The default schedule is prioritised (fewer sweeps than Jacobi to the same guarantee).
    const jacobi = solve(mdp, { ...o, tol: 1e-8, schedule: "jacobi", threads: 1 });
    expect(jacobi.errorBound!).toBeLessThanOrEqual(1e-8);
    expect(runs[0]!.iterations).toBeLessThan(jacobi.iterations);
  });

  it("with gamma = 1 (no contraction) the error bound is null and tol bounds the residual", () => {
    const mdp = randomMdp({ states: 6, actions: 2, successors: 2, seed: 3, terminalProbability: 0.5 });
    const res = solve(mdp, { alpha: 1, gamma: 1, tol: 1e-9, diagnostics: false });
    expect(res.errorBound).toBeNull();
    expect(res.residual).toBeLessThanOrEqual(1e-9);
  });

  it("a finite horizon is exact: errorBound 0", () => {
    const res = solve(randomMdp({ states: 4, actions: 2, successors: 2, seed: 1 }), { horizon: 5, diagnostics: false });
    expect(res.errorBound).toBe(0);
  });
});

describe("cai solve --json reports error_bound beside residual", () => {
  const box = cliSandbox();
  it("error_bound = gamma / (1 - gamma) x residual <= --tol", () => {
    const r = box.cai(["env", "frozenlake"]);
    expect(r.status, r.stderr).toBe(0);
    box.file("lake.json", r.stdout);
    const s = box.cai(["solve", "lake.json", "--gamma", "0.9", "--tol", "1e-9", "--json"]);
    expect(s.status, s.stderr).toBe(0);
    const j = JSON.parse(s.stdout) as { residual: number; error_bound: number; converged: boolean };
    expect(j.converged).toBe(true);
    expect(j.error_bound).toBeLessThanOrEqual(1e-9);
    expect(j.error_bound).toBeCloseTo((0.9 / 0.1) * j.residual, 15);
  });
});
