/**
 * `cai sample`: seeded episodes as the demonstrations document, which `cai solve --model demonstration
 * --demos` reads directly; the same numbers as the API; bad flags exit 2.
 */
import { describe, expect, it } from "vitest";
import { parseMdp, sampleTrajectories, solve, writeMdp } from "../../src/index.js";
import { smallStochastic } from "../support/fixtures.js";
import { cliSandbox, expectInputError, json } from "../support/cli.js";

const { cai, file } = cliSandbox("cai-sample-");
const text = writeMdp(smallStochastic);

describe("cai sample", () => {
  it("prints the API's episodes for the same seed, and the output feeds --model demonstration", () => {
    const f = file("m.json", text);
    const out = json<{ trajectories: Array<{ states: number[]; actions: number[] }>; meta: Record<string, unknown> }>(
      cai(["sample", f, "--horizon", "5", "--alpha", "0.5", "--episodes", "40", "--seed", "9"]),
    );
    const mdp = parseMdp(text);
    const api = sampleTrajectories(mdp, solve(mdp, { horizon: 5, alpha: 0.5 }), { episodes: 40, seed: 9 });
    expect(out.trajectories).toEqual(api.episodes.map((e) => ({ states: e.states, actions: e.actions })));
    expect(out.meta.seed).toBe(9);
    expect(out.meta.from).toBe("policy");
    const demos = file("demos.json", JSON.stringify(out));
    const solved = json<{ demo_counts: number[][] }>(cai(["solve", f, "--gamma", "0.9", "--model", "demonstration", "--demos", demos, "--json"]));
    const total = solved.demo_counts.flat().reduce((a, b) => a + b, 0);
    expect(total).toBe(api.episodes.reduce((acc, e) => acc + e.actions.length, 0));
  });

  it("--from posterior --backup exact, and an infinite horizon with --max-steps", () => {
    const f = file("m.json", text);
    const post = json<{ meta: { from: string } }>(cai(["sample", f, "--horizon", "3", "--backup", "exact", "--from", "posterior", "--episodes", "5"]));
    expect(post.meta.from).toBe("posterior");
    const inf = json<{ trajectories: Array<{ actions: number[] }> }>(cai(["sample", f, "--gamma", "0.9", "--max-steps", "7", "--episodes", "5"]));
    for (const t of inf.trajectories) expect(t.actions.length).toBeLessThanOrEqual(7);
  });

  it("exits 2 on bad input: no --episodes, posterior without exact, no --max-steps without a horizon, a bad seed", () => {
    const f = file("m.json", text);
    for (const args of [
      ["--horizon", "3"],
      ["--horizon", "3", "--episodes", "2", "--from", "posterior"],
      ["--gamma", "0.9", "--episodes", "2"],
      ["--horizon", "3", "--episodes", "2", "--seed", "1.5"],
      ["--horizon", "3", "--episodes", "2", "--max-steps", "4"],
      ["--horizon", "3", "--episodes", "0"],
    ]) expectInputError(cai(["sample", f, ...args]));
  });
});
