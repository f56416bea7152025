/**
 * The model flags of `cai solve` (--model, --reference, --beta, --demos), run on the compiled CLI
 * (dist/cai.js, the bundled bin; `npm test` runs tsc first) with files in a fresh temporary directory.
 * Numbers are checked against the closed forms, computed here; bad files exit 2 with one
 * "cai: error:" line per problem and no stack trace.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliSandbox, expectInputError, json, root } from "../support/cli.js";

const { cai, file, path } = cliSandbox("cai-models-");
/** Every stderr line of these errors is a "cai: error:" line: no usage line follows. */
const errorsOnly = { usage: false };

/** A two-context bandit: r(x, y) with every response ending the episode (the RLHF one-step problem). */
const rewards = [
  [1, 0, -1],
  [0.5, 2, 0],
];
const bandit = { P: rewards.map((row, x) => row.map((r) => [[1, x, r, true]])), initial: [0.5, 0.5] };
const reference = [
  [0.5, 0.25, 0.25],
  [0.2, 0.2, 0.6],
];

describe("cai solve --model rlhf", () => {
  it("--reference and --beta give pi_ref exp(r/beta) / Z(x) and V = beta log Z(x)", () => {
    const mdp = file("bandit.json", bandit);
    const ref = file("ref.json", { prior: reference });
    const beta = 0.5;
    const out = json(cai(["solve", mdp, "--horizon", "1", "--model", "rlhf", "--reference", ref, "--beta", String(beta), "--json"]));
    expect(out.model).toBe("rlhf");
    expect(out.alpha).toBe(beta);
    const policy = out.policy as number[][];
    const V = out.V as number[];
    for (let x = 0; x < 2; x++) {
      const w = rewards[x]!.map((r, y) => reference[x]![y]! * Math.exp(r / beta));
      const Z = w.reduce((a, b) => a + b, 0);
      expect(Math.abs(V[x]! - beta * Math.log(Z))).toBeLessThan(1e-12);
      for (let y = 0; y < 3; y++) expect(Math.abs(policy[x]![y]! - w[y]! / Z)).toBeLessThan(1e-12);
    }
    // The readable table names the model and calls the temperature beta.
    const table = cai(["solve", mdp, "--horizon", "1", "--model", "rlhf", "--reference", ref, "--beta", "0.5"]);
    expect(table.status).toBe(0);
    expect(table.stdout).toMatch(/^model rlhf, backup variational, beta 0.5, gamma 1, horizon 1, prior table$/m);
  });

  it("--beta is --alpha: the same answer, both together only when they agree", () => {
    const mdp = file("bandit.json", bandit);
    const ref = file("ref.json", { prior: reference });
    const base = ["solve", mdp, "--horizon", "1", "--model", "rlhf", "--reference", ref, "--json"];
    const a = json(cai([...base, "--alpha", "2"]));
    const b = json(cai([...base, "--beta", "2"]));
    const both = json(cai([...base, "--beta", "2", "--alpha", "2.0"]));
    expect(b).toEqual(a);
    expect(both).toEqual(a);
    const r = cai([...base, "--alpha", "2", "--beta", "3"]);
    expectInputError(r, 1, errorsOnly);
    expect(r.lines[0]).toBe("cai: error: --beta: is another name for --alpha, and --alpha 2 and --beta 3 differ; give one of them");
    expectInputError(cai([...base, "--beta", "0"]), 1, errorsOnly);
  });

  it("refuses a missing or misshapen reference, and --reference without --model rlhf", () => {
    const mdp = file("bandit.json", bandit);
    const missing = cai(["solve", mdp, "--horizon", "1", "--model", "rlhf"]);
    expectInputError(missing, 1, errorsOnly);
    expect(missing.lines[0]).toMatch(/--reference: is required with --model rlhf/);
    const run = (doc: unknown) => cai(["solve", mdp, "--horizon", "1", "--model", "rlhf", "--reference", file("bad-ref.json", doc)]);
    const r = run({ prior: [[0.5, 0.6, 0], [1, 0, -0.1]] });
    expectInputError(r, 2, errorsOnly);
    expect(r.lines[0]).toMatch(/reference policy: state 0: the probabilities sum to 1.1/);
    expect(r.lines[1]).toMatch(/reference policy: state 1, action 2: -0.1 is not a probability/);
    const shape = run({ prior: [[0.5, 0.5, 0], [1, 0]] });
    expectInputError(shape, 1, errorsOnly);
    expect(shape.lines[0]).toMatch(/reference policy: state 1 has 2 probabilities, expected 3/);
    expectInputError(run({ reference: reference }), 1, errorsOnly);
    const wrongModel = cai(["solve", mdp, "--horizon", "1", "--reference", file("ref.json", { prior: reference })]);
    expectInputError(wrongModel, 1, errorsOnly);
    expect(wrongModel.lines[0]).toMatch(/--reference: is the reference policy of --model rlhf/);
  });
});

describe("cai solve --model maxent (the default)", () => {
  it("is what cai solve does without --model; --entropy adds alpha log(m) sum_t gamma^t where no episode ends", () => {
    // One state, two actions, rewards 1 and 0, never ending: the offset applies.
    const loop = file("loop.json", { P: [[[[1, 0, 1, false]], [[1, 0, 0, false]]]] });
    const plain = json(cai(["solve", loop, "--gamma", "0.9", "--json"]));
    const named = json(cai(["solve", loop, "--gamma", "0.9", "--model", "maxent", "--json"]));
    expect(named).toEqual(plain);
    expect(plain.model).toBe("maxent");
    expect(plain.prior).toBe("uniform");
    const ent = json(cai(["solve", loop, "--gamma", "0.9", "--model", "maxent", "--entropy", "--json"]));
    expect(ent.prior).toBe("entropy");
    const offset = (Math.log(2) * 1) / (1 - 0.9);
    expect(Math.abs((ent.V as number[])[0]! - (plain.V as number[])[0]! - offset)).toBeLessThan(1e-8);
    // Closed form of the KL form here: V = r_soft / (1 - gamma) with r_soft = log((e^1 + e^0) / 2) (alpha 1).
    expect(Math.abs((plain.V as number[])[0]! - Math.log((Math.E + 1) / 2) / (1 - 0.9))).toBeLessThan(1e-8);
  });

  it("--model maxent builds its own prior: --prior with it is an error, --prior without --model still works", () => {
    const mdp = file("bandit.json", bandit);
    const prior = file("prior.json", { prior: reference });
    const r = cai(["solve", mdp, "--horizon", "1", "--model", "maxent", "--prior", prior]);
    expectInputError(r, 1, errorsOnly);
    expect(r.lines[0]).toMatch(/^cai: error: --prior: --model maxent builds its own prior/);
    const custom = json(cai(["solve", mdp, "--horizon", "1", "--prior", prior, "--json"]));
    expect(custom.model).toBe("custom");
    expect(custom.prior).toBe("table");
    const unknown = cai(["solve", mdp, "--horizon", "1", "--model", "sac"]);
    expectInputError(unknown, 1, errorsOnly);
    expect(unknown.lines[0]).toBe('cai: error: --model: "sac" is not one of maxent, rlhf, demonstration');
    const entropy = cai(["solve", mdp, "--horizon", "1", "--model", "rlhf", "--reference", prior, "--entropy"]);
    expectInputError(entropy, 1, errorsOnly);
    expect(entropy.lines[0]).toMatch(/--entropy: the entropy form belongs to --model maxent/);
  });

  it("--help lists the model flags", () => {
    const r = cai(["solve", "--help"]);
    expect(r.status).toBe(0);
    for (const flag of ["--model M", "--reference FILE", "--beta B", "--demos FILE"]) expect(r.stdout).toContain(flag);
  });
});

describe("cai solve --model demonstration", () => {
  it("--json adds pi_D and demo_counts (n x m) and the restricted states; the warning goes to stderr", () => {
    const mdp = file("bandit.json", bandit);
    const demos = file("demos.json", { demonstrations: [[0, 1], [0, 1], [0, 2], [1, 0]], smoothing: 0 });
    const r = cai(["solve", mdp, "--horizon", "1", "--model", "demonstration", "--demos", demos, "--json"]);
    const out = json(r);
    expect(out.model).toBe("demonstration");
    expect(out.demo_counts).toEqual([
      [0, 2, 1],
      [1, 0, 0],
    ]);
    expect(out.pi_D).toEqual([
      [0, 2 / 3, 1 / 3],
      [1, 0, 0],
    ]);
    expect(out.smoothing).toBe(0);
    expect(out.restricted_states).toEqual([
      { state: 0, excluded: [0] },
      { state: 1, excluded: [1, 2] },
    ]);
    // Closed form at context 0 (alpha 1): pi ∝ pi_D exp(r) over actions 1, 2; action 0 is excluded.
    const w = [0, (2 / 3) * Math.exp(0), (1 / 3) * Math.exp(-1)];
    const Z = w[1]! + w[2]!;
    const policy = out.policy as number[][];
    expect(policy[0]![0]).toBe(0);
    expect(Math.abs(policy[0]![1]! - w[1]! / Z)).toBeLessThan(1e-12);
    expect(Math.abs((out.V as number[])[0]! - Math.log(Z))).toBeLessThan(1e-12);
    expect(policy[1]).toEqual([1, 0, 0]);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/^cai: warning: the demonstration prior excludes actions in 2 states: state 0 \(excludes 0\); state 1 \(excludes 1, 2\)/);
    expect((out.warnings as string[])[0]).toMatch(/excludes actions in 2 states/);
  });

  it("reads whole trajectories and smoothing from the file, and the file from stdin with --demos -", () => {
    const mdp = file("bandit.json", bandit);
    const doc = { trajectories: [{ states: [0, 1], actions: [1, 0] }, [[0, 2]]], smoothing: 1 };
    const out = json(cai(["solve", mdp, "--horizon", "1", "--model", "demonstration", "--demos", "-", "--json"], JSON.stringify(doc)));
    expect(out.demo_counts).toEqual([
      [0, 1, 1],
      [1, 0, 0],
    ]);
    expect(out.pi_D).toEqual([
      [1 / 5, 2 / 5, 2 / 5],
      [2 / 4, 1 / 4, 1 / 4],
    ]);
    expect(out.restricted_states).toEqual([]);
  });

  it("bad demonstrations: one line per problem, exit 2 (out of range, negative counts, bad smoothing, wrong shape, malformed JSON)", () => {
    const mdp = file("bandit.json", bandit);
    const run = (doc: unknown) => cai(["solve", mdp, "--horizon", "1", "--model", "demonstration", "--demos", file("d.json", doc)]);
    const r1 = run({ demonstrations: [[0, 3], [2, 0], [0]], smoothing: -1 });
    expectInputError(r1, 4, errorsOnly);
    expect(r1.lines).toEqual([
      `cai: error: ${path("d.json")}: demonstrations[0][1]: action 3 is out of range (actions are 0..2)`,
      `cai: error: ${path("d.json")}: demonstrations[1][0]: state 2 is out of range (states are 0..1)`,
      `cai: error: ${path("d.json")}: demonstrations[2]: expected a [state, action] pair, got [0]`,
      `cai: error: ${path("d.json")}: smoothing must be a finite number >= 0, got -1`,
    ]);
    const r2 = run({ counts: [[1, -1, 0], [0, 0]] });
    expectInputError(r2, 2, errorsOnly);
    expect(r2.lines[0]).toMatch(/counts\[0\]\[1\]: state 0, action 1: count -1 is not a finite number >= 0/);
    expect(r2.lines[1]).toMatch(/counts: state 1 has 2 counts, expected 3/);
    expectInputError(run([[0, 1]]), 1, errorsOnly);
    const r3 = run('{"demonstrations": [[0, 1],]}');
    expectInputError(r3, 1, errorsOnly);
    expect(r3.lines[0]).toMatch(/malformed JSON at line 1, column/);
    const r4 = cai(["solve", mdp, "--horizon", "1", "--model", "demonstration"]);
    expectInputError(r4, 1, errorsOnly);
    expect(r4.lines[0]).toMatch(/--demos: is required with --model demonstration/);
    const r5 = cai(["solve", mdp, "--horizon", "1", "--demos", file("ok.json", { demonstrations: [[0, 0]] })]);
    expectInputError(r5, 1, errorsOnly);
    expect(r5.lines[0]).toMatch(/--demos: holds the demonstrations of --model demonstration/);
  });
});

describe("the models use only the public API", () => {
  it("every import in models/ is ../src/index.js or a sibling model", () => {
    const dirModels = join(root, "models");
    for (const name of readdirSync(dirModels).filter((f) => f.endsWith(".ts"))) {
      const text = readFileSync(join(dirModels, name), "utf8");
      const specifiers = [...text.matchAll(/^\s*(?:import|export)[^"']*from\s+["']([^"']+)["']/gm)].map((m) => m[1]);
      expect(specifiers.length, name).toBeGreaterThan(0);
      for (const s of specifiers) expect(s === "../src/index.js" || /^\.\/[a-z-]+\.js$/.test(s!), `${name} imports ${s}`).toBe(true);
    }
  });
});
