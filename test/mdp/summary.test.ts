import { describe, expect, it } from "vitest";
import { TabularMdp, parseMdp, summarizeMdp, type TransitionEntry } from "../../src/index.js";

const E = (prob: number, next: number, reward: number, done = false): TransitionEntry => ({ prob, next, reward, done });

describe("summarizeMdp", () => {
  it("counts entries, zero entries, terminal entries, absorbing states; reward range over possible transitions", () => {
    const mdp = TabularMdp.fromLists(
      [
        [[E(0.5, 1, -2), E(0.5, 2, 1)], [E(0, 0, -100), E(1, 1, 0)]],
        [[E(1, 2, 5, true)], [E(1, 1, 0)]],
        [[E(1, 2, 0, true)], [E(1, 2, 0)]],
      ],
      { initial: [1, 0, 0], meta: { name: "toy" } },
    );
    expect(summarizeMdp(mdp)).toEqual({
      name: "toy",
      states: 3,
      actions: 2,
      entries: 8,
      nonzeroEntries: 7,
      zeroProbabilityEntries: 1,
      terminalEntries: 2,
      absorbingStates: 1,
      rewardMin: -2,
      rewardMax: 5,
      deterministic: false,
      maxSuccessors: 2,
      initialSupport: 1,
    });
  });

  it("repeated entries of one outcome (FrozenLake at a wall) are deterministic, with one successor", () => {
    const third = 1 / 3;
    const mdp = parseMdp(JSON.stringify({ P: [[[[third, 0, 0, false], [third, 0, 0, false], [third, 0, 0, false]]]] }));
    const s = summarizeMdp(mdp);
    expect([s.deterministic, s.maxSuccessors, s.entries, s.name]).toEqual([true, 1, 3, "(unnamed)"]);
  });

  it("p = 0 entries do not make the dynamics stochastic", () => {
    const mdp = TabularMdp.fromLists([[[E(1, 0, 1), E(0, 1, 7)]], [[E(1, 1, 0)]]]);
    const s = summarizeMdp(mdp);
    expect([s.deterministic, s.maxSuccessors, s.rewardMax, s.zeroProbabilityEntries]).toEqual([true, 1, 1, 1]);
  });

  it("one next state with two rewards or two done flags is a stochastic outcome", () => {
    const rewards = TabularMdp.fromLists([[[E(0.5, 0, 1), E(0.5, 0, 2)]]]);
    expect([summarizeMdp(rewards).deterministic, summarizeMdp(rewards).maxSuccessors]).toEqual([false, 1]);
    const done = TabularMdp.fromLists([[[E(0.5, 0, 1), E(0.5, 0, 1, true)]]]);
    expect(summarizeMdp(done).deterministic).toBe(false);
  });
});
