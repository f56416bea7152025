/**
 * Taxi against facts read in Gymnasium's gymnasium/envs/toy_text/taxi.py (Taxi-v3, dry): MAP,
 * locs, encode/decode, the move/pickup/dropoff rules, rewards -1/-10/+20, p0 uniform over
 * pass_idx < 4 and pass_idx != dest_idx.
 */
import { describe, expect, it } from "vitest";
import { TAXI_ACTIONS, TAXI_DEPOTS, TAXI_LAYOUT, taxi, taxiDecode, taxiEncode } from "../../src/index.js";
import { P } from "./support.js";

const SOUTH = 0;
const NORTH = 1;
const EAST = 2;
const WEST = 3;
const PICKUP = 4;
const DROPOFF = 5;
const IN_TAXI = 4;

describe("Taxi sizes and encoding", () => {
  const mdp = taxi();

  it("has 500 states and 6 actions SOUTH, NORTH, EAST, WEST, PICKUP, DROPOFF, one entry of probability 1 each", () => {
    expect(mdp.nStates).toBe(500);
    expect(mdp.nActions).toBe(6);
    expect(mdp.actionNames).toEqual(["SOUTH", "NORTH", "EAST", "WEST", "PICKUP", "DROPOFF"]);
    expect(TAXI_ACTIONS).toEqual(mdp.actionNames);
    expect(mdp.nnz).toBe(3000);
    expect(new Set(mdp.prob)).toEqual(new Set([1]));
  });

  it("encodes ((row * 5 + col) * 5 + passenger) * 4 + destination: encode(3, 1, 2, 0) = 328", () => {
    expect(taxiEncode(3, 1, 2, 0)).toBe(328);
    expect(taxiDecode(328)).toEqual({ row: 3, col: 1, passenger: 2, destination: 0 });
    expect(taxiDecode(499)).toEqual({ row: 4, col: 4, passenger: 4, destination: 3 });
    for (let s = 0; s < 500; s++) {
      const { row, col, passenger, destination } = taxiDecode(s);
      expect(taxiEncode(row, col, passenger, destination)).toBe(s);
    }
    expect(mdp.stateName(328)).toBe("3,1,Y,R");
  });

  it("keeps Gymnasium's map and the depots R (0,0), G (0,4), Y (4,0), B (4,3)", () => {
    expect(TAXI_LAYOUT).toEqual(["+---------+", "|R: | : :G|", "| : | : : |", "| : : : : |", "| | : | : |", "|Y| : |B: |", "+---------+"]);
    expect(TAXI_DEPOTS).toEqual([
      [0, 0],
      [0, 4],
      [4, 0],
      [4, 3],
    ]);
  });

  it("starts uniformly on the 300 states with the passenger at a depot other than the destination", () => {
    const support: number[] = [];
    mdp.initial.forEach((p, s) => {
      if (p > 0) {
        support.push(s);
        expect(p).toBe(1 / 300);
      }
    });
    expect(support).toHaveLength(300);
    for (const s of support) {
      const { passenger, destination } = taxiDecode(s);
      expect(passenger).toBeLessThan(4);
      expect(passenger).not.toBe(destination);
    }
  });
});

describe("Taxi rewards and transitions", () => {
  const mdp = taxi();

  it("rewards are -1, -10 and +20 only; +20 and done occur together on the 4 successful dropoffs", () => {
    expect(new Set(mdp.reward)).toEqual(new Set([-1, -10, 20]));
    const wins: number[] = [];
    for (let k = 0; k < mdp.nnz; k++) {
      expect(mdp.done[k] === 1).toBe(mdp.reward[k] === 20);
      if (mdp.done[k]) wins.push(k);
    }
    expect(wins).toHaveLength(4);
  });

  it("a pickup at the passenger's depot puts the passenger in the taxi for -1; elsewhere it costs -10 and changes nothing", () => {
    const s = taxiEncode(0, 0, 0, 1);
    expect(P(mdp, s, PICKUP)).toEqual([[1, taxiEncode(0, 0, IN_TAXI, 1), -1, false]]);
    const t = taxiEncode(2, 2, 0, 1);
    expect(P(mdp, t, PICKUP)).toEqual([[1, t, -10, false]]);
    const u = taxiEncode(0, 0, IN_TAXI, 1);
    expect(P(mdp, u, PICKUP)).toEqual([[1, u, -10, false]]);
  });

  it("a dropoff at the destination ends the episode with +20; at another depot it leaves the passenger there for -1", () => {
    expect(P(mdp, taxiEncode(0, 4, IN_TAXI, 1), DROPOFF)).toEqual([[1, taxiEncode(0, 4, 1, 1), 20, true]]);
    expect(P(mdp, taxiEncode(0, 0, IN_TAXI, 1), DROPOFF)).toEqual([[1, taxiEncode(0, 0, 0, 1), -1, false]]);
    const off = taxiEncode(2, 2, IN_TAXI, 1);
    expect(P(mdp, off, DROPOFF)).toEqual([[1, off, -10, false]]);
  });

  it("walls block east and west moves and the edges clamp, each for -1", () => {
    expect(P(mdp, taxiEncode(0, 0, 1, 2), EAST)).toEqual([[1, taxiEncode(0, 1, 1, 2), -1, false]]);
    expect(P(mdp, taxiEncode(0, 1, 1, 2), EAST)).toEqual([[1, taxiEncode(0, 1, 1, 2), -1, false]]); // "|" between columns 1 and 2
    expect(P(mdp, taxiEncode(4, 1, 1, 2), WEST)).toEqual([[1, taxiEncode(4, 1, 1, 2), -1, false]]); // "|" between columns 0 and 1
    expect(P(mdp, taxiEncode(4, 2, 1, 2), SOUTH)).toEqual([[1, taxiEncode(4, 2, 1, 2), -1, false]]);
    expect(P(mdp, taxiEncode(0, 3, 1, 2), NORTH)).toEqual([[1, taxiEncode(0, 3, 1, 2), -1, false]]);
    expect(P(mdp, taxiEncode(2, 2, 1, 2), NORTH)).toEqual([[1, taxiEncode(1, 2, 1, 2), -1, false]]);
  });
});
