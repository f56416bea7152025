/**
 * The compiled `cai` (dist/cai.js, the bundled bin; `npm test` runs tsc first), run as a child process on
 * files in a fresh temporary directory. Errors: one line per problem on stderr, exit status 2,
 * never a stack trace.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliSandbox, expectInputError, root } from "../support/cli.js";

const { dir, cai, file } = cliSandbox("cai-cli-");
/** Every stderr line of these errors is a "cai: error:" line: no usage line follows. */
const errorsOnly = { usage: false };

const good = JSON.stringify({
  P: { "0": { "0": [[1.0, 1, 0.5, false]], "1": [[0.5, 0, 0, 0], [0.5, 1, 1, 1]] }, "1": { "0": [[1.0, 1, 0, true]], "1": [[1.0, 1, 0, true]] } },
});

describe("cai --help, --version, <command> --help", () => {
  it("--help prints the commands on stdout and exits 0", () => {
    const r = cai(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("usage: cai <command>");
    expect(r.stdout).toMatch(/^ {2}inspect {2}/m);
    expect(r.stderr).toBe("");
  });

  it("--version prints the package version and exits 0", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    const r = cai(["--version"]);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, `${pkg.version}\n`, ""]);
  });

  it("inspect --help (and help inspect) print the command's help and exit 0", () => {
    for (const args of [["inspect", "--help"], ["inspect", "-h"], ["help", "inspect"], ["inspect", "missing.json", "--help"]]) {
      const r = cai(args);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain("usage: cai inspect FILE [--json]");
      expect(r.stderr).toBe("");
    }
  });

  it("no command: the help on stderr, exit 2", () => {
    const r = cai([]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("usage: cai <command>");
  });
});

describe("usage errors exit 2 with one line on stderr", () => {
  it("an unknown command", () => {
    const r = cai(["frobnicate"]);
    expectInputError(r, 1, errorsOnly);
    expect(r.lines[0]).toMatch(/^cai: error: unknown command "frobnicate" \(commands: .*\binspect\b.*; run cai --help\)$/);
  });

  it("an unknown option before the command", () => {
    const r = cai(["--frob"]);
    expectInputError(r, 1, errorsOnly);
    expect(r.lines[0]).toContain('unknown option "--frob"');
  });

  it("an unknown flag of a command (the usage line follows)", () => {
    const r = cai(["inspect", "--frob", file("u.json", good)]);
    expect(r.status).toBe(2);
    expect(r.lines).toEqual(['cai: error: unknown option "--frob"', "usage: cai inspect FILE [--json]"]);
  });

  it("did you mean: a near miss of a flag or a command gets a suggestion, a far one none", () => {
    const flag = cai(["inspect", "--jsno", file("u.json", good)]);
    expect(flag.status).toBe(2);
    expect(flag.lines[0]).toBe('cai: error: unknown option "--jsno" (did you mean --json?)');
    const command = cai(["slove", "x.json"]);
    expect(command.status).toBe(2);
    expect(command.lines[0]).toMatch(/^cai: error: unknown command "slove" \(did you mean solve\?; commands: /);
    expect(cai(["frobnicate"]).lines[0]).not.toMatch(/did you mean/);
  });

  it("a missing FILE argument, and a second one", () => {
    expect(cai(["inspect"]).lines).toEqual(["cai: error: missing FILE", "usage: cai inspect FILE [--json]"]);
    expect(cai(["inspect", "a", "b"]).status).toBe(2);
  });

  it("a missing file", () => {
    const r = cai(["inspect", "nope.json"]);
    expectInputError(r, 1, errorsOnly);
    expect(r.lines[0]).toBe("cai: error: nope.json: cannot read: no such file");
  });

  it("a directory", () => {
    const r = cai(["inspect", dir()]);
    expectInputError(r, 1, errorsOnly);
    expect(r.lines[0]).toBe(`cai: error: ${dir()}: cannot read: is a directory, not a file`);
  });

  it("a path that runs through a regular file (ENOTDIR)", () => {
    const path = file("plain.json", good) + "/inner.json";
    const r = cai(["inspect", path]);
    expectInputError(r, 1, errorsOnly);
    expect(r.lines[0]).toMatch(new RegExp(`^cai: error: ${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: cannot read: `));
  });
});

describe("cai inspect", () => {
  it("summarises a file: sizes, nonzeros, terminal entries, reward range, determinism", () => {
    const r = cai(["inspect", file("good.json", good)]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    const fields = Object.fromEntries(r.stdout.trim().split("\n").map((l) => l.split(/\s{2,}/) as [string, string]));
    expect(fields).toMatchObject({
      states: "2",
      actions: "2",
      entries: "5",
      "nonzero entries": "5",
      "terminal entries": "3",
      "reward min": "0",
      "reward max": "1",
      deterministic: "false",
    });
  });

  it("--json prints one JSON object", () => {
    const r = cai(["inspect", "--json", file("good2.json", good)]);
    expect(r.status).toBe(0);
    // snake_case keys, as every command's JSON.
    expect(JSON.parse(r.stdout)).toEqual({
      name: "(unnamed)",
      states: 2,
      actions: 2,
      entries: 5,
      nonzero_entries: 5,
      zero_probability_entries: 0,
      terminal_entries: 3,
      absorbing_states: expect.any(Number) as number,
      reward_min: 0,
      reward_max: 1,
      deterministic: false,
      max_successors: expect.any(Number) as number,
      initial_support: expect.any(Number) as number,
    });
  });

  it("reads standard input when FILE is -", () => {
    const r = cai(["inspect", "-", "--json"], good);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ states: 2, entries: 5 });
  });

  it("names standard input <stdin> in errors", () => {
    const r = cai(["inspect", "-"], '{"P": [');
    expectInputError(r, 1, errorsOnly);
    expect(r.lines[0]).toBe("cai: error: <stdin>: malformed JSON at line 1, column 8: unexpected end of input (2 unclosed brackets)");
  });

  it("reads the native format with its name", () => {
    const native = JSON.stringify({ format: "control-as-inference/mdp@1", meta: { name: "chain" }, P: [[[[1, 0, 0, false]]]] });
    const r = cai(["inspect", "--json", file("native.json", native)]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: "chain", states: 1, deterministic: true });
  });
});

describe("every input error: one line per problem on stderr, exit 2, no stack trace", () => {
  const cases: [string, string, string][] = [
    ["a negative probability", '{"P": [[[[1.5, 0, 0, false], [-0.5, 0, 0, false]]]]}', "state 0, action 0, entry 1: probability -0.5 is negative"],
    ["a probability that is not finite", '{"P": [[[[1e999, 0, 0, false]]]]}', "state 0, action 0, entry 0: probability Infinity is not finite"],
    ["probabilities that do not sum to 1", '{"P": [[[[0.5, 0, 0, false], [0.47, 0, 0, false]]]]}', "state 0, action 0: the probabilities sum to 0.97 (expected 1 within 1e-9)"],
    ["a next state out of range", '{"P": [[[[1, 3, 0, false]]]]}', "state 0, action 0, entry 0: next state 3 is out of range (states are 0..0)"],
    ["a reward that is not finite", '{"P": [[[[1, 0, -1e999, false]]]]}', "state 0, action 0, entry 0: reward -Infinity is not finite"],
    ["states with different numbers of actions", '{"P": [[[[1, 0, 0, false]], [[1, 0, 0, false]]], [[[1, 0, 0, false]]], [[[1, 0, 0, false]], [[1, 0, 0, false]]]]}', "state 1 has 1 action, but 2 of 3 states have 2 (every state needs the same number of actions)"],
    ["an empty transition list", '{"P": [[[]]]}', "state 0, action 0: the transition list is empty"],
    ["an initial distribution of the wrong length", '{"P": [[[[1, 0, 0, false]]]], "initial": [0.5, 0.5]}', "initial distribution: has 2 entries, expected 1"],
    ["a negative initial entry", '{"P": [[[[1, 0, 0, false]]], [[[1, 1, 0, false]]]], "initial": [1.5, -0.5]}', "initial distribution: entry 1 is -0.5 (must be a finite number >= 0)"],
    ["an initial distribution not summing to 1", '{"P": [[[[1, 0, 0, false]]], [[[1, 1, 0, false]]]], "initial": [0.5, 0.4]}', "initial distribution: sums to 0.9 (expected 1 within 1e-9)"],
    ["malformed JSON", '{"P": [\n  [[[1, 0, 0, false]],,]\n]}', "bad.json: malformed JSON at line 2, column 23: unexpected \",\" (a missing value)"],
    ["an unknown format", '{"transitions": []}', 'bad.json: unknown MDP file format: no "P" key (Gymnasium P JSON) and no "format" key (native "control-as-inference/mdp@1"); keys found: "transitions"'],
    ["a file that is not JSON", "s,a,s2,p\n0,0,0,1\n", "bad.json: unknown MDP file format: the content is not JSON (expected Gymnasium P JSON or native JSON)"],
  ];
  for (const [what, content, message] of cases) {
    it(what, () => {
      file("bad.json", content);
      const r = cai(["inspect", "bad.json"]);
      expectInputError(r, 1, errorsOnly);
      expect(r.lines[0]).toBe(`cai: error: ${message}`);
    });
  }

  it("several problems: one line each, in table order", () => {
    file("many.json", '{"P": [[[[0.5, 0, 0, false]], [[1, 9, 0, false]]], [[[1, 0, 1e999, false]], []]], "initial": [1, 1]}');
    const r = cai(["inspect", "many.json"]);
    expectInputError(r, 5, errorsOnly);
    expect(r.lines).toEqual([
      "cai: error: state 0, action 0: the probabilities sum to 0.5 (expected 1 within 1e-9)",
      "cai: error: state 0, action 1, entry 0: next state 9 is out of range (states are 0..1)",
      "cai: error: state 1, action 0, entry 0: reward Infinity is not finite",
      "cai: error: state 1, action 1: the transition list is empty",
      "cai: error: initial distribution: sums to 2 (expected 1 within 1e-9)",
    ]);
  });

  it("30 bad rows: the first 20 lines, then a count", () => {
    const P = Array.from({ length: 30 }, (_, s) => [[[0.9, s, 0, false]]]);
    file("thirty.json", JSON.stringify({ P }));
    const r = cai(["inspect", "thirty.json"]);
    expectInputError(r, 21, errorsOnly);
    expect(r.lines[0]).toBe("cai: error: state 0, action 0: the probabilities sum to 0.9 (expected 1 within 1e-9)");
    expect(r.lines[19]).toBe("cai: error: state 19, action 0: the probabilities sum to 0.9 (expected 1 within 1e-9)");
    expect(r.lines[20]).toBe("cai: error: ... and 10 more problems (30 in all)");
  });

  it("exactly 20 problems: 20 lines and no count", () => {
    const P = Array.from({ length: 20 }, (_, s) => [[[0.9, s, 0, false]]]);
    file("twenty.json", JSON.stringify({ P }));
    expectInputError(cai(["inspect", "twenty.json"]), 20, errorsOnly);
  });

  it("a value with a newline in it still prints on one line", () => {
    file("nl.json", JSON.stringify({ P: [[[[1, "0\n1", 0, false]]]] }));
    const r = cai(["inspect", "nl.json"]);
    expectInputError(r, 1, errorsOnly);
    expect(r.lines[0]).toBe('cai: error: state 0, action 0, entry 0: next state "0\\n1" is not an integer state index (states are 0..0)');
  });
});
