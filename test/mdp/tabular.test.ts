import { describe, expect, it } from "vitest";
import { PriorError, TabularMdp, type TransitionEntry } from "../../src/index.js";
import { problemsOf, thrown } from "./support.js";

const E = (prob: number, next: number, reward: number, done = false): TransitionEntry => ({ prob, next, reward, done });

/** Two states, two actions: a = 0 stays, a = 1 moves with probability 0.75 to the other state. */
const transition = [
  [
    [1, 0],
    [0.25, 0.75],
  ],
  [
    [0, 1],
    [0.75, 0.25],
  ],
];

describe("fromLists", () => {
  it("lays the entries out in CSR order, row = s * nActions + a", () => {
    const mdp = TabularMdp.fromLists([
      [[E(1, 1, 1)], [E(0.5, 0, 2), E(0.5, 1, 3, true)]],
      [[E(1, 0, 4)], [E(1, 1, 5)]],
    ]);
    expect(Array.from(mdp.rowStart)).toEqual([0, 1, 3, 4, 5]);
    expect(Array.from(mdp.reward)).toEqual([1, 2, 3, 4, 5]);
    expect(Array.from(mdp.done)).toEqual([0, 0, 1, 0, 0]);
    expect(mdp.entries(0, 1)).toEqual([E(0.5, 0, 2), E(0.5, 1, 3, true)]);
    expect(Array.from(mdp.initial)).toEqual([0.5, 0.5]);
  });

  it("takes an initial distribution and labels", () => {
    const mdp = TabularMdp.fromLists([[[E(1, 0, 0)]], [[E(1, 1, 0)]]], { initial: [0.25, 0.75], stateNames: ["a", "b"], meta: { k: 1 } });
    expect(Array.from(mdp.initial)).toEqual([0.25, 0.75]);
    expect(mdp.stateNames).toEqual(["a", "b"]);
    expect(mdp.actionName(0)).toBe("0");
    expect(mdp.meta).toEqual({ k: 1 });
  });

  it("rejects an empty MDP", () => {
    expect(problemsOf(() => TabularMdp.fromLists([]))[0]!.code).toBe("no-states");
  });
});

describe("fromDense", () => {
  it("reward per transition r[s][a][s']", () => {
    const mdp = TabularMdp.fromDense({
      transition,
      reward: [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [5, 6],
          [7, 8],
        ],
      ],
    });
    expect(mdp.entries(0, 1)).toEqual([E(0.25, 0, 3), E(0.75, 1, 4)]);
    expect(mdp.entries(1, 1)).toEqual([E(0.75, 0, 7), E(0.25, 1, 8)]);
    expect(Array.from(mdp.expectedRewards())).toEqual([1, 0.25 * 3 + 0.75 * 4, 6, 0.75 * 7 + 0.25 * 8]);
  });

  it("reward per pair r[s][a]", () => {
    const mdp = TabularMdp.fromDense({ transition, reward: [[1, 2], [3, 4]] });
    expect(mdp.entries(0, 1)).toEqual([E(0.25, 0, 2), E(0.75, 1, 2)]);
    expect(Array.from(mdp.expectedRewards())).toEqual([1, 2, 3, 4]);
  });

  it("reward per state r[s] (the reward for leaving s)", () => {
    const mdp = TabularMdp.fromDense({ transition, reward: [10, -1] });
    expect(Array.from(mdp.reward)).toEqual([10, 10, 10, -1, -1, -1]);
    expect(Array.from(mdp.expectedRewards())).toEqual([10, 10, -1, -1]);
  });

  it("drops p = 0 cells, marks entries into terminal states done, takes initial and labels", () => {
    const mdp = TabularMdp.fromDense({ transition, reward: [0, 0], terminal: [1], initial: [1, 0], actionNames: ["stay", "go"] });
    expect(mdp.nnz).toBe(6);
    expect(mdp.entries(0, 0)).toEqual([E(1, 0, 0)]);
    expect(mdp.entries(0, 1)).toEqual([E(0.25, 0, 0), E(0.75, 1, 0, true)]);
    expect(Array.from(mdp.initial)).toEqual([1, 0]);
    expect(mdp.actionNames).toEqual(["stay", "go"]);
  });

  it("validates like any other table (a missing reward is not finite, a bad row does not sum to 1)", () => {
    expect(problemsOf(() => TabularMdp.fromDense({ transition, reward: [[1, 2], [3]] })).map((p) => [p.code, p.state, p.action])).toEqual([
      ["bad-reward", 1, 1],
      ["bad-reward", 1, 1],
    ]);
    expect(problemsOf(() => TabularMdp.fromDense({ transition: [[[0.5, 0.4]], [[0, 1]]], reward: [0, 0] })).map((p) => p.code)).toEqual(["not-stochastic"]);
  });
});

describe("rewards", () => {
  const mdp = TabularMdp.fromLists([
    [[E(0.5, 0, 2), E(0.5, 1, 4)], [E(1, 1, -1)]],
    [[E(0, 0, 100), E(1, 1, 3)], [E(0.25, 0, 8), E(0.75, 1, 0, true)]],
  ]);

  it("expectedRewards: r(s, a) = sum_k p_k r_k, flat; p = 0 entries contribute nothing", () => {
    expect(Array.from(mdp.expectedRewards())).toEqual([3, -1, 3, 2]);
    expect(mdp.rewardSA(1, 0)).toBe(3);
    expect(mdp.rewardSA(1, 1)).toBe(2);
  });

  it("stateRewards: uniform policy by default, or a given flat policy", () => {
    expect(Array.from(mdp.stateRewards())).toEqual([1, 2.5]);
    expect(Array.from(mdp.stateRewards([1, 0, 0.25, 0.75]))).toEqual([3, 0.25 * 3 + 0.75 * 2]);
  });

  it("stateRewards rejects a policy of the wrong size", () => {
    const e = thrown(() => mdp.stateRewards([1, 0]), PriorError);
    expect(e.problems).toEqual([{ code: "bad-policy-shape", path: "policy", message: "policy: has 2 entries, expected 4 (2 states x 2 actions, flat)" }]);
  });
});
