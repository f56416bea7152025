/**
 * Progress of long runs: one line rewritten in place on a terminal, with the sweep, the residual,
 * the error bound and an estimate of the time left; nothing when stderr is not a terminal.
 */
import { describe, expect, it } from "vitest";
import { sweepProgress } from "../../src/cli/progress.js";
import { cliSandbox } from "../support/cli.js";

const box = cliSandbox("cai-progress-");

describe("sweep progress", () => {
  it("shows sweep, residual, error bound gamma r / (1 - gamma) and the time left from the contraction rate", () => {
    const out: string[] = [];
    let clock = 0;
    const p = sweepProgress("cai solve", { gamma: 0.9, tol: 1e-10, maxIter: 100000, write: (t) => out.push(t), now: () => clock, every: 200 })!;
    // The residual contracts by 0.9 per sweep, 10 ms per sweep.
    for (let k = 1; k <= 100; k++) {
      clock = 10 * k;
      p.onSweep(k, 0.9 ** k);
    }
    p.done();
    expect(out.length).toBeGreaterThan(3);
    expect(out.length).toBeLessThan(10); // at most one line per 200 ms
    const line = out.at(-2)!;
    const m = /^\r\x1b\[Kcai solve: sweep (\d+), residual ([\d.e+-]+), error <= ([\d.e+-]+), about ([\d.]+) s left \(/.exec(line);
    expect(m, line).not.toBeNull();
    const k = Number(m![1]);
    expect(Number(m![2])).toBeCloseTo(Number((0.9 ** k).toExponential(1)), 12);
    expect(Number(m![3])).toBeCloseTo(Number(((0.9 * 0.9 ** k) / 0.1).toExponential(1)), 12);
    // Sweeps left to 1e-10: log(1e-10 / 0.9^k) / log 0.9, at 10 ms each.
    const left = (Math.log(1e-10 / 0.9 ** k) / Math.log(0.9)) * 0.01;
    expect(Math.abs(Number(m![4]) - left)).toBeLessThan(0.1 * left);
    expect(out.at(-1)).toBe("\r\x1b[K");
  });

  it("writes nothing when stderr is not a terminal: cai solve and cai bench keep stderr empty", () => {
    expect(sweepProgress("x", { gamma: 0.9, tol: 1e-10, maxIter: 10, write: null })).toBeUndefined();
    const lake = box.file("l.json", box.cai(["env", "frozenlake-open", "--size", "30"]).stdout);
    const r = box.cai(["solve", lake, "--gamma", "0.99", "--alpha", "0.1", "--json"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    const b = box.cai(["bench", "softvi", "--size", "20", "--max-iter", "50", "--tol", "0", "--json"]);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stderr).toBe("");
  });
});
