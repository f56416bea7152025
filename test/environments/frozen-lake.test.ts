/**
 * FrozenLake against facts read in Gymnasium's gymnasium/envs/toy_text/frozen_lake.py (the 1.x
 * source with success_rate and reward_schedule): MAPS, to_s, inc, the (a-1)%4, a, (a+1)%4 order,
 * fail_rate = (1 - success_rate) / 2, (1.0, s, 0, True) on holes and goal, reward_schedule, p0.
 */
import { describe, expect, it } from "vitest";
import { FROZEN_LAKE_ACTIONS, FROZEN_LAKE_MAPS, InputError, ParameterError, frozenLake, writeMdp } from "../../src/index.js";
import { P, tables } from "./support.js";

const LEFT = 0;
const DOWN = 1;
const RIGHT = 2;
const UP = 3;
/** Gymnasium's side probability for the default success_rate: (1 - 1/3) / 2, one ulp above 1/3. */
const SIDE = 0.33333333333333337;
const MAIN = 1 / 3;

describe("FrozenLake maps and sizes", () => {
  it("the named maps are Gymnasium's MAPS, row for row", () => {
    expect(FROZEN_LAKE_MAPS["4x4"]).toEqual(["SFFF", "FHFH", "FFFH", "HFFG"]);
    expect(FROZEN_LAKE_MAPS["8x8"]).toEqual(["SFFFFFFF", "FFFFFFFF", "FFFHFFFF", "FFFFFHFF", "FFFHFFFF", "FHHFFFHF", "FHFFHFHF", "FFFHFFFG"]);
  });

  it("4x4 has 16 states numbered row * 4 + col, actions LEFT, DOWN, RIGHT, UP, and starts in state 0", () => {
    const mdp = frozenLake();
    expect(mdp.nStates).toBe(16);
    expect(mdp.nActions).toBe(4);
    expect(mdp.actionNames).toEqual(["LEFT", "DOWN", "RIGHT", "UP"]);
    expect(FROZEN_LAKE_ACTIONS).toEqual(["LEFT", "DOWN", "RIGHT", "UP"]);
    expect(mdp.stateName(6)).toBe("1,2");
    expect(Array.from(mdp.initial)).toEqual([1, ...new Array(15).fill(0)]);
  });

  it("entry counts: 3 per (s, a) when slippery, 1 when not, 1 per action on the 5 holes/goal of 4x4 and the 11 of 8x8", () => {
    expect(frozenLake().nnz).toBe(5 * 4 + 11 * 4 * 3);
    expect(frozenLake({ isSlippery: false }).nnz).toBe(16 * 4);
    const big = frozenLake({ map: "8x8" });
    expect(big.nStates).toBe(64);
    expect(big.nnz).toBe(11 * 4 + 53 * 4 * 3);
  });
});

describe("FrozenLake slippery transitions (success_rate 1/3 by default)", () => {
  const mdp = frozenLake();

  it("from the start, LEFT lists UP, LEFT, DOWN with probabilities fail, success_rate, fail", () => {
    // (a-1)%4 = UP stays at (0,0); LEFT stays; (a+1)%4 = DOWN goes to (1,0) = 4.
    expect(P(mdp, 0, LEFT)).toEqual([
      [SIDE, 0, 0, false],
      [MAIN, 0, 0, false],
      [SIDE, 4, 0, false],
    ]);
  });

  it("the side probability is (1 - 1/3) / 2 = 0.33333333333333337, not 1/3 (the pre-success_rate versions used 1/3)", () => {
    expect((1 - 1 / 3) / 2).toBe(SIDE);
    expect(SIDE).not.toBe(1 / 3);
    expect(mdp.prob[0]).toBe(SIDE);
    expect(mdp.prob[1]).toBe(1 / 3);
  });

  it("stepping into a hole ends the episode with reward 0", () => {
    // State 1 = (0,1), DOWN: LEFT -> 0, DOWN -> 5 (a hole), RIGHT -> 2.
    expect(P(mdp, 1, DOWN)).toEqual([
      [SIDE, 0, 0, false],
      [MAIN, 5, 0, true],
      [SIDE, 2, 0, false],
    ]);
  });

  it("reward 1 only on entering the goal: state 14 RIGHT lists DOWN (stay), RIGHT (goal), UP", () => {
    expect(P(mdp, 14, RIGHT)).toEqual([
      [SIDE, 14, 0, false],
      [MAIN, 15, 1, true],
      [SIDE, 10, 0, false],
    ]);
    const rewarded: number[] = [];
    for (let k = 0; k < mdp.nnz; k++) if (mdp.reward[k] !== 0) rewarded.push(k);
    expect(rewarded).toHaveLength(3); // 14 RIGHT (main), 14 DOWN and 14 UP (sides)
    for (const k of rewarded) {
      expect(mdp.reward[k]).toBe(1);
      expect(mdp.next[k]).toBe(15);
      expect(mdp.done[k]).toBe(1);
    }
  });

  it("holes and the goal list one (1.0, s, 0, True) per action", () => {
    for (const s of [5, 7, 11, 12, 15]) {
      for (let a = 0; a < 4; a++) expect(P(mdp, s, a)).toEqual([[1, s, 0, true]]);
    }
  });

  it("UP from the top row and RIGHT from the right column stay in place (inc clamps)", () => {
    // State 3 = (0,3), UP: RIGHT stays, UP stays, LEFT goes to 2.
    expect(P(mdp, 3, UP)).toEqual([
      [SIDE, 3, 0, false],
      [MAIN, 3, 0, false],
      [SIDE, 2, 0, false],
    ]);
  });

  it("writes the first state as json.dump(env.P) would list it (1 and 0 printed as integers)", () => {
    const line = writeMdp(mdp).split("\n")[1];
    expect(line).toBe(
      "[[[0.33333333333333337,0,0,false],[0.3333333333333333,0,0,false],[0.33333333333333337,4,0,false]]," +
        "[[0.33333333333333337,0,0,false],[0.3333333333333333,4,0,false],[0.33333333333333337,1,0,false]]," +
        "[[0.33333333333333337,4,0,false],[0.3333333333333333,1,0,false],[0.33333333333333337,0,0,false]]," +
        "[[0.33333333333333337,1,0,false],[0.3333333333333333,0,0,false],[0.33333333333333337,0,0,false]]],",
    );
  });
});

describe("FrozenLake options", () => {
  it("not slippery: one entry (1.0, s', r, done) in the intended direction", () => {
    const mdp = frozenLake({ isSlippery: false });
    expect(P(mdp, 0, LEFT)).toEqual([[1, 0, 0, false]]);
    expect(P(mdp, 0, DOWN)).toEqual([[1, 4, 0, false]]);
    expect(P(mdp, 14, RIGHT)).toEqual([[1, 15, 1, true]]);
    expect(P(mdp, 15, LEFT)).toEqual([[1, 15, 0, true]]);
  });

  it("success_rate 0.8 gives the intended direction 0.8 and each side (1 - 0.8) / 2", () => {
    const mdp = frozenLake({ successRate: 0.8 });
    const side = (1 - 0.8) / 2;
    expect(side).toBe(0.09999999999999998);
    expect(P(mdp, 0, RIGHT)).toEqual([
      [side, 4, 0, false],
      [0.8, 1, 0, false],
      [side, 0, 0, false],
    ]);
  });

  it("success_rate 1 keeps the two zero-probability side entries, as Gymnasium does", () => {
    expect(P(frozenLake({ successRate: 1 }), 0, RIGHT)).toEqual([
      [0, 4, 0, false],
      [1, 1, 0, false],
      [0, 0, 0, false],
    ]);
  });

  it("reward_schedule gives the rewards for entering a goal, a hole, a frozen or start cell; absorbing entries stay 0", () => {
    const mdp = frozenLake({ isSlippery: false, rewardSchedule: [10, -5, -1] });
    expect(P(mdp, 14, RIGHT)).toEqual([[1, 15, 10, true]]);
    expect(P(mdp, 1, DOWN)).toEqual([[1, 5, -5, true]]);
    expect(P(mdp, 1, LEFT)).toEqual([[1, 0, -1, false]]); // entering S counts as F
    expect(P(mdp, 5, UP)).toEqual([[1, 5, 0, true]]);
  });

  it("a custom map with two S cells starts uniformly on both", () => {
    const mdp = frozenLake({ map: ["SFS", "FHG"], isSlippery: false });
    expect(mdp.nStates).toBe(6);
    expect(Array.from(mdp.initial)).toEqual([0.5, 0, 0.5, 0, 0, 0]);
    expect(P(mdp, 2, DOWN)).toEqual([[1, 5, 1, true]]);
    expect(mdp.meta).toMatchObject({ name: "FrozenLake", map: ["SFS", "FHG"], rows: 2, cols: 3 });
  });

  it("a custom map equal to 4x4 gives the same table as the named map", () => {
    expect(tables(frozenLake({ map: ["SFFF", "FHFH", "FFFH", "HFFG"] }))).toEqual(tables(frozenLake({ map: "4x4" })));
  });
});

describe("FrozenLake parameter errors", () => {
  it("an unknown map name is a ParameterError naming map", () => {
    expect(() => frozenLake({ map: "5x5" as never })).toThrow(ParameterError);
    expect(() => frozenLake({ map: "5x5" as never })).toThrow(/^map: unknown map name "5x5"/);
  });

  it("bad characters, ragged rows, and missing S or G are InputErrors listing each problem", () => {
    try {
      frozenLake({ map: ["SFXF", "FFF", "FFFG"] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      const messages = (e as InputError).problems.map((p) => p.message);
      expect(messages).toEqual([
        'map: row 1 ("SFXF"): "X" at column 3 is not one of S, F, H, G',
        'map: row 2 ("FFF") has 3 cells, row 1 has 4 (rows must have equal length)',
      ]);
    }
    expect(() => frozenLake({ map: ["FFF", "FFG"] })).toThrow("map: no start cell S");
    expect(() => frozenLake({ map: ["SFF", "FFH"] })).toThrow("map: no goal cell G");
    expect(() => frozenLake({ map: [] })).toThrow(InputError);
  });

  it("success_rate outside [0, 1] or NaN is a ParameterError naming successRate", () => {
    for (const bad of [-0.1, 1.5, NaN]) {
      expect(() => frozenLake({ successRate: bad })).toThrow(ParameterError);
      expect(() => frozenLake({ successRate: bad })).toThrow(/^successRate: /);
    }
  });

  it("a non-finite reward schedule is a ParameterError naming rewardSchedule", () => {
    expect(() => frozenLake({ rewardSchedule: [1, Infinity, 0] })).toThrow(/^rewardSchedule: /);
  });
});
