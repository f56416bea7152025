/**
 * `cai solve --json --marginals`: the forward messages' keys (state_marginals H+1 x n,
 * state_action_marginals H x n x m, state_occupancy n, state_action_occupancy n x m), equal to the
 * API's `marginals`, the existing `occupancy` key unchanged, and bad combinations refused (exit 2).
 */
import { describe, expect, it } from "vitest";
import { marginals, parseMdp, solve, writeMdp } from "../../src/index.js";
import { smallStochastic } from "../support/fixtures.js";
import { cliSandbox, expectInputError } from "../support/cli.js";

const { cai, file } = cliSandbox("cai-marginals-");
const text = writeMdp(smallStochastic);

interface Out {
  occupancy: number[];
  marginals_from: string;
  state_marginals: number[][] | null;
  state_action_marginals: number[][][] | null;
  state_occupancy: number[];
  state_action_occupancy: number[][];
}

describe("cai solve --json --marginals", () => {
  it("finite horizon: the four keys, their shapes, and the API's numbers; occupancy unchanged", () => {
    const f = file("m.json", text);
    const r = cai(["solve", f, "--horizon", "4", "--gamma", "0.9", "--alpha", "0.5", "--json", "--marginals"]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as Out;
    const mdp = parseMdp(text);
    const res = solve(mdp, { horizon: 4, gamma: 0.9, alpha: 0.5 });
    const api = marginals(mdp, res);
    expect(out.marginals_from).toBe("policy");
    expect(out.state_marginals).toHaveLength(5);
    expect(out.state_marginals![4]).toEqual(Array.from(api.finalState!));
    expect(out.state_action_marginals).toHaveLength(4);
    expect(out.state_action_marginals![0]).toHaveLength(3);
    expect(out.state_action_marginals![0]![0]).toHaveLength(2);
    expect(out.state_occupancy).toEqual(Array.from(api.stateOccupancy));
    expect(out.state_action_occupancy[1]).toEqual(Array.from(api.stateActionOccupancy.subarray(2, 4)));
    expect(out.occupancy).toEqual(Array.from(res.occupancy!));
  });

  it("infinite horizon: occupancies (summing to at most 1/(1 - gamma)) and null marginals", () => {
    const r = cai(["solve", file("m.json", text), "--gamma", "0.8", "--json", "--marginals"]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as Out;
    expect(out.state_marginals).toBeNull();
    expect(out.state_action_marginals).toBeNull();
    const total = out.state_occupancy.reduce((a, b) => a + b, 0);
    expect(total).toBeLessThanOrEqual(5 + 1e-12);
    expect(total).toBeGreaterThan(1);
    expect(out.state_occupancy).toHaveLength(3);
  });

  it("--marginals-from posterior with --backup exact names the exact posterior", () => {
    const r = cai(["solve", file("m.json", text), "--horizon", "3", "--backup", "exact", "--json", "--marginals", "--marginals-from", "posterior"]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as Out;
    expect(out.marginals_from).toBe("posterior");
    const mdp = parseMdp(text);
    const api = marginals(mdp, solve(mdp, { horizon: 3, backup: "exact" }), { from: "posterior" });
    expect(out.state_occupancy).toEqual(Array.from(api.stateOccupancy));
  });

  it("refuses a posterior of the variational backup, --marginals without --json, and an unknown source (exit 2)", () => {
    const f = file("m.json", text);
    for (const args of [
      ["--horizon", "3", "--json", "--marginals", "--marginals-from", "posterior"],
      ["--horizon", "3", "--marginals"],
      ["--horizon", "3", "--json", "--marginals", "--marginals-from", "prior"],
      ["--horizon", "3", "--json", "--marginals-from", "policy"],
    ]) {
      const r = cai(["solve", f, ...args]);
      expectInputError(r);
      expect(r.stderr).toMatch(/--marginals/);
    }
  });
});
