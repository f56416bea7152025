/** The seeded generator (xoshiro128**) and the random MDPs built on it. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ParameterError, Rng, randomMdp } from "../../src/index.js";
import { P, tables } from "./support.js";

describe("Rng (xoshiro128**)", () => {
  it("reproduces the reference xoshiro128** stream from the state (1, 2, 3, 4)", () => {
    const rng = Rng.fromState([1, 2, 3, 4]);
    expect([rng.uint32(), rng.uint32(), rng.uint32(), rng.uint32(), rng.uint32()]).toEqual([11520, 0, 5927040, 70819200, 2031721883]);
  });

  it("the same seed gives the same stream on every run (pinned values)", () => {
    const rng = new Rng(1);
    expect([rng.uint32(), rng.uint32(), rng.uint32()]).toEqual([393288148, 2174103013, 3814759091]);
    expect(new Rng(1).float()).toBe(0.09156953175513294);
  });

  it("different seeds, including negative and large ones, give different streams", () => {
    const firsts = [0, 1, 2, -1, 2 ** 32, 2 ** 40 + 1].map((seed) => new Rng(seed).uint32());
    expect(new Set(firsts).size).toBe(firsts.length);
  });

  it("float() lies in [0, 1) and int(n) in 0..n-1, roughly uniform", () => {
    const rng = new Rng(7);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60_000; i++) {
      const x = rng.float();
      expect(x >= 0 && x < 1).toBe(true);
      counts[rng.int(6)]++;
    }
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500); // about 5 standard deviations
  });

  it("categorical() never picks a zero weight, returns -1 when all weights are zero, and follows the weights", () => {
    const rng = new Rng(3);
    const w = [0, 0.25, 0, 0.75, 0];
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++) counts[rng.categorical(w)]!++;
    expect(counts[0]! + counts[2]! + counts[4]!).toBe(0);
    expect(Math.abs(counts[3]! / 20_000 - 0.75)).toBeLessThan(0.02);
    expect(rng.categorical([0, 0])).toBe(-1);
    expect(rng.categorical(w, 1, 2)).toBe(1); // a sub-range, as a CSR row
  });

  it("state() and clone() continue the same stream", () => {
    const a = new Rng(11);
    a.uint32();
    const b = a.clone();
    const c = Rng.fromState(a.state());
    const xs = [a.float(), a.float()];
    expect([b.float(), b.float()]).toEqual(xs);
    expect([c.float(), c.float()]).toEqual(xs);
  });

  it("a seed that is not a safe integer is a ParameterError naming seed", () => {
    expect(() => new Rng(1.5)).toThrow(ParameterError);
    expect(() => new Rng(1.5)).toThrow(/^seed: /);
    expect(() => new Rng(2 ** 60)).toThrow(ParameterError);
  });
});

describe("randomMdp", () => {
  it("the same options give the same table (pinned first entries of seed 1)", () => {
    const mdp = randomMdp({ states: 5, actions: 2, successors: 2, seed: 1 });
    expect(P(mdp, 0, 0)).toEqual([
      [0.9401582840538393, 0, -0.1314596458170143, false],
      [0.05984171594616067, 3, 0.8791951306049488, false],
    ]);
    expect(tables(randomMdp({ states: 5, actions: 2, successors: 2, seed: 1 }))).toEqual(tables(mdp));
  });

  it("different seeds give different tables", () => {
    const a = randomMdp({ states: 50, actions: 3, successors: 4, seed: 1 });
    const b = randomMdp({ states: 50, actions: 3, successors: 4, seed: 2 });
    expect(tables(a).next).not.toEqual(tables(b).next);
    expect(tables(a).prob).not.toEqual(tables(b).prob);
  });

  it("every (s, a) lists `successors` distinct next states in ascending order, rewards in range, p0 uniform", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer(),
        fc.double({ min: -5, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (states, actions, k, seed, lo, width) => {
          const successors = Math.min(k, states);
          const mdp = randomMdp({ states, actions, successors, seed, rewardRange: [lo, lo + width] });
          expect(mdp.nnz).toBe(states * actions * successors);
          for (let row = 0; row < states * actions; row++) {
            const nexts = Array.from(mdp.next.subarray(mdp.rowStart[row], mdp.rowStart[row + 1]));
            expect(nexts).toEqual([...new Set(nexts)].sort((x, y) => x - y));
          }
          for (let k2 = 0; k2 < mdp.nnz; k2++) {
            expect(mdp.reward[k2]! >= lo && mdp.reward[k2]! <= lo + width).toBe(true);
            expect(mdp.done[k2]).toBe(0);
          }
          expect(new Set(mdp.initial)).toEqual(new Set([1 / states]));
        },
      ),
      { numRuns: 60 },
    );
  });

  it("successors = states lists every state once; terminalProbability 1 ends every entry", () => {
    const full = randomMdp({ states: 6, actions: 2, successors: 6, seed: 5, terminalProbability: 1 });
    expect(P(full, 3, 1).map((e) => e[1])).toEqual([0, 1, 2, 3, 4, 5]);
    expect(new Set(full.done)).toEqual(new Set([1]));
  });

  it("changing terminalProbability changes only the done flags", () => {
    const a = tables(randomMdp({ states: 30, actions: 2, successors: 3, seed: 9 }));
    const b = tables(randomMdp({ states: 30, actions: 2, successors: 3, seed: 9, terminalProbability: 0.3 }));
    expect({ ...b, done: [] }).toEqual({ ...a, done: [] });
    const ended = b.done!.filter((d) => d === 1).length;
    expect(ended).toBeGreaterThan(0.15 * b.done!.length);
    expect(ended).toBeLessThan(0.45 * b.done!.length);
  });

  it("records its parameters in meta", () => {
    expect(randomMdp({ states: 3, actions: 1, successors: 2, seed: 4, rewardRange: [0, 2] }).meta).toMatchObject({
      name: "RandomMdp",
      states: 3,
      actions: 1,
      successors: 2,
      seed: 4,
      rewardRange: [0, 2],
      terminalProbability: 0,
    });
  });

  it("bad sizes, ranges and probabilities are ParameterErrors naming the field", () => {
    const base = { states: 4, actions: 2, successors: 2 };
    expect(() => randomMdp({ ...base, states: 0 })).toThrow(/^states: /);
    expect(() => randomMdp({ ...base, actions: 1.5 })).toThrow(/^actions: /);
    expect(() => randomMdp({ ...base, successors: 5 })).toThrow(/^successors: 5 distinct next states/);
    expect(() => randomMdp({ ...base, rewardRange: [1, -1] })).toThrow(/^rewardRange: /);
    expect(() => randomMdp({ ...base, terminalProbability: 1.2 })).toThrow(/^terminalProbability: /);
    expect(() => randomMdp({ ...base, seed: 0.5 })).toThrow(/^seed: /);
    expect(() => randomMdp({ states: 100_000, actions: 100, successors: 1000 })).toThrow(ParameterError);
  });
});
