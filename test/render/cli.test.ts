/**
 * `cai render` and `cai report` as a user runs them: the compiled CLI (dist/cai.js, the bundled bin, built
 * by `npm test`'s tsc) in a child process, on environment files written by `cai env`. Pictures land
 * in --out and parse; bad input exits 2 with one line naming the flag; a failed run exits 1.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cliffWalking, frozenLake, randomMdp, solve, writeMdp } from "../../src/index.js";
import { cliSandbox, root } from "../support/cli.js";
import { externalReferences } from "./support.js";
import { parseXml, select, textOf } from "./xml.js";

const { cai, file, path } = cliSandbox("cai-render-");

beforeAll(() => {
  file("lake.json", writeMdp(frozenLake({ map: "4x4" }), "native"));
  file("cliff.json", writeMdp(cliffWalking(), "native"));
  file("hot.json", writeMdp(randomMdp({ states: 5, actions: 2, successors: 2, seed: 7, rewardRange: [0.5, 1] }), "native"));
});

describe("cai render", () => {
  it("render graph --horizon 3 --out writes a self-contained SVG of the unrolled graph, and prints nothing", () => {
    const r = cai(["render", "graph", "lake.json", "--horizon", "3", "--messages", "--out", "g.svg"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("");
    const svg = readFileSync(path("g.svg"), "utf8");
    expect(externalReferences(svg)).toEqual([]);
    const doc = parseXml(svg);
    expect(select(doc, "circle", "variable")).toHaveLength(10);
    expect(select(doc, "circle", "observed")).toHaveLength(3);
    expect(select(doc, "rect", "factor")).toHaveLength(7);
  });

  it("render graph without --out writes the SVG to standard output", () => {
    const r = cai(["render", "graph", "lake.json"]);
    expect(r.status).toBe(0);
    expect(parseXml(r.stdout).name).toBe("svg");
  });

  it("render values: the heat map holds the values cai solve computes for the same flags", () => {
    const r = cai(["render", "values", "cliff.json", "--gamma", "0.99", "--alpha", "0.5", "--out", "v.svg"]);
    expect(r.status).toBe(0);
    const doc = parseXml(readFileSync(path("v.svg"), "utf8"));
    const V = solve(cliffWalking(), { gamma: 0.99, alpha: 0.5 }).V;
    const cells = select(doc, "rect", "cell");
    expect(cells).toHaveLength(48);
    for (const c of cells) expect(c.attrs["data-value"]).toBe(String(V[Number(c.attrs["data-state"])]));
  });

  it("render values --backups exact,variational --alphas 0.5,2 draws one panel per pair", () => {
    const r = cai(["render", "values", "lake.json", "--gamma", "0.9", "--backups", "exact,variational", "--alphas", "0.5,2", "--out", "grid.svg"]);
    expect(r.status).toBe(0);
    const doc = parseXml(readFileSync(path("grid.svg"), "utf8"));
    expect(select(doc, "g", "panel").map((p) => textOf(select(p, "text", "panel-title")[0]!))).toEqual(["exact, α = 0.5", "exact, α = 2", "variational, α = 0.5", "variational, α = 2"]);
  });

  it("a comparison whose exact run has no fixed point draws that panel as a message and warns on stderr", () => {
    const r = cai(["render", "values", "hot.json", "--gamma", "0.99", "--backups", "exact,variational", "--out", "nf.svg"]);
    expect(r.status).toBe(0);
    expect(r.lines.some((l) => /^cai: warning: exact: .*no fixed point/.test(l))).toBe(true);
    const doc = parseXml(readFileSync(path("nf.svg"), "utf8"));
    expect(select(doc, "rect", "no-result")).toHaveLength(1);
    expect(select(doc, "rect", "bar")).toHaveLength(5);
  });

  it("a single exact run without a fixed point exits 1 with one line and writes no picture", () => {
    const r = cai(["render", "values", "hot.json", "--gamma", "0.99", "--backup", "exact", "--out", "none.svg"]);
    expect(r.status).toBe(1);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(/^cai: error: exact message passing has no fixed point/);
    expect(existsSync(path("none.svg"))).toBe(false);
  });

  it.each([
    [["render", "values", "lake.json", "--gamma", "0.9", "--backups", "exact,optimal"], /--backups: "optimal" is not one of exact, variational, hard/],
    [["render", "values", "lake.json", "--gamma", "0.9", "--alphas", "1,-2"], /--alphas/],
    [["render", "values", "lake.json", "--gamma", "0.9", "--step", "2"], /--step: needs a finite --horizon/],
    [["render", "values", "lake.json", "--horizon", "3", "--step", "3"], /--step: must be below the horizon 3/],
    [["render", "values", "lake.json", "--gamma", "0.9", "--scale", "log"], /--scale/],
    [["render", "graph", "lake.json", "--horizon", "0"], /--horizon/],
    [["render", "graph", "lake.json", "--out", "no/such/dir/g.svg"], /--out no\/such\/dir\/g.svg: cannot write/],
    [["render", "picture", "lake.json"], /unknown picture "picture"/],
  ])("bad input %j exits 2 with a message naming the problem, no stack trace", (args, message) => {
    const r = cai(args);
    expect(r.status).toBe(2);
    expect(r.lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("cai report", () => {
  it("writes one self-contained page with four pictures, the derivation and the numbers", () => {
    const r = cai(["report", "lake.json", "--gamma", "0.95", "--alpha", "0.2", "--out", "report.html"]);
    expect(r.status).toBe(0);
    const html = readFileSync(path("report.html"), "utf8");
    expect(externalReferences(html)).toEqual([]);
    const doc = parseXml(html);
    expect(select(doc, "svg")).toHaveLength(4);
    const V = solve(frozenLake({ map: "4x4" }), { gamma: 0.95, alpha: 0.2 }).V;
    const values = select(doc, "td", "value");
    expect(values).toHaveLength(16);
    values.forEach((td, s) => expect(td.attrs["data-value"]).toBe(String(V[s])));
    // The symbolic derivation of cai derive when this build has it, else the rules' equations.
    const pre = select(doc, "pre", "derivation")[0]!;
    const symbolic = existsSync(join(root, "dist/src/derive/index.js"));
    expect(pre.attrs["data-source"]).toBe(symbolic ? "derive" : "rules");
    if (symbolic) expect(textOf(pre)).toContain("Q_t(s,a) = r(s,a) + gamma * E_{s'~P(.|s,a)}[V_{t+1}(s')]");
  });

  it("--no-derivation uses the rules' equations and does not need mathjs", () => {
    const r = cai(["report", "cliff.json", "--horizon", "5", "--no-derivation", "--alphas", "1,4", "--backups", "exact,variational,hard"]);
    expect(r.status).toBe(0);
    const doc = parseXml(r.stdout);
    expect(select(doc, "pre", "derivation")[0]!.attrs["data-source"]).toBe("rules");
    const comparison = select(doc, "section").find((s) => s.attrs.id === "comparison")!;
    expect(select(comparison, "g", "panel")).toHaveLength(3);
  });

  it("bad flags exit 2 naming the flag", () => {
    const r = cai(["report", "lake.json", "--horizon", "2", "--graph-horizon", "3"]);
    expect(r.status).toBe(2);
    expect(r.lines[0]).toMatch(/--graph-horizon: must be at most the horizon 2/);
  });
});
