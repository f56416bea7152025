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
