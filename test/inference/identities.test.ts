/**
 * The facts of DESIGN.md section 2 that are easy to get wrong, each as a property or a pinned value:
 * exact = variational for deterministic dynamics, Jensen's V_exact >= V_variational, the optimism of
 * exact inference on a gamble, the alpha -> 0 limit, the entropy offset, contraction, and discount
 * as a death state.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TabularMdp, applyBackup, entropyPrior, exactGrowth, solve, type TransitionEntry } from "../../src/index.js";
import { arbMdp, fcParams } from "../support/arbitraries.js";
import { gamble } from "../support/fixtures.js";

const alphaArb = fc.double({ min: 0.2, max: 3, noNaN: true });
const gammaArb = fc.double({ min: 0.3, max: 0.95, noNaN: true });


describe("exact and variational message passing", () => {
  it("agree when the dynamics are deterministic and gamma = 1 (finite horizon), and log Z = ELBO from a single start state", () => {
    fc.assert(
      fc.property(arbMdp({ deterministic: true }), alphaArb, fc.integer({ min: 1, max: 4 }), fc.nat(), (mdp0, alpha, H, start) => {
        const s0 = start % mdp0.nStates;
        const init = new Float64Array(mdp0.nStates);
        init[s0] = 1;
        const mdp = mdp0.withInitial(init);
        const ex = solve(mdp, { backup: "exact", alpha, horizon: H });
        const va = solve(mdp, { backup: "variational", alpha, horizon: H });
        for (let t = 0; t < H; t++) {
          ex.steps!.Q[t]!.forEach((q, i) => expect(Math.abs(q - va.steps!.Q[t]![i]!)).toBeLessThan(1e-9 * Math.max(1, Math.abs(q))));
          ex.steps!.V[t]!.forEach((v, i) => expect(Math.abs(v - va.steps!.V[t]![i]!)).toBeLessThan(1e-9 * Math.max(1, Math.abs(v))));
        }
        expect(Math.abs(ex.logZ! - va.elbo!)).toBeLessThan(1e-9 * Math.max(1, Math.abs(ex.logZ!)));
      }),
      fcParams(150),
    );
  });

  it("differ with a spread start distribution: the gap log Z - ELBO(q*) is KL(p0 || p(s_0 | O))", () => {
    fc.assert(
      fc.property(arbMdp({ deterministic: true, minStates: 2 }), alphaArb, fc.integer({ min: 1, max: 3 }), (mdp, alpha, H) => {
        const va = solve(mdp, { backup: "variational", alpha, horizon: H });
        // p(s_0 | O) = p0 exp(V_0/alpha) / Z, here with V_exact = V_variational.
        let kl = 0;
        for (let s = 0; s < mdp.nStates; s++) {
          const p0 = mdp.initial[s]!;
          const post = p0 * Math.exp(va.V[s]! / alpha - va.logZ!);
          kl += p0 * Math.log(p0 / post);
        }
        expect(Math.abs(va.logZ! - va.elbo! - kl)).toBeLessThan(1e-9 * Math.max(1, Math.abs(va.logZ!)));
      }),
      fcParams(100),
    );
  });

  it("V_exact >= V_variational pointwise (Jensen), at every time step", () => {
    fc.assert(
      fc.property(arbMdp(), alphaArb, fc.oneof(fc.constant(1), gammaArb), fc.integer({ min: 1, max: 5 }), (mdp, alpha, gamma, H) => {
        const ex = solve(mdp, { backup: "exact", alpha, gamma, horizon: H });
        const va = solve(mdp, { backup: "variational", alpha, gamma, horizon: H });
        for (let t = 0; t < H; t++) {
          ex.steps!.V[t]!.forEach((v, s) => expect(v).toBeGreaterThanOrEqual(va.steps!.V[t]![s]! - 1e-12 * Math.max(1, Math.abs(v))));
        }
      }),
      fcParams(150),
    );
  });

  it("part ways on a gamble: exact inference takes a bet with negative expected value, the variational backup does not", () => {
    const ex = solve(gamble, { backup: "exact", alpha: 1, horizon: 1 });
    const va = solve(gamble, { backup: "variational", alpha: 1, horizon: 1 });
    // Closed forms: exact Q(gamble) = log(0.1 e^10 + 0.9 e^-3); variational Q(gamble) = 0.1*10 - 0.9*3.
    expect(ex.Q[1]).toBeCloseTo(Math.log(0.1 * Math.exp(10) + 0.9 * Math.exp(-3)), 12);
    expect(va.Q[1]).toBeCloseTo(-1.7, 12);
    expect(ex.policy[1]!).toBeGreaterThan(0.99); // gambles
    expect(va.policy[1]!).toBeLessThan(0.5); // prefers the safe action
    expect(va.policy[1]).toBeCloseTo(Math.exp(-1.7) / (1 + Math.exp(-1.7)), 12);
  });
});

describe("the alpha -> 0 limit and the entropy form", () => {
  it("variational values approach the hard values: 0 <= V_hard - V_KL <= alpha log(m) / (1 - gamma)", () => {
    fc.assert(
      fc.property(arbMdp({ maxStates: 4 }), fc.double({ min: 1e-4, max: 2, noNaN: true }), gammaArb, (mdp, alpha, gamma) => {
        const hard = solve(mdp, { backup: "hard", alpha, gamma });
        const kl = solve(mdp, { backup: "variational", alpha, gamma });
        const bound = (alpha * Math.log(mdp.nActions)) / (1 - gamma);
        for (let s = 0; s < mdp.nStates; s++) {
          const gap = hard.V[s]! - kl.V[s]!;
          expect(gap).toBeGreaterThanOrEqual(-1e-9);
          expect(gap).toBeLessThanOrEqual(bound + 1e-9);
        }
      }),
      fcParams(100),
    );
  });

  it("the gap shrinks linearly with alpha on a fixed MDP", () => {
    const mdp = gamble;
    const gaps = [1, 0.1, 0.01, 0.001].map((alpha) => solve(mdp, { backup: "hard", alpha, gamma: 0.9 }).V[0]! - solve(mdp, { backup: "variational", alpha, gamma: 0.9 }).V[0]!);
    // Safe (Q = 0) vs gamble (Q = -1.7): V_KL = alpha log((1 + e^{-1.7/alpha})/2) -> -alpha log 2.
    gaps.forEach((g, i) => {
      const alpha = [1, 0.1, 0.01, 0.001][i]!;
      expect(g).toBeCloseTo(-alpha * Math.log((1 + Math.exp(-1.7 / alpha)) / 2), 12);
    });
  });

  it("without terminal transitions, entropy form = KL-to-uniform form + alpha log(m) / (1 - gamma)", () => {
    fc.assert(
      fc.property(arbMdp({ terminal: false, maxStates: 4 }), alphaArb, gammaArb, (mdp, alpha, gamma) => {
        const kl = solve(mdp, { alpha, gamma });
        const ent = solve(mdp, { alpha, gamma, entropy: true });
        const offset = (alpha * Math.log(mdp.nActions)) / (1 - gamma);
        for (let s = 0; s < mdp.nStates; s++) expect(Math.abs(ent.V[s]! - kl.V[s]! - offset)).toBeLessThan(1e-8 * Math.max(1, Math.abs(ent.V[s]!)));
        for (let i = 0; i < kl.policy.length; i++) expect(Math.abs(ent.policy[i]! - kl.policy[i]!)).toBeLessThan(1e-9);
      }),
      fcParams(100),
    );
  });

  it("with a finite horizon the offset is alpha log(m) sum_{t<H} gamma^t", () => {
    fc.assert(
      fc.property(arbMdp({ terminal: false }), alphaArb, fc.oneof(fc.constant(1), gammaArb), fc.integer({ min: 1, max: 6 }), (mdp, alpha, gamma, H) => {
        const kl = solve(mdp, { alpha, gamma, horizon: H });
        const ent = solve(mdp, { alpha, gamma, horizon: H, prior: entropyPrior(mdp.nStates, mdp.nActions) });
        let offset = 0;
        for (let t = 0; t < H; t++) offset += alpha * Math.log(mdp.nActions) * gamma ** t;
        for (let s = 0; s < mdp.nStates; s++) expect(Math.abs(ent.V[s]! - kl.V[s]! - offset)).toBeLessThan(1e-9 * Math.max(1, Math.abs(ent.V[s]!)));
      }),
      fcParams(100),
    );
  });

  it("an absorbing zero-reward state has V = 0 in the KL form and alpha log m in the entropy form's one-step", () => {
    const mdp = TabularMdp.fromLists([[[{ prob: 1, next: 0, reward: 0, done: true }], [{ prob: 1, next: 0, reward: 0, done: true }], [{ prob: 1, next: 0, reward: 0, done: true }]]]);
    expect(solve(mdp, { gamma: 0.9 }).V[0]).toBe(0);
    expect(solve(mdp, { gamma: 0.9, entropy: true }).V[0]).toBeCloseTo(Math.log(3), 14);
  });
});

describe("fixed-point iteration", () => {
  it("contracts: in variational mode the residual shrinks by at least gamma per sweep", () => {
    fc.assert(
      fc.property(arbMdp({ maxStates: 4 }), alphaArb, gammaArb, fc.integer({ min: 2, max: 12 }), (mdp, alpha, gamma, k) => {
        const a = solve(mdp, { alpha, gamma, maxIter: k, tol: 0, diagnostics: false });
        const b = solve(mdp, { alpha, gamma, maxIter: k + 1, tol: 0, diagnostics: false });
        // Up to rounding: the residual is a difference of Q values, each rounded (a few ulps of max |Q|).
        let scale = 1;
        for (const q of b.Q) scale = Math.max(scale, Math.abs(q));
        if (a.iterations === k && b.iterations === k + 1) expect(b.residual).toBeLessThanOrEqual(gamma * a.residual + 8 * Number.EPSILON * scale);
      }),
      fcParams(100),
    );
  });

  it("discount as a death state: an explicit absorbing state reached with probability 1 - gamma gives the same variational values", () => {
    fc.assert(
      fc.property(arbMdp({ maxStates: 4 }), alphaArb, gammaArb, (mdp, alpha, gamma) => {
        const n = mdp.nStates;
        const lists: TransitionEntry[][][] = [];
        for (let s = 0; s < n; s++) {
          lists.push(
            Array.from({ length: mdp.nActions }, (_, a) =>
              mdp.entries(s, a).flatMap((e) =>
                e.done ? [e] : [{ ...e, prob: gamma * e.prob }, { prob: (1 - gamma) * e.prob, next: n, reward: e.reward, done: true }],
              ),
            ),
          );
        }
        lists.push(Array.from({ length: mdp.nActions }, () => [{ prob: 1, next: n, reward: 0, done: true }]));
        // Row sums of gamma p + (1 - gamma) p are 1 up to rounding: fold the rounding into the death entry.
        for (const row of lists) for (const list of row) {
          const sum = list.reduce((x, e) => x + e.prob, 0);
          const last = list[list.length - 1]!;
          list[list.length - 1] = { ...last, prob: last.prob + (1 - sum) };
        }
        const withDeath = TabularMdp.fromLists(lists, { initial: [...mdp.initial, 0] });
        const a = solve(mdp, { alpha, gamma });
        const b = solve(withDeath, { alpha, gamma: 1 });
        expect(b.converged).toBe(true);
        for (let s = 0; s < n; s++) expect(Math.abs(a.V[s]! - b.V[s]!)).toBeLessThan(1e-8 * Math.max(1, Math.abs(a.V[s]!)));
        expect(b.V[n]).toBe(0);
      }),
      fcParams(60),
    );
  });

  it("the returned infinite-horizon fixed point satisfies its own backup to the tolerance, in every mode", () => {
    fc.assert(
      fc.property(arbMdp({ maxStates: 4, rewardRange: 0.3 }), alphaArb, fc.double({ min: 0.3, max: 0.7, noNaN: true }), fc.constantFrom("variational", "exact", "hard"), (mdp, alpha, gamma, backup) => {
        // The exact operator contracts by rho(M) (the spectral radius of its linear part on
        // z = exp(V/alpha)), not by gamma: where rho >= 1 there is no fixed point, and where rho is
        // within 1e-2 of 1 the error bound needs more than the default sweeps (an honest
        // converged: false). The property is about fixed points the default run can certify.
        if (backup === "exact") fc.pre(exactGrowth(mdp, { alpha, gamma }).spectralRadius < 0.99);
        const res = solve(mdp, { backup: backup as "variational", alpha, gamma });
        expect(res.converged).toBe(true);
        const again = applyBackup(mdp, res.V, { backup: backup as "variational", alpha, gamma });
        // One more application moves Q by at most the error bound (<= 1e-10), up to rounding (a few
        // ulps of Q: the rules' log-space loop against the kernel's exp-space numbers).
        for (let i = 0; i < res.Q.length; i++) expect(Math.abs(again.Q[i]! - res.Q[i]!)).toBeLessThanOrEqual(1e-10 + 8 * Number.EPSILON * Math.max(1, Math.abs(res.Q[i]!)));
      }),
      fcParams(100),
    );
  });

  it("the ELBO of the variational fixed point is sum_s p0(s) V(s) / alpha (policy evaluation agrees with the backup)", () => {
    fc.assert(
      fc.property(arbMdp({ maxStates: 4 }), alphaArb, gammaArb, (mdp, alpha, gamma) => {
        const res = solve(mdp, { alpha, gamma });
        let expected = 0;
        for (let s = 0; s < mdp.nStates; s++) expected += (mdp.initial[s]! * res.V[s]!) / alpha;
        expect(Math.abs(res.elbo! - expected)).toBeLessThan(1e-8 * Math.max(1, Math.abs(expected)));
        // Occupancy: total discounted visits = expected discounted episode length.
        expect(res.occupancy!.every((x) => x >= 0)).toBe(true);
      }),
      fcParams(100),
    );
  });
});
