/** gridShape: the grid behind a grid environment, read back from meta (and after a native round trip). */
import { describe, expect, it } from "vitest";
import { cliffWalking, frozenLake, frozenLakeOpen, gridShape, parseMdp, randomMdp, taxi, taxiEncode, writeMdp } from "../../src/index.js";

describe("gridShape", () => {
  it("FrozenLake 4x4: rows, columns, positions and the kind of every cell", () => {
    const grid = gridShape(frozenLake())!;
    expect(grid).toMatchObject({ name: "FrozenLake", rows: 4, cols: 4, map: ["SFFF", "FHFH", "FFFH", "HFFG"] });
    expect(grid.position(6)).toEqual({ row: 1, col: 2 });
    const kinds = Array.from({ length: 16 }, (_, s) => grid.kindOf(s));
    expect(kinds.filter((k) => k === "hole").length).toBe(4);
    expect([grid.kindOf(0), grid.kindOf(5), grid.kindOf(15), grid.kindOf(1)]).toEqual(["start", "hole", "goal", "frozen"]);
  });

  it("CliffWalking: the start, the cliff along row 3 and the goal", () => {
    const grid = gridShape(cliffWalking())!;
    expect([grid.rows, grid.cols]).toEqual([4, 12]);
    expect([grid.kindOf(36), grid.kindOf(37), grid.kindOf(46), grid.kindOf(47), grid.kindOf(0)]).toEqual(["start", "cliff", "cliff", "goal", "free"]);
  });

  it("Taxi: 500 states on 25 cells, the depots, and the wall layout", () => {
    const grid = gridShape(taxi())!;
    expect([grid.rows, grid.cols]).toEqual([5, 5]);
    const s = taxiEncode(4, 3, 2, 0);
    expect(grid.cellOf(s)).toBe(23);
    expect(grid.position(s)).toEqual({ row: 4, col: 3 });
    expect(grid.kindOf(s)).toBe("depot");
    expect(grid.kindOf(taxiEncode(2, 2, 4, 1))).toBe("road");
    expect(grid.layout?.[1]).toBe("|R: | : :G|");
  });

  it("survives a round trip through the native format, not through Gymnasium P JSON (which has no meta)", () => {
    const mdp = frozenLakeOpen(5);
    const back = parseMdp(writeMdp(mdp, "native"));
    expect(gridShape(back)?.map).toEqual(["SFFFF", "FFFFF", "FFFFF", "FFFFF", "FFFFG"]);
    expect(gridShape(parseMdp(writeMdp(mdp)))).toBeUndefined();
  });

  it("is undefined for an MDP that is not a grid", () => {
    expect(gridShape(randomMdp({ states: 4, actions: 2, successors: 2 }))).toBeUndefined();
  });
});
