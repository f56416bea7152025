/**
 * The compiled `cai` on hostile numbers and sizes: every command goes through the same checks, a
 * failure exits 2 (bad input) or 1 (a run that failed) with one clean line naming the flag, and no
 * command prints a non-finite number with exit 0, a stack trace, or exits 70, 133 or 134.
 */
import { describe, expect, it } from "vitest";
import { cliSandbox, type Run } from "../support/cli.js";

const box = cliSandbox("cai-hostile-");

/** A failure the way a user should see it: status, one or more "cai: error:" lines, no trace. */
function expectClean(r: Run, status: 1 | 2, pattern: RegExp): void {
  expect(r.status, r.stderr).toBe(status);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at |internal error|(?<!")Infinity|NaN/); // (a quoted "Infinity" is the user's own)
  for (const line of r.lines) expect(line).toMatch(/^(cai: (error|warning): |usage: )/);
}

describe("numbers on the command line", () => {
  it("--alpha 0x10, 0b11, 1_0, '' and Infinity are not numbers; every command says so with exit 2", () => {
    const lake = box.file("lake.json", JSON.parse(box.cai(["env", "frozenlake", "--map", "4x4"]).stdout));
    for (const bad of ["0x10", "0b11", "1_0", "", "Infinity", "1e400"]) {
      expectClean(box.cai(["solve", lake, "--gamma", "0.9", `--alpha=${bad}`]), 2, /--alpha: ".*" is not a finite number \((write it in decimal|beyond the range of float64)/);
    }
    expectClean(box.cai(["bench", "softvi", "--size", "0x10"]), 2, /--size: "0x10" is not a finite number \(write it in decimal/);
  });

  it("--alpha 1e-320 is refused by solve, learn, render, report, check, bench and demo, quoting 1e-320", () => {
    const lake = box.file("lake2.json", JSON.parse(box.cai(["env", "frozenlake", "--map", "4x4", "--format", "native"]).stdout));
    const q = box.file("q.csv", Array.from({ length: 16 }, () => "0,0,0,0").join("\n"));
    const runs: string[][] = [
      ["solve", lake, "--gamma", "0.9", "--json"],
      ["learn", lake, "--gamma", "0.9", "--steps", "10", "--seed", "1"],
      ["render", "values", lake, "--gamma", "0.9", "--out", box.path("v.svg")],
      ["report", lake, "--gamma", "0.9", "--no-derivation", "--out", box.path("r.html")],
      ["check", lake, "--q", q, "--gamma", "0.9"],
      ["bench", "softvi", "--size", "4"],
      ["demo"],
    ];
    for (const args of runs) {
      const r = box.cai([...args, "--alpha", "1e-320"]);
      expectClean(r, 2, /--alpha: 1e-320 is below 1e-300, where 1\/alpha and r\/alpha overflow; use the hard backup \(--backup hard\)/);
      expect(r.stderr).not.toMatch(/backup: "hard"/); // the CLI speaks in flags, not API options
    }
  });

  it("a horizon too long to store names the flag to leave out, not the API option", () => {
    const lake = box.file("lake3.json", JSON.parse(box.cai(["env", "frozenlake", "--map", "4x4"]).stdout));
    const r = box.cai(["solve", lake, "--horizon", "1e9", "--all-steps"]);
    expectClean(r, 2, /--horizon: .* would need about 1\.05 TiB, above the limit of 2\.00 GiB; use a shorter horizon, or leave out --all-steps/);
    expect(r.stderr).not.toMatch(/keepSteps/);
  });

  it("rewards near 1e308 are refused before any number is printed (exit 2, naming the rewards)", () => {
    const big = box.file("big.json", { P: [[[[1, 0, 1e308, true]], [[1, 0, -1e308, false]]]] });
    for (const args of [["solve", big, "--gamma", "0.9", "--json"], ["solve", big, "--horizon", "5"], ["render", "values", big, "--gamma", "0.9", "--out", box.path("b.svg")]]) {
      const r = box.cai(args);
      expectClean(r, 2, /rewards: the largest \|reward\|, 1e\+308, over .* beyond the supported 1e300/);
      expect(r.stdout).toBe("");
    }
  });

  it("the exact backup on a cycle with reward 1e-11 per step (gamma = 1) exits 1: no fixed point", () => {
    const cyc = box.file("cyc.json", { P: [[[[1, 1, 1e-11, false]]], [[[1, 0, 1e-11, false]]]] });
    const r = box.cai(["solve", cyc, "--gamma", "1", "--backup", "exact", "--json"]);
    expect(r.status).toBe(1);
    // --json on exit 1: stdout still holds one JSON object (the error), the message is on stderr too.
    expect(JSON.parse(r.stdout)).toMatchObject({ code: "no-fixed-point", exit_status: 1, converged: false });
    expect(r.stderr).toMatch(/no fixed point.*spectral radius 1 \+ 1\.0000\de-11 >= 1, so V grows by 1\.0000\de-11 per step/);
  });
});

describe("sizes", () => {
  it("--horizon 1e9 with --all-steps, and graph --horizon 1e9, are refused at once with the estimate and the limit", () => {
    const lake = box.file("lake3.json", JSON.parse(box.cai(["env", "frozenlake", "--map", "4x4"]).stdout));
    expectClean(box.cai(["solve", lake, "--horizon", "1e9", "--all-steps", "--json"]), 2, /--horizon: Q_t, V_t and policy_t for a horizon of 1000000000 steps .* above the limit of 2\.00 GiB/);
    for (const format of ["dot", "json"]) {
      expectClean(box.cai(["graph", lake, "--horizon", "1e9", "--format", format]), 2, /--horizon: the factor graph unrolled over 1000000000 time slices .* above the limit of 256 MiB/);
    }
  });

  it("a long horizon without --all-steps streams: solve --horizon 20000 prints finite log Z and ELBO", () => {
    const lake = box.file("lake4.json", JSON.parse(box.cai(["env", "frozenlake", "--map", "4x4"]).stdout));
    const r = box.cai(["solve", lake, "--horizon", "20000", "--alpha", "0.5", "--json"]);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { logZ: number; elbo: number; V: number[] };
    expect(Number.isFinite(out.logZ) && Number.isFinite(out.elbo)).toBe(true);
    expect(out.V.every((v) => Number.isFinite(v))).toBe(true);
  });

  it("--threads 1000 and 1e9 run on the cores (exit 0); help says so", () => {
    const lake = box.file("lake5.json", JSON.parse(box.cai(["env", "frozenlake", "--map", "4x4"]).stdout));
    for (const t of ["1000", "1e9"]) expect(box.cai(["solve", lake, "--gamma", "0.9", "--threads", t]).status).toBe(0);
    expect(box.cai(["solve", "--help"]).stdout).toMatch(/capped at the number of cores/);
  });
});
