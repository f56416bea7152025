/**
 * The CLI with numpy files (the fixtures numpy wrote, test/fixtures/numpy/make_fixtures.py) and
 * pymdptoolbox's conventions: every place a table is read takes .npy/.npz, `cai solve --npz`
 * writes what numpy.load reads, `--terminal-values` and `--gamma 0`.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { frozenLake, parseNpz, solve, writeMdp } from "../../src/index.js";
import { cliSandbox, expectInputError, json } from "../support/cli.js";

const fx = (name: string) => fileURLToPath(new URL(`../fixtures/numpy/${name}`, import.meta.url));
const box = cliSandbox("cai-numpy-");
type Out = { Q: number[][]; V: number[]; policy: number[][]; logZ: number | null; elbo: number | null; V_t?: number[][] };

describe("cai reads numpy files wherever it reads a table", () => {
  it("solve on pymdptoolbox's forest (.npz) gives FiniteHorizon's documented values", () => {
    const out = json<Out>(box.cai(["solve", fx("forest.npz"), "--backup", "hard", "--gamma", "0.9", "--horizon", "3", "--json", "--all-steps"]));
    const documented = [[2.6973, 5.9373, 9.9373], [0.81, 3.24, 7.24], [0, 1, 4]];
    documented.forEach((V, t) => V.forEach((v, s) => expect(Math.abs(out.V_t![t]![s]! - v)).toBeLessThan(1e-12)));
  });

  it("a float32 MDP runs with the float32 warning on stderr; one off by more than rounding exits 2", () => {
    const r = box.cai(["solve", fx("thirds_f32.npz"), "--gamma", "0.9", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.lines).toEqual([expect.stringMatching(/^cai: warning: .*thirds_f32\.npz: P is float32: accepted because every row sums to 1 within float32 rounding/)]);
    const bad = box.cai(["solve", fx("thirds_f32_bad.npz"), "--gamma", "0.9"]);
    expectInputError(bad, 1);
    expect(bad.lines[0]).toBe("cai: error: state 2, action 1: the probabilities sum to 1.16667 (expected 1 within 3.6e-7)");
  });

  it("--q, --prior, --reference and --demos take .npy and .npz, the same as their JSON", () => {
    const mdp = box.file("m.json", JSON.parse(readFileSync(fx("env_p.json"), "utf8")) as unknown);
    // Three states are needed by the table fixtures: the forest MDP as JSON.
    const forest = box.path("forest.json");
    const f = box.cai(["env", "random", "--states", "3", "--actions", "2", "--successors", "2", "--seed", "4"]);
    expect(f.status).toBe(0);
    box.file("forest.json", f.stdout);
    const base = ["--gamma", "0.9", "--json"];
    const withPrior = json<Out>(box.cai(["solve", forest, ...base, "--prior", fx("prior.npy")]));
    box.file("prior.json", { prior: [[0.25, 0.75], [1, 0], [0.5, 0.5]] });
    expect(withPrior.Q).toEqual(json<Out>(box.cai(["solve", forest, ...base, "--prior", box.path("prior.json")])).Q);
    const ref = json<Out>(box.cai(["solve", forest, ...base, "--model", "rlhf", "--reference", fx("prior.npy")]));
    expect(ref.Q).toEqual(withPrior.Q);
    const f32 = box.cai(["solve", forest, ...base, "--prior", fx("prior_f32.npy")]);
    expect(f32.status, f32.stderr).toBe(0);
    expect(f32.lines).toEqual([expect.stringMatching(/prior_f32\.npy: the prior is float32: accepted because every row sums to 1 within float32 rounding \(largest \|sum - 1\| = 3\.0e-8/)]);
    box.file("demos.json", { counts: [[3, 1], [0, 0], [2, 2]] });
    const demoJson = json<Out>(box.cai(["solve", forest, ...base, "--model", "demonstration", "--demos", box.path("demos.json")]));
    expect(json<Out>(box.cai(["solve", forest, ...base, "--model", "demonstration", "--demos", fx("counts.npy")])).Q).toEqual(demoJson.Q);
    box.file("demos2.json", { counts: [[3, 1], [0, 0], [2, 2]], demonstrations: [[1, 0], [1, 1]], smoothing: 0.5 });
    expect(json<Out>(box.cai(["solve", forest, ...base, "--model", "demonstration", "--demos", fx("demos.npz")])).Q).toEqual(
      json<Out>(box.cai(["solve", forest, ...base, "--model", "demonstration", "--demos", box.path("demos2.json")])).Q,
    );
    // --q: their table as .npz (cai solve --npz) and .npy.
    const npz = box.path("out.npz");
    const solved = box.cai(["solve", forest, "--gamma", "0.9", "--npz", npz]);
    expect(solved.status, solved.stderr).toBe(0);
    expect(solved.lines).toEqual([expect.stringMatching(/^cai: wrote .*out\.npz \(\d+ bytes; numpy\.load: Q, V, policy and the keys of --json, except horizon, logZ\)$/)]);
    const check = box.cai(["check", forest, "--gamma", "0.9", "--q", npz]);
    expect(check.status, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/their Q: .*out\.npz \(npz "Q", 3 x 2\)/);
    const wrongShape = box.cai(["check", mdp, "--gamma", "0.9", "--q", fx("q.npy")]);
    expectInputError(wrongShape, 1);
    expect(wrongShape.lines[0]).toMatch(/q\.npy: the Q-table has shape \(3, 2\), expected \(2, 2\) or \(4,\)$/);
    const f32q = box.cai(["check", forest, "--gamma", "0.9", "--q", fx("q_f32.npy")]);
    expect(f32q.status).toBe(1);
    expect(f32q.lines[0]).toMatch(/q_f32\.npy: the Q-table is float32/);
  });

  it("cai solve --npz holds the --json keys with their values (null keys left out)", () => {
    const lake = box.file("lake.json", writeMdp(frozenLake({ map: "4x4" })));
    const npz = box.path("lake.npz");
    const run = box.cai(["solve", lake, "--gamma", "0.9", "--alpha", "0.5", "--json", "--npz", npz]);
    const out = json<Record<string, unknown>>(run);
    const z = parseNpz(new Uint8Array(readFileSync(npz)), "lake.npz");
    expect([...z.keys()]).toEqual(Object.keys(out).filter((k) => out[k] !== null));
    expect(Array.from(z.get("Q")!.data)).toEqual((out.Q as number[][]).flat());
    expect(z.get("Q")!.shape).toEqual([16, 4]);
    expect(z.get("V")!.shape).toEqual([16]);
    expect(z.get("backup")!.strings).toEqual(["variational"]);
    expect(z.get("iterations")!.data[0]).toBe(out.iterations);
    const tty = box.cai(["solve", lake, "--gamma", "0.9", "--npz", "-", "--json"]);
    expectInputError(tty);
  });

  it("the Gymnasium env.P JSON of the README's first Python snippet reads as written by json.dump", () => {
    const out = json<Out>(box.cai(["solve", fx("env_p.json"), "--horizon", "1", "--json"]));
    // State 0: action 0 gives 0, action 1 gives 0.5 in expectation; V = log((e^0 + e^0.5) / 2).
    expect(Math.abs(out.V[0]! - Math.log((1 + Math.exp(0.5)) / 2))).toBeLessThan(1e-15);
  });
});

describe("pymdptoolbox's conventions", () => {
  it("--terminal-values h: solving H steps from V_H = h continues an H + k solve (.npy, .npz and JSON alike)", () => {
    const mdp = box.file("r.json", box.cai(["env", "random", "--states", "3", "--actions", "2", "--successors", "2", "--seed", "9"]).stdout);
    for (const backup of ["exact", "variational", "hard"]) {
      const long = json<Out>(box.cai(["solve", mdp, "--backup", backup, "--gamma", "0.8", "--alpha", "0.7", "--horizon", "5", "--json", "--all-steps"]));
      box.file("h.json", { h: long.V_t![2] });
      const short = json<Out>(box.cai(["solve", mdp, "--backup", backup, "--gamma", "0.8", "--alpha", "0.7", "--horizon", "2", "--terminal-values", box.path("h.json"), "--json"]));
      short.Q.flat().forEach((q, i) => expect(Math.abs(q - long.Q.flat()[i]!)).toBeLessThan(1e-12));
    }
    const viaNpy = json<Out>(box.cai(["solve", mdp, "--gamma", "0.9", "--horizon", "2", "--terminal-values", fx("h.npy"), "--json"]));
    box.file("h2.json", [1, 0, -2]);
    expect(viaNpy.Q).toEqual(json<Out>(box.cai(["solve", mdp, "--gamma", "0.9", "--horizon", "2", "--terminal-values", box.path("h2.json"), "--json"])).Q);
    const noHorizon = box.cai(["solve", mdp, "--gamma", "0.9", "--terminal-values", fx("h.npy")]);
    expectInputError(noHorizon, 1);
    expect(noHorizon.lines[0]).toBe("cai: error: --terminal-values: are the values after the last step of a finite horizon: give --horizon H");
    box.file("h3.json", [1, 2]);
    expectInputError(box.cai(["solve", mdp, "--horizon", "2", "--terminal-values", box.path("h3.json")]), 1);
  });

  it("--gamma 0 is the one-step problem: the values of horizon 1, in every backup", () => {
    const mdp = box.file("g.json", box.cai(["env", "random", "--states", "4", "--actions", "3", "--successors", "2", "--seed", "2"]).stdout);
    for (const backup of ["exact", "variational", "hard"]) {
      const zero = json<Out>(box.cai(["solve", mdp, "--backup", backup, "--gamma", "0", "--json"]));
      const one = json<Out>(box.cai(["solve", mdp, "--backup", backup, "--horizon", "1", "--json"]));
      zero.V.forEach((v, s) => expect(Math.abs(v - one.V[s]!)).toBeLessThan(1e-12));
      zero.Q.flat().forEach((q, i) => expect(Math.abs(q - one.Q.flat()[i]!)).toBeLessThan(1e-12));
    }
  });

  it("terminal values enter log Z and the ELBO: log Z - ELBO = KL stays >= 0 and is 0 for deterministic dynamics from one start", () => {
    const lake = frozenLake({ map: "4x4", isSlippery: false });
    const h = Float64Array.from({ length: 16 }, (_, s) => (s % 5) - 2);
    const exact = solve(lake, { backup: "exact", horizon: 6, alpha: 0.3, terminalValues: h });
    const variational = solve(lake, { backup: "variational", horizon: 6, alpha: 0.3, terminalValues: h });
    // Deterministic dynamics, gamma = 1, a single start state: exact = variational and log Z = ELBO(q*).
    expect(Math.abs(exact.logZ! - exact.elbo!)).toBeLessThan(1e-9);
    expect(Math.abs(variational.elbo! - variational.logZ!)).toBeLessThan(1e-9);
    expect(Math.abs(exact.logZ! - exact.V[0]! / 0.3)).toBeLessThan(1e-9);
    const slippery = frozenLake({ map: "4x4" });
    const v = solve(slippery, { backup: "variational", horizon: 6, alpha: 0.3, terminalValues: h });
    expect(v.logZ! - v.elbo!).toBeGreaterThan(0);
    // ELBO(q*) of the variational backup = p0 . V_0 / alpha, terminal values included.
    expect(Math.abs(v.elbo! - v.V[0]! / 0.3)).toBeLessThan(1e-9);
  });
});
