/**
 * `cai learn` and `cai check` from the command line: the JSON other programs read, reproducibility,
 * exit statuses (0 within tolerance, 1 not, 2 bad input) and one-line errors naming rows and columns.
 */
import { describe, expect, it } from "vitest";
import { TabularMdp, randomMdp, solve, writeMdp } from "../../src/index.js";
import { conventionQ } from "../../src/diagnostics/conventions.js";
import { softPolicyIteration } from "../../src/solvers/policy-iteration.js";
import { softQLearning } from "../../src/learning/soft-q-learning.js";
import { cliSandbox, expectInputError } from "../support/cli.js";
import { smallStochastic as small } from "../support/fixtures.js";

const { cai, file } = cliSandbox("cai-learn-check-");
/** Write a file into the sandbox (the cwd of cai) and return its bare name, as a user would type it. */
const named = (name: string, content: string): string => {
  file(name, content);
  return name;
};

const smallJson = writeMdp(small);
const rand = randomMdp({ states: 5, actions: 3, successors: 2, seed: 4, terminalProbability: 0.2 });
const randJson = writeMdp(rand);

const asJson = (Q: Float64Array, m: number) => JSON.stringify(Array.from({ length: Q.length / m }, (_, s) => Array.from(Q.subarray(s * m, (s + 1) * m))));
/** As numpy.savetxt writes it: space separated, 18 significant digits. */
const asSavetxt = (Q: Float64Array, m: number) =>
  Array.from({ length: Q.length / m }, (_, s) => Array.from(Q.subarray(s * m, (s + 1) * m), (x) => x.toExponential(18)).join(" ")).join("\n") + "\n";

interface LearnJson {
  Q: number[][];
  curve: { step: number; max_abs_error: number }[];
  max_abs_error: number;
  episodes: number;
  pairs_measured: number;
}

describe("cai learn", () => {
  it("--json prints Q (n x m) and the curve at regular steps, the same numbers as the API with the same seed", () => {
    const r = cai(["learn", file("s.json", smallJson), "--gamma", "0.9", "--steps", "50000", "--seed", "7", "--points", "5", "--json"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(""); // no progress bar: stderr is not a terminal
    const out = JSON.parse(r.stdout) as LearnJson;
    expect(out.Q).toHaveLength(3);
    for (const row of out.Q) expect(row).toHaveLength(2);
    expect(out.curve.map((p) => p.step)).toEqual([0, 10000, 20000, 30000, 40000, 50000]);
    const ref = solve(small, { gamma: 0.9 }).Q;
    const api = softQLearning(small, { gamma: 0.9, steps: 50000, seed: 7, reference: ref, recordEvery: 10000 });
    expect(out.Q.flat()).toEqual(Array.from(api.Q));
    expect(out.curve.map((p) => p.max_abs_error)).toEqual(api.curve.map((p) => p.maxAbsError));
    expect(out.max_abs_error).toBeLessThan(out.curve[0]!.max_abs_error);
    expect(out.pairs_measured).toBe(6);
  });

  it("is reproducible from its seed, and another seed gives another run", () => {
    const args = ["learn", file("s.json", smallJson), "--gamma", "0.9", "--steps", "5000", "--behaviour", "epsilon-greedy", "--json"];
    const a = cai([...args, "--seed", "1"]);
    const b = cai([...args, "--seed", "1"]);
    const c = cai([...args, "--seed", "2"]);
    expect(a.status).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(c.stdout).not.toBe(a.stdout);
  });

  it("prints a readable summary and curve without --json", () => {
    const r = cai(["learn", file("s.json", smallJson), "--gamma", "0.9", "--steps", "2000", "--lr", "0.1", "--points", "2"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/learning rate 0\.1 \(constant\)/);
    expect(r.stdout).toMatch(/2000 steps in \d+ episodes; max \|Q - Q\*\| = /);
  });

  it("exits 2 with one line for bad flags, and 1 when the exact backup has no fixed point", () => {
    const f = file("s.json", smallJson);
    for (const [args, pattern] of [
      [["--gamma", "0.9"], /--steps: is required/],
      [["--gamma", "0.9", "--steps", "10", "--behaviour", "greedy"], /--behaviour: "greedy"/],
      // cai learn does not accept --horizon: an unknown option (its usage line follows).
      [["--horizon", "3", "--steps", "10"], /unknown option "--horizon"/],
      [["--gamma", "0.9", "--steps", "10", "--lr", "0.1", "--lr-power", "0.7"], /--lr: give either/],
      [["--gamma", "0.9", "--steps", "1.5"], /--steps: "1.5" is not an integer/],
    ] as const) {
      const r = cai(["learn", f, ...args]);
      expectInputError(r, args[0] === "--horizon" ? 2 : 1);
      expect(r.lines[0]).toMatch(pattern);
    }
    const loop = file("loop.json", JSON.stringify({ P: [[[[1, 0, 1, false]]]] }));
    const r = cai(["learn", loop, "--gamma", "0.9", "--backup", "exact", "--steps", "10"]);
    expect(r.status).toBe(1);
    expect(r.lines[0]).toMatch(/no fixed point/);
  });
});

interface CheckJson {
  within_tolerance: boolean;
  max_abs_difference: number;
  largest_differences: { state: number; action: number; difference: number }[];
  bellman_residual: number | null;
  conventions: { name: string; matches: boolean }[];
  explanation: string[];
}

describe("cai check", () => {
  it("exits 0 for a table within --tol, read from JSON, from cai solve --json, or from CSV", () => {
    const mdp = file("r.json", randJson);
    const Q = softPolicyIteration(rand, { alpha: 0.5, gamma: 0.8 }).Q;
    for (const [name, text] of [["q.json", asJson(Q, 3)], ["q.csv", asSavetxt(Q, 3)]] as const) {
      const r = cai(["check", mdp, "--q", file(name, text), "--alpha", "0.5", "--gamma", "0.8", "--json"]);
      expect(r.status, name).toBe(0);
      const out = JSON.parse(r.stdout) as CheckJson;
      expect(out.within_tolerance).toBe(true);
      expect(out.max_abs_difference).toBeLessThan(1e-9);
      expect(out.bellman_residual!).toBeLessThan(1e-12);
    }
    const solved = cai(["solve", mdp, "--alpha", "0.5", "--gamma", "0.8", "--json"]);
    const r = cai(["check", mdp, "--q", "-", "--alpha", "0.5", "--gamma", "0.8"], solved.stdout);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/within the tolerance/);
  });

  it("exits 1 for a table that differs, and names the known convention that explains it", () => {
    const mdp = file("r.json", randJson);
    const o = { alpha: 0.5, gamma: 0.8 };
    const flags = ["--alpha", "0.5", "--gamma", "0.8"];
    const cases: [string, Float64Array, string[]][] = [
      ["entropy-form", softPolicyIteration(rand, { ...o, entropy: true }).Q, flags],
      ["inverse-temperature", softPolicyIteration(rand, { alpha: 2, gamma: 0.8 }).Q, flags],
      ["gamma-in-softmax", conventionQ(rand, { ...o, backup: "variational", discount: "softmax" }).Q, flags],
      ["gamma-in-exponent", conventionQ(rand, { alpha: 1, gamma: 0.5, backup: "exact", discount: "exponent" }).Q, ["--backup", "exact", "--gamma", "0.5"]],
      ["gamma-outside-log", conventionQ(rand, { alpha: 1, gamma: 0.5, backup: "exact", discount: "outside" }).Q, ["--backup", "exact", "--gamma", "0.5"]],
    ];
    for (const [name, Q, args] of cases) {
      const r = cai(["check", mdp, "--q", file(`${name}.csv`, asSavetxt(Q, 3)), ...args, "--json"]);
      expect(r.status, name).toBe(1);
      const out = JSON.parse(r.stdout) as CheckJson;
      expect(out.within_tolerance).toBe(false);
      expect(out.explanation, name).toEqual([name]);
      expect(out.largest_differences.length).toBeGreaterThan(0);
    }
    const text = cai(["check", mdp, "--q", file("entropy.json", asJson(cases[0]![1], 3)), ...flags]);
    expect(text.status).toBe(1);
    expect(text.stdout).toMatch(/explanation: their table is the engine's Q under "entropy-form"/);
  });

  it("a state-only reward table, with --top listing fewer differences", () => {
    const rs = rand.stateRewards();
    const reward = new Float64Array(rand.reward.length);
    for (let s = 0; s < 5; s++) for (let k = rand.rowStart[s * 3]!; k < rand.rowStart[(s + 1) * 3]!; k++) reward[k] = rs[s]!;
    const Q = softPolicyIteration(TabularMdp.fromArrays({ ...rand.arrays(), reward }), { gamma: 0.8 }).Q;
    const r = cai(["check", file("r.json", randJson), "--q", file("state.json", JSON.stringify({ Q: JSON.parse(asJson(Q, 3)) })), "--gamma", "0.8", "--top", "2", "--json"]);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as CheckJson;
    expect(out.explanation).toEqual(["state-only-reward"]);
    expect(out.largest_differences).toHaveLength(2);
  });

  it("exits 2 naming the row and column for tables of the wrong shape or with values that are not numbers", () => {
    const mdp = file("r.json", randJson);
    const g = ["--gamma", "0.8"];
    let r = cai(["check", mdp, "--q", named("short.json", "[[1, 2, 3]]"), ...g]);
    expectInputError(r, 1);
    expect(r.lines[0]).toBe("cai: error: short.json: has 1 rows but the MDP has 5 states (one row per state)");
    r = cai(["check", mdp, "--q", named("bad.csv", "1,2,3\n4,5,6\n7,oops,9\n1,2\n1,2,3\n"), ...g]);
    expectInputError(r, 2);
    expect(r.lines[0]).toBe('cai: error: bad.csv: line 3, column 2 (state 2, action 1): "oops" is not a finite number');
    expect(r.lines[1]).toBe("cai: error: bad.csv: line 4 (state 3) has 2 values, expected 3 (one per action)");
    r = cai(["check", mdp, "--q", file("garbage.csv", "\u0000\u0001binary,,,\n"), ...g]);
    expectInputError(r);
    r = cai(["check", mdp, "--q", named("broken.json", "[[1, 2, 3],\n  [4, 5"), ...g]);
    expectInputError(r, 1);
    expect(r.lines[0]).toMatch(/broken\.json: malformed JSON at line 2/);
  });

  it("exits 2 for a missing --q, a missing file, both inputs on stdin, or a bad --tol", () => {
    const mdp = file("r.json", randJson);
    expectInputError(cai(["check", mdp, "--gamma", "0.8"]), 1);
    const missing = cai(["check", mdp, "--q", "nope.csv", "--gamma", "0.8"]);
    expectInputError(missing, 1);
    expect(missing.lines[0]).toMatch(/nope\.csv: cannot read: no such file/);
    expectInputError(cai(["check", "-", "--q", "-", "--gamma", "0.8"], randJson));
    expectInputError(cai(["check", mdp, "--q", file("q.json", "[[0]]"), "--gamma", "0.8", "--tol", "-1"]), 1);
  });
});
