/**
 * `cai bench softvi` (compiled CLI): the sweeps it counts are the C reference's (sweep 0 included),
 * its V0 and sumV are the engine's own Jacobi numbers (checked against the rules' plain loops), its
 * JSON carries the keys issue 7 names, and bad input exits 2 with one line naming the flag.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

  it("--init FILE continues from a dumped V: 60 sweeps from the dump of 40 equal 100 plain Jacobi sweeps within 1e-12", () => {
    const dir = mkdtempSync(join(tmpdir(), "cai-bench-init-"));
    try {
      const first = join(dir, "V40.f64");
      expect(cai("bench", "softvi", "--size", "9", "--tol", "0", "--max-iter", "40", "--dump", first).status).toBe(0);
      const last = join(dir, "V100.f64");
      const r = cai("bench", "softvi", "--size", "9", "--tol", "0", "--max-iter", "60", "--init", first, "--dump", last, "--json");
      expect(r.status, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as Record<string, number>).sweeps).toBe(60);
      const mdp = frozenLakeOpen(9);
      const prior = uniformPrior(mdp.nStates, 4);
      const V = new Float64Array(mdp.nStates);
      const Q = new Float64Array(mdp.nStates * 4);
      for (let k = 0; k < 100; k++) {
        RULES.variational.dynamics.apply(mdp, V, 0.1, 0.99, Q);
        RULES.variational.actions.apply(Q, prior, 0.1, V, null);
      }
      const b = readFileSync(last);
      const got = new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      expect(got.length).toBe(81);
      for (let s = 0; s < 81; s++) expect(Math.abs(got[s]! - V[s]!), `state ${s}`).toBeLessThan(1e-12 * Math.max(1, Math.abs(V[s]!)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--tol 0 runs every --max-iter sweep from a fixed point, where the residual stalls at once (no stall test)", () => {
    const dir = mkdtempSync(join(tmpdir(), "cai-bench-init-"));
    try {
      const star = join(dir, "star.f64");
      expect(cai("bench", "softvi", "--size", "8", "--tol", "1e-15", "--dump", star).status).toBe(0);
      const j = JSON.parse(cai("bench", "softvi", "--size", "8", "--tol", "0", "--max-iter", "50", "--init", star, "--json").stdout) as Record<string, unknown>;
      expect(j.sweeps).toBe(50);
      expect(j.stop_reason).toBe("max-iterations");
      expect(j.residual as number).toBeLessThan(1e-14);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects an --init file of the wrong length or with a non-finite value, exit 2, naming --init", () => {
    const dir = mkdtempSync(join(tmpdir(), "cai-bench-init-"));
    try {
      const short = join(dir, "short.f64");
      writeFileSync(short, new Uint8Array(8 * 15));
      const r = cai("bench", "softvi", "--size", "4", "--init", short);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/--init: .* holds 120 bytes; 16 states need 128/);
      const nan = join(dir, "nan.f64");
      const v = new Float64Array(16);
      v[7] = NaN;
      writeFileSync(nan, new Uint8Array(v.buffer));
      const r2 = cai("bench", "softvi", "--size", "4", "--init", nan);
      expect(r2.status).toBe(2);
      expect(r2.stderr).toMatch(/--init: value 7 of .* is NaN/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
