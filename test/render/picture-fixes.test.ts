/**
 * Picture details a user noticed: the graph caption's two items are separate text elements (SVG
 * collapses runs of spaces), the stationary slice's dynamics factor names the next state s', the
 * arrows are called orange (their colour), the report's Jensen sentence names states as the rest of
 * the page does, and the derivation wraps inside its box.
 */
import { describe, expect, it } from "vitest";
import { TrajectoryGraph, frozenLake, solve, type SolveOptions } from "../../src/index.js";
import { resultJson } from "../../src/cli/solve-flags.js";
import { renderGraphSvg } from "../../src/render/graph-svg.js";
import { renderReport, reportRuns, ruleDerivation } from "../../src/render/report.js";
import { parseXml, select, textOf } from "./xml.js";

describe("the graph picture", () => {
  const lake = frozenLake({ map: "4x4" });
  const svg = renderGraphSvg(TrajectoryGraph.forMdp(lake, 0.9), { messages: true });
  const root = parseXml(svg);
  const captions = select(root, "text", "caption").map(textOf);

  it("no caption holds a run of spaces; the two items of the first line are two text elements", () => {
    for (const c of captions) expect(c).not.toMatch(/ {2,}\S/);
    expect(captions).toContain("p₀(s₀): initial distribution");
    expect(captions).toContain("π₀(aₜ | sₜ): action prior");
  });

  it("the stationary slice's dynamics factor writes the next state with its prime", () => {
    const titles = select(root, "title").map(textOf);
    expect(titles).toContain("P: P(s' | s, a) exp(r(s, a, s') / alpha), death with probability 0.09999999999999998");
    expect(titles.join("\n")).not.toMatch(/P\(s \| s, a\)/);
  });

  it("the schedule's arrows are called orange, the colour they are drawn in", () => {
    expect(captions.join(" ")).toMatch(/orange arrows/);
    expect(svg).not.toMatch(/red arrows/);
    expect(svg).toMatch(/stroke="#d55e00"/);
  });
});

describe("the report", () => {
  const mdp = frozenLake({ map: "4x4" });
  const options: SolveOptions = { gamma: 0.95, alpha: 0.1 };
  const result = solve(mdp, options);
  const html = renderReport({ mdp, source: "t.json", options, result, model: "maxent", ...reportRuns(mdp, options), derivation: ruleDerivation(result.backup), json: resultJson(result, false) });

  it("the Jensen sentence names the state as the tables do (its name, row,col on a grid)", () => {
    const m = /largest in state ([^)]*)\)/.exec(html);
    expect(m).not.toBeNull();
    expect(Array.from({ length: mdp.nStates }, (_, s) => mdp.stateName(s))).toContain(m![1]);
    expect(html).not.toMatch(/red arrows/);
  });

  it("the derivation wraps inside its box", () => {
    expect(html).toMatch(/pre\.derivation \{ white-space: pre-wrap; overflow-wrap: anywhere; \}/);
  });
});
