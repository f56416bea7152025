/**
 * The factor-graph picture against the graph it draws: one circle per variable (the observed O_t
 * shaded), one square per factor, one labelled edge per graph edge with its interface name,
 * laid out by time slice; the schedule's messages; a well-formed, self-contained document.
 */
import { describe, expect, it } from "vitest";
import { backwardSchedule, TrajectoryGraph } from "../../src/index.js";
import { renderGraphSvg } from "../../src/render/graph-svg.js";
import { externalReferences } from "./support.js";
import { parseXml, select, textOf, type XmlElement } from "./xml.js";

const build = (horizon: number | undefined, gamma = 1, hasTerminal = true) =>
  TrajectoryGraph.build(horizon === undefined ? { nStates: 16, nActions: 4, hasTerminal, gamma } : { nStates: 16, nActions: 4, hasTerminal, gamma, horizon });

const nodeGroup = (root: XmlElement, key: string) => select(root, "g", "node").find((g) => g.attrs["data-key"] === key)!;
const centre = (root: XmlElement, key: string) => {
  const c = select(nodeGroup(root, key), "circle")[0]!;
  return { x: Number(c.attrs.cx), y: Number(c.attrs.cy) };
};

describe("renderGraphSvg draws every node and edge of the trajectory graph", () => {
  for (const H of [1, 2, 3, 5]) {
    for (const gamma of [1, 0.9]) {
      it(`horizon ${H}, gamma ${gamma}: ${3 * H + 1} variable circles, ${2 * H + 1} factor squares, ${6 * H + 1} labelled edges`, () => {
        const tg = build(H, gamma);
        const g = tg.graph;
        const svg = renderGraphSvg(tg);
        const root = parseXml(svg);
        const variables = g.filterNodes((_k, a) => a.role === "variable");
        const factors = g.filterNodes((_k, a) => a.role === "factor");
        expect(variables.length).toBe(3 * H + 1);
        expect(select(root, "circle", "variable")).toHaveLength(variables.length);
        expect(select(root, "rect", "factor")).toHaveLength(factors.length);
        expect(select(root, "*", "edge")).toHaveLength(g.size);
        // The drawn edges are the graph's edges, with their interfaces, as a multiset.
        const drawn = select(root, "*", "edge").map((e) => `${e.attrs["data-factor"]}|${e.attrs["data-variable"]}|${e.attrs["data-interface"]}`).sort();
        const expected = tg.toJSON().edges.map((e) => `${e.factor}|${e.variable}|${e.interface}`).sort();
        expect(drawn).toEqual(expected);
        // Each edge carries its interface name as a visible label.
        const labels = select(root, "text", "interface").map(textOf).sort();
        expect(labels).toEqual(tg.toJSON().edges.map((e) => e.interface).sort());
      });
    }
  }

  it("shades exactly the observed variables O_t and no other", () => {
    const tg = build(3);
    const root = parseXml(renderGraphSvg(tg));
    const observed = select(root, "circle", "observed");
    expect(observed).toHaveLength(3);
    for (const c of observed) expect(c.attrs.fill).not.toBe("#ffffff");
    const keysObserved = select(root, "g", "node")
      .filter((n) => select(n, "circle", "observed").length === 1)
      .map((n) => n.attrs["data-key"])
      .sort();
    expect(keysObserved).toEqual(["O_0", "O_1", "O_2"]);
    for (const c of select(root, "circle", "variable")) if (!(c.attrs.class ?? "").includes("observed")) expect(c.attrs.fill).toBe("#ffffff");
  });

  it("lays the graph out by time slice: s_t left to right, O_t above a_t above s_t", () => {
    const root = parseXml(renderGraphSvg(build(4)));
    for (let t = 0; t < 4; t++) {
      expect(centre(root, `s_${t + 1}`).x).toBeGreaterThan(centre(root, `s_${t}`).x);
      expect(centre(root, `a_${t}`).x).toBeGreaterThan(centre(root, `s_${t}`).x);
      expect(centre(root, `a_${t}`).x).toBeLessThan(centre(root, `s_${t + 1}`).x);
      expect(centre(root, `O_${t}`).y).toBeLessThan(centre(root, `a_${t}`).y);
      expect(centre(root, `a_${t}`).y).toBeLessThan(centre(root, `s_${t}`).y);
    }
  });

  it("draws the stationary slice with P's next interface as a loop back to s", () => {
    const tg = build(undefined, 0.9);
    const root = parseXml(renderGraphSvg(tg));
    expect(select(root, "circle", "variable")).toHaveLength(3);
    expect(select(root, "rect", "factor")).toHaveLength(3);
    const loop = select(root, "path", "edge");
    expect(loop).toHaveLength(1);
    expect(loop[0]!.attrs["data-interface"]).toBe("next");
    expect(loop[0]!.attrs["data-variable"]).toBe("s");
    expect(select(root, "*", "edge")).toHaveLength(tg.graph.size);
  });

  it("with messages, draws one numbered arrow per (step, receiving variable) of the backward schedule, in schedule order", () => {
    const tg = build(3);
    const schedule = backwardSchedule(tg);
    const root = parseXml(renderGraphSvg(tg, { messages: true }));
    const arrows = select(root, "g", "message");
    expect(arrows).toHaveLength(schedule.steps.reduce((n, s) => n + s.to.length, 0));
    const byStep = schedule.steps.flatMap((s, i) => s.to.map((to) => `${i + 1}|${s.factor}|${to}`)).sort();
    expect(arrows.map((a) => `${a.attrs["data-step"]}|${a.attrs["data-factor"]}|${a.attrs["data-to"]}`).sort()).toEqual(byStep);
    expect(select(root, "text", "message-line")).toHaveLength(schedule.steps.length);
  });

  it("is a well-formed, self-contained document with no script, network address or external font", () => {
    for (const svg of [renderGraphSvg(build(2), { messages: true }), renderGraphSvg(build(undefined, 0.5))]) {
      expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
      expect(parseXml(svg).name).toBe("svg");
      expect(externalReferences(svg)).toEqual([]);
      expect(svg).not.toMatch(/\bid=/);
    }
  });

  it("escapes a title with markup characters and keeps it readable", () => {
    const title = `<script>alert("x")</script> & 'quotes'`;
    const svg = renderGraphSvg(build(1), { title });
    expect(externalReferences(svg)).toEqual([]);
    const root = parseXml(svg);
    expect(textOf(select(root, "title")[0]!)).toBe(title);
    expect(textOf(select(root, "text", "picture-title")[0]!)).toBe(title);
    expect(root.attrs["aria-label"]).toBe(title);
  });
});
