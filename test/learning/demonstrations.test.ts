/**
 * Demonstrations for inverse RL: mu_D(s, a) = (1/N) sum_episodes sum_t gamma^t [s_t = s, a_t = a].
 *
 * Checked by hand-computed counts: trajectories of different lengths each counted exactly as long as
 * they are (no padding), a step through a done entry ending the episode (later steps count nothing),
 * counts divided by their number of episodes; and errors that name the trajectory and step.
 */
import { describe, expect, it } from "vitest";
import { PriorError, TabularMdp, irlDemonstrations } from "../../src/index.js";
import { entry } from "../support/fixtures.js";

// 0 -a0-> 1 (live), 0 -a1-> 2 (done), 1 -a0/a1-> 0 (live), 2 -> 2 (live).
const mdp = TabularMdp.fromLists(
  [
    [[entry(1, 1, 0)], [entry(1, 2, 0, true)]],
    [[entry(1, 0, 0)], [entry(1, 0, 1)]],
    [[entry(1, 2, 0)], [entry(1, 2, 0)]],
  ],
  { initial: [1, 0, 0] },
);

describe("irlDemonstrations", () => {
  it("variable-length trajectories, discounted by gamma^t, averaged over episodes", () => {
    const d = irlDemonstrations({ trajectories: [[[0, 0], [1, 1], [0, 0]], { states: [0, 1], actions: [0] }] }, mdp, { gamma: 0.5, horizon: null });
    expect(d.episodes).toBe(2);
    // Episode 1: (0,0) w 1, (1,1) w 0.5, (0,0) w 0.25; episode 2: (0,0) w 1.
    expect(Array.from(d.counts)).toEqual([(1 + 0.25 + 1) / 2, 0, 0, 0.5 / 2, 0, 0]);
    expect(d.warnings).toEqual([]);
  });

  it("a step through a done entry ends the episode: the steps after it count nothing (with a warning)", () => {
    // 0 -a1-> 2 is done; the demonstration goes on from 2.
    const d = irlDemonstrations({ trajectories: [{ states: [0, 2, 2], actions: [1, 0, 0] }] }, mdp, { gamma: 1, horizon: null });
    expect(Array.from(d.counts)).toEqual([0, 1, 0, 0, 0, 0]);
    expect(d.warnings[0]).toMatch(/after a done entry/);
    expect(d.trajectories![0]!.actions).toEqual([1]);
  });

  it("counts are divided by their number of episodes; pairs add to them", () => {
    const d = irlDemonstrations({ counts: [[2, 0], [1, 1], [0, 0]], demonstrations: [[0, 0]], episodes: 3 }, mdp, { gamma: 0.9, horizon: null });
    expect(Array.from(d.counts)).toEqual([1, 0, 1 / 3, 1 / 3, 0, 0]);
    expect(d.trajectories).toBeNull();
  });

  it("errors name the place: an impossible step, an index out of range, a trajectory longer than the horizon, counts without episodes", () => {
    const message = (doc: unknown, horizon: number | null = null): string => {
      try {
        irlDemonstrations(doc, mdp, { gamma: 1, horizon });
      } catch (e) {
        expect(e).toBeInstanceOf(PriorError);
        return (e as Error).message;
      }
      throw new Error("no error");
    };
    expect(message({ trajectories: [[[0, 0], [2, 0]]] })).toMatch(/trajectories\[0\] step 0: state 2 cannot follow state 0 and action 0/);
    expect(message({ trajectories: [{ states: [0, 5], actions: [0] }] })).toMatch(/trajectories\[0\] step 1: state 5 is not an integer in 0..2/);
    expect(message({ trajectories: [[[0, 0], [1, 0], [0, 0]]] }, 2)).toMatch(/has 3 steps, more than the horizon 2/);
    expect(message({ counts: [[1, 0], [0, 0], [0, 0]] })).toMatch(/episodes/);
    expect(message({ trajectories: [[[0, 0]]], counts: [[1, 0], [0, 0], [0, 0]] })).toMatch(/not both/);
    expect(message({ trajectories: [[[0, 0]]], smoothin: 1 })).toMatch(/unknown key/);
  });
});
