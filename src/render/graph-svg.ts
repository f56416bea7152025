/**
 * The trajectory factor graph as a picture: variables as circles (observed O_t shaded), factors as
 * black squares, each edge labelled with the factor's interface name, laid out by time slice from
 * the {@link TrajectoryGraph} itself (every node and edge drawn is one of the graph's). Optionally
 * the backward message schedule the engine reads off the graph, as numbered arrows.
 */
import type { FactorAttributes, InterfaceName, TrajectoryGraph, VariableAttributes } from "../graph/trajectory-graph.js";
import { backwardSchedule, type ScheduleStep } from "../inference/schedule.js";
import { el, escapeXml, px, subscripted, svgDocument, text, textWidth, unicodeSubscript } from "./svg.js";

/** Options of {@link renderGraphSvg}. */
export interface GraphPictureOptions {
  /** Draw the backward schedule (numbered message arrows and their list). @defaultValue false */
  readonly messages?: boolean;
  /** A title above the picture. @defaultValue a description of the graph */
  readonly title?: string;
}

/** Width of one time slice. */
const SLICE = 200;
const RADIUS = 23;
const SQUARE = 16;
const Y_OBS = 78;
const Y_ACTION = 158;
const Y_FACTOR = 222;
const Y_STATE = 296;
const MESSAGE_COLOUR = "#d55e00";

interface Point {
  readonly x: number;
  readonly y: number;
}

/** Where each node sits, from its kind and time index. */
function position(attrs: VariableAttributes | FactorAttributes, x0: number): Point {
  const t = attrs.t ?? 0;
  const x = x0 + t * SLICE;
  if (attrs.role === "variable") {
    if (attrs.kind === "state") return { x, y: Y_STATE };
    if (attrs.kind === "action") return { x: x + 70, y: Y_ACTION };
    return { x: x + 135, y: Y_OBS };
  }
  if (attrs.kind === "initial") return { x: x - 86, y: Y_STATE };
  if (attrs.kind === "prior") return { x: x + 22, y: Y_FACTOR };
  return { x: x + 135, y: Y_FACTOR };
}

/** A factor's label; "P·e^(r/α)" gets its exponent raised and smaller. */
function factorText(x: number, y: number, label: string, anchor: string): string {
  const i = label.indexOf("^(");
  const common = { x, y, "font-size": 13, "text-anchor": anchor, fill: "#111111" };
  if (i < 0) return text(x, y, label, common);
  const base = escapeXml(label.slice(0, i));
  const sup = escapeXml(label.slice(i + 2, label.length - 1));
  return el("text", common, `${base}<tspan dy="-6" font-size="10">${sup}</tspan>`);
}

/** The short name drawn beside a factor. */
function factorLabel(attrs: FactorAttributes): string {
  if (attrs.kind === "initial") return "p₀";
  if (attrs.kind === "prior") return "π₀";
  return "P·e^(r/α)";
}

/** A factor's name for captions: P_2 -> P₂, pi0_2 -> π₀ (at t = 2 it reads from its neighbours). */
function factorName(key: string): string {
  if (key.startsWith("pi0")) return "π₀" + (key.includes("_") ? "," + unicodeSubscript("x_" + key.slice(key.indexOf("_") + 1)).slice(1) : "");
  if (key === "p0") return "p₀";
  return unicodeSubscript(key);
}

/** The name of the message a schedule step sends. */
function messageName(step: ScheduleStep): string {
  const t = step.t === null ? "" : unicodeSubscript(`x_${step.t}`).slice(1);
  if (step.kind === "dynamics") return `Q${t}(s,a)`;
  if (step.kind === "prior") return `V${t}(s)`;
  return step.t === null ? "closes the sweep (ELBO)" : "log Z = log Σ p₀(s) exp(V₀(s)/α)";
}

/** Greedy word wrap to at most `width` characters per line (a longer word stays whole). */
function wrapWords(s: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of s.split(" ")) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = "  " + word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

/** A point on a cubic Bézier curve. */
function bezier(p0: Point, p1: Point, p2: Point, p3: Point, u: number): Point {
  const v = 1 - u;
  return {
    x: v * v * v * p0.x + 3 * v * v * u * p1.x + 3 * v * u * u * p2.x + u * u * u * p3.x,
    y: v * v * v * p0.y + 3 * v * v * u * p1.y + 3 * v * u * u * p2.y + u * u * u * p3.y,
  };
}

/**
 * The factor graph as a standalone SVG document. Every variable, factor and edge of `tg` appears
 * once: circles (class `variable`, observed ones with class `observed` and a grey fill), squares
 * (class `factor`), lines or, for the stationary graph's loop, a curve (class `edge`) with the
 * interface name as a label (class `interface`).
 */
export function renderGraphSvg(tg: TrajectoryGraph, options: GraphPictureOptions = {}): string {
  const g = tg.graph;
  const attrs = g.getAttributes();
  const H = attrs.horizon ?? 1;
  const x0 = 140;
  const width = x0 + H * SLICE + (attrs.stationary ? 110 : 70);
  const pos = new Map<string, Point>();
  g.forEachNode((key, a) => pos.set(key, position(a, x0)));

  const edges: string[] = [];
  const labels: string[] = [];
  g.forEachEdge((edge, ea, source, target) => {
    const factorFirst = g.getNodeAttribute(source, "role") === "factor";
    const factor = factorFirst ? source : target;
    const variable = factorFirst ? target : source;
    const f = pos.get(factor)!;
    const v = pos.get(variable)!;
    const iface: InterfaceName = ea.interface;
    const data = { class: "edge", "data-factor": factor, "data-variable": variable, "data-interface": iface, "data-edge": edge };
    let at: Point;
    if (factor === variable || (attrs.stationary && iface === "next")) {
      // The stationary slice: P's "next" interface loops back to s (soft value iteration's loop).
      const c1 = { x: f.x + 110, y: f.y + 40 };
      const c2 = { x: v.x + 60, y: v.y + 130 };
      const end = { x: v.x, y: v.y + RADIUS };
      edges.push(el("path", { ...data, d: `M ${px(f.x)} ${px(f.y)} C ${px(c1.x)} ${px(c1.y)} ${px(c2.x)} ${px(c2.y)} ${px(end.x)} ${px(end.y)}`, fill: "none", stroke: "#333333", "stroke-width": 1.6 }));
      at = bezier(f, c1, c2, end, 0.3);
    } else {
      edges.push(el("line", { ...data, x1: f.x, y1: f.y, x2: v.x, y2: v.y, stroke: "#333333", "stroke-width": 1.6 }));
      // The interface belongs to the factor: label it near the factor's end, beside the line.
      const dx = v.x - f.x;
      const dy = v.y - f.y;
      const len = Math.hypot(dx, dy) || 1;
      const along = Math.min(0.42 * len, 38);
      at = { x: f.x + (dx / len) * along - (dy / len) * 9, y: f.y + (dy / len) * along + (dx / len) * 9 };
    }
    labels.push(
      text(at.x, at.y + 4, iface, {
        class: "interface",
        "data-edge": edge,
        "text-anchor": "middle",
        "font-size": 12,
        "font-style": "italic",
        fill: "#555555",
        stroke: "#ffffff",
        "stroke-width": 3,
        "paint-order": "stroke",
      }),
    );
  });

  const nodes: string[] = [];
  g.forEachNode((key, a) => {
    const p = pos.get(key)!;
    if (a.role === "variable") {
      const cls = a.observed ? "variable observed" : "variable";
      nodes.push(
        el("g", { class: "node", "data-key": key, "data-kind": a.kind }, [
          el("title", {}, escapeXml(`${key}: ${a.domain}`)),
          el("circle", { class: cls, cx: p.x, cy: p.y, r: RADIUS, fill: a.observed ? "#bdbdbd" : "#ffffff", stroke: "#222222", "stroke-width": 1.8 }),
          subscripted(p.x - (key.includes("_") ? 3 : 0), p.y + 6, key, 18, { "text-anchor": "middle", "font-style": "italic", fill: "#111111" }),
        ]),
      );
    } else {
      const label = factorLabel(a);
      const lx = a.kind === "prior" ? p.x - 14 : a.kind === "initial" ? p.x : p.x + 12;
      const anchor = a.kind === "prior" ? "end" : a.kind === "initial" ? "middle" : "start";
      const ly = a.kind === "initial" ? p.y - 16 : a.kind === "prior" ? p.y + 5 : p.y - 12;
      nodes.push(
        el("g", { class: "node", "data-key": key, "data-kind": a.kind }, [
          el("title", {}, escapeXml(`${key}: ${a.formula}`)),
          el("rect", { class: "factor", x: p.x - SQUARE / 2, y: p.y - SQUARE / 2, width: SQUARE, height: SQUARE, fill: "#111111" }),
          factorText(lx, ly, label, anchor),
        ]),
      );
    }
  });

  // Time-slice guides and labels.
  const guides: string[] = [];
  if (!attrs.stationary) {
    for (let t = 0; t < H; t++) {
      const x = x0 + t * SLICE;
      guides.push(el("rect", { x: x - 40, y: 40, width: SLICE - 10, height: Y_STATE - 40 + 36, rx: 10, fill: t % 2 === 0 ? "#f4f6fa" : "#fafbfd" }));
      guides.push(text(x - 32, 56, `t = ${t}`, { "font-size": 12, fill: "#6b7280" }));
    }
  }

  const messages: string[] = [];
  const messageLines: string[] = [];
  if (options.messages) {
    const schedule = backwardSchedule(tg);
    schedule.steps.forEach((step, i) => {
      const n = i + 1;
      const line = `${n}. ${factorName(step.factor)} → ${step.to.length ? step.to.map(unicodeSubscript).join(", ") : "evidence"}: ${messageName(step)}`;
      messageLines.push(line);
      const f = pos.get(step.factor)!;
      for (const to of step.to) {
        const v = pos.get(to)!;
        const dx = v.x - f.x;
        const dy = v.y - f.y;
        const len = Math.hypot(dx, dy) || 1;
        const ux = dx / len;
        const uy = dy / len;
        const off = 12;
        const ax = f.x + ux * len * 0.3 + uy * off;
        const ay = f.y + uy * len * 0.3 - ux * off;
        const bx = f.x + ux * len * 0.7 + uy * off;
        const by = f.y + uy * len * 0.7 - ux * off;
        const head = `M ${px(bx)} ${px(by)} L ${px(bx - ux * 8 + uy * 4)} ${px(by - uy * 8 - ux * 4)} L ${px(bx - ux * 8 - uy * 4)} ${px(by - uy * 8 + ux * 4)} Z`;
        messages.push(
          el("g", { class: "message", "data-step": n, "data-factor": step.factor, "data-to": to }, [
            el("title", {}, escapeXml(`message ${line}`)),
            el("line", { x1: ax, y1: ay, x2: bx - ux * 6, y2: by - uy * 6, stroke: MESSAGE_COLOUR, "stroke-width": 2 }),
            el("path", { d: head, fill: MESSAGE_COLOUR }),
            el("circle", { cx: (ax + bx) / 2 + uy * 9, cy: (ay + by) / 2 - ux * 9, r: 8, fill: "#ffffff", stroke: MESSAGE_COLOUR }),
            text((ax + bx) / 2 + uy * 9, (ay + by) / 2 - ux * 9 + 4, String(n), { "font-size": 10, "text-anchor": "middle", fill: MESSAGE_COLOUR }),
          ]),
        );
      }
    });
  }

  // Legend and caption.
  const legendY = Y_STATE + (attrs.stationary ? 100 : 68);
  const legend: string[] = [];
  legend.push(el("circle", { cx: 34, cy: legendY - 4, r: 8, fill: "#ffffff", stroke: "#222222", "stroke-width": 1.5 }));
  legend.push(text(48, legendY, "variable", { "font-size": 13 }));
  legend.push(el("circle", { cx: 130, cy: legendY - 4, r: 8, fill: "#bdbdbd", stroke: "#222222", "stroke-width": 1.5 }));
  legend.push(text(144, legendY, "observed: Oₜ = 1", { "font-size": 13 }));
  legend.push(el("rect", { x: 280, y: legendY - 10, width: 12, height: 12, fill: "#111111" }));
  legend.push(text(298, legendY, "factor (edge labels: the factor's interface names)", { "font-size": 13 }));
  // Two items on one line are separate text elements: SVG collapses runs of spaces inside one.
  const pair = ["p₀(s₀): initial distribution", "π₀(aₜ | sₜ): action prior"];
  const captions = [
    "P·exp(r/α): P(sₜ₊₁ | sₜ, aₜ) · exp(r(sₜ, aₜ, sₜ₊₁)/α) = p(sₜ₊₁, Oₜ = 1 | sₜ, aₜ): dynamics × optimality",
    `state variables range over ${attrs.nStates} states${attrs.deathState ? " + the absorbing death/end state (value 0)" : ""}; actions over ${attrs.nActions}` +
      (attrs.gamma < 1 ? `; γ = ${attrs.gamma}: death with probability 1 − γ after each live step` : ""),
  ];
  if (attrs.stationary) captions.push("stationary slice: P's \"next\" interface loops back to s; iterating messages around the loop is soft value iteration");
  if (options.messages) captions.push(`the backward schedule read off the graph (orange arrows, in this order): ${messageLines.length} messages`);
  const width0 = Math.max(width, 820);
  // Wrap the captions to the picture's width (12.5 px text, about 0.56 em per character).
  const perLine = Math.floor((width0 - 40) / (12.5 * 0.56));
  const captionLines = captions.flatMap((c) => wrapWords(c, perLine));
  const captionStyle = { "font-size": 12.5, fill: "#374151", class: "caption" };
  legend.push(text(26, legendY + 24, pair[0]!, captionStyle), text(26 + textWidth(pair[0]!, 12.5) + 24, legendY + 24, pair[1]!, captionStyle));
  // A wrapped line's indent is an x offset, not leading spaces (which SVG would collapse).
  captionLines.forEach((c, i) => legend.push(text(c.startsWith(" ") ? 40 : 26, legendY + 24 + (i + 1) * 19, c.trimStart(), captionStyle)));
  let height = legendY + 24 + (captionLines.length + 1) * 19 + 6;
  if (options.messages) {
    const colWidth = 270;
    const cols = Math.max(1, Math.floor((width0 - 40) / colWidth));
    const rowsOfLines = Math.ceil(messageLines.length / cols);
    messageLines.forEach((line, i) =>
      legend.push(text(40 + Math.floor(i / rowsOfLines) * colWidth, height + (i % rowsOfLines) * 18, line, { "font-size": 12, fill: MESSAGE_COLOUR, class: "message-line" })),
    );
    height += rowsOfLines * 18 + 4;
  }
  const title =
    options.title ??
    (attrs.stationary ? "Trajectory factor graph: the stationary slice (infinite horizon)" : `Trajectory factor graph, horizon H = ${H}`);
  return svgDocument(width0, height, title, [
    text(26, 28, title, { "font-size": 17, "font-weight": "bold", fill: "#111111", class: "picture-title" }),
    ...guides,
    el("g", { class: "edges" }, edges),
    el("g", { class: "messages" }, messages),
    el("g", { class: "nodes" }, nodes),
    el("g", { class: "interfaces" }, labels),
    el("g", { class: "legend" }, legend),
  ], "cai-picture cai-graph");
}
