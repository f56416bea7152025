/**
 * The exact backup stopped by maxIter before it converges: on the exp-space kernel the growth test
 * at the end costs nothing beyond the last sweep (its log-space passes cost about 40 kernel sweeps
 * each, issue 14): the last sweep's bound decides when it is below 1, else the result says the
 * question is undecided. The rule loop (no kernel) still runs the log-space test.
 */
import { describe, expect, it, vi } from "vitest";

vi.mock("../../src/inference/growth.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/inference/growth.js")>();
  return { ...real, exactLogGrowthLowerBound: vi.fn(real.exactLogGrowthLowerBound), exactLogSpectralRadius: vi.fn(real.exactLogSpectralRadius) };
});

const growth = await import("../../src/inference/growth.js");
const { NoFixedPointError, TabularMdp, frozenLakeOpen, randomMdp, solve } = await import("../../src/index.js");
const lower = growth.exactLogGrowthLowerBound as unknown as ReturnType<typeof vi.fn>;
const power = growth.exactLogSpectralRadius as unknown as ReturnType<typeof vi.fn>;

/** The NoFixedPointError that `solve(mdp, options)` throws (the test fails when it throws none, or another). */
function noFixedPoint(mdp: Parameters<typeof solve>[0], options: Parameters<typeof solve>[1]): InstanceType<typeof NoFixedPointError> {
  let err: unknown;
  try {
    solve(mdp, options);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(NoFixedPointError);
  return err as InstanceType<typeof NoFixedPointError>;
}

describe("the growth test after maxIter", () => {
  it("on the exp-space kernel: no log-space pass; undecided (bound >= 1) is said with the bound and the sweeps run", () => {
    lower.mockClear();
    power.mockClear();
    const res = solve(frozenLakeOpen(30), { backup: "exact", alpha: 0.1, gamma: 0.99, maxIter: 50, diagnostics: false });
    expect(res.converged).toBe(false);
    expect(res.iterations).toBe(50);
    expect(lower).not.toHaveBeenCalled();
    expect(power).not.toHaveBeenCalled();
    expect(res.warnings.some((w) => /^whether a fixed point exists is undecided after 50 sweeps: the last sweep's bound on the growth rate \([0-9.]+\) is not below 1/.test(w))).toBe(true);
  });

  it("on the exp-space kernel: a last-sweep bound below 1 settles it (no warning about it), still with no log-space pass", () => {
    lower.mockClear();
    power.mockClear();
    // alpha >= 1, gamma <= 0.25, rewards in [-1, 1]: rho <= 0.25 e < 1, and each sweep's bound too.
    const mdp = randomMdp({ states: 50, actions: 3, successors: 4, seed: 3, terminalProbability: 0.1 });
    const res = solve(mdp, { backup: "exact", alpha: 1, gamma: 0.25, maxIter: 3, tol: 1e-15, diagnostics: false });
    expect(res.converged).toBe(false);
    expect(res.warnings.some((w) => w.startsWith("whether a fixed point exists"))).toBe(false);
    expect(lower).not.toHaveBeenCalled();
    expect(power).not.toHaveBeenCalled();
  });
});

describe("the growth test during a run", () => {
  it("catches growth on a periodic chain, whose residual cycles and drifts down slowly, long before maxIter", () => {
    // A deterministic 3-cycle with a reward on one edge: rho = 12.02, and the residual cycles with
    // period 3 while it drifts towards alpha log rho like 1 / sweeps (found by a property test).
    const mdp = TabularMdp.fromArrays({
      nStates: 3,
      nActions: 2,
      rowStart: Int32Array.from([0, 1, 2, 3, 4, 5, 6]),
      next: Int32Array.from([1, 2, 0, 0, 0, 1]),
      prob: Float64Array.from([1, 1, 1, 1, 1, 1]),
      reward: Float64Array.from([0, 0, 0, 0, 1.3606595753426105, 0]),
      done: Uint8Array.from([0, 0, 0, 0, 0, 0]),
      initial: Float64Array.from([1 / 3, 1 / 3, 1 / 3]),
    });
    let err: unknown;
    const sweeps: number[] = [];
    try {
      solve(mdp, { backup: "exact", alpha: 0.2, gamma: 0.8, onSweep: (k) => void sweeps.push(k) });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NoFixedPointError);
    expect((err as InstanceType<typeof NoFixedPointError>).spectralRadius).toBeCloseTo(12.0192, 3);
    expect(Math.max(...sweeps)).toBeLessThanOrEqual(1000);
  });
});

describe("the growth rate reported once growth is proven", () => {
  // rho of the open 30 x 30 lake's exact operator with the entropy prior (alpha 1, gamma 0.99): the
  // shifted power iteration settles to rounding (1e-13) only after 8933 steps (its second eigenvalue
  // is about 0.997 rho), computed once with a budget of 20 000 steps.
  const RHO_30 = 3.9594541802376573;

  it("within its budget (about 2^24 entry visits) it reports proven bounds around rho instead of iterating for seconds", () => {
    power.mockClear();
    const e = noFixedPoint(frozenLakeOpen(30), { backup: "exact", alpha: 1, gamma: 0.99, entropy: true, diagnostics: false });
    const mdp30 = frozenLakeOpen(30);
    const nnz = mdp30.rowStart[mdp30.nStates * mdp30.nActions]!;
    // The report's power iteration: at most 2^24 / nnz steps (the growth tests before it: 4 each).
    const budgets = power.mock.calls.map((c) => c[6] as number);
    expect(Math.max(...budgets)).toBe(Math.floor(2 ** 24 / nnz));
    expect(e.spectralRadiusLower).toBeLessThanOrEqual(RHO_30);
    expect(e.spectralRadiusUpper).toBeGreaterThanOrEqual(RHO_30);
    expect(e.spectralRadiusUpper - e.spectralRadiusLower).toBeLessThan(1e-3);
    expect(e.spectralRadiusLower).toBeLessThanOrEqual(e.spectralRadius);
    expect(e.spectralRadius).toBeLessThanOrEqual(e.spectralRadiusUpper);
    expect(e.growthPerStepLower).toBeCloseTo(Math.log(e.spectralRadiusLower), 12);
    expect(e.growthPerStepUpper).toBeCloseTo(Math.log(e.spectralRadiusUpper), 12);
    expect(e.message).toMatch(/spectral radius (between 3\.95\d+ and 3\.9\d+|3\.95\d+) >= 1 \(proven (bounds|to the digits shown): the power iteration for its value stopped after \d+ steps\)/);
  });

  it("where the bounds meet (to 1e-12), the bounds are rho itself and the message gives it alone", () => {
    // Two states, each moving to the other or staying with reward 1 (rho = 2 gamma e = 5.43656...).
    const mdp = TabularMdp.fromArrays({
      nStates: 2,
      nActions: 2,
      rowStart: Int32Array.from([0, 1, 2, 3, 4]),
      next: Int32Array.from([1, 0, 0, 1]),
      prob: Float64Array.from([1, 1, 1, 1]),
      reward: Float64Array.from([1, 1, 1, 1]),
      done: Uint8Array.from([0, 0, 0, 0]),
      initial: Float64Array.from([0.5, 0.5]),
    });
    const e = noFixedPoint(mdp, { backup: "exact", alpha: 1, gamma: 0.99, entropy: true, diagnostics: false });
    expect(e.spectralRadiusLower).toBe(e.spectralRadius);
    expect(e.spectralRadiusUpper).toBe(e.spectralRadius);
    expect(e.growthPerStepLower).toBe(e.growthPerStep);
    expect(Math.abs(e.spectralRadius - 2 * 0.99 * Math.E)).toBeLessThan(1e-11);
    expect(e.message).not.toContain("between");
    expect(e.message).not.toContain("proven");
  });

  it("exactLogSpectralRadius's bounds bracket the settled value wherever it stops", () => {
    const mdp = frozenLakeOpen(30);
    const prior = { probs: new Float64Array(900 * 4).fill(0.25), logMass: new Float64Array(900).fill(Math.log(4)) };
    const V = new Float64Array(900).fill(0);
    for (const budget of [8, 64, 512]) {
      const b = { logLower: -Infinity, logUpper: Infinity, steps: 0 };
      const got = growth.exactLogSpectralRadius(mdp, prior as never, 1, 0.99, V, Math.log(3.9), budget, b);
      expect(Number.isNaN(got)).toBe(true);
      expect(b.steps).toBe(budget);
      expect(b.logLower).toBeLessThanOrEqual(Math.log(RHO_30) + 1e-12);
      expect(b.logUpper).toBeGreaterThanOrEqual(Math.log(RHO_30) - 1e-12);
    }
  });
  it("a flat upper bound is not taken for rho: on the open 50 x 50 lake it stays at 4 gamma while rho is below it (it was reported as rho, 3.96000)", () => {
    const e = noFixedPoint(frozenLakeOpen(50), { backup: "exact", alpha: 1, gamma: 0.99, entropy: true, diagnostics: false });
    expect(e.spectralRadiusUpper).toBeLessThanOrEqual(3.96 + 1e-12);
    expect(e.spectralRadiusLower).toBeGreaterThan(3.95);
    expect(e.spectralRadiusLower).toBeLessThan(e.spectralRadiusUpper);
    expect(e.message).toMatch(/between 3\.95\d+ and 3\.96000/);
  });
});