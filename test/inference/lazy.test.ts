/**
 * What the engine builds only when it is read: the uniform and entropy priors' tables (the
 * kernels and the rules use their two constants), and an infinite-horizon result's policy
 * (computed from Q and V on first read). Each lazy value is checked against an eager one.
 */
import { describe, expect, it, vi } from "vitest";
import { entropyPrior, frozenLake, frozenLakeOpen, randomMdp, solve, tablePrior, uniformPrior } from "../../src/index.js";

describe("the uniform and entropy priors build their tables on first read", () => {
  it("solve (infinite and finite horizon, variational and hard, one and two threads) never reads them without diagnostics", () => {
    const mdp = frozenLakeOpen(12);
    for (const make of [uniformPrior, entropyPrior]) {
      const prior = make(mdp.nStates, mdp.nActions);
      const probs = vi.spyOn(prior, "probs", "get");
      const logMass = vi.spyOn(prior, "logMass", "get");
      for (const backup of ["variational", "hard"] as const) {
        for (const threads of [1, 2]) solve(mdp, { backup, prior, alpha: 0.3, gamma: 0.95, diagnostics: false, threads }).V;
        solve(mdp, { backup, prior, alpha: 0.3, horizon: 20, diagnostics: false });
      }
      expect(probs).not.toHaveBeenCalled();
      expect(logMass).not.toHaveBeenCalled();
      expect(prior.probs.length).toBe(mdp.nStates * mdp.nActions); // the spy does see a read
      expect(probs).toHaveBeenCalledTimes(1);
    }
  });

  it("hold 1/m and 0 (uniform) or log m (entropy) when read, the same array on every read", () => {
    const u = uniformPrior(5, 4);
    expect(Array.from(u.probs)).toEqual(new Array(20).fill(0.25));
    expect(Array.from(u.logMass)).toEqual(new Array(5).fill(0));
    expect(u.probs).toBe(u.probs);
    const e = entropyPrior(3, 3);
    expect(Array.from(e.probs)).toEqual(new Array(9).fill(1 / 3));
    expect(Array.from(e.logMass)).toEqual(new Array(3).fill(Math.log(3)));
  });

  it("give the same values as the same numbers in a table prior, to 1e-14 (infinite and finite horizon)", () => {
    const mdp = randomMdp({ states: 25, actions: 3, successors: 4, seed: 17, terminalProbability: 0.1 });
    const table = tablePrior(Array.from({ length: 25 }, () => [1 / 3, 1 / 3, 1 / 3]), 25, 3);
    for (const backup of ["variational", "hard"] as const) {
      const a = solve(mdp, { backup, alpha: 0.4, gamma: 0.9, diagnostics: false });
      const b = solve(mdp, { backup, alpha: 0.4, gamma: 0.9, diagnostics: false, prior: table });
      for (let s = 0; s < 25; s++) expect(Math.abs(a.V[s]! - b.V[s]!)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(b.V[s]!)));
      const fa = solve(mdp, { backup, alpha: 0.4, horizon: 15, diagnostics: false });
      const fb = solve(mdp, { backup, alpha: 0.4, horizon: 15, diagnostics: false, prior: table });
      for (let s = 0; s < 25; s++) expect(Math.abs(fa.V[s]! - fb.V[s]!)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(fb.V[s]!)));
    }
  });
});

describe("an infinite-horizon result computes its policy on first read", () => {
  it("the policy is q(a|s) = pi0 exp((Q(s,a) - V(s)) / alpha) of the returned Q and V, rows summing to 1, the same array on every read", () => {
    const mdp = frozenLake({ map: "8x8" });
    const alpha = 0.2;
    const res = solve(mdp, { alpha, gamma: 0.97, diagnostics: false });
    expect(typeof Object.getOwnPropertyDescriptor(res, "policy")?.get).toBe("function");
    const policy = res.policy;
    expect(res.policy).toBe(policy);
    const m = mdp.nActions;
    for (let s = 0; s < mdp.nStates; s++) {
      let sum = 0;
      for (let a = 0; a < m; a++) {
        const expected = (1 / m) * Math.exp((res.Q[s * m + a]! - res.V[s]!) / alpha);
        expect(Math.abs(policy[s * m + a]! - expected)).toBeLessThanOrEqual(1e-12);
        sum += policy[s * m + a]!;
      }
      expect(Math.abs(sum - 1)).toBeLessThanOrEqual(1e-12);
    }
  });

  it("with diagnostics the ELBO is that of the same policy (it is computed from it), and the hard backup's policy is greedy", () => {
    const mdp = frozenLake();
    const withDiag = solve(mdp, { alpha: 0.5, gamma: 0.9 });
    const without = solve(mdp, { alpha: 0.5, gamma: 0.9, diagnostics: false });
    expect(Array.from(withDiag.policy)).toEqual(Array.from(without.policy));
    expect(withDiag.elbo).not.toBeNull();
    const hard = solve(mdp, { backup: "hard", gamma: 0.9, diagnostics: false });
    const m = mdp.nActions;
    for (let s = 0; s < mdp.nStates; s++) {
      let best = -Infinity;
      for (let a = 0; a < m; a++) best = Math.max(best, hard.Q[s * m + a]!);
      for (let a = 0; a < m; a++) if (hard.policy[s * m + a]! > 0) expect(hard.Q[s * m + a]!).toBeGreaterThanOrEqual(best - 1e-9 * Math.max(1, Math.abs(best)));
    }
  });
});
