/**
 * The Perron-Frobenius growth rate alpha log rho(M) of exact message passing, where the exact
 * backup has no fixed point: closed forms on small chains, per-state rates on reducible chains, the
 * finite-horizon engine's per-step growth, and the growth the engine reports with NoFixedPointError.
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { describe, expect, it } from "vitest";
import { NoFixedPointError, RunError, TabularMdp, solve, type TransitionEntry } from "../../src/index.js";
import { exactGrowth, exactLinearSolve } from "../../src/solvers/exact-linear.js";

const E = (prob: number, next: number, reward: number, done = false): TransitionEntry => ({ prob, next, reward, done });

/** Two states, two actions, every entry live and every pair of states linked: M is positive (irreducible, aperiodic). */
const mixing = TabularMdp.fromLists([
  [[E(0.5, 0, 1), E(0.5, 1, 0.5)], [E(1, 1, 0.2)]],
  [[E(0.3, 0, 0.8), E(0.7, 1, 1.5)], [E(1, 0, 0)]],
]);

/** A 2-cycle: 0 -> 1 with reward 2, 1 -> 0 with reward 0 (period 2). */
const cycle = TabularMdp.fromLists([[[E(1, 1, 2)]], [[E(1, 0, 0)]]]);

/** The dense M of the exact operator with a uniform prior, for an independent eigen-solve in the test. */
function denseM(mdp: TabularMdp, alpha: number, gamma: number): number[][] {
  const n = mdp.nStates;
  const m = mdp.nActions;
  const M = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let s = 0; s < n; s++) {
    for (let a = 0; a < m; a++) {
      for (const e of mdp.entries(s, a)) if (!e.done) M[s]![e.next]! += (1 / m) * e.prob * Math.exp(e.reward / alpha) * gamma;
    }
  }
  return M;
}

describe("the growth rate alpha log rho in closed form", () => {
  it("one state looping on itself with reward r: rho = gamma e^{r/alpha}, growth r + alpha log gamma", () => {
    const loop = TabularMdp.fromLists([[[E(1, 0, 1.5)]]]);
    for (const [alpha, gamma] of [[1, 1], [0.5, 0.9], [2, 0.3]] as const) {
      const g = exactGrowth(loop, { alpha, gamma });
      expect(g.spectralRadius).toBeCloseTo(gamma * Math.exp(1.5 / alpha), 12);
      expect(g.growthPerStep!).toBeCloseTo(1.5 + alpha * Math.log(gamma), 12);
    }
  });

  it("a 2-cycle with rewards 2 and 0 grows by the cycle's mean reward, 1 per step (rho = e with alpha = 1)", () => {
    const g = exactGrowth(cycle, { alpha: 1, gamma: 1 });
    expect(g.spectralRadius).toBeCloseTo(Math.E, 12);
    expect(g.growthPerStep!).toBeCloseTo(1, 12);
    // The finite-horizon engine agrees: V_0 grows by exactly 2 every two steps.
    const v100 = solve(cycle, { backup: "exact", horizon: 100 }).V[0]!;
    const v200 = solve(cycle, { backup: "exact", horizon: 200 }).V[0]!;
    expect((v200 - v100) / 100).toBeCloseTo(1, 12);
  });

  it("is null (rho = 0) when no cycle of live entries exists: every trajectory ends within n steps", () => {
    const chain = TabularMdp.fromLists([[[E(1, 1, 5)]], [[E(1, 2, 5)]], [[E(1, 2, 5, true)]]]);
    const g = exactGrowth(chain, { alpha: 1, gamma: 1 });
    expect(g.logSpectralRadius).toBeNull();
    expect(g.spectralRadius).toBe(0);
    expect(g.growthPerStep).toBeNull();
  });

  it("on a reducible chain, a state grows at the rate of the fastest class it can reach", () => {
    // 0 loops (reward 1, p 0.5) or moves to 1; 1 loops with reward 2; 2 loops with reward 0.5 and cannot leave.
    const mdp = TabularMdp.fromLists([[[E(0.5, 0, 1), E(0.5, 1, 0)]], [[E(1, 1, 2)]], [[E(1, 2, 0.5)]]]);
    const g = exactGrowth(mdp, { alpha: 1, gamma: 1 });
    expect(g.logRadiusByState[0]).toBeCloseTo(2, 12);
    expect(g.logRadiusByState[1]).toBeCloseTo(2, 12);
    expect(g.logRadiusByState[2]).toBeCloseTo(0.5, 12);
    expect(g.classes.map((c) => c.states)).toEqual(expect.arrayContaining([[0], [1], [2]]));
    expect(g.classes.find((c) => c.states[0] === 0)!.logSpectralRadius).toBeCloseTo(1 + Math.log(0.5), 12);
  });
});

describe("growth measured on exact message passing", () => {
  it("the finite-horizon engine's V_0 grows by alpha log rho per extra step (gamma = 1, positive M)", () => {
    for (const alpha of [0.5, 1, 2]) {
      const g = exactGrowth(mixing, { alpha, gamma: 1 });
      const a = solve(mixing, { backup: "exact", alpha, horizon: 300 }).V;
      const b = solve(mixing, { backup: "exact", alpha, horizon: 301 }).V;
      for (let s = 0; s < 2; s++) expect(Math.abs(b[s]! - a[s]! - g.growthPerStep!)).toBeLessThan(1e-9 * g.growthPerStep!);
    }
  });

  it("falls without bound at alpha log rho < 0 when no episode ends and rewards are negative (gamma = 1)", () => {
    const neg = TabularMdp.fromLists([
      [[E(0.5, 0, -1), E(0.5, 1, -0.5)], [E(1, 1, -0.2)]],
      [[E(0.3, 0, -0.8), E(0.7, 1, -1.5)], [E(1, 0, -2)]],
    ]);
    const g = exactGrowth(neg, { alpha: 1, gamma: 1 });
    expect(g.growthPerStep!).toBeLessThan(0);
    const a = solve(neg, { backup: "exact", horizon: 300 }).V;
    const b = solve(neg, { backup: "exact", horizon: 301 }).V;
    expect(Math.abs(b[0]! - a[0]! - g.growthPerStep!)).toBeLessThan(1e-9 * Math.abs(g.growthPerStep!));
    // Neither a fixed point nor rho >= 1: the linear solve says which.
    expect(() => exactLinearSolve(neg, { alpha: 1, gamma: 1 })).toThrow(RunError);
    expect(() => exactLinearSolve(neg, { alpha: 1, gamma: 1 })).toThrow(/falls without bound/);
  });

  it("equals the growth per step and spectral radius that the engine reports with NoFixedPointError, to 1e-9", () => {
    // Tolerance: after k sweeps the engine's residual max|Q_k - Q_k-1| is alpha log rho + O((|lambda_2| / rho)^k);
    // it decides at k >= 128 sweeps, and here |lambda_2| / rho <= 0.5 (checked below), so that term is
    // below 1e-38; what remains is rounding in differences of values of size ~128 * growth, ~1e-13 relative.
    for (const [alpha, gamma] of [[0.5, 1], [1, 1], [2, 1], [0.5, 0.9], [1, 0.9], [2, 0.9]] as const) {
      const ev = new EigenvalueDecomposition(new Matrix(denseM(mixing, alpha, gamma)));
      const mods = ev.realEigenvalues.map((re, i) => Math.hypot(re, ev.imaginaryEigenvalues[i]!)).sort((x, y) => y - x);
      expect(mods[1]! / mods[0]!).toBeLessThanOrEqual(0.5);
      const g = exactGrowth(mixing, { alpha, gamma });
      expect(g.spectralRadius).toBeGreaterThan(1);
      expect(Math.abs(g.spectralRadius - mods[0]!)).toBeLessThan(1e-12 * mods[0]!);
      let thrown: unknown;
      try {
        solve(mixing, { backup: "exact", alpha, gamma });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(NoFixedPointError);
      const err = thrown as NoFixedPointError;
      expect(Math.abs(err.growthPerStep - g.growthPerStep!)).toBeLessThan(1e-9 * g.growthPerStep!);
      expect(Math.abs(err.spectralRadius - g.spectralRadius)).toBeLessThan(1e-9 * g.spectralRadius);
    }
  });

  it("detects no fixed point on a periodic part beside a converging state (gamma < 1): rho = gamma sqrt(e^{r/alpha})", () => {
    // State 0 loops with reward 0 (converges to V = 0); states 1 and 2 form a 2-cycle whose reward sits
    // on one edge, so the Jacobi iterates alternate and a one-sweep ratio test cannot see the growth.
    // rho = sqrt(gamma^2 e^{r/alpha}) = 1.5635 > 1 (found by fast-check, seed -1751519714).
    const r = 0.2680327688087535;
    const alpha = 0.2;
    const gamma = 0.8;
    const mdp = TabularMdp.fromLists([[[E(1, 0, 0)]], [[E(1, 2, r)]], [[E(1, 1, -1.1605494343314152e-12)]]]);
    const rho = gamma * Math.sqrt(Math.exp((r - 1.1605494343314152e-12) / alpha));
    expect(Math.abs(exactGrowth(mdp, { alpha, gamma }).spectralRadius - rho)).toBeLessThan(1e-9 * rho);
    let err: unknown;
    try {
      solve(mdp, { backup: "exact", alpha, gamma });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NoFixedPointError);
    expect(Math.abs((err as NoFixedPointError).spectralRadius - rho)).toBeLessThan(1e-6 * rho);
  });
});
