/**
 * The open N x N FrozenLake against the bench's C reference (test/bench/ref/softvi.c): its open_lake()
 * is ported line for line below (with a deterministic variant, one entry per action) and the two
 * tables must agree entry for entry.
 */
import { describe, expect, it } from "vitest";
import { ParameterError, frozenLake, frozenLakeOpen, gridShape } from "../../src/index.js";
import { P, tables } from "./support.js";

/** softvi.c's move(): Gymnasium's inc(), off-grid moves stay. */
function stepCell(N: number, s: number, d: number): number {
  let r = Math.floor(s / N);
  let c = s % N;
  if (d === 0 && c > 0) c--;
  else if (d === 1 && r < N - 1) r++;
  else if (d === 2 && c < N - 1) c++;
  else if (d === 3 && r > 0) r--;
  return r * N + c;
}

/** softvi.c's open_lake(), ported: the CSR arrays it fills. */
function referenceBuild(N: number, det: boolean) {
  const S = N * N;
  const G = S - 1;
  const per = det ? 1 : 3;
  const rowptr: number[] = [];
  const next: number[] = [];
  const prob: number[] = [];
  const reward: number[] = [];
  const done: number[] = [];
  for (let s = 0; s < S; s++) {
    for (let a = 0; a < 4; a++) {
      rowptr.push(next.length);
      if (s === G) {
        next.push(G), prob.push(1.0), reward.push(0.0), done.push(1);
        continue;
      }
      for (let j = 0; j < per; j++) {
        const d = det ? a : (a + 3 + j) & 3;
        const ns = stepCell(N, s, d);
        next.push(ns), prob.push(det ? 1.0 : 1.0 / 3.0), reward.push(ns === G ? 1.0 : 0.0), done.push(ns === G ? 1 : 0);
      }
    }
  }
  rowptr.push(next.length);
  return { rowStart: rowptr, next, prob, reward, done };
}

describe("open FrozenLake, the layout of the C reference softvi.c", () => {
  it("matches softvi.c open_lake() entry for entry, slippery and deterministic", () => {
    for (const N of [2, 3, 5, 17]) {
      for (const det of [false, true]) {
        const { initial: _initial, ...ours } = tables(frozenLakeOpen(N, { isSlippery: !det }));
        expect(ours, `N = ${N}, det = ${det}`).toEqual(referenceBuild(N, det));
      }
    }
  });

  it("nnz = 12 (N^2 - 1) + 4 when slippery and 4 (N^2 - 1) + 4 when not", () => {
    for (const N of [2, 4, 31, 100]) {
      expect(frozenLakeOpen(N).nnz).toBe(12 * (N * N - 1) + 4);
      expect(frozenLakeOpen(N, { isSlippery: false }).nnz).toBe(4 * (N * N - 1) + 4);
    }
  });

  it("the three slippery entries are exactly 1/3 each, as the C reference writes 1.0 / 3.0", () => {
    const mdp = frozenLakeOpen(3);
    expect(P(mdp, 4, 0)).toEqual([
      [1 / 3, 1, 0, false],
      [1 / 3, 3, 0, false],
      [1 / 3, 7, 0, false],
    ]);
    expect(new Set(mdp.prob.subarray(0, mdp.nnz - 4))).toEqual(new Set([1 / 3]));
  });

  it("starts top-left with probability 1; the bottom-right goal pays 1 on entry and is absorbing", () => {
    const mdp = frozenLakeOpen(4);
    expect(mdp.initial[0]).toBe(1);
    expect(mdp.initial.reduce((x, y) => x + y, 0)).toBe(1);
    expect(P(mdp, 14, 2)).toEqual([
      [1 / 3, 14, 0, false],
      [1 / 3, 15, 1, true],
      [1 / 3, 10, 0, false],
    ]);
    for (let a = 0; a < 4; a++) expect(P(mdp, 15, a)).toEqual([[1, 15, 0, true]]);
  });

  it("with an explicit successRate it equals Gymnasium's FrozenLake on the same all-frozen map", () => {
    const rows = ["SFFFF", "FFFFF", "FFFFF", "FFFFF", "FFFFG"];
    expect(tables(frozenLakeOpen(5, { successRate: 1 / 3 }))).toEqual(tables(frozenLake({ map: rows })));
    expect(tables(frozenLakeOpen(5, { successRate: 0.6 }))).toEqual(tables(frozenLake({ map: rows, successRate: 0.6 })));
    expect(tables(frozenLakeOpen(5, { isSlippery: false }))).toEqual(tables(frozenLake({ map: rows, isSlippery: false })));
  });

  it("keeps its map in meta, for the grid helper", () => {
    const mdp = frozenLakeOpen(3);
    expect(mdp.meta).toMatchObject({ name: "FrozenLakeOpen", size: 3, rows: 3, cols: 3, map: ["SFF", "FFF", "FFG"], isSlippery: true });
    expect(gridShape(mdp)?.kindOf(8)).toBe("goal");
    expect(mdp.stateName(5)).toBe("1,2");
  });

  it("builds N = 1000 (a million states, 12 million entries) straight into typed arrays, without state names", () => {
    const mdp = frozenLakeOpen(1000);
    expect(mdp.nStates).toBe(1_000_000);
    expect(mdp.nnz).toBe(12 * (1_000_000 - 1) + 4);
    expect(mdp.stateNames).toBeUndefined();
    expect(mdp.next).toBeInstanceOf(Int32Array);
    expect(mdp.entries(999_999, 3)).toEqual([{ prob: 1, next: 999_999, reward: 0, done: true }]);
    expect(mdp.entries(999_998, 2).map((e) => e.next)).toEqual([999_998, 999_999, 998_998]);
  });

  it("a size below 2 or not an integer is a ParameterError naming size", () => {
    for (const bad of [1, 0, -3, 2.5, NaN]) {
      expect(() => frozenLakeOpen(bad)).toThrow(ParameterError);
      expect(() => frozenLakeOpen(bad)).toThrow(/^size: /);
    }
    expect(() => frozenLakeOpen(4, { successRate: 2 })).toThrow(/^successRate: /);
  });
});
