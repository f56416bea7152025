/**
 * The library is strict like the CLI: an unknown option key is a ParameterError naming the key and
 * the nearest valid name; a raw Gymnasium object is refused with the function to call.
 */
import { describe, expect, it } from "vitest";
import { CaiError, ParameterError, cliffWalking, frozenLake, frozenLakeOpen, mdpFromJson, randomMdp, solve } from "../../src/index.js";
import { editDistance, nearest } from "../../src/suggest.js";

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ParameterError);
    expect(e).toBeInstanceOf(CaiError);
    return (e as Error).message;
  }
  throw new Error("expected a ParameterError");
}

describe("options objects: unknown keys are errors with the nearest valid name", () => {
  const lake = frozenLake();

  it("solve", () => {
    expect(message(() => solve(lake, { bakcup: "exact", gamma: 0.9 } as never))).toMatch(/^bakcup: is not an option of solve \(did you mean backup\?\); its options are backup, rules, alpha, gamma, /);
    expect(message(() => solve(lake, { gamma: 0.9, max_iter: 3 } as never))).toMatch(/^max_iter: is not an option of solve \(did you mean maxIter\?\)/);
    expect(message(() => solve(lake, { gamma: 0.9, frobnicate: 1 } as never))).toMatch(/^frobnicate: is not an option of solve; its options are/);
    // A key present with the value undefined is the same as an absent key.
    expect(solve(lake, { gamma: 0.9, backup: undefined } as never).backup).toBe("variational");
  });

  it("environments: frozenLake(\"8x8\") and frozenLake({slippery: false}) no longer give the slippery 4x4 map", () => {
    expect(message(() => frozenLake("8x8" as never))).toBe('frozenLake options: expected an object of options, got the string "8x8" (a map name goes in the options: frozenLake({ map: "8x8" }))');
    expect(message(() => frozenLake({ slippery: false } as never))).toMatch(/^slippery: is not an option of frozenLake \(did you mean isSlippery\?\)/);
    expect(message(() => frozenLakeOpen(3, { is_slippery: false } as never))).toMatch(/^is_slippery: is not an option of frozenLakeOpen \(did you mean isSlippery\?\)/);
    expect(message(() => cliffWalking({ slippery: true } as never))).toMatch(/^slippery: is not an option of cliffWalking \(did you mean isSlippery\?\)/);
    expect(message(() => randomMdp({ states: 2, actions: 1, successors: 1, sed: 3 } as never))).toMatch(/^sed: is not an option of randomMdp \(did you mean seed\?\)/);
    expect(frozenLake({ map: "8x8", isSlippery: false }).nStates).toBe(64);
  });

  it("solve given a raw Gymnasium object {P: ...} says to build the MDP first, and works once it is built", () => {
    const raw = { P: { "0": { "0": [[1, 0, 1, true]] } } };
    expect(message(() => solve(raw as never, { horizon: 1 }))).toMatch(/^mdp: is a raw Gymnasium object \{P: \.\.\.\}: build the tabular MDP first with mdpFromJson\(obj\)/);
    expect(message(() => solve(undefined as never, { horizon: 1 }))).toMatch(/^mdp: is not a tabular MDP/);
    expect(Array.from(solve(mdpFromJson(raw), { horizon: 1 }).V)).toEqual([1]);
  });
});

describe("did you mean", () => {
  it("edit distance counts a swap of neighbours as one edit", () => {
    expect(editDistance("bakcup", "backup")).toBe(1);
    expect(editDistance("slove", "solve")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("Alpha", "alpha")).toBe(0);
  });

  it("suggests near misses and prefixes/suffixes, nothing for far names", () => {
    expect(nearest("bakcup", ["alpha", "backup", "gamma"])).toBe("backup");
    expect(nearest("slippery", ["map", "isSlippery"])).toBe("isSlippery");
    expect(nearest("frobnicate", ["alpha", "backup"])).toBeUndefined();
    expect(nearest("tl", ["tol", "top"])).toBe("tol");
    expect(nearest("xyz", ["tol"])).toBeUndefined();
  });
});
