/**
 * `cai bench softvi` (compiled CLI): the sweeps it counts are the C reference's (sweep 0 included),
 * its V0 and sumV are the engine's own Jacobi numbers (checked against the rules' plain loops), its
 * JSON carries the keys issue 7 names, and bad input exits 2 with one line naming the flag.
 */
import { describe, expect, it } from "vitest";
import { RULES, frozenLakeOpen, uniformPrior } from "../../src/index.js";
import { root, runCai } from "../support/cli.js";

const cai = (...args: string[]) => runCai(args, { cwd: root });

describe("cai bench softvi", () => {
  it("--tol 0 --max-iter 100 runs exactly 100 sweeps from V = 0, and V0, sumV equal 100 plain Jacobi sweeps within 1e-12", () => {
    const r = cai("bench", "softvi", "--size", "12", "--tol", "0", "--max-iter", "100", "--json");
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as Record<string, number>;
    for (const key of ["ns_per_nnz", "sweeps", "total_ms", "peak_rss_mb", "V0", "sumV"]) expect(typeof j[key], key).toBe("number");
    expect(j.sweeps).toBe(100);
    expect(j.nnz).toBe(12 * (12 * 12 - 1) + 4);
    // The same 100 sweeps by the rules' own loops (what the engine ran before its fused kernels).
    const mdp = frozenLakeOpen(12);
    const prior = uniformPrior(mdp.nStates, 4);
    const V = new Float64Array(mdp.nStates);
    const Q = new Float64Array(mdp.nStates * 4);
    for (let k = 0; k < 100; k++) {
      RULES.variational.dynamics.apply(mdp, V, 0.1, 0.99, Q);
      RULES.variational.actions.apply(Q, prior, 0.1, V, null);
    }
    let sum = 0;
    for (const v of V) sum += v;
    expect(Math.abs(j.sumV! - sum) / sum).toBeLessThan(1e-12);
    expect(V[0]).toBeGreaterThan(0);
    expect(Math.abs(j.V0! - V[0]!) / V[0]!).toBeLessThan(1e-12);
  });

  it("the prioritised schedule stops at the tolerance with fewer full sweeps than Jacobi, and says how many backups it ran", () => {
    const run = (schedule: string) => JSON.parse(cai("bench", "softvi", "--size", "15", "--schedule", schedule, "--json").stdout) as Record<string, number | boolean>;
    const jacobi = run("jacobi");
    const prioritised = run("prioritised");
    expect(jacobi.converged && prioritised.converged).toBe(true);
    expect(prioritised.sweeps as number).toBeLessThan(jacobi.sweeps as number);
    expect(prioritised.backups_per_state as number).toBeGreaterThanOrEqual(prioritised.sweeps as number);
    // Both stop at max |dQ| <= 1e-10 with gamma = 0.99: their sums of V differ by far less than 1e-6.
    expect(Math.abs((prioritised.sumV as number) - (jacobi.sumV as number))).toBeLessThan(1e-6);
  });

  it("rejects a missing or unknown job, a bad size and a bad schedule with exit status 2 and one line naming the problem", () => {
    for (const [args, pattern] of [
      [["bench", "--size", "10"], /missing job/],
      [["bench", "softmax", "--size", "10"], /unknown job "softmax"/],
      [["bench", "softvi"], /missing --size/],
      [["bench", "softvi", "--size", "1"], /--size/],
      [["bench", "softvi", "--size", "10", "--schedule", "random"], /--schedule/],
      [["bench", "softvi", "--size", "10", "--max-iter", "1"], /--max-iter/],
      [["bench", "softvi", "--size", "10", "--gamma", "1"], /--gamma/],
    ] as const) {
      const r = cai(...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    }
  });
});
