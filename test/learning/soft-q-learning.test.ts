/**
 * Soft Q-learning from samples against the message-passing fixed point: exact convergence where
 * sampling has no noise (deterministic MDPs, learning rate 1: asynchronous value iteration), and on a
 * stochastic MDP with fixed seeds an error that falls below a stated bound and keeps falling.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ParameterError, TabularMdp, solve } from "../../src/index.js";
import { learnablePairs, softQLearning, type Behaviour } from "../../src/learning/soft-q-learning.js";
import { arbMdp, fcParams } from "../support/arbitraries.js";
import { entry as E, smallStochastic as small } from "../support/fixtures.js";

const errorAt = (curve: readonly { step: number; maxAbsError: number }[], step: number): number => curve.find((p) => p.step === step)!.maxAbsError;

describe("soft Q-learning where sampling has no noise", () => {
  it("with deterministic dynamics and learning rate 1 it is asynchronous value iteration: max |Q - Q*| < 1e-9 for every backup", () => {
    fc.assert(
      fc.property(
        arbMdp({ deterministic: true }),
        fc.double({ min: 0.3, max: 3, noNaN: true }),
        fc.double({ min: 0.3, max: 0.8, noNaN: true }),
        fc.constantFrom("variational", "hard", "exact"),
        fc.integer({ min: 0, max: 1000 }),
        (mdp, alpha, gamma, backup, seed) => {
          let ref: Float64Array;
          try {
            ref = solve(mdp, { backup, alpha, gamma, tol: 0 }).Q;
          } catch {
            return; // exact mode without a fixed point: nothing to learn
          }
          const res = softQLearning(mdp, { backup, alpha, gamma, steps: 30_000, seed, behaviour: "uniform", learningRate: 1, reference: ref });
          expect(res.curve.at(-1)!.maxAbsError).toBeLessThan(1e-9);
        },
      ),
      fcParams(60),
    );
  });
});

describe("soft Q-learning on a stochastic MDP with fixed seeds (gamma = 0.9, learning rate 1/n(s,a)^0.8)", () => {
  const seeds = [1, 2, 3, 4, 5];
  const steps = 1_000_000;
  const decades = [1_000, 10_000, 100_000, 1_000_000];
  const cases: [string, "variational" | "hard" | "exact", Behaviour][] = [
    ["the soft policy", "variational", "soft"],
    ["epsilon-greedy", "hard", "epsilon-greedy"],
    ["the uniform policy", "exact", "uniform"],
  ];
  for (const [name, backup, behaviour] of cases) {
    it(`${backup} backup, behaviour ${name}: each seed ends below 0.02, and the mean error over 5 seeds falls at every tenfold step count`, () => {
      const ref = solve(small, { backup, alpha: 1, gamma: 0.9, tol: 0 }).Q;
      const mean = decades.map(() => 0);
      for (const seed of seeds) {
        const res = softQLearning(small, { backup, alpha: 1, gamma: 0.9, steps, seed, behaviour, reference: ref, recordEvery: 1000 });
        decades.forEach((d, i) => (mean[i]! += errorAt(res.curve, d) / seeds.length));
        expect(errorAt(res.curve, steps), `seed ${seed}`).toBeLessThan(0.02);
      }
      for (let i = 1; i < decades.length; i++) expect(mean[i], `mean error at ${decades[i]} steps vs ${decades[i - 1]}`).toBeLessThan(mean[i - 1]!);
      expect(mean.at(-1)).toBeLessThan(0.01);
    });
  }

  it("is reproducible: the same seed gives the same table bit for bit, another seed another table", () => {
    const a = softQLearning(small, { alpha: 1, gamma: 0.9, steps: 20_000, seed: 42 });
    const b = softQLearning(small, { alpha: 1, gamma: 0.9, steps: 20_000, seed: 42 });
    const c = softQLearning(small, { alpha: 1, gamma: 0.9, steps: 20_000, seed: 43 });
    expect(Array.from(b.Q)).toEqual(Array.from(a.Q));
    expect(b.episodes).toBe(a.episodes);
    expect(Array.from(c.Q)).not.toEqual(Array.from(a.Q));
  });
});

describe("what episodes can visit", () => {
  it("measures the error over states reachable from p0 and actions the prior allows; the rest keep their starting values", () => {
    // State 2 is reachable only through a done entry, so no episode ever acts in it.
    const mdp = TabularMdp.fromLists(
      [[[E(1, 1, 1)], [E(1, 2, 0, true)]], [[E(1, 0, 0)], [E(1, 1, 0.5)]], [[E(1, 2, 3)], [E(1, 0, -3)]]],
      { initial: [1, 0, 0] },
    );
    expect(Array.from(learnablePairs(mdp, new Float64Array(6).fill(0.5)))).toEqual([1, 1, 1, 1, 0, 0]);
    const ref = solve(mdp, { alpha: 1, gamma: 0.8, tol: 0 }).Q;
    const res = softQLearning(mdp, { alpha: 1, gamma: 0.8, steps: 20_000, seed: 1, behaviour: "uniform", learningRate: 1, reference: ref });
    expect(res.curve.at(-1)!.maxAbsError).toBeLessThan(1e-9);
    expect(res.Q[4]).toBe(0);
    expect(res.visits[4]).toBe(0);
  });

  it("names the option in its errors", () => {
    expect(() => softQLearning(small, { gamma: 0.9, steps: -1, seed: 1 })).toThrow(ParameterError);
    expect(() => softQLearning(small, { gamma: 0.9, steps: 10, seed: 1.5 })).toThrow(/seed/);
    expect(() => softQLearning(small, { gamma: 0.9, steps: 10, seed: 1, epsilon: 2 })).toThrow(/epsilon/);
    expect(() => softQLearning(small, { gamma: 0.9, steps: 10, seed: 1, learningRate: 0 })).toThrow(/learningRate/);
    expect(() => softQLearning(small, { gamma: 0.9, steps: 10, seed: 1, behaviour: "greedy" as Behaviour })).toThrow(/behaviour/);
  });
});
