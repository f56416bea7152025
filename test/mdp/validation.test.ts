/**
 * Every validation rule, one test each, with the problem's code and place (path, state, action,
 * entry) checked. A file with several problems reports all of them, in table order.
 */
import { describe, expect, it } from "vitest";
import {
  FileReadError,
  JsonSyntaxError,
  MdpValidationError,
  TabularMdp,
  UnknownFormatError,
  parseMdp,
  readMdpFile,
  validateDistribution,
  validateMdpArrays,
} from "../../src/index.js";
import { gym, problemsOf, thrown } from "./support.js";

/** A valid entry list for state `s` of an n-state chain. */
const ok = (t = 0) => [[1, t, 0, false]];

describe("probabilities", () => {
  it("a negative probability is reported with state, action, entry and path", () => {
    const problems = problemsOf(() => parseMdp(gym([[ok(), ok()], [ok(), [[1.5, 0, 0, false], [-0.5, 1, 0, false]]]])));
    expect(problems).toEqual([
      {
        code: "bad-probability",
        path: "P[1][1][1][0]",
        state: 1,
        action: 1,
        entry: 1,
        message: "state 1, action 1, entry 1: probability -0.5 is negative",
      },
    ]);
  });

  it("a probability that is not finite (1e999 parses to Infinity) is reported", () => {
    const problems = problemsOf(() => parseMdp('{"P": [[[[1e999, 0, 0, false]]]]}'));
    expect(problems).toEqual([
      { code: "bad-probability", path: "P[0][0][0][0]", state: 0, action: 0, entry: 0, message: "state 0, action 0, entry 0: probability Infinity is not finite" },
    ]);
  });

  it("a NaN probability in arrays is reported as not finite", () => {
    const problems = problemsOf(() =>
      TabularMdp.fromLists([[[{ prob: NaN, next: 0, reward: 0, done: false }]]]),
    );
    expect(problems.map((p) => [p.code, p.state, p.action, p.entry])).toEqual([["bad-probability", 0, 0, 0]]);
    expect(problems[0]!.message).toBe("state 0, action 0, entry 0: probability NaN is not finite");
  });

  it("a probability that is not a number is reported as such, without a second 'sum' problem", () => {
    const problems = problemsOf(() => parseMdp(gym([[[["0.5", 0, 0, false], [0.5, 0, 0, false]]]])));
    expect(problems).toEqual([
      { code: "bad-probability", path: "P[0][0][0][0]", state: 0, action: 0, entry: 0, message: 'state 0, action 0, entry 0: probability is "0.5", not a number' },
    ]);
  });

  it("a row whose probabilities do not sum to 1 names state and action and the sum", () => {
    const P = Array.from({ length: 13 }, () => [ok(), ok(), ok(), ok()]);
    P[12]![3] = [[0.5, 0, 0, false], [0.47, 1, 0, false]];
    const problems = problemsOf(() => parseMdp(gym(P)));
    expect(problems).toEqual([
      {
        code: "not-stochastic",
        path: "P[12][3]",
        state: 12,
        action: 3,
        message: "state 12, action 3: the probabilities sum to 0.97 (expected 1 within 1e-9)",
      },
    ]);
  });

  it("a sum above 1 is reported too", () => {
    const problems = problemsOf(() => parseMdp(gym([[[[0.6, 0, 0, false], [0.6, 0, 0, false]]]])));
    expect(problems[0]!.message).toBe("state 0, action 0: the probabilities sum to 1.2 (expected 1 within 1e-9)");
  });

  it("the tolerance is 1e-9, and nothing is renormalised", () => {
    const inside = 1 - 5e-10;
    const mdp = parseMdp(gym([[[[inside, 0, 0, false]]]]));
    expect(mdp.prob[0]).toBe(inside);
    const problems = problemsOf(() => parseMdp(gym([[[[1 - 2e-9, 0, 0, false]]]])));
    expect(problems[0]!.code).toBe("not-stochastic");
    expect(problems[0]!.message).toBe("state 0, action 0: the probabilities sum to 0.999999998 (expected 1 within 1e-9)");
  });

  it("the sum is compensated: a row of many small entries that sums to 1 passes", () => {
    const list = Array.from({ length: 1000 }, () => [0.001, 0, 0, false]);
    expect(parseMdp(gym([[list]])).nnz).toBe(1000);
  });
});

describe("next states", () => {
  it("a next state out of range (too large, negative) is reported with its place", () => {
    const problems = problemsOf(() => parseMdp(gym([[[[1, 2, 0, false]]], [[[0.5, -1, 0, false], [0.5, 0, 0, false]]]])));
    expect(problems).toEqual([
      { code: "next-state-out-of-range", path: "P[0][0][0][1]", state: 0, action: 0, entry: 0, message: "state 0, action 0, entry 0: next state 2 is out of range (states are 0..1)" },
      { code: "next-state-out-of-range", path: "P[1][0][0][1]", state: 1, action: 0, entry: 0, message: "state 1, action 0, entry 0: next state -1 is out of range (states are 0..1)" },
    ]);
  });

  it("a next state beyond 32-bit range is reported once, with its own value", () => {
    const problems = problemsOf(() => parseMdp('{"P": [[[[1, 1e20, 0, false]]]]}'));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toBe("state 0, action 0, entry 0: next state 100000000000000000000 is out of range (states are 0..0)");
  });

  it("a next state that is not an integer is reported (never truncated)", () => {
    const problems = problemsOf(() => parseMdp(gym([[[[0.5, 0.5, 0, false], [0.5, "0", 0, false]]]])));
    expect(problems.map((p) => [p.code, p.entry, p.message])).toEqual([
      ["next-state-out-of-range", 0, "state 0, action 0, entry 0: next state 0.5 is not an integer state index (states are 0..0)"],
      ["next-state-out-of-range", 1, 'state 0, action 0, entry 1: next state "0" is not an integer state index (states are 0..0)'],
    ]);
    const fromLists = problemsOf(() => TabularMdp.fromLists([[[{ prob: 1, next: 0.5, reward: 0, done: false }]]]));
    expect(fromLists.map((p) => [p.code, p.state, p.action, p.entry])).toEqual([["next-state-out-of-range", 0, 0, 0]]);
  });
});

describe("rewards", () => {
  it("a reward that is not finite (1e999, -1e999) is reported with its place", () => {
    const problems = problemsOf(() => parseMdp('{"P": [[[[0.5, 0, 1e999, false], [0.5, 0, -1e999, true]]]]}'));
    expect(problems).toEqual([
      { code: "bad-reward", path: "P[0][0][0][2]", state: 0, action: 0, entry: 0, message: "state 0, action 0, entry 0: reward Infinity is not finite" },
      { code: "bad-reward", path: "P[0][0][1][2]", state: 0, action: 0, entry: 1, message: "state 0, action 0, entry 1: reward -Infinity is not finite" },
    ]);
  });

  it("a reward that is NaN (from arrays) or not a number (from JSON) is reported", () => {
    expect(problemsOf(() => TabularMdp.fromLists([[[{ prob: 1, next: 0, reward: NaN, done: false }]]]))[0]!.message).toBe(
      "state 0, action 0, entry 0: reward NaN is not finite",
    );
    const problems = problemsOf(() => parseMdp(gym([[[[1, 0, null, false]]]])));
    expect(problems).toEqual([
      { code: "bad-reward", path: "P[0][0][0][2]", state: 0, action: 0, entry: 0, message: "state 0, action 0, entry 0: reward is null, not a number" },
    ]);
  });
});

describe("shapes", () => {
  it("states with different numbers of actions: the odd state is named against the common count", () => {
    const problems = problemsOf(() => parseMdp(gym([[ok(), ok()], [ok()], [ok(), ok()]])));
    expect(problems).toEqual([
      {
        code: "ragged-actions",
        path: "P[1]",
        state: 1,
        message: "state 1 has 1 action, but 2 of 3 states have 2 (every state needs the same number of actions)",
      },
    ]);
  });

  it("an odd state 0 is the one reported, not every other state", () => {
    const problems = problemsOf(() => parseMdp(gym({ "0": { "0": ok() }, "1": { "0": ok(), "1": ok() }, "2": { "0": ok(), "1": ok() } })));
    expect(problems.map((p) => [p.code, p.state])).toEqual([["ragged-actions", 0]]);
  });

  it("ragged lists given to fromLists are reported the same way", () => {
    const e = { prob: 1, next: 0, reward: 0, done: false };
    const problems = problemsOf(() => TabularMdp.fromLists([[[e], [e]], [[e], [e]], [[e]]]));
    expect(problems.map((p) => [p.code, p.state])).toEqual([["ragged-actions", 2]]);
  });

  it("an empty transition list is reported with state and action", () => {
    const problems = problemsOf(() => parseMdp(gym([[ok(), []], [ok(), ok()]])));
    expect(problems).toEqual([
      { code: "empty-transitions", path: "P[0][1]", state: 0, action: 1, message: "state 0, action 1: the transition list is empty" },
    ]);
  });

  it("no states, no actions", () => {
    expect(problemsOf(() => parseMdp('{"P": []}'))).toEqual([{ code: "no-states", path: "P", message: "P has no states" }]);
    expect(problemsOf(() => parseMdp('{"P": {}}'))[0]!.code).toBe("no-states");
    expect(problemsOf(() => parseMdp('{"P": [[], []]}'))[0]!.code).toBe("no-actions");
  });

  it("an entry that is not [prob, next_state, reward, done] is reported with its place", () => {
    const problems = problemsOf(() => parseMdp(gym([[[[1, 0, 0]]], [[{ p: 1 }]]])));
    expect(problems).toEqual([
      { code: "bad-shape", path: "P[0][0][0]", state: 0, action: 0, entry: 0, message: "state 0, action 0, entry 0: expected [prob, next_state, reward, done], got a list of 3" },
      { code: "bad-shape", path: "P[1][0][0]", state: 1, action: 0, entry: 0, message: "state 1, action 0, entry 0: expected [prob, next_state, reward, done], got an object" },
    ]);
  });

  it("a (state, action) that is not a list is reported", () => {
    const problems = problemsOf(() => parseMdp(gym([[ok(), 5]])));
    expect(problems).toEqual([
      { code: "bad-shape", path: "P[0][1]", state: 0, action: 1, message: "state 0, action 1: expected a list of [prob, next_state, reward, done], got 5" },
    ]);
  });

  it("P or P[s] that is neither a list nor an object keyed 0..k-1 is reported", () => {
    expect(problemsOf(() => parseMdp('{"P": 3}'))).toEqual([{ code: "bad-shape", path: "P", message: 'P: expected a list or an object keyed "0".."k-1", got 3' }]);
    expect(problemsOf(() => parseMdp(gym([[ok()], "x"])))).toEqual([
      { code: "bad-shape", path: "P[1]", state: 1, message: 'state 1: expected a list or an object keyed "0".."k-1", got "x"' },
    ]);
    const gap = problemsOf(() => parseMdp(gym({ "0": [ok()], "2": [ok()] })));
    expect(gap.map((p) => [p.code, p.path])).toEqual([["bad-shape", 'P["2"]']]);
    const word = problemsOf(() => parseMdp(gym([{ "0": ok(), left: ok() }])));
    expect(word.map((p) => [p.code, p.path, p.state])).toEqual([["bad-shape", 'P[0]["left"]', 0]]);
    expect(word[0]!.message).toContain('key "left" is not one of "0".."1"');
  });

  it("done must be true/false or 1/0", () => {
    const problems = problemsOf(() => parseMdp(gym([[[[1, 0, 0, 2]]], [[[1, 0, 0, "true"]]]])));
    expect(problems).toEqual([
      { code: "bad-done", path: "P[0][0][0][3]", state: 0, action: 0, entry: 0, message: "state 0, action 0, entry 0: done is 2 (expected true/false or 1/0)" },
      { code: "bad-done", path: "P[1][0][0][3]", state: 1, action: 0, entry: 0, message: 'state 1, action 0, entry 0: done is "true" (expected true/false or 1/0)' },
    ]);
  });
});

describe("initial distribution", () => {
  const P = [[ok()], [ok()], [ok()]];

  it("the wrong length", () => {
    expect(problemsOf(() => parseMdp(gym(P, { initial: [0.5, 0.5] })))).toEqual([
      { code: "bad-initial", path: "initial", message: "initial distribution: has 2 entries, expected 3" },
    ]);
  });

  it("a negative entry (and no second problem for the sum)", () => {
    expect(problemsOf(() => parseMdp(gym(P, { initial: [1.5, -0.5, 0] })))).toEqual([
      { code: "bad-initial", path: "initial[1]", state: 1, message: "initial distribution: entry 1 is -0.5 (must be a finite number >= 0)" },
    ]);
  });

  it("an entry that is not finite", () => {
    expect(problemsOf(() => parseMdp('{"P": [[[[1, 0, 0, false]]]], "initial": [1e999]}'))[0]!.message).toBe(
      "initial distribution: entry 0 is Infinity (must be a finite number >= 0)",
    );
  });

  it("entries that do not sum to 1", () => {
    expect(problemsOf(() => parseMdp(gym(P, { initial: [0.5, 0.25, 0.2] })))).toEqual([
      { code: "bad-initial", path: "initial", message: "initial distribution: sums to 0.95 (expected 1 within 1e-9)" },
    ]);
  });

  it("an entry that is not a number, or initial not a list", () => {
    expect(problemsOf(() => parseMdp(gym(P, { initial: [1, "0", 0] })))).toEqual([
      { code: "bad-initial", path: "initial[1]", state: 1, message: 'initial distribution: entry 1 is "0", not a number' },
    ]);
    expect(problemsOf(() => parseMdp(gym(P, { initial: { "0": 1 } })))).toEqual([
      { code: "bad-initial", path: "initial", message: "initial distribution: expected a list of 3 probabilities, got an object" },
    ]);
  });

  it("withInitial validates too", () => {
    const mdp = parseMdp(gym(P));
    expect(Array.from(mdp.withInitial([0, 0, 1]).initial)).toEqual([0, 0, 1]);
    expect(problemsOf(() => mdp.withInitial([0, 0, 2]))[0]!.code).toBe("bad-initial");
  });

  it("validateDistribution checks any probability vector", () => {
    expect(validateDistribution([0.25, 0.75], 2, "p", "p", "bad-p")).toEqual([]);
    expect(validateDistribution([0.25, 0.7], 2, "p", "p", "bad-p")[0]!.message).toBe("p: sums to 0.95 (expected 1 within 1e-9)");
  });
});

describe("several problems at once", () => {
  it("every problem is reported, in table order, initial last", () => {
    const text = '{"P": [[[[0.5, 0, 0, false], [0.4, 0, 0, false]], [["x", 0, 0, false]]], [[[1, 5, 1e999, false]], []]], "initial": [2, -1]}';
    const e = thrown(() => parseMdp(text), MdpValidationError);
    expect(e.problems.map((p) => [p.code, p.path])).toEqual([
      ["not-stochastic", "P[0][0]"],
      ["bad-probability", "P[0][1][0][0]"],
      ["next-state-out-of-range", "P[1][0][0][1]"],
      ["bad-reward", "P[1][0][0][2]"],
      ["empty-transitions", "P[1][1]"],
      ["bad-initial", "initial[1]"],
    ]);
    expect(e.code).toBe("not-stochastic");
    expect(e.message).toBe("state 0, action 0: the probabilities sum to 0.9 (expected 1 within 1e-9) (and 5 more problems)");
  });

  it("validateMdpArrays returns problems as data and an empty list for a valid table", () => {
    const mdp = parseMdp(gym([[ok()]]));
    expect(validateMdpArrays(mdp.arrays())).toEqual([]);
    const prob = Float64Array.from([0.5]);
    expect(validateMdpArrays({ ...mdp.arrays(), prob }).map((p) => p.code)).toEqual(["not-stochastic"]);
  });

  it("inconsistent CSR arrays are a layout problem, not a crash", () => {
    const mdp = parseMdp(gym([[ok(), ok()]]));
    const a = mdp.arrays();
    expect(validateMdpArrays({ ...a, rowStart: Int32Array.from([0, 1]) }).map((p) => p.code)).toEqual(["bad-layout"]);
    expect(validateMdpArrays({ ...a, rowStart: Int32Array.from([0, 3, 2]) }).map((p) => p.code)).toEqual(["bad-layout"]);
    expect(validateMdpArrays({ ...a, next: new Int32Array(1) }).map((p) => p.code)).toEqual(["bad-layout"]);
  });
});

describe("JSON syntax", () => {
  const cases: [string, string, number, number, string][] = [
    ["a doubled comma", '{"P": [\n [1, 2,, 3]]}', 2, 8, 'unexpected "," (a missing value)'],
    ["a trailing comma in an object", '{"P": 1,\n}', 2, 1, 'trailing comma before "}"'],
    ["a trailing comma in a list", '{"P": [1, 2,]}', 1, 13, 'trailing comma before "]"'],
    ["a missing colon", '{"P" [1]}', 1, 6, 'expected ":" after the property name, found "["'],
    ["a missing bracket", '{"P": [[1, 2]\n\n', 3, 1, "unexpected end of input (2 unclosed brackets)"],
    ["single quotes", "{'P': 1}", 1, 2, "expected a property name in double quotes, found \"'\""],
    ["NaN, as Python writes it", '{"P": [[[[1, 0, NaN, false]]]]}', 1, 17, "NaN is not valid JSON (Python's json.dump writes it for float('nan'))"],
    ["Infinity, as Python writes it", '{"P":\n  [[[[1, 0, Infinity, false]]]]}', 2, 13, "Infinity is not valid JSON (write a large finite number such as 1e300)"],
    ["text after the value", '{"P": 1} {', 1, 10, 'unexpected "{" after the end of the JSON value'],
    ["an unterminated string", '{"P": "abc', 1, 7, "unterminated string"],
    ["a leading zero", '{"P": [01]}', 1, 8, 'invalid number "01"'],
    ["a bad literal", '{"P": [[[[1, 0, 0, False]]]]}', 1, 20, 'unexpected "F"'],
  ];
  for (const [what, text, line, column, detail] of cases) {
    it(`${what}: reported at line ${line}, column ${column}`, () => {
      const e = thrown(() => parseMdp(text, "f.json"), JsonSyntaxError);
      expect([e.line, e.column]).toEqual([line, column]);
      expect(e.problems).toEqual([
        { code: "malformed-json", path: "f.json", message: `f.json: malformed JSON at line ${line}, column ${column}: ${detail}` },
      ]);
      expect(e.message).not.toContain("\n");
    });
  }

  it("an empty input is malformed JSON at line 1, column 1", () => {
    const e = thrown(() => parseMdp(" \n ", "f.json"), JsonSyntaxError);
    expect(e.message).toBe("f.json: malformed JSON at line 1, column 1: the input is empty");
  });

  it("a position deep in a large document is found", () => {
    const rows = Array.from({ length: 5000 }, () => "[[[1, 0, 0, false]]]");
    rows[4321] = "[[[1, 0, 0, false]],]";
    const e = thrown(() => parseMdp(`{"P": [\n${rows.join(",\n")}\n]}`), JsonSyntaxError);
    expect([e.line, e.column]).toEqual([4323, 21]);
  });
});

describe("unknown formats", () => {
  it("an object with neither P nor format", () => {
    const e = thrown(() => parseMdp('{"states": 3, "T": []}', "f.json"), UnknownFormatError);
    expect(e.problems).toEqual([
      {
        code: "unknown-format",
        path: "f.json",
        message: 'f.json: unknown MDP file format: no "P" key (Gymnasium P JSON) and no "format" key (native "control-as-inference/mdp@1"); keys found: "states", "T"',
      },
    ]);
  });

  it("text that is not JSON at all (CSV, YAML)", () => {
    for (const text of ["s,a,p\n0,0,1\n", "P:\n  - 1\n"]) {
      expect(thrown(() => parseMdp(text, "f.csv"), UnknownFormatError).message).toBe(
        "f.csv: unknown MDP file format: the content is not JSON (expected Gymnasium P JSON or native JSON)",
      );
    }
  });

  it("JSON that is not an object, and a foreign format tag without P", () => {
    expect(thrown(() => parseMdp("[[1]]"), UnknownFormatError).message).toContain('expected a JSON object with a "P" key, got a list of 1');
    expect(thrown(() => parseMdp('"P"'), UnknownFormatError).message).toContain('got "P"');
    expect(thrown(() => parseMdp('{"format": "mdp-yaml"}'), UnknownFormatError).message).toContain('"format" is "mdp-yaml"');
  });
});

describe("files", () => {
  it("a missing file is a FileReadError naming the file", () => {
    const e = thrown(() => readMdpFile("/nonexistent/dir/mdp.json"), FileReadError);
    expect(e.problems).toEqual([{ code: "unreadable-file", path: "/nonexistent/dir/mdp.json", message: "/nonexistent/dir/mdp.json: cannot read: no such file" }]);
  });

  it("a directory is a FileReadError", () => {
    expect(thrown(() => readMdpFile("/"), FileReadError).message).toBe("/: cannot read: is a directory, not a file");
  });
});
