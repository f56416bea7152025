/**
 * The CLI consistent with itself: help lists only accepted flags, text numbers at a readable
 * precision, warnings that say what happened, pictures that say where they went and stay out of
 * terminals, and cai check's offset constant for a finite horizon.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { entropyPrior, frozenLake, randomMdp, solve, writeMdp } from "../../src/index.js";
import { formatNumber } from "../../src/cli/common.js";
import { refuseTerminal } from "../../src/render/output.js";
import { cliSandbox, expectInputError } from "../support/cli.js";

const box = cliSandbox("cai-consistency-");

describe("text output", () => {
  it("formatNumber: 6 significant digits in plain notation between 1e-3 and 1e6, scientific outside", () => {
    expect(formatNumber(0.36540219876)).toBe("0.365402");
    expect(formatNumber(13.563)).toBe("13.563");
    expect(formatNumber(13.56300001, 5)).toBe("13.563");
    expect(formatNumber(2.5e-12)).toBe("2.5e-12");
    expect(formatNumber(-1234567.8)).toBe("-1.23457e+6");
    expect(formatNumber(0)).toBe("0");
  });

  it("solve prints the ELBO and log Z at 6 digits, and '-' in the best column where every action ties", () => {
    const lake = box.file("lake.json", writeMdp(frozenLake({ map: "4x4" })));
    const r = box.cai(["solve", lake, "--horizon", "8", "--alpha", "0.5"]);
    expect(r.status, r.stderr).toBe(0);
    const res = solve(frozenLake({ map: "4x4" }), { horizon: 8, alpha: 0.5 });
    expect(r.stdout).toContain(`log Z = ${formatNumber(res.logZ!)}\n`);
    expect(r.stdout).toContain(`ELBO of this policy = ${formatNumber(res.elbo!)} nats\n`);
    expect(r.stdout).toMatch(/ELBO of this policy = -?\d+\.\d+ nats/);
    expect(r.stdout.match(/ELBO of this policy = -?([\d.]+) nats/)![1]!.replace(/^0\.0*|\./g, "").length).toBeLessThanOrEqual(6);
    // State 5 is a hole: every action gives the same Q, so the policy is uniform and no action is best.
    const hole = r.stdout.split("\n").find((l) => /^\s+5\s/.test(l))!;
    expect(hole.trim().split(/\s+/).at(-1)).toBe("-");
    const start = r.stdout.split("\n").find((l) => /^\s+0\s/.test(l))!;
    expect(start.trim().split(/\s+/).at(-1)).not.toBe("-");
  });

  it("the demo prints the finite-horizon gap in plain or short scientific notation, never 1.3563e+1", () => {
    const r = box.cai(["demo"]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/gap = (-?\d+(\.\d+)?|-?\d(\.\d+)?e[+-]\d+)\n/);
    expect(r.stdout).not.toMatch(/gap = \d\.\d{4}e\+/);
  });
});

describe("help shows only what a command accepts", () => {
  it("cai learn lists no --horizon (nor --terminal-values) and refuses them as unknown options", () => {
    const help = box.cai(["learn", "--help"]).stdout;
    expect(help).not.toMatch(/--horizon|--terminal-values/);
    expect(help).toMatch(/--gamma/);
    const lake = box.file("l.json", writeMdp(frozenLake({ map: "4x4" })));
    const r = box.cai(["learn", lake, "--horizon", "3", "--steps", "10"]);
    expectInputError(r);
    expect(r.lines[0]).toBe('cai: error: unknown option "--horizon"');
  });

  it("cai solve --help lists --npz and --terminal-values, which it accepts", () => {
    const help = box.cai(["solve", "--help"]).stdout;
    expect(help).toMatch(/--npz OUT/);
    expect(help).toMatch(/--terminal-values FILE/);
  });
});

describe("warnings say what happened", () => {
  it("a discounted run cut short by --max-iter blames the sweep cap, not the policy", () => {
    const lake = box.file("w.json", writeMdp(frozenLake({ map: "4x4" })));
    const r = box.cai(["solve", lake, "--gamma", "0.999", "--alpha", "0.05", "--max-iter", "30"]);
    expect(r.status).toBe(0);
    const elbo = r.lines.find((l) => /ELBO/.test(l))!;
    expect(elbo).toMatch(/^cai: warning: the ELBO of the returned policy was not computed: evaluating the policy ran out of sweeps \(30\) before reaching the tolerance; allow more sweeps \(--max-iter\)$/);
    expect(elbo).not.toMatch(/never end/);
    expect(r.lines.some((l) => /^cai: warning: not converged: residual/.test(l))).toBe(true);
  });
});

describe("render and report say what they wrote, and stay out of terminals", () => {
  it("--out FILE: one line on stderr naming what and where; stdout empty", () => {
    const lake = box.file("p.json", writeMdp(frozenLake({ map: "4x4" }), "native"));
    const g = box.cai(["render", "graph", lake, "--horizon", "2", "--out", box.path("g.svg")]);
    expect(g.status, g.stderr).toBe(0);
    expect(g.stdout).toBe("");
    const size = readFileSync(box.path("g.svg")).length;
    expect(g.lines).toEqual([`cai: wrote the graph picture (SVG) to ${box.path("g.svg")} (${size} bytes)`]);
    const v = box.cai(["render", "values", lake, "--gamma", "0.9", "--backups", "exact,variational", "--out", box.path("v.svg")]);
    expect(v.lines).toEqual([`cai: wrote the values picture (SVG, 2 panels) to ${box.path("v.svg")} (${readFileSync(box.path("v.svg")).length} bytes)`]);
    const rep = box.cai(["report", lake, "--gamma", "0.9", "--no-derivation", "--out", box.path("r.html")]);
    expect(rep.status, rep.stderr).toBe(0);
    expect(rep.lines.at(-1)).toBe(`cai: wrote the report (HTML) to ${box.path("r.html")} (${readFileSync(box.path("r.html")).length} bytes)`);
    // To a pipe (no --out) the picture goes to stdout as before, with nothing on stderr.
    const piped = box.cai(["render", "graph", lake]);
    expect(piped.stdout).toMatch(/^<\?xml[^>]*>\s*<svg/);
    expect(piped.stderr).toBe("");
  });

  it("without --out on a terminal they refuse before any work (--out - prints anyway)", () => {
    expect(() => refuseTerminal(undefined, "the SVG picture", true)).toThrow("not writing the SVG picture to the terminal: give --out FILE (or --out - to print it anyway), or redirect the output (> FILE)");
    expect(() => refuseTerminal("-", "the SVG picture", true)).not.toThrow();
    expect(() => refuseTerminal(undefined, "the SVG picture", false)).not.toThrow();
  });
});

describe("cai check quotes the entropy offset for the horizon it ran", () => {
  it("finite horizon H: alpha log(m) sum_{k=1}^{H-1} gamma^k, the constant their Q differs by", () => {
    const mdp = randomMdp({ states: 5, actions: 3, successors: 2, seed: 11 });
    const file = box.file("c.json", writeMdp(mdp));
    const H = 4;
    const gamma = 0.9;
    const alpha = 0.7;
    const theirs = solve(mdp, { horizon: H, gamma, alpha, prior: entropyPrior(5, 3) });
    box.file("q.json", { Q: Array.from({ length: 5 }, (_, s) => Array.from(theirs.Q.subarray(s * 3, s * 3 + 3))) });
    const r = box.cai(["check", file, "--q", box.path("q.json"), "--horizon", String(H), "--gamma", String(gamma), "--alpha", String(alpha), "--json"]);
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as { explanation: string[]; conventions: { name: string; description: string }[]; constant_offset: { value: number } | null };
    expect(out.explanation[0]).toBe("entropy-form");
    const offset = alpha * Math.log(3) * (gamma + gamma ** 2 + gamma ** 3);
    const description = out.conventions.find((c) => c.name === "entropy-form")!.description;
    expect(description).toContain(`Q is higher by alpha log(m) sum_{k=1}^{H-1} gamma^k = ${Number(offset.toPrecision(6))} with H = 4`);
    const kl = solve(mdp, { horizon: H, gamma, alpha });
    for (let i = 0; i < 15; i++) expect(Math.abs(theirs.Q[i]! - kl.Q[i]! - offset)).toBeLessThan(1e-12);
    expect(description).not.toMatch(/1 - gamma/);
  });
});
