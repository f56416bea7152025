/**
 * CliffWalking against facts read in Gymnasium's gymnasium/envs/toy_text/cliffwalking.py
 * (CliffWalking-v1, with is_slippery): shape (4, 12), start (3, 0) = 36, cliff [3, 1:-1],
 * POSITION_MAPPING, _limit_coordinates, cliff -> (p, 36, -100, False), else (p, s', -1, s' == 47),
 * p = 1 / len(deltas).
 */
import { describe, expect, it } from "vitest";
import { CLIFF_WALKING_ACTIONS, CLIFF_WALKING_MAP, cliffWalking } from "../../src/index.js";
import { P } from "./support.js";

const UP = 0;
const RIGHT = 1;
const DOWN = 2;
const LEFT = 3;

describe("CliffWalking layout", () => {
  const mdp = cliffWalking();

  it("is a 4 x 12 grid of 48 states numbered row * 12 + col, actions UP, RIGHT, DOWN, LEFT", () => {
    expect(mdp.nStates).toBe(48);
    expect(mdp.nActions).toBe(4);
    expect(mdp.actionNames).toEqual(["UP", "RIGHT", "DOWN", "LEFT"]);
    expect(CLIFF_WALKING_ACTIONS).toEqual(["UP", "RIGHT", "DOWN", "LEFT"]);
    expect(mdp.stateName(36)).toBe("3,0");
    expect(CLIFF_WALKING_MAP).toEqual(["FFFFFFFFFFFF", "FFFFFFFFFFFF", "FFFFFFFFFFFF", "SCCCCCCCCCCG"]);
  });

  it("always starts in state 36, the bottom-left cell", () => {
    const support = Array.from(mdp.initial).flatMap((p, s) => (p > 0 ? [[s, p]] : []));
    expect(support).toEqual([[36, 1]]);
  });

  it("lists one entry with probability 1.0 per (s, a) when not slippery (the default)", () => {
    expect(mdp.nnz).toBe(48 * 4);
    expect(mdp.meta).toMatchObject({ name: "CliffWalking", isSlippery: false });
  });
});

describe("CliffWalking transitions", () => {
  const mdp = cliffWalking();

  it("stepping into the cliff returns to the start with reward -100 and does not end the episode", () => {
    expect(P(mdp, 36, RIGHT)).toEqual([[1, 36, -100, false]]);
    expect(P(mdp, 25, DOWN)).toEqual([[1, 36, -100, false]]);
    expect(P(mdp, 34, DOWN)).toEqual([[1, 36, -100, false]]);
  });

  it("every -100 entry goes back to state 36 and none ends the episode; there are 40 of them", () => {
    let count = 0;
    for (let k = 0; k < mdp.nnz; k++) {
      if (mdp.reward[k] !== -100) continue;
      count++;
      expect(mdp.next[k]).toBe(36);
      expect(mdp.done[k]).toBe(0);
    }
    // 10 DOWN moves from row 2, RIGHT from 36, LEFT from 47, and 10 + 9 + 9 moves from cliff cells.
    expect(count).toBe(40);
  });

  it("entering the goal 47 ends the episode with reward -1; other moves cost -1", () => {
    expect(P(mdp, 35, DOWN)).toEqual([[1, 47, -1, true]]);
    expect(P(mdp, 36, UP)).toEqual([[1, 24, -1, false]]);
    expect(P(mdp, 0, RIGHT)).toEqual([[1, 1, -1, false]]);
    const rewards = new Set(mdp.reward);
    expect(rewards).toEqual(new Set([-1, -100]));
  });

  it("moves off the grid are clamped: LEFT and DOWN from the start stay at 36", () => {
    expect(P(mdp, 36, LEFT)).toEqual([[1, 36, -1, false]]);
    expect(P(mdp, 36, DOWN)).toEqual([[1, 36, -1, false]]);
    expect(P(mdp, 0, UP)).toEqual([[1, 0, -1, false]]);
  });

  it("the goal and the cliff cells keep ordinary moves: P[47] has no absorbing self-loop", () => {
    expect(P(mdp, 47, UP)).toEqual([[1, 35, -1, false]]);
    expect(P(mdp, 47, RIGHT)).toEqual([[1, 47, -1, true]]);
    expect(P(mdp, 47, DOWN)).toEqual([[1, 47, -1, true]]);
    expect(P(mdp, 47, LEFT)).toEqual([[1, 36, -100, false]]);
    expect(P(mdp, 40, UP)).toEqual([[1, 28, -1, false]]);
    expect(P(mdp, 46, RIGHT)).toEqual([[1, 47, -1, true]]);
  });

  it("exactly 4 entries end the episode, all entering the goal", () => {
    const ends: number[] = [];
    for (let k = 0; k < mdp.nnz; k++) if (mdp.done[k]) ends.push(mdp.next[k]!);
    expect(ends).toEqual([47, 47, 47, 47]); // 35 DOWN, 46 RIGHT, 47 RIGHT, 47 DOWN
  });
});

describe("CliffWalking slippery (is_slippery=True)", () => {
  const mdp = cliffWalking({ isSlippery: true });

  it("lists the moves (a-1)%4, a, (a+1)%4 with probability 1/3 each", () => {
    // From the start, UP: LEFT (stays, -1), UP (24), RIGHT (the cliff: back to 36, -100).
    expect(P(mdp, 36, UP)).toEqual([
      [1 / 3, 36, -1, false],
      [1 / 3, 24, -1, false],
      [1 / 3, 36, -100, false],
    ]);
    // From 35 = (2, 11), DOWN: RIGHT (stays), DOWN (the goal), LEFT (34).
    expect(P(mdp, 35, DOWN)).toEqual([
      [1 / 3, 35, -1, false],
      [1 / 3, 47, -1, true],
      [1 / 3, 34, -1, false],
    ]);
    expect(mdp.nnz).toBe(48 * 4 * 3);
    expect(new Set(mdp.prob)).toEqual(new Set([1 / 3]));
    expect(mdp.meta).toMatchObject({ isSlippery: true });
  });
});
