import { describe, expect, it } from "vitest";
import { JsonSyntaxError, MdpValidationError, NATIVE_FORMAT, TabularMdp, UnknownFormatError, mdpFromJson, parseMdp, writeMdp } from "../../src/index.js";
import { gym, thrown } from "./support.js";

/** What Python's json.dump(env.P) writes: objects keyed "0".."k-1", done as booleans. */
const tiny = {
  P: {
    "0": { "0": [[1.0, 1, 0.5, false]], "1": [[0.5, 0, 0, 0], [0.5, 1, 1, 1]] },
    "1": { "0": [[1.0, 1, 0, true]], "1": [[1.0, 1, 0, true]] },
  },
};

describe("Gymnasium P JSON: reading", () => {
  it("reads P keyed by strings, done as 0/1 or booleans, initial uniform when absent", () => {
    const mdp = parseMdp(JSON.stringify(tiny));
    expect(mdp.nStates).toBe(2);
    expect(mdp.nActions).toBe(2);
    expect(Array.from(mdp.rowStart)).toEqual([0, 1, 3, 4, 5]);
    expect(Array.from(mdp.next)).toEqual([1, 0, 1, 1, 1]);
    expect(Array.from(mdp.prob)).toEqual([1, 0.5, 0.5, 1, 1]);
    expect(Array.from(mdp.reward)).toEqual([0.5, 0, 1, 0, 0]);
    expect(Array.from(mdp.done)).toEqual([0, 0, 1, 1, 1]);
    expect(Array.from(mdp.initial)).toEqual([0.5, 0.5]);
  });

  it("reads P and P[s] as plain lists", () => {
    const mdp = parseMdp(gym([[[[1, 1, 2, false]]], [[[0.25, 0, -1, true], [0.75, 1, 3, false]]]], { initial: [0, 1] }));
    expect([mdp.nStates, mdp.nActions, mdp.nnz]).toEqual([2, 1, 3]);
    expect(mdp.entries(1, 0)).toEqual([
      { prob: 0.25, next: 0, reward: -1, done: true },
      { prob: 0.75, next: 1, reward: 3, done: false },
    ]);
    expect(Array.from(mdp.initial)).toEqual([0, 1]);
  });

  it("maps object keys to indices whatever their order in the text", () => {
    const text = '{"P": {"2": {"1": [[1, 0, 21, false]], "0": [[1, 0, 20, false]]},' +
      ' "0": {"0": [[1, 1, 0, false]], "1": [[1, 2, 1, false]]},' +
      ' "1": {"1": [[1, 2, 11, false]], "0": [[1, 1, 10, false]]}}}';
    const mdp = parseMdp(text);
    expect(mdp.nStates).toBe(3);
    for (let s = 0; s < 3; s++) for (let a = 0; a < 2; a++) expect(mdp.entries(s, a)[0]!.reward).toBe(s * 10 + a);
  });

  it("mixes list and object layouts (P a list, P[s] objects)", () => {
    const mdp = parseMdp(gym([{ "0": [[1, 0, 7, false]] }]));
    expect(mdp.entries(0, 0)).toEqual([{ prob: 1, next: 0, reward: 7, done: false }]);
  });

  it("keeps repeated next states as separate entries (FrozenLake at a wall)", () => {
    const third = 1 / 3;
    const P = [[[[third, 0, 0, false], [third, 0, 0, false], [third, 1, 1, true]]], [[[1, 1, 0, true]]]];
    const mdp = parseMdp(gym(P));
    expect(mdp.nnz).toBe(4);
    expect(mdp.entries(0, 0).map((e) => e.next)).toEqual([0, 0, 1]);
    expect(mdp.entries(0, 0).map((e) => e.prob)).toEqual([third, third, third]);
    // Both copies count: the probability of staying is 2/3, not 1/3.
    let stay = 0;
    for (const e of mdp.entries(0, 0)) if (e.next === 0) stay += e.prob;
    expect(stay).toBeCloseTo(2 / 3, 15);
  });

  it("keeps repeated next states with different rewards and done flags apart", () => {
    const mdp = parseMdp(gym([[[[0.5, 0, 1, false], [0.5, 0, 3, true]]]]));
    expect(mdp.entries(0, 0)).toEqual([
      { prob: 0.5, next: 0, reward: 1, done: false },
      { prob: 0.5, next: 0, reward: 3, done: true },
    ]);
    expect(mdp.rewardSA(0, 0)).toBe(2);
  });

  it("keeps entries with probability 0", () => {
    const mdp = parseMdp(gym([[[[0, 1, 5, true], [1, 0, 0, false]]], [[[1, 1, 0, false], [0, 0, -3, false]]]]));
    expect(mdp.nnz).toBe(4);
    expect(Array.from(mdp.prob)).toEqual([0, 1, 1, 0]);
    expect(Array.from(mdp.reward)).toEqual([5, 0, 0, -3]);
    expect(Array.from(mdp.done)).toEqual([1, 0, 0, 0]);
  });

  it("ignores other top-level keys, including a foreign \"format\" key", () => {
    const mdp = parseMdp(gym([[[[1, 0, 0, false]]]], { nS: 1, nA: 1, format: "gymnasium", desc: ["S"], stateNames: 5 }));
    expect(mdp.nStates).toBe(1);
    expect(mdp.stateNames).toBeUndefined();
  });

  it("reads a document that was already parsed (mdpFromJson)", () => {
    expect(mdpFromJson(tiny).nnz).toBe(5);
  });

  it("treats initial: null as absent (uniform)", () => {
    expect(Array.from(parseMdp(gym([[[[1, 0, 0, false]]], [[[1, 1, 0, false]]]], { initial: null })).initial)).toEqual([0.5, 0.5]);
  });

  it("skips a UTF-8 byte-order mark", () => {
    expect(parseMdp("\uFEFF" + JSON.stringify(tiny)).nStates).toBe(2);
  });

  it("reads integers written as floats (json.dump of 1.0) and exponents", () => {
    const mdp = parseMdp('{"P": [[[[1.0, 0.0, 1e-3, 0]]]]}');
    expect(mdp.next[0]).toBe(0);
    expect(mdp.reward[0]).toBe(0.001);
  });
});

describe("native JSON", () => {
  const doc = {
    format: NATIVE_FORMAT,
    states: 2,
    actions: 2,
    stateNames: ["start", "goal"],
    actionNames: ["stay", "go"],
    meta: { name: "two-state chain", size: [2, 1], nested: { ok: true } },
    P: [[[[1, 0, 0, false]], [[1, 1, 1, true]]], [[[1, 1, 0, true]], [[1, 1, 0, true]]]],
    initial: [1, 0],
  };

  it("reads names and metadata (the README example)", () => {
    const mdp = parseMdp(JSON.stringify(doc));
    expect(mdp.stateNames).toEqual(["start", "goal"]);
    expect(mdp.actionNames).toEqual(["stay", "go"]);
    expect(mdp.meta).toEqual(doc.meta);
    expect(mdp.stateName(1)).toBe("goal");
    expect(mdp.actionName(1)).toBe("go");
    expect(Array.from(mdp.initial)).toEqual([1, 0]);
  });

  it("round-trips names and metadata exactly", () => {
    const mdp = parseMdp(JSON.stringify(doc));
    const text = writeMdp(mdp, "native");
    expect(text).toContain(`"format":"${NATIVE_FORMAT}"`);
    const again = parseMdp(text);
    expect(again.stateNames).toEqual(mdp.stateNames);
    expect(again.actionNames).toEqual(mdp.actionNames);
    expect(again.meta).toEqual(mdp.meta);
    expect(again.arrays()).toEqual(mdp.arrays());
  });

  it("makes sizes and labels optional", () => {
    const mdp = parseMdp(JSON.stringify({ format: NATIVE_FORMAT, P: doc.P }));
    expect(mdp.stateNames).toBeUndefined();
    expect(mdp.meta).toEqual({});
    expect(Array.from(mdp.initial)).toEqual([0.5, 0.5]);
  });

  it("rejects sizes that disagree with P, names that are not strings, meta that is not an object", () => {
    const e = thrown(
      () => parseMdp(JSON.stringify({ ...doc, states: 3, actionNames: [1, 2], meta: [1] })),
      MdpValidationError,
    );
    expect(e.problems.map((p) => [p.code, p.path])).toEqual([
      ["bad-shape", "states"],
      ["bad-names", "actionNames"],
      ["bad-shape", "meta"],
    ]);
    expect(e.problems[0]!.message).toBe('"states" says 3 but P has 2');
  });

  it("rejects names of the wrong length", () => {
    const e = thrown(() => parseMdp(JSON.stringify({ ...doc, stateNames: ["only"] })), MdpValidationError);
    expect(e.problems).toEqual([{ code: "bad-names", path: "stateNames", message: "stateNames has 1 names for 2 states" }]);
  });

  it("rejects another version of the native format instead of guessing", () => {
    const e = thrown(() => parseMdp(JSON.stringify({ ...doc, format: "control-as-inference/mdp@2" })), UnknownFormatError);
    expect(e.code).toBe("unknown-format");
    expect(e.message).toContain('"format" is "control-as-inference/mdp@2"');
  });
});

describe("writing", () => {
  it("Gymnasium P JSON round-trips exactly (numbers, done, initial)", () => {
    const mdp = parseMdp(JSON.stringify({ ...tiny, initial: [1, 0] }));
    const text = writeMdp(mdp);
    expect(JSON.parse(text)).toHaveProperty("P");
    expect(text).not.toContain(NATIVE_FORMAT);
    const again = parseMdp(text);
    expect(again.arrays()).toEqual(mdp.arrays());
  });

  it("writes lists of [prob, next_state, reward, done] with booleans, readable by json.load", () => {
    const mdp = parseMdp(gym([[[[0.1, 0, -0.25, true], [0.9, 0, 1e-300, false]]]]));
    expect(JSON.parse(writeMdp(mdp))).toEqual({ P: [[[[0.1, 0, -0.25, true], [0.9, 0, 1e-300, false]]]], initial: [1] });
  });

  it("writes numbers with full precision, and -0 as -0", () => {
    const mdp = TabularMdp.fromLists([[[{ prob: 0.1, next: 0, reward: -0, done: false }, { prob: 0.9, next: 0, reward: 0.1 + 0.2, done: false }]]]);
    const again = parseMdp(writeMdp(mdp));
    expect(Object.is(again.reward[0], -0)).toBe(true);
    expect(again.reward[1]).toBe(0.1 + 0.2);
  });

  it("a Gymnasium write drops names and metadata; a native write keeps them", () => {
    const mdp = TabularMdp.fromLists([[[{ prob: 1, next: 0, reward: 0, done: false }]]], { stateNames: ["s"], actionNames: ["a"], meta: { name: "x" } });
    expect(parseMdp(writeMdp(mdp, "gymnasium")).stateNames).toBeUndefined();
    const native = parseMdp(writeMdp(mdp, "native"));
    expect([native.stateNames, native.actionNames, native.meta]).toEqual([["s"], ["a"], { name: "x" }]);
  });
});

describe("format detection", () => {
  it("tells the formats apart by content, not by the source name", () => {
    expect(parseMdp(JSON.stringify(tiny), "model.native.json").nStates).toBe(2);
    expect(parseMdp(writeMdp(parseMdp(JSON.stringify(tiny)), "native"), "model.gym.csv").nStates).toBe(2);
  });

  it("rejects a document in no known format", () => {
    expect(() => parseMdp('{"states": 3}')).toThrow(UnknownFormatError);
    expect(() => parseMdp("a,b,c\n1,2,3")).toThrow(UnknownFormatError);
    expect(() => parseMdp("[1, 2]")).toThrow(UnknownFormatError);
    expect(() => parseMdp("42")).toThrow(UnknownFormatError);
    expect(() => parseMdp("")).toThrow(JsonSyntaxError);
  });
});
