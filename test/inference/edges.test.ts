/**
 * Reference values and edge cases of the engine: ties and masks in max-product, priors that mask
 * actions, no fixed point in exact mode, strict mode, extreme rewards and long horizons, tiny values
 * (the log1p form), the posterior dynamics.
 */
import { describe, expect, it } from "vitest";
import {
  ConvergenceError,
  NoFixedPointError,
  ParameterError,
  PriorError,
  TabularMdp,
  posteriorDynamics,
  solve,
  tablePrior,
  trappedStates,
  uniformPrior,
} from "../../src/index.js";
import { gamble } from "../support/fixtures.js";

/** One state, three actions ending the episode with rewards r[a]. */
const bandit = (r: number[]) => TabularMdp.fromLists([r.map((x) => [{ prob: 1, next: 0, reward: x, done: true }])]);

describe("max-product (hard)", () => {
  it("actions within 1e-9 max(1, |best Q|) of the best share the policy in proportion to pi0", () => {
    const mdp = bandit([1, 1 - 5e-10, 0.5]);
    const prior = tablePrior([[0.2, 0.6, 0.2]], 1, 3);
    const res = solve(mdp, { backup: "hard", horizon: 1, prior });
    expect(res.policy[0]).toBeCloseTo(0.25, 15);
    expect(res.policy[1]).toBeCloseTo(0.75, 15);
    expect(res.policy[2]).toBe(0);
    expect(res.V[0]).toBe(1);
  });

  it("a gap larger than the tie width is not a tie", () => {
    const res = solve(bandit([1, 1 - 1e-8, 0.5]), { backup: "hard", horizon: 1 });
    expect(Array.from(res.policy)).toEqual([1, 0, 0]);
  });

  it("a masked action (pi0 = 0) keeps its Q, gets policy 0, and is excluded from the max", () => {
    const prior = tablePrior([[0, 0.5, 0.5]], 1, 3);
    for (const backup of ["hard", "variational", "exact"] as const) {
      const res = solve(bandit([5, 1, 0]), { backup, horizon: 1, prior });
      expect(res.Q[0]).toBe(5);
      expect(res.policy[0]).toBe(0);
      expect(Number.isFinite(res.V[0]!)).toBe(true);
      if (backup === "hard") expect(res.V[0]).toBe(1);
      else expect(res.V[0]).toBeCloseTo(Math.log(0.5 * Math.exp(1) + 0.5), 14);
    }
  });
});

describe("no fixed point in exact mode", () => {
  // One state looping on itself with reward 1: z = gamma e z + (1 - gamma) e, so rho = gamma e.
  const loop = TabularMdp.fromLists([[[{ prob: 1, next: 0, reward: 1, done: false }]]]);

  it("is detected and reported with the growth per step alpha log(gamma e^{r/alpha})", () => {
    for (const alpha of [1, 0.5]) {
      const gamma = 0.9;
      try {
        solve(loop, { backup: "exact", alpha, gamma });
        expect.unreachable("expected NoFixedPointError");
      } catch (e) {
        expect(e).toBeInstanceOf(NoFixedPointError);
        const growth = alpha * Math.log(gamma * Math.exp(1 / alpha));
        expect(Math.abs((e as NoFixedPointError).growthPerStep - growth)).toBeLessThan(1e-9 * growth);
        expect((e as NoFixedPointError).message).toContain("no fixed point");
      }
    }
  });

  it("reports alpha log rho on a periodic chain, where the per-sweep increments of V alternate", () => {
    // 0 -> 1 pays 2, 1 -> 0 pays 0: M = gamma [[0, e^{2/alpha}], [1, 0]], rho = gamma e^{1/alpha}.
    const cycle = TabularMdp.fromLists([[[{ prob: 1, next: 1, reward: 2, done: false }]], [[{ prob: 1, next: 0, reward: 0, done: false }]]]);
    for (const [alpha, gamma] of [[1, 1], [1, 0.9], [2, 1], [0.5, 0.8]] as const) {
      const growth = alpha * Math.log(gamma * Math.exp(1 / alpha));
      try {
        solve(cycle, { backup: "exact", alpha, gamma, maxIter: 5000 });
        expect.unreachable("expected NoFixedPointError");
      } catch (e) {
        expect(e).toBeInstanceOf(NoFixedPointError);
        expect(Math.abs((e as NoFixedPointError).growthPerStep - growth)).toBeLessThan(1e-9 * growth);
        expect(Math.abs((e as NoFixedPointError).spectralRadius - gamma * Math.exp(1 / alpha))).toBeLessThan(1e-9);
      }
    }
  });

  it("is not raised where the spectral radius is below 1: the same loop with gamma e < 1 converges to its closed form", () => {
    const gamma = 0.3; // rho = 0.3 e = 0.815
    const res = solve(loop, { backup: "exact", alpha: 1, gamma });
    // z = (1 - gamma) e / (1 - gamma e)
    expect(res.converged).toBe(true);
    expect(res.V[0]).toBeCloseTo(Math.log(((1 - gamma) * Math.E) / (1 - gamma * Math.E)), 9);
  });

  it("the variational backup on the same loop converges to r / (1 - gamma)", () => {
    const res = solve(loop, { alpha: 1, gamma: 0.9 });
    expect(res.V[0]).toBeCloseTo(10, 8);
  });
});

describe("iteration control", () => {
  it("strict turns an iteration cap into a ConvergenceError; without strict the result says converged: false", () => {
    const chain = TabularMdp.fromLists([[[{ prob: 1, next: 0, reward: 1, done: false }]]]);
    const res = solve(chain, { gamma: 0.999, maxIter: 3, tol: 1e-10 });
    expect(res.converged).toBe(false);
    expect(res.iterations).toBe(3);
    expect(res.stopReason).toBe("max-iterations");
    expect(res.warnings.join(" ")).toContain("not converged");
    expect(() => solve(chain, { gamma: 0.99, maxIter: 5, strict: true })).toThrow(ConvergenceError);
  });

  it("stops at rounding level when the tolerance is below what doubles can resolve (|r| = 1e6)", () => {
    const chain = TabularMdp.fromLists([[[{ prob: 0.5, next: 0, reward: 1e6, done: false }, { prob: 0.5, next: 0, reward: -3e5, done: false }]]]);
    const res = solve(chain, { gamma: 0.9, tol: 1e-12 });
    expect(res.converged).toBe(true);
    expect(res.V[0]! / 3.5e6).toBeCloseTo(1, 12);
  });

  it("rejects bad parameters with a ParameterError naming the parameter", () => {
    expect(() => solve(gamble, { alpha: 0, horizon: 1 })).toThrow(/alpha/);
    expect(() => solve(gamble, { alpha: NaN, horizon: 1 })).toThrow(ParameterError);
    expect(() => solve(gamble, { gamma: 1.5 })).toThrow(/gamma/);
    expect(() => solve(gamble, { gamma: -0.1 })).toThrow(ParameterError);
    // gamma = 0 is the one-step problem (pymdptoolbox accepts it): Q = E[r], as with horizon 1.
    expect(Array.from(solve(gamble, { gamma: 0 }).Q)).toEqual(Array.from(solve(gamble, { horizon: 1 }).Q));
    expect(() => solve(gamble, {})).toThrow(/gamma: is required/);
    expect(() => solve(gamble, { horizon: -1 })).toThrow(/horizon/);
    expect(() => solve(gamble, { horizon: 1.5 })).toThrow(ParameterError);
    expect(() => solve(gamble, { horizon: 1, prior: uniformPrior(3, 2) })).toThrow(PriorError);
  });

  it("rejects a prior table that is not normalised, naming the state", () => {
    expect(() => tablePrior([[0.5, 0.4], [1, 0]], 2, 2)).toThrow("state 0: the probabilities sum to 0.9");
    expect(() => tablePrior([[0.5, 0.5]], 2, 2)).toThrow(/1 rows but the MDP has 2 states/);
    expect(() => tablePrior({ "0": [1, 0], "1": [0, 1] }, 2, 2).probs).not.toThrow();
  });
});

describe("numbers stay finite", () => {
  it("|r| / alpha of 1e6 in every mode, finite and infinite horizon", () => {
    const mdp = TabularMdp.fromLists([
      [
        [{ prob: 0.5, next: 0, reward: 1e6, done: false }, { prob: 0.5, next: 1, reward: -1e6, done: false }],
        [{ prob: 1, next: 1, reward: -1e6, done: true }],
      ],
      [[{ prob: 1, next: 1, reward: 0, done: true }], [{ prob: 1, next: 0, reward: 1e6, done: false }]],
    ]);
    for (const backup of ["exact", "variational", "hard"] as const) {
      const fin = solve(mdp, { backup, alpha: 1, horizon: 50 });
      for (const arr of [fin.Q, fin.V, fin.policy]) expect(arr.every(Number.isFinite)).toBe(true);
      expect(Number.isFinite(fin.logZ!)).toBe(true);
      expect(Number.isFinite(fin.elbo!)).toBe(true);
    }
    const inf = solve(mdp, { alpha: 1, gamma: 0.5 });
    for (const arr of [inf.Q, inf.V, inf.policy]) expect(arr.every(Number.isFinite)).toBe(true);
  });

  it("a horizon of 10^5 in exact mode: V grows linearly and stays finite", () => {
    const mdp = TabularMdp.fromLists([[[{ prob: 1, next: 0, reward: 1, done: false }], [{ prob: 1, next: 0, reward: -1, done: false }]]]);
    const H = 100_000;
    const res = solve(mdp, { backup: "exact", alpha: 1, horizon: H });
    // V_t = (H - t) * log((e + e^-1)/2): each step is alpha log E_pi0 exp(r/alpha).
    expect(res.V[0]! / (H * Math.log(Math.cosh(1)))).toBeCloseTo(1, 9);
    expect(Number.isFinite(res.logZ!) && Number.isFinite(res.elbo!)).toBe(true);
  });

  it("tiny values keep their relative accuracy (log1p form): V for Q = (1e-20, 0)", () => {
    const mdp = bandit([1e-20, 0]);
    const res = solve(mdp, { horizon: 1, prior: tablePrior([[0.5, 0.5]], 1, 2) });
    // V = log((e^{1e-20} + 1)/2) = 5e-21 to first order; the plain max-shifted form returns 1e-20.
    expect(res.V[0]! / 5e-21).toBeCloseTo(1, 12);
  });
});

describe("the posterior dynamics of exact inference", () => {
  it("are normalised (with the death branch), tilt towards good outcomes, and differ from the true dynamics", () => {
    const res = solve(gamble, { backup: "exact", alpha: 1, horizon: 1 });
    const post = posteriorDynamics(gamble, new Float64Array(2), 1, 1);
    // Row (0, gamble): entries 1 and 2 (k = 1, 2).
    const k0 = gamble.rowStart[1]!;
    const pWin = post.prob[k0]!;
    expect(pWin + post.prob[k0 + 1]!).toBeCloseTo(1, 14);
    expect(pWin).toBeCloseTo((0.1 * Math.exp(10)) / (0.1 * Math.exp(10) + 0.9 * Math.exp(-3)), 14);
    expect(pWin).toBeGreaterThan(0.99); // believes it will win, where the world says 0.1
    expect(res.Q[1]).toBeCloseTo(Math.log(0.1 * Math.exp(10) + 0.9 * Math.exp(-3)), 12);
  });

  it("sum with the death mass to 1 for every (s, a) when gamma < 1", () => {
    const mdp = TabularMdp.fromLists([
      [[{ prob: 0.3, next: 0, reward: 1, done: false }, { prob: 0.7, next: 1, reward: 0, done: false }], [{ prob: 1, next: 1, reward: 2, done: true }]],
      [[{ prob: 1, next: 0, reward: -1, done: false }], [{ prob: 1, next: 1, reward: 0, done: false }]],
    ]);
    const res = solve(mdp, { backup: "exact", alpha: 0.7, gamma: 0.6 });
    const post = posteriorDynamics(mdp, res.V, 0.7, 0.6);
    for (let row = 0; row < 4; row++) {
      let total = post.death[row]!;
      for (let k = mdp.rowStart[row]!; k < mdp.rowStart[row + 1]!; k++) total += post.prob[k]!;
      expect(total).toBeCloseTo(1, 13);
    }
  });
});

describe("termination", () => {
  it("finds the states from which some policy never ends, and warns for gamma = 1 without a horizon", () => {
    const mdp = TabularMdp.fromLists([
      [[{ prob: 1, next: 1, reward: 0, done: false }], [{ prob: 1, next: 0, reward: 0, done: true }]],
      [[{ prob: 1, next: 1, reward: -1, done: false }], [{ prob: 1, next: 0, reward: 0, done: false }]],
    ]);
    expect(trappedStates(mdp, uniformPrior(2, 2))).toEqual([0, 1]);
    expect(trappedStates(mdp, tablePrior([[0, 1], [0, 1]], 2, 2))).toEqual([]);
    const res = solve(mdp, { gamma: 1, maxIter: 200 });
    expect(res.warnings[0]).toContain("avoids termination forever");
  });
});
