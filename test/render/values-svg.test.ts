/**
 * The values picture against the engine: one cell per state carrying the engine's V exactly and
 * printing it rounded, colours increasing with the value, one arrow per likely action pointing the
 * way its name says (FrozenLake orders LEFT, DOWN, RIGHT, UP; CliffWalking UP, RIGHT, DOWN, LEFT),
 * bars for MDPs that are not grids, panels that say why a run has no numbers.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cliffWalking, frozenLake, gridShape, randomMdp, solve, TabularMdp, type SolveResult } from "../../src/index.js";
import { gridOfPanels, solvePanel } from "../../src/render/runs.js";
import { COLOUR_LEVELS, COLOUR_TABLE, formatValue, luminance, parseFormatted, parseHex, valueScale, viridis } from "../../src/render/svg.js";
import { ARROW_MIN_PROB, MAX_BAR_STATES, reachableStates, renderValuesSvg, UNREACHABLE_FILL, type ValuePanel } from "../../src/render/values-svg.js";
import { fcParams } from "../support/arbitraries.js";
import { externalReferences } from "./support.js";
import { num, parseXml, select, textOf, type XmlElement } from "./xml.js";

const panelOf = (res: SolveResult, title = "run"): ValuePanel => ({ title, result: res });

/** Cells, value texts and arrows of one panel, keyed by state. */
function readPanel(panel: XmlElement) {
  const cells = new Map(select(panel, "rect", "cell").map((c) => [Number(c.attrs["data-state"]), c]));
  const texts = new Map(select(panel, "text", "value").map((t) => [Number(t.attrs["data-state"]), textOf(t)]));
  const arrows = select(panel, "g", "arrow");
  return { cells, texts, arrows };
}

/** The arrow's tip (first point of its head) relative to the centre of its cell. */
function arrowVector(arrow: XmlElement, cell: XmlElement): { dx: number; dy: number } {
  const d = select(arrow, "path")[0]!.attrs.d!;
  const [, x, y] = /^M (\S+) (\S+)/.exec(d)!;
  return { dx: Number(x) - (num(cell, "x") + num(cell, "width") / 2), dy: Number(y) - (num(cell, "y") + num(cell, "height") / 2) };
}

/** The arrows the picture must draw: likely actions outside holes, goal and cliff cells. */
function expectedArrows(mdp: TabularMdp, policy: Float64Array): number {
  const grid = gridShape(mdp)!;
  let n = 0;
  for (let s = 0; s < mdp.nStates; s++) {
    if (["hole", "goal", "cliff"].includes(grid.kindOf(s))) continue;
    for (let a = 0; a < mdp.nActions; a++) if (policy[s * mdp.nActions + a]! >= ARROW_MIN_PROB) n++;
  }
  return n;
}

describe("grid heat maps carry the engine's numbers", () => {
  const lake = frozenLake({ map: "4x4" });
  const res = solve(lake, { gamma: 0.99, alpha: 0.05 });
  const svg = renderValuesSvg(lake, [panelOf(res)]);
  const root = parseXml(svg);
  const { cells, texts, arrows } = readPanel(root);

  it("FrozenLake 4x4: 16 cells, each holding V(s) exactly and printing it to 3 significant digits", () => {
    expect(cells.size).toBe(16);
    for (let s = 0; s < 16; s++) {
      expect(cells.get(s)!.attrs["data-value"], `state ${s}`).toBe(String(res.V[s]));
      const printed = texts.get(s)!;
      expect(printed, `state ${s}`).toBe(formatValue(res.V[s]!));
      const v = res.V[s]!;
      // The printed number is V rounded: within half a unit of its last digit.
      const unit = v === 0 ? 0 : 10 ** (Math.floor(Math.log10(Math.abs(v))) - 2);
      expect(Math.abs(parseFormatted(printed) - v), `state ${s}: printed ${printed}, V = ${v}`).toBeLessThanOrEqual(unit / 2 + 1e-15);
    }
  });

  it("FrozenLake 4x4: one arrow per action with q(a|s) >= 0.01 outside holes and the goal, carrying q(a|s)", () => {
    expect(arrows).toHaveLength(expectedArrows(lake, res.policy));
    for (const a of arrows) {
      const s = Number(a.attrs["data-state"]);
      const act = Number(a.attrs["data-action"]);
      expect(a.attrs["data-prob"]).toBe(String(res.policy[s * 4 + act]));
      expect(["hole", "goal"]).not.toContain(gridShape(lake)!.kindOf(s));
    }
  });

  it("colours increase with the value: a larger V never gets a darker cell", () => {
    const byValue = [...cells.values()].sort((a, b) => Number(a.attrs["data-value"]) - Number(b.attrs["data-value"]));
    for (let i = 1; i < byValue.length; i++) {
      const lo = luminance(parseHex(byValue[i - 1]!.attrs.fill!));
      const hi = luminance(parseHex(byValue[i]!.attrs.fill!));
      expect(hi).toBeGreaterThanOrEqual(lo);
    }
    // The extremes take the ends of the colour map.
    const min = Math.min(...res.V);
    const max = Math.max(...res.V);
    const fillOf = (v: number) => [...cells.values()].find((c) => Number(c.attrs["data-value"]) === v)!.attrs.fill;
    expect(parseHex(fillOf(min)!)).toEqual(viridis(0));
    expect(parseHex(fillOf(max)!)).toEqual(viridis(1));
  });

  it("the colour bar's ticks are the panel's smallest and largest values", () => {
    const ticks = select(root, "text", "tick").map((t) => Number(t.attrs["data-value"]));
    expect(Math.max(...ticks)).toBe(Math.max(...res.V));
    expect(Math.min(...ticks)).toBe(Math.min(...res.V));
  });

  it("is well-formed and self-contained (no script, no network address, no external font, no ids)", () => {
    expect(externalReferences(svg)).toEqual([]);
    expect(svg).not.toMatch(/\bid=/);
    expect(root.attrs["font-family"]).toMatch(/sans-serif$/);
  });
});

describe("policy arrows point where the action names say, whatever the action order", () => {
  it("FrozenLake (LEFT, DOWN, RIGHT, UP), hard backup: each arrow points along its action's name", () => {
    const lake = frozenLake({ map: "4x4" });
    const res = solve(lake, { backup: "hard", gamma: 0.99 });
    const { cells, arrows } = readPanel(parseXml(renderValuesSvg(lake, [panelOf(res)])));
    expect(arrows.length).toBe(expectedArrows(lake, res.policy));
    const want = [{ dx: -1, dy: 0 }, { dx: 0, dy: 1 }, { dx: 1, dy: 0 }, { dx: 0, dy: -1 }];
    for (const a of arrows) {
      const v = arrowVector(a, cells.get(Number(a.attrs["data-state"]))!);
      const w = want[Number(a.attrs["data-action"])]!;
      // Along the named direction; the small sideways offset is the arrows' origin above the value.
      expect(Math.sign(Math.round(v.dx * w.dx + v.dy * w.dy))).toBe(1);
      if (w.dx !== 0) expect(Math.sign(v.dx)).toBe(w.dx);
      if (w.dy !== 0) expect(Math.sign(v.dy)).toBe(w.dy);
    }
    // The known optimal first move of slippery FrozenLake 4x4 (gamma 0.99) is LEFT, and only LEFT.
    const start = arrows.filter((a) => a.attrs["data-state"] === "0");
    expect(start.map((a) => a.attrs["data-action"])).toEqual(["0"]);
    expect(arrowVector(start[0]!, cells.get(0)!).dx).toBeLessThan(0);
  });

  it("CliffWalking (UP, RIGHT, DOWN, LEFT), hard backup: the start state's only arrow points up, the cells by the cliff point right", () => {
    const cliff = cliffWalking();
    const res = solve(cliff, { backup: "hard", gamma: 1, horizon: 30 });
    const root = parseXml(renderValuesSvg(cliff, [panelOf(res)]));
    const { cells, arrows } = readPanel(root);
    expect(cells.size).toBe(48);
    expect(arrows).toHaveLength(expectedArrows(cliff, res.policy));
    const at = (s: number) => arrows.filter((a) => a.attrs["data-state"] === String(s));
    expect(at(36).map((a) => a.attrs["data-action"])).toEqual(["0"]);
    expect(arrowVector(at(36)[0]!, cells.get(36)!).dy).toBeLessThan(0);
    for (let s = 24; s <= 34; s++) {
      expect(at(s).map((a) => a.attrs["data-action"]), `state ${s}`).toEqual(["1"]);
      expect(arrowVector(at(s)[0]!, cells.get(s)!).dx).toBeGreaterThan(0);
    }
    // Cliff cells and the goal are never occupied: no arrows there.
    for (let s = 37; s <= 47; s++) expect(at(s)).toHaveLength(0);
  });

  it("an MDP whose action names are not directions gets no arrows and says so", () => {
    const lake = frozenLake({ map: "4x4" });
    const renamed = TabularMdp.fromArrays(lake.arrays(), { ...lake.labels(), actionNames: ["a", "b", "c", "d"] });
    const svg = renderValuesSvg(renamed, [panelOf(solve(renamed, { gamma: 0.9 }))]);
    const root = parseXml(svg);
    expect(select(root, "g", "arrow")).toHaveLength(0);
    expect(select(root, "rect", "cell")).toHaveLength(16);
    expect(select(root, "text", "note").map(textOf).join(" ")).toMatch(/no arrows/);
  });
});

describe("panels side by side and as small multiples", () => {
  const lake = frozenLake({ map: "8x8" });

  it("exact against variational on one colour scale: each panel's cells hold its own run's values; equal values, equal colours", () => {
    const panels = gridOfPanels(lake, { gamma: 0.99, alpha: 0.1 }, ["exact", "variational"], [0.1]);
    const root = parseXml(renderValuesSvg(lake, panels));
    const drawn = select(root, "g", "panel");
    expect(drawn).toHaveLength(2);
    const all: XmlElement[] = [];
    drawn.forEach((p, i) => {
      const { cells } = readPanel(p);
      expect(cells.size).toBe(64);
      const V = panels[i]!.result!.V;
      for (let s = 0; s < 64; s++) expect(cells.get(s)!.attrs["data-value"]).toBe(String(V[s]));
      all.push(...cells.values());
    });
    // Exact inference is optimistic: V_exact >= V_variational in every state, and the picture is lighter there.
    const [ex, va] = drawn.map((p) => readPanel(p).cells);
    for (let s = 0; s < 64; s++) {
      expect(Number(ex!.get(s)!.attrs["data-value"])).toBeGreaterThanOrEqual(Number(va!.get(s)!.attrs["data-value"]) - 1e-12);
      expect(luminance(parseHex(ex!.get(s)!.attrs.fill!))).toBeGreaterThanOrEqual(luminance(parseHex(va!.get(s)!.attrs.fill!)));
    }
    // One scale: colour is a function of the value across both panels.
    const colourOf = new Map<string, string>();
    for (const c of all) {
      const prev = colourOf.get(c.attrs["data-value"]!);
      if (prev !== undefined) expect(c.attrs.fill).toBe(prev);
      colourOf.set(c.attrs["data-value"]!, c.attrs.fill!);
    }
    expect(select(root, "g", "colour-bar")).toHaveLength(1);
  });

  it("an alpha sweep with one scale per panel: one panel and one colour bar per alpha, each spanning its own values", () => {
    const alphas = [0.1, 1, 10];
    const cliff = cliffWalking();
    const panels = gridOfPanels(cliff, { gamma: 0.99 }, ["variational"], alphas);
    const root = parseXml(renderValuesSvg(cliff, panels, { scale: "panel" }));
    const drawn = select(root, "g", "panel");
    expect(drawn).toHaveLength(3);
    const reachable = reachableStates(cliff);
    drawn.forEach((p, i) => {
      // The scale spans the states an episode can occupy (the cliff's cells are greyed out).
      const V = Array.from(panels[i]!.result!.V).filter((_, s) => reachable[s]);
      expect(panels[i]!.result!.alpha).toBe(alphas[i]);
      const ticks = select(p, "text", "tick").map((t) => Number(t.attrs["data-value"]));
      expect(Math.min(...ticks)).toBe(Math.min(...V));
      expect(Math.max(...ticks)).toBe(Math.max(...V));
      const { cells } = readPanel(p);
      const min = [...cells.values()].find((c) => Number(c.attrs["data-value"]) === Math.min(...V))!;
      const max = [...cells.values()].find((c) => Number(c.attrs["data-value"]) === Math.max(...V))!;
      expect(parseHex(min.attrs.fill!)).toEqual(viridis(0));
      expect(parseHex(max.attrs.fill!)).toEqual(viridis(1));
    });
  });

  it("CliffWalking's cliff is never occupied: its cells are grey, print no value, carry no arrow and stay out of the colour scale", () => {
    const cliff = cliffWalking();
    const reachable = reachableStates(cliff);
    const grid = gridShape(cliff)!;
    // Independent of the BFS: Gymnasium's cliff is row 3, columns 1..10, and every other cell is reachable.
    for (let s = 0; s < cliff.nStates; s++) expect(reachable[s]).toBe(grid.kindOf(s) === "cliff" ? 0 : 1);
    expect(Array.from(reachable).filter((r) => r === 0)).toHaveLength(10);
    const res = solve(cliff, { gamma: 0.99, alpha: 1 });
    const root = parseXml(renderValuesSvg(cliff, [panelOf(res)]));
    const { cells, texts, arrows } = readPanel(select(root, "g", "panel")[0]!);
    for (const [s, c] of cells) {
      if (reachable[s]) continue;
      expect(c.attrs.fill).toBe(UNREACHABLE_FILL);
      expect(texts.has(s)).toBe(false);
      expect(arrows.some((a) => Number(a.attrs["data-state"]) === s)).toBe(false);
    }
    const ticks = select(root, "text", "tick").map((t) => Number(t.attrs["data-value"]));
    const occupied = Array.from(res.V).filter((_, s) => reachable[s]);
    expect(Math.min(...ticks)).toBe(Math.min(...occupied));
    expect(Math.max(...ticks)).toBe(Math.max(...occupied));
    // The arrow legend: three arrows whose lengths are in the ratio 1 : 0.5 : 0.25 of the probability.
    const legend = select(root, "g", "legend-arrow");
    expect(legend.map((g) => Number(g.attrs["data-legend-prob"]))).toEqual([1, 0.5, 0.25]);
    // Drawn lengths (shaft start to tip) in the ratio sqrt(q): 1 : 0.707 : 0.5.
    const lengths = legend.map((g) => {
      const x1 = Number(select(g, "line")[0]!.attrs.x1);
      const [, tip] = /^M (\S+) /.exec(select(g, "path")[0]!.attrs.d!)!;
      return Number(tip) - x1;
    });
    expect(lengths[1]! / lengths[0]!).toBeCloseTo(Math.SQRT1_2, 2);
    expect(lengths[2]! / lengths[0]!).toBeCloseTo(0.5, 2);
  });

  it("a run without a fixed point becomes a panel that says so, with no numbers", () => {
    // Positive rewards, exact mode, gamma near 1: the exact operator's spectral radius exceeds 1.
    const mdp = randomMdp({ states: 6, actions: 3, successors: 2, seed: 1, rewardRange: [0.5, 1] });
    const panels = [solvePanel(mdp, { backup: "exact", gamma: 0.99 }, "exact"), solvePanel(mdp, { backup: "variational", gamma: 0.99 }, "variational")];
    expect(panels[0]!.error).toMatch(/no fixed point/);
    const root = parseXml(renderValuesSvg(mdp, panels));
    const [bad, good] = select(root, "g", "panel");
    expect(select(bad!, "rect", "no-result")).toHaveLength(1);
    expect(select(bad!, "rect", "bar")).toHaveLength(0);
    expect(textOf(bad!)).toMatch(/no fixed point/);
    expect(select(good!, "rect", "bar")).toHaveLength(6);
  });

  it("a finite horizon's later step draws V_t and policy_t", () => {
    const small = frozenLake({ map: "4x4" });
    const res = solve(small, { horizon: 6 });
    const { cells } = readPanel(parseXml(renderValuesSvg(small, [panelOf(res)], { step: 3 })));
    for (let s = 0; s < 16; s++) expect(cells.get(s)!.attrs["data-value"]).toBe(String(res.steps!.V[3]![s]));
    expect(() => renderValuesSvg(small, [panelOf(res)], { step: 6 })).toThrow(RangeError);
  });
});

describe("MDPs that are not grids: bars of V and stacked policies", () => {
  it("one bar per state with V exactly, the printed value, and policy segments summing to 1", () => {
    const mdp = randomMdp({ states: 7, actions: 3, successors: 3, seed: 4 });
    const res = solve(mdp, { gamma: 0.9, alpha: 0.5 });
    const root = parseXml(renderValuesSvg(mdp, [panelOf(res)]));
    const bars = select(root, "rect", "bar");
    expect(bars).toHaveLength(7);
    const texts = new Map(select(root, "text", "value").map((t) => [Number(t.attrs["data-state"]), textOf(t)]));
    for (const b of bars) {
      const s = Number(b.attrs["data-state"]);
      expect(b.attrs["data-value"]).toBe(String(res.V[s]));
      expect(texts.get(s)).toBe(formatValue(res.V[s]!));
      const segs = select(root, "rect", "policy-segment").filter((p) => p.attrs["data-state"] === String(s));
      expect(Math.abs(segs.reduce((acc, p) => acc + Number(p.attrs["data-prob"]), 0) - 1)).toBeLessThan(1e-12);
    }
    // Longer bars for larger values (all positive or all negative here, drawn from zero).
    const sorted = [...bars].sort((a, b) => Number(a.attrs["data-value"]) - Number(b.attrs["data-value"]));
    const signs = new Set(sorted.map((b) => Math.sign(Number(b.attrs["data-value"]))));
    if (signs.size === 1) {
      const widths = sorted.map((b) => num(b, "width"));
      const dir = [...signs][0]! > 0 ? 1 : -1;
      for (let i = 1; i < widths.length; i++) expect(dir * (widths[i]! - widths[i - 1]!)).toBeGreaterThanOrEqual(-0.011);
    }
  });

  it(`shows at most ${MAX_BAR_STATES} states and says how many more there are`, () => {
    const mdp = randomMdp({ states: 55, actions: 2, successors: 2, seed: 2 });
    const root = parseXml(renderValuesSvg(mdp, [panelOf(solve(mdp, { gamma: 0.5 }))]));
    expect(select(root, "rect", "bar")).toHaveLength(MAX_BAR_STATES);
    expect(textOf(root)).toContain(`${55 - MAX_BAR_STATES} more states`);
  });

  it("escapes state and action names with markup characters", () => {
    const base = randomMdp({ states: 3, actions: 2, successors: 1, seed: 3 });
    const names = [`<b>&"x"`, "a'b", "s]]>t"];
    const mdp = TabularMdp.fromArrays(base.arrays(), { stateNames: names, actionNames: ["<go>", "&stay"], meta: { name: "<MDP & co>" } });
    const svg = renderValuesSvg(mdp, [panelOf(solve(mdp, { gamma: 0.5 }))]);
    expect(externalReferences(svg)).toEqual([]);
    const root = parseXml(svg);
    const text = textOf(root);
    for (const n of [...names, "<go>", "&stay", "<MDP & co>"]) expect(text).toContain(n);
  });
});

describe("the colour scale", () => {
  it("the colour table gets strictly lighter from one level to the next (relative luminance)", () => {
    expect(COLOUR_TABLE).toHaveLength(COLOUR_LEVELS);
    for (let i = 1; i < COLOUR_TABLE.length; i++) expect(luminance(COLOUR_TABLE[i]!), `level ${i}`).toBeGreaterThan(luminance(COLOUR_TABLE[i - 1]!));
  });

  it("viridis gets lighter as its argument grows (relative luminance non-decreasing over [0, 1])", () => {
    let prev = -1;
    for (let i = 0; i <= 1000; i++) {
      const l = luminance(viridis(i / 1000));
      expect(l).toBeGreaterThanOrEqual(prev);
      prev = l;
    }
  });

  it("valueScale maps any finite values monotonically onto the colour map, ends to ends", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 30 }), (vals) => {
        const scale = valueScale(vals);
        const sorted = [...vals].sort((a, b) => a - b);
        for (let i = 1; i < sorted.length; i++) expect(scale.at(sorted[i]!)).toBeGreaterThanOrEqual(scale.at(sorted[i - 1]!));
        if (scale.max - scale.min > 1e-12 * Math.max(1, Math.abs(scale.min), Math.abs(scale.max))) {
          expect(scale.at(scale.min)).toBe(0);
          expect(scale.at(scale.max)).toBe(1);
        } else expect(scale.at(sorted[0]!)).toBe(0.5);
      }),
      fcParams(200),
    );
  });
});
