/**
 * The report page against the engine: a well-formed, self-contained page whose pictures, table and
 * JSON carry the run's numbers exactly; exact against variational with the optimism check; the
 * rules' equations when the symbolic derivation is not used.
 */
import { describe, expect, it } from "vitest";
import { cliffWalking, frozenLake, RULES, solve, TabularMdp, type SolveOptions } from "../../src/index.js";
import { resultJson } from "../../src/cli/solve-flags.js";
import { renderReport, reportRuns, ruleDerivation, tableNumber, REPORT_TABLE_STATES } from "../../src/render/report.js";
import { externalReferences } from "./support.js";
import { parseXml, select, textOf, type XmlElement } from "./xml.js";

function page(mdp: TabularMdp, options: SolveOptions) {
  const result = solve(mdp, options);
  const html = renderReport({
    mdp,
    source: "test.json",
    options,
    result,
    model: "maxent",
    ...reportRuns(mdp, options),
    derivation: ruleDerivation(result.backup),
    json: resultJson(result, false),
  });
  return { html, result, root: parseXml(html) };
}

const section = (root: XmlElement, id: string) => select(root, "section").find((s) => s.attrs.id === id)!;

describe("cai report's page", () => {
  const lake = frozenLake({ map: "4x4" });
  const options: SolveOptions = { gamma: 0.95, alpha: 0.1 };
  const { html, result, root } = page(lake, options);

  it("is one well-formed, self-contained page: four inline pictures, a style sheet, no script, no network", () => {
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(root.name).toBe("html");
    expect(externalReferences(html)).toEqual([]);
    const figures = select(root, "figure", "picture");
    expect(figures.map((f) => f.attrs["data-picture"])).toEqual(["graph", "values", "comparison", "sweep"]);
    for (const f of figures) expect(select(f, "svg")).toHaveLength(1);
    expect(select(root, "style")).toHaveLength(1);
    // Pictures are inlined together: no ids inside them that could clash.
    for (const svg of select(root, "svg")) expect(select(svg, "*").filter((e) => e.attrs.id !== undefined)).toHaveLength(0);
  });

  it("the table prints V(s) as cai solve does and holds it exactly; the policy columns are q(a|s)", () => {
    const rows = select(section(root, "numbers"), "tr").filter((r) => r.attrs["data-state"] !== undefined);
    expect(rows).toHaveLength(16);
    for (const r of rows) {
      const s = Number(r.attrs["data-state"]);
      const cells = select(r, "td");
      const v = cells[1]!;
      expect(v.attrs["data-value"]).toBe(String(result.V[s]));
      expect(textOf(v)).toBe(tableNumber(result.V[s]!));
      for (let a = 0; a < 4; a++) expect(textOf(cells[2 + a]!)).toBe(result.policy[s * 4 + a]!.toFixed(4));
    }
  });

  it("the folded JSON is cai solve --json's object, with V and the policy bit for bit", () => {
    const json = JSON.parse(textOf(select(section(root, "numbers"), "pre", "json")[0]!)) as { V: number[]; policy: number[][]; converged: boolean; iterations: number };
    expect(json.V).toEqual(Array.from(result.V));
    expect(json.policy.flat()).toEqual(Array.from(result.policy));
    expect(json.converged).toBe(result.converged);
    expect(json.iterations).toBe(result.iterations);
  });

  it("the values picture of the run holds the run's V in its cells", () => {
    const cells = select(section(root, "values"), "rect", "cell");
    expect(cells).toHaveLength(16);
    for (const c of cells) expect(c.attrs["data-value"]).toBe(String(result.V[Number(c.attrs["data-state"])]));
  });

  it("compares exact and variational on the same settings and states that V_exact >= V_variational held", () => {
    const comp = section(root, "comparison");
    const panels = select(comp, "g", "panel");
    expect(panels.map((p) => textOf(select(p, "text", "panel-title")[0]!))).toEqual(["exact", "variational"]);
    const exact = solve(lake, { ...options, backup: "exact" });
    for (const c of select(panels[0]!, "rect", "cell")) expect(c.attrs["data-value"]).toBe(String(exact.V[Number(c.attrs["data-state"])]));
    expect(textOf(comp)).toContain("V_exact ≥ V_variational holds in every state");
  });

  it("sweeps alpha over alpha/10, alpha, 10 alpha by default, one panel each", () => {
    const panels = select(section(root, "sweep"), "g", "panel");
    expect(panels.map((p) => textOf(select(p, "text", "panel-title")[0]!))).toEqual(["α = 0.01", "α = 0.1", "α = 1"]);
    const hot = solve(lake, { ...options, alpha: 1 });
    for (const c of select(panels[2]!, "rect", "cell")) expect(c.attrs["data-value"]).toBe(String(hot.V[Number(c.attrs["data-state"])]));
  });

  it("without the symbolic derivation, shows each backup's equations from the rule objects", () => {
    const pre = select(section(root, "derivation"), "pre", "derivation")[0]!;
    expect(pre.attrs["data-source"]).toBe("rules");
    const t = textOf(pre);
    for (const b of ["exact", "variational", "hard"] as const) {
      expect(t).toContain(RULES[b].dynamics.equation);
      expect(t).toContain(RULES[b].actions.statement);
    }
    expect(t).toContain("variational  (this run)");
  });

  it("draws the unrolled graph for a finite horizon (at most 3 slices) and reports log Z and the KL gap", () => {
    const cliff = cliffWalking();
    const { root: r, result: res } = page(cliff, { horizon: 8, alpha: 2 });
    const g = select(section(r, "graph"), "svg")[0]!;
    expect(select(g, "circle", "observed")).toHaveLength(3);
    const facts = textOf(section(r, "run"));
    expect(facts).toContain(String(res.logZ));
    expect(facts).toContain(String(res.logZ! - res.elbo!));
    expect(select(section(r, "values"), "rect", "cell")).toHaveLength(48);
  });

  it(`lists at most ${REPORT_TABLE_STATES} states in the table and escapes names with markup`, () => {
    const big = frozenLake({ map: Array.from({ length: 11 }, (_, i) => (i === 0 ? "S" + "F".repeat(10) : i === 10 ? "F".repeat(10) + "G" : "F".repeat(11))) });
    const named = TabularMdp.fromArrays(big.arrays(), { ...big.labels(), meta: { ...big.meta, name: `<script>alert(1)</script> & "lake"` } });
    const { html: h, root: r } = page(named, { gamma: 0.9 });
    expect(externalReferences(h)).toEqual([]);
    expect(select(section(r, "numbers"), "tr").filter((x) => x.attrs["data-state"] !== undefined)).toHaveLength(REPORT_TABLE_STATES);
    expect(textOf(section(r, "numbers"))).toContain(`${121 - REPORT_TABLE_STATES} more states`);
    expect(textOf(select(r, "h1")[0]!)).toContain(`<script>alert(1)</script> & "lake"`);
  });
});
