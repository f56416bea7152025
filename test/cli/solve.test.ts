/**
 * `cai solve`, `cai graph` and `cai demo` from the command line: the JSON keys other programs rely
 * on, the values against the API, exit statuses, and errors for bad parameters and priors.
 */
import { describe, expect, it } from "vitest";
import { frozenLake, parseMdp, solve, tablePrior, writeMdp } from "../../src/index.js";
import { gamble } from "../support/fixtures.js";
import { cliSandbox, expectInputError } from "../support/cli.js";

const { cai, file } = cliSandbox("cai-solve-");
const gambleJson = writeMdp(gamble);
const loopJson = JSON.stringify({ P: [[[[1, 0, 1, false]]]] });

describe("cai solve --json", () => {
  it("prints Q, V, policy, logZ, elbo, converged, iterations, residual for a finite horizon, equal to the API's numbers", () => {
    const r = cai(["solve", file("g.json", gambleJson), "--horizon", "1", "--backup", "exact", "--json"]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const key of ["Q", "V", "policy", "logZ", "elbo", "converged", "iterations", "residual"]) expect(out).toHaveProperty(key);
    const api = solve(parseMdp(gambleJson), { backup: "exact", horizon: 1 });
    expect(out.Q).toEqual([Array.from(api.Q.subarray(0, 2)), Array.from(api.Q.subarray(2, 4))]);
    expect(out.V).toEqual(Array.from(api.V));
    expect(out.logZ).toBe(api.logZ);
    expect(out.converged).toBe(true);
    expect(out).not.toHaveProperty("Q_t");
  });

  it("adds Q_t, V_t, policy_t indexed by t with --all-steps", () => {
    const r = cai(["solve", file("g.json", gambleJson), "--horizon", "3", "--json", "--all-steps"]);
    const out = JSON.parse(r.stdout) as { Q_t: number[][][]; V_t: number[][]; policy_t: number[][][] };
    expect(out.Q_t).toHaveLength(3);
    expect(out.V_t).toHaveLength(3);
    expect(out.policy_t[2]![0]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
  });

  it("iterates an infinite horizon to the tolerance and reports convergence", () => {
    const r = cai(["solve", file("loop.json", loopJson), "--gamma", "0.9", "--json"]);
    const out = JSON.parse(r.stdout) as { V: number[]; converged: boolean; iterations: number; residual: number };
    expect(out.converged).toBe(true);
    expect(out.V[0]).toBeCloseTo(10, 8);
    expect(out.residual).toBeLessThanOrEqual(1e-10);
  });

  it("reads a prior table; a zero masks the action", () => {
    const prior = file("prior.json", JSON.stringify({ prior: [[1, 0], { "0": 0.5, "1": 0.5 }] }));
    const r = cai(["solve", file("g.json", gambleJson), "--horizon", "1", "--prior", prior, "--json"]);
    const out = JSON.parse(r.stdout) as { policy: number[][]; V: number[] };
    expect(out.policy[0]).toEqual([1, 0]);
    const api = solve(gamble, { horizon: 1, prior: tablePrior([[1, 0], [0.5, 0.5]], 2, 2) });
    expect(out.V).toEqual(Array.from(api.V));
  });
});

describe("cai solve --schedule and --threads", () => {
  it("reaches the same fixed point with every schedule and thread count (within the tolerance's reach, 1e-10 / (1 - gamma))", () => {
    const fl = file("fl.json", writeMdp(frozenLake({ map: "8x8" })));
    const run = (...flags: string[]) => JSON.parse(cai(["solve", fl, "--gamma", "0.95", "--alpha", "0.1", "--json", ...flags]).stdout) as { V: number[]; converged: boolean };
    const jacobi = run();
    for (const flags of [["--schedule", "gauss-seidel"], ["--schedule", "prioritised"], ["--threads", "2"], ["--schedule", "jacobi", "--threads", "1"]]) {
      const other = run(...flags);
      expect(other.converged).toBe(true);
      other.V.forEach((v, s) => expect(Math.abs(v - jacobi.V[s]!)).toBeLessThan(2e-9));
    }
  });

  it("rejects an unknown schedule and a thread count below 1, naming the flag", () => {
    const g = file("g.json", gambleJson);
    expect(cai(["solve", g, "--gamma", "0.9", "--schedule", "random"]).stderr).toMatch(/--schedule: "random" is not one of jacobi, gauss-seidel, prioritised/);
    const r = cai(["solve", g, "--gamma", "0.9", "--threads", "0"]);
    expectInputError(r, 1);
    expect(r.lines[0]).toMatch(/--threads: 0 is below the minimum 1/);
  });
});

describe("cai solve exit statuses", () => {
  it("exits 1 with the growth per step when exact message passing has no fixed point", () => {
    const r = cai(["solve", file("loop.json", loopJson), "--gamma", "0.9", "--backup", "exact", "--json"]);
    expect(r.status).toBe(1);
    // --json: stdout still holds one JSON object, the message is on stderr too.
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({ code: "no-fixed-point", exit_status: 1, converged: false });
    expect(out.error).toMatch(/no fixed point.*grows by 0\.8946\d* per step/);
    expect(Math.abs((out.growth_per_step as number) - 0.8946)).toBeLessThan(1e-4);
    // rho is known to rounding here: its proven bounds are the value itself.
    expect(out.growth_per_step_lower).toBe(out.growth_per_step);
    expect(out.growth_per_step_upper).toBe(out.growth_per_step);
    expect(out.spectral_radius_lower).toBe(out.spectral_radius);
    expect(out.spectral_radius_upper).toBe(out.spectral_radius);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/no fixed point.*grows by 0\.8946\d* per step/);
  });

  it("exits 1 under --strict when the iteration cap is hit, and 0 with a warning without it", () => {
    const strict = cai(["solve", file("loop.json", loopJson), "--gamma", "0.99", "--max-iter", "5", "--strict"]);
    expect(strict.status).toBe(1);
    expect(strict.lines[0]).toMatch(/did not converge: residual .* after 5 iterations/);
    const strictJson = cai(["solve", file("loop.json", loopJson), "--gamma", "0.99", "--max-iter", "5", "--strict", "--json"]);
    expect(strictJson.status).toBe(1);
    expect(JSON.parse(strictJson.stdout)).toMatchObject({ code: "not-converged", converged: false, iterations: 5 });
    const lax = cai(["solve", file("loop.json", loopJson), "--gamma", "0.99", "--max-iter", "5", "--json"]);
    expect(lax.status).toBe(0);
    expect((JSON.parse(lax.stdout) as { converged: boolean }).converged).toBe(false);
    expect(lax.stderr).toMatch(/warning: not converged/);
  });

  it.each([
    [["--horizon", "1", "--alpha", "0"], /--alpha: 0 must be greater than 0/],
    [["--horizon", "1", "--alpha", "-1"], /--alpha: -1 must be greater than 0/],
    [["--horizon", "1", "--alpha", "abc"], /--alpha: "abc" is not a finite number/],
    [["--gamma", "1.5"], /--gamma: 1.5 is above the maximum 1/],
    [["--gamma", "-0.1"], /--gamma: -0.1 is below the minimum 0/],
    [[], /--gamma: required without --horizon/],
    [["--horizon", "-2"], /--horizon: -2 is below the minimum 1/],
    [["--horizon", "2.5"], /--horizon: "2.5" is not an integer/],
    [["--horizon", "1", "--backup", "soft"], /--backup: "soft" is not one of variational, exact, hard/],
    [["--horizon", "1", "--frobnicate"], /unknown option "--frobnicate"\n/],
    [["--horizon", "1", "--bakcup", "exact"], /cai: error: unknown option "--bakcup" \(did you mean --backup\?\)/],
    [["--horizon", "1", "--alpha"], /cai: error: option "--alpha" needs a value/],
  ])("exits 2 for bad parameters %j", (flags, message) => {
    const r = cai(["solve", file("g.json", gambleJson), ...flags]);
    expectInputError(r);
    expect(r.stderr).toMatch(message);
  });

  it("exits 2 for a prior that is not normalised or has the wrong shape, naming the state", () => {
    const bad = cai(["solve", file("g.json", gambleJson), "--horizon", "1", "--prior", file("p1.json", JSON.stringify({ prior: [[0.5, 0.4], [1, 0]] }))]);
    expectInputError(bad, 1);
    expect(bad.lines[0]).toMatch(/state 0: the probabilities sum to 0.9 \(expected 1 within 1e-9\)/);
    const shape = cai(["solve", file("g.json", gambleJson), "--horizon", "1", "--prior", file("p2.json", JSON.stringify({ prior: [[1, 0, 0], [1, 0]] }))]);
    expectInputError(shape, 1);
    expect(shape.lines[0]).toMatch(/state 0 has 3 probabilities, expected 2/);
    const key = cai(["solve", file("g.json", gambleJson), "--horizon", "1", "--prior", file("p3.json", JSON.stringify({ pi: [] }))]);
    expectInputError(key, 1);
  });
});

describe("cai graph", () => {
  it("prints the unrolled graph as JSON with interfaces and the schedule", () => {
    const r = cai(["graph", file("g.json", gambleJson), "--horizon", "3", "--format", "json"]);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { variables: unknown[]; factors: unknown[]; edges: Array<{ interface: string }>; schedule: Array<{ factor: string }> };
    expect(out.variables).toHaveLength(10);
    expect(out.factors).toHaveLength(7);
    expect(new Set(out.edges.map((e) => e.interface))).toEqual(new Set(["out", "s", "a", "next", "O"]));
    expect(out.schedule.map((s) => s.factor)).toEqual(["P_2", "pi0_2", "P_1", "pi0_1", "P_0", "pi0_0", "p0"]);
  });

  it("prints DOT by default, the stationary slice without --horizon", () => {
    const r = cai(["graph", file("g.json", gambleJson)]);
    expect(r.stdout).toContain('"P" -- "s" [label="next"]');
    expect(cai(["graph", file("g.json", gambleJson), "--format", "svg"]).status).toBe(2);
  });
});

describe("cai demo (npm start)", () => {
  it("runs on FrozenLake 8x8 and every check it prints passes", () => {
    const r = cai(["demo"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("FrozenLake 8x8");
    const checks = r.stdout.split("\n").filter((l) => /^\s+\[(ok|FAILED)\]/.test(l));
    expect(checks.length).toBe(5);
    expect(checks.every((l) => l.includes("[ok]"))).toBe(true);
  });
});
