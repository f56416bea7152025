/**
 * The discount placed elsewhere (conventions.ts), against closed forms on a one-state MDP, and the
 * fact that on a stochastic MDP the placements give different tables (so `cai check` can tell them apart).
 */
import { describe, expect, it } from "vitest";
import { TabularMdp, solve, type TransitionEntry } from "../../src/index.js";
import { conventionQ } from "../../src/diagnostics/conventions.js";

const E = (prob: number, next: number, reward: number, done = false): TransitionEntry => ({ prob, next, reward, done });

/** One state, three actions looping with rewards r = (1, -0.5, 2). */
const r = [1, -0.5, 2];
const bandit = TabularMdp.fromLists([r.map((x) => [E(1, 0, x)])]);
const meanExp = (f: (x: number) => number) => r.reduce((acc, x) => acc + Math.exp(f(x)) / r.length, 0);

describe("closed forms on one state with three looping actions (uniform prior)", () => {
  const alpha = 0.7;
  const gamma = 0.85;
  it("gamma inside the log-sum-exp: Q(a) = r(a) + alpha log mean_b exp(gamma r(b)/alpha) / (1 - gamma)", () => {
    const c = (alpha * Math.log(meanExp((x) => (gamma * x) / alpha))) / (1 - gamma);
    for (const backup of ["variational", "exact"] as const) {
      const Q = conventionQ(bandit, { alpha, gamma, backup, discount: "softmax" }).Q;
      r.forEach((x, a) => expect(Q[a]).toBeCloseTo(x + c, 11));
    }
  });

  it("the engine's own convention: Q(a) = r(a) + gamma alpha log mean_b exp(r(b)/alpha) / (1 - gamma), which differs", () => {
    const c = (gamma * alpha * Math.log(meanExp((x) => x / alpha))) / (1 - gamma);
    const Q = solve(bandit, { alpha, gamma, tol: 0 }).Q;
    r.forEach((x, a) => expect(Q[a]).toBeCloseTo(x + c, 11));
    const other = conventionQ(bandit, { alpha, gamma, backup: "variational", discount: "softmax" }).Q;
    expect(Math.abs(other[0]! - Q[0]!)).toBeGreaterThan(0.1);
  });

  it("with deterministic moves and no death branch, gamma in the exponent and outside the log both give the soft Bellman values", () => {
    const c = (gamma * alpha * Math.log(meanExp((x) => x / alpha))) / (1 - gamma);
    for (const discount of ["exponent", "outside"] as const) {
      const Q = conventionQ(bandit, { alpha, gamma, backup: "exact", discount }).Q;
      r.forEach((x, a) => expect(Q[a]).toBeCloseTo(x + c, 11));
    }
  });

  it("a finite horizon is H backward steps from V_H = 0: H = 1 gives the rewards, H = 2 adds one discounted soft value", () => {
    const q1 = conventionQ(bandit, { alpha, gamma, backup: "variational", discount: "softmax", horizon: 1 }).Q;
    r.forEach((x, a) => expect(q1[a]).toBeCloseTo(x, 14));
    const q2 = conventionQ(bandit, { alpha, gamma, backup: "variational", discount: "softmax", horizon: 2 }).Q;
    const v = alpha * Math.log(meanExp((x) => (gamma * x) / alpha));
    r.forEach((x, a) => expect(q2[a]).toBeCloseTo(x + v, 14));
  });
});

describe("on a stochastic MDP the placements differ", () => {
  it("engine, softmax, exponent and outside give four different exact tables", () => {
    const mdp = TabularMdp.fromLists([
      [[E(0.5, 0, 1), E(0.5, 1, -1)], [E(1, 1, 0.3)]],
      [[E(0.2, 0, 0.5), E(0.8, 1, 0)], [E(0.6, 0, -0.2), E(0.4, 1, 0.7, true)]],
    ]);
    const o = { alpha: 1, gamma: 0.7 };
    const tables = [
      solve(mdp, { ...o, backup: "exact", tol: 0 }).Q,
      conventionQ(mdp, { ...o, backup: "exact", discount: "softmax" }).Q,
      conventionQ(mdp, { ...o, backup: "exact", discount: "exponent" }).Q,
      conventionQ(mdp, { ...o, backup: "exact", discount: "outside" }).Q,
    ];
    for (let i = 0; i < tables.length; i++) {
      for (let j = i + 1; j < tables.length; j++) {
        const d = Math.max(...tables[i]!.map((q, k) => Math.abs(q - tables[j]![k]!)));
        expect(d, `tables ${i} and ${j}`).toBeGreaterThan(1e-3);
      }
    }
  });

  it("rejects a placement that does not apply to the variational backup", () => {
    expect(() => conventionQ(bandit, { gamma: 0.9, backup: "variational", discount: "outside" })).toThrow(/exact backup only/);
  });
});
