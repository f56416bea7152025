/**
 * `cai irl`: the JSON keys the issue names (theta, reward, policy, log_likelihood, feature_gap,
 * iterations, converged, curve), equal to the API's numbers; samples from `cai sample` feed it
 * directly; the text summary draws the learned reward on a grid map; bad input exits 2 naming the
 * place.
 */
import { describe, expect, it } from "vitest";
import { inverseRl, irlDemonstrations, parseMdp, stateFeatures, writeMdp } from "../../src/index.js";
import { smallStochastic } from "../support/fixtures.js";
import { cliSandbox, expectInputError, json } from "../support/cli.js";

const { cai, file } = cliSandbox("cai-irl-");

interface IrlOut {
  theta: number[];
  reward: number[][];
  policy: number[][];
  log_likelihood: number | null;
  feature_gap: number;
  iterations: number;
  converged: boolean;
  curve: Array<{ iteration: number; objective: number; feature_gap: number }>;
  objective: number;
}

describe("cai irl", () => {
  it("learns from cai sample's output; the JSON keys hold the API's numbers", () => {
    const f = file("m.json", writeMdp(smallStochastic));
    const demosText = cai(["sample", f, "--horizon", "6", "--alpha", "0.5", "--episodes", "200", "--seed", "4"]).stdout;
    const demosFile = file("demos.json", demosText);
    const out = json<IrlOut>(cai(["irl", f, "--demos", demosFile, "--horizon", "6", "--alpha", "0.5", "--l2", "0.01", "--json"]));
    for (const key of ["theta", "reward", "policy", "log_likelihood", "feature_gap", "iterations", "converged", "curve"]) expect(out).toHaveProperty(key);
    const mdp = parseMdp(writeMdp(smallStochastic));
    const demos = irlDemonstrations(JSON.parse(demosText), mdp, { gamma: 1, horizon: 6 });
    const api = inverseRl(mdp, stateFeatures(3, 2), demos, { horizon: 6, alpha: 0.5, l2: 0.01 });
    expect(out.theta).toEqual(Array.from(api.theta));
    expect(out.feature_gap).toBe(api.featureGap);
    expect(out.log_likelihood).toBe(api.logLikelihood);
    expect(out.converged).toBe(true);
    expect(out.reward[1]).toEqual([out.theta[1], out.theta[1]]); // state features: the reward of the state left
    expect(out.curve[0]!.iteration).toBe(0);
    expect(out.curve.at(-1)!.objective).toBeCloseTo(out.objective, 9);
    for (let i = 1; i < out.curve.length; i++) expect(out.curve[i]!.objective).toBeGreaterThanOrEqual(out.curve[i - 1]!.objective - 1e-12);
  });

  it("text output: a summary and, for a grid environment, the learned reward on the map", () => {
    const f = file("fl.json", cai(["env", "frozenlake", "--map", "4x4", "--format", "native"]).stdout);
    const demos = file("d.json", cai(["sample", f, "--horizon", "10", "--alpha", "0.3", "--episodes", "100", "--seed", "1"]).stdout);
    const r = cai(["irl", f, "--demos", demos, "--horizon", "10", "--alpha", "0.3", "--l2", "0.1", "--features", "state-action"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/maximum causal entropy IRL/);
    expect(r.stdout).toMatch(/learned reward max_a r\(s, a\) on the map/);
    expect(r.stdout).toMatch(/SFFF/);
  });

  it("a feature file and counts with their number of episodes", () => {
    const f = file("m.json", writeMdp(smallStochastic));
    const feats = file("phi.json", { features: [[1, 0], [0, 1], [0.5, 0.5]] });
    const demos = file("c.json", { counts: [[3, 1], [1, 1], [0, 2]], episodes: 2 });
    const out = json<IrlOut>(cai(["irl", f, "--demos", demos, "--features", feats, "--gamma", "0.9", "--l2", "0.1", "--json"]));
    expect(out.theta).toHaveLength(2);
    expect(out.converged).toBe(true);
  });

  it("bad input exits 2 and names the place: no --demos, hard backup, a bad feature entry, an impossible step, no discount", () => {
    const f = file("m.json", writeMdp(smallStochastic));
    const demos = file("d.json", { trajectories: [{ states: [0, 1], actions: [0] }] });
    const impossible = file("bad.json", { trajectories: [{ states: [0, 0], actions: [0] }] });
    const badPhi = file("phi.json", { features: [[1, 0], [0, "x"], [0.5, 0.5]] });
    expectInputError(cai(["irl", f, "--horizon", "3"]));
    expectInputError(cai(["irl", f, "--demos", demos, "--horizon", "3", "--backup", "hard"]));
    const r1 = cai(["irl", f, "--demos", demos, "--horizon", "3", "--features", badPhi]);
    expectInputError(r1);
    expect(r1.stderr).toMatch(/features\[1\]\[1\]/);
    const r2 = cai(["irl", f, "--demos", impossible, "--horizon", "3"]);
    expectInputError(r2);
    expect(r2.stderr).toMatch(/trajectories\[0\] step 0/);
    expectInputError(cai(["irl", f, "--demos", demos]));
  });
});
