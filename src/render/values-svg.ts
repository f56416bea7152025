/**
 * Values and policies as pictures, in panels (one run per panel) so that runs can be compared side
 * by side (exact against variational) or as small multiples (an alpha sweep).
 *
 * - A grid environment (its `meta` describes the grid: FrozenLake, FrozenLakeOpen, CliffWalking):
 *   a heat map of V(s), one cell per state, with policy arrows: one arrow per action whose name
 *   is a direction (LEFT/RIGHT/UP/DOWN, or WEST/EAST/NORTH/SOUTH) and whose probability q(a|s) is
 *   at least {@link ARROW_MIN_PROB}, its length proportional to q(a|s). Terminal and never-occupied
 *   cells (holes, goal, cliff) get no arrows. Directions come from the action names, never from
 *   the action index (FrozenLake orders LEFT, DOWN, RIGHT, UP; CliffWalking UP, RIGHT, DOWN, LEFT).
 * - Any other MDP: one row per state (up to {@link MAX_BAR_STATES}), a bar of V(s) and the policy
 *   q(.|s) as a stacked bar.
 *
 * Colours: viridis over the value range (shared by all panels, or one range per panel), so a
 * lighter cell always has a larger value. Each cell or bar carries its exact value in `data-value`
 * and prints it rounded by {@link formatValue}. No ids (pictures are inlined together in the
 * report), no gradients, no external references.
 */
import type { SolveResult } from "../inference/solve.js";
import { gridShape, type GridShape } from "../mdp/environments/grid.js";
import type { TabularMdp } from "../mdp/tabular.js";
import { reachableFromStart } from "../mdp/reachability.js";
import {
  CATEGORY_COLOURS,
  el,
  escapeXml,
  formatProb,
  formatValue,
  hex,
  inkOn,
  px,
  svgDocument,
  text,
  textWidth,
  valueScale,
  unicodeSubscript,
  type ValueScale,
} from "./svg.js";

/** Arrows for actions less likely than this are left out. */
export const ARROW_MIN_PROB = 0.01;
/** Non-grid MDPs: how many states the bar chart shows before it summarises. */
export const MAX_BAR_STATES = 40;
/** Cells smaller than this (px) do not print their value. */
const MIN_CELL_FOR_TEXT = 34;
/** Cells smaller than this (px) get no arrows. */
const MIN_CELL_FOR_ARROWS = 12;
/** The widest a figure is laid out (px). */
const TARGET_WIDTH = 980;
const MAX_CELL = 72;
/** Panels go side by side while their cells are at least this large (px). */
const MIN_CELL_SIDE_BY_SIDE = 44;

/** One panel: a run to draw, or the reason there is none (e.g. exact mode without a fixed point). */
export interface ValuePanel {
  readonly title: string;
  /** A second line under the title (e.g. log Z, ELBO, convergence); derived from the result when absent. */
  readonly subtitle?: string;
  readonly result?: SolveResult;
  /** Why there is no result; drawn in place of the values. */
  readonly error?: string;
}

/** Options of {@link renderValuesSvg}. */
export interface ValuesPictureOptions {
  /** Title of the figure. @defaultValue the environment's name and the runs' common settings */
  readonly title?: string;
  /** One colour range for all panels ("shared") or one per panel ("panel"). @defaultValue "shared" */
  readonly scale?: "shared" | "panel";
  /** Panels per row. @defaultValue chosen to make the cells as large as possible */
  readonly columns?: number;
  /** Finite horizon: draw V_t, policy_t at this time index. @defaultValue 0 */
  readonly step?: number;
  /** What the number in a cell is called (colour bar and legend). @defaultValue "V(s)" (V_t(s) with a step) */
  readonly valueName?: string;
  /** The values the shared colour scale spans (e.g. every time step, so that colours compare across steps). @defaultValue the panels' values */
  readonly valueRange?: readonly number[];
}

/** The unit vector on screen of an action named as a direction, or undefined. */
export function actionDirection(name: string): { dx: number; dy: number } | undefined {
  switch (name.trim().toUpperCase()) {
    case "LEFT":
    case "WEST":
      return { dx: -1, dy: 0 };
    case "RIGHT":
    case "EAST":
      return { dx: 1, dy: 0 };
    case "UP":
    case "NORTH":
      return { dx: 0, dy: -1 };
    case "DOWN":
    case "SOUTH":
      return { dx: 0, dy: 1 };
    default:
      return undefined;
  }
}

/** Cells that are terminal or never occupied: no arrows there. */
const NO_ARROW_KINDS = new Set(["hole", "goal", "cliff"]);
/** Letters drawn in the corner of special cells. */
const KIND_BADGE: Readonly<Record<string, string>> = { start: "S", goal: "G", hole: "H", cliff: "C" };

/** The grid to draw an MDP on, or undefined when it is not a one-state-per-cell grid. */
export function drawableGrid(mdp: TabularMdp): GridShape | undefined {
  const grid = gridShape(mdp);
  if (!grid || grid.rows * grid.cols !== mdp.nStates) return undefined;
  return grid;
}

/**
 * The states an episode can ever occupy: those reachable from the support of p0 along entries of
 * positive probability (a done entry's successor counts: the episode ends there). Others (CliffWalking's
 * cliff) have a V that no trajectory ever sees; the pictures grey them out and leave them out of the
 * colour scale.
 */
export function reachableStates(mdp: TabularMdp): Uint8Array {
  return reachableFromStart(mdp, { throughDone: true });
}

/** Fill of a cell no episode can occupy. */
export const UNREACHABLE_FILL = "#e5e7eb";

/** V, policy at the chosen time index of a result. */
function slice(res: SolveResult, step: number): { V: Float64Array; policy: Float64Array } {
  if (step === 0 || !res.steps) return { V: res.V, policy: res.policy };
  const V = res.steps.V[step];
  const policy = res.steps.policy[step];
  if (!V || !policy) throw new RangeError(`step ${step} is outside the horizon 0..${res.steps.V.length - 1}`);
  return { V, policy };
}

/** A one-line description of a run's numbers for a panel's subtitle. */
export function runFacts(res: SolveResult): string {
  const parts: string[] = [];
  if (res.horizon !== null) {
    if (res.logZ !== null) parts.push(`log Z = ${res.logZ.toPrecision(6)}`);
  } else {
    parts.push(res.converged ? `converged, ${res.iterations} sweeps` : `NOT converged (residual ${res.residual.toExponential(2)})`);
  }
  if (res.elbo !== null) parts.push(`ELBO = ${res.elbo.toPrecision(6)}`);
  return parts.join(", ");
}

interface Laid {
  readonly width: number;
  readonly height: number;
  readonly body: string[];
}

/** Direction vectors for each action (undefined where the name is no direction). */
function directions(mdp: TabularMdp): ({ dx: number; dy: number } | undefined)[] {
  return Array.from({ length: mdp.nActions }, (_, a) => (mdp.actionNames ? actionDirection(mdp.actionNames[a]!) : undefined));
}

/**
 * The drawn length of an arrow for probability q: proportional to sqrt(q), so that a near-uniform
 * policy (high temperature, q = 1/m each) still shows arrows (half the full length for m = 4), with
 * a floor of 2.5 px. The legend draws q = 1, 0.5, 0.25 by the same rule.
 */
export function arrowLength(q: number, maxLen: number): number {
  return Math.max(Math.sqrt(q) * maxLen, 2.5);
}

/** An arrow from (x, y) along (dx, dy) of length len, as a group with a shaft and a head. */
function arrow(x: number, y: number, dx: number, dy: number, len: number, ink: string, data: Record<string, string | number>, cls = "arrow"): string {
  const head = Math.min(8, Math.max(2.5, len * 0.4));
  const tipX = x + dx * len;
  const tipY = y + dy * len;
  const baseX = tipX - dx * head;
  const baseY = tipY - dy * head;
  const w = head * 0.6;
  const d = `M ${px(tipX)} ${px(tipY)} L ${px(baseX - dy * w)} ${px(baseY + dx * w)} L ${px(baseX + dy * w)} ${px(baseY - dx * w)} Z`;
  return el("g", { class: cls, ...data }, [
    len > head ? el("line", { x1: x, y1: y, x2: baseX, y2: baseY, stroke: ink, "stroke-width": 2, "stroke-linecap": "round" }) : "",
    el("path", { d, fill: ink }),
  ]);
}

/** The heat map of one run on a grid, its top-left corner at (0, 0). */
function gridPanel(mdp: TabularMdp, grid: GridShape, V: Float64Array, policy: Float64Array, scale: ValueScale, cell: number, reachable: Uint8Array): Laid {
  const m = mdp.nActions;
  const dirs = directions(mdp);
  const cells: string[] = [];
  const badges: string[] = [];
  const values: string[] = [];
  const arrows: string[] = [];
  const showText = cell >= MIN_CELL_FOR_TEXT;
  const showArrows = cell >= MIN_CELL_FOR_ARROWS;
  for (let s = 0; s < mdp.nStates; s++) {
    const { row, col } = grid.position(s);
    const x = col * cell;
    const y = row * cell;
    const v = V[s]!;
    const kind = grid.kindOf(s);
    if (!reachable[s]) {
      // Never occupied: no colour of the value scale, no number, no arrows.
      cells.push(
        el("rect", { class: "cell unreachable", "data-state": s, "data-value": String(v), "data-kind": kind, "data-reachable": "false", x, y, width: cell, height: cell, fill: UNREACHABLE_FILL, stroke: "#ffffff", "stroke-width": cell >= 20 ? 1 : 0.3 }, [
          el("title", {}, escapeXml(`state ${mdp.stateName(s)} (${kind}): never occupied (no episode reaches it from the start)`)),
        ]),
      );
      const badge = KIND_BADGE[kind];
      if (badge && cell >= 18) badges.push(text(x + 3, y + Math.min(13, cell * 0.3), badge, { class: "badge", "font-size": Math.min(12, cell * 0.28), "font-weight": "bold", fill: "#6b7280" }));
      continue;
    }
    const fill = scale.colour(v);
    const ink = inkOn(fill);
    const probs = Array.from({ length: m }, (_, a) => `q(${mdp.actionName(a)}) = ${formatProb(policy[s * m + a]!)}`).join(", ");
    cells.push(
      el("rect", { class: "cell", "data-state": s, "data-value": String(v), "data-kind": kind, x, y, width: cell, height: cell, fill: hex(fill), stroke: "#ffffff", "stroke-width": cell >= 20 ? 1 : 0.3 }, [
        el("title", {}, escapeXml(`state ${mdp.stateName(s)} (${kind}): V = ${v}; ${probs}`)),
      ]),
    );
    const badge = KIND_BADGE[kind];
    if (badge && cell >= 18) {
      badges.push(text(x + 3, y + Math.min(13, cell * 0.3), badge, { class: "badge", "font-size": Math.min(12, cell * 0.28), "font-weight": "bold", fill: ink }));
    }
    if (showText) {
      values.push(text(x + cell / 2, y + cell - cell * 0.08, formatValue(v), { class: "value", "data-state": s, "text-anchor": "middle", "font-size": Math.min(13, cell * 0.2), fill: ink }));
    }
    if (showArrows && !NO_ARROW_KINDS.has(kind)) {
      const cx = x + cell / 2;
      const cy = y + cell / 2 - (showText ? cell * 0.1 : 0);
      const maxLen = cell * (showText ? 0.34 : 0.44);
      for (let a = 0; a < m; a++) {
        const q = policy[s * m + a]!;
        const d = dirs[a];
        if (!d || !(q >= ARROW_MIN_PROB)) continue;
        arrows.push(arrow(cx, cy, d.dx, d.dy, arrowLength(q, maxLen), ink, { "data-state": s, "data-action": a, "data-prob": String(q) }));
      }
    }
  }
  const frame = el("rect", { x: 0, y: 0, width: grid.cols * cell, height: grid.rows * cell, fill: "none", stroke: "#374151", "stroke-width": 1 });
  return {
    width: grid.cols * cell,
    height: grid.rows * cell,
    body: [el("g", { class: "cells" }, cells), el("g", { class: "arrows" }, arrows), el("g", { class: "badges" }, badges), el("g", { class: "values" }, values), frame],
  };
}

/** The bar chart of one run: a row per state with V(s) and the policy. */
function barPanel(mdp: TabularMdp, V: Float64Array, policy: Float64Array, scale: ValueScale, width: number): Laid {
  const m = mdp.nActions;
  const shown = Math.min(mdp.nStates, MAX_BAR_STATES);
  const rowH = 22;
  const names = Array.from({ length: shown }, (_, s) => mdp.stateName(s));
  const nameW = Math.min(140, Math.max(30, ...names.map((n) => textWidth(n, 12)))) + 8;
  const policyW = Math.min(200, Math.max(120, width * 0.3));
  const valueTextW = 64;
  const barW = Math.max(80, width - nameW - policyW - valueTextW - 16);
  // Bars start at zero when the range allows, else at the range's end nearest zero.
  let lo = Math.min(0, scale.min);
  let hi = Math.max(0, scale.max);
  if (hi === lo) hi = lo + 1;
  const xOf = (v: number) => nameW + ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * barW;
  const zeroX = xOf(0);
  const out: string[] = [];
  out.push(text(nameW, 12, "V(s)", { "font-size": 12, fill: "#374151", "font-weight": "bold" }));
  out.push(text(nameW + barW + valueTextW + 8, 12, "policy q(a|s)", { "font-size": 12, fill: "#374151", "font-weight": "bold" }));
  const top = 20;
  for (let s = 0; s < shown; s++) {
    const y = top + s * rowH;
    const v = V[s]!;
    const fill = scale.colour(v);
    out.push(text(nameW - 6, y + 15, names[s]!, { "font-size": 12, "text-anchor": "end", fill: "#111111" }));
    const x1 = Math.min(zeroX, xOf(v));
    const x2 = Math.max(zeroX, xOf(v));
    out.push(
      el("rect", { class: "bar", "data-state": s, "data-value": String(v), x: x1, y: y + 3, width: Math.max(x2 - x1, 1), height: rowH - 6, fill: hex(fill) }, [
        el("title", {}, escapeXml(`state ${mdp.stateName(s)}: V = ${v}`)),
      ]),
    );
    out.push(text(nameW + barW + 6, y + 15, formatValue(v), { class: "value", "data-state": s, "font-size": 12, fill: "#111111" }));
    let px0 = nameW + barW + valueTextW + 8;
    for (let a = 0; a < m; a++) {
      const q = policy[s * m + a]!;
      const w = q * policyW;
      if (w <= 0) continue;
      out.push(
        el("rect", { class: "policy-segment", "data-state": s, "data-action": a, "data-prob": String(q), x: px0, y: y + 4, width: w, height: rowH - 8, fill: CATEGORY_COLOURS[a % CATEGORY_COLOURS.length]! }, [
          el("title", {}, escapeXml(`state ${mdp.stateName(s)}: q(${mdp.actionName(a)}) = ${q}`)),
        ]),
      );
      px0 += w;
    }
  }
  out.push(el("line", { x1: zeroX, y1: top, x2: zeroX, y2: top + shown * rowH, stroke: "#6b7280", "stroke-width": 1 }));
  let height = top + shown * rowH;
  if (mdp.nStates > shown) {
    out.push(text(nameW, height + 14, `… ${mdp.nStates - shown} more states (see the numbers)`, { "font-size": 12, fill: "#6b7280" }));
    height += 20;
  }
  // Action legend.
  const legendY = height + 16;
  let lx = nameW;
  for (let a = 0; a < m; a++) {
    const label = mdp.actionName(a);
    out.push(el("rect", { x: lx, y: legendY - 10, width: 12, height: 12, fill: CATEGORY_COLOURS[a % CATEGORY_COLOURS.length]! }));
    out.push(text(lx + 16, legendY, label, { "font-size": 12, fill: "#111111" }));
    lx += 16 + textWidth(label, 12) + 14;
  }
  return { width, height: legendY + 6, body: out };
}

/** A vertical colour bar (stacked rects, no gradient) with its range. */
function colourBar(x: number, y: number, h: number, scale: ValueScale, label: string): string {
  const n = 48;
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const v = scale.max - ((i + 0.5) / n) * (scale.max - scale.min);
    parts.push(el("rect", { x, y: y + (i * h) / n, width: 14, height: h / n + 0.5, fill: hex(scale.colour(v)) }));
  }
  parts.push(el("rect", { x, y, width: 14, height: h, fill: "none", stroke: "#374151", "stroke-width": 0.8 }));
  const ticks = scale.max === scale.min ? [scale.max] : [scale.max, (scale.max + scale.min) / 2, scale.min];
  ticks.forEach((v, i) => {
    const ty = ticks.length === 1 ? y + h / 2 : y + (i * h) / (ticks.length - 1);
    parts.push(el("line", { x1: x + 14, y1: ty, x2: x + 18, y2: ty, stroke: "#374151" }));
    parts.push(text(x + 21, ty + 4, formatValue(v), { "font-size": 11, fill: "#111111", class: "tick", "data-value": String(v) }));
  });
  parts.push(text(x, y - 8, label, { "font-size": 12, "font-weight": "bold", fill: "#111111" }));
  return el("g", { class: "colour-bar" }, parts);
}

/** The figure's default title from the environment and the panels' runs. */
function defaultTitle(mdp: TabularMdp): string {
  const name = typeof mdp.meta.name === "string" ? mdp.meta.name : "MDP";
  const grid = gridShape(mdp);
  const size = grid ? ` ${grid.rows}×${grid.cols}` : ` (${mdp.nStates} states)`;
  return `${name}${size}: soft values V(s) and the policy q(a|s)`;
}

/**
 * Panels of values and policies of one MDP as a standalone SVG document.
 * @throws RangeError when `step` is outside a finite-horizon result's steps.
 */
export function renderValuesSvg(mdp: TabularMdp, panels: readonly ValuePanel[], options: ValuesPictureOptions = {}): string {
  if (panels.length === 0) throw new RangeError("renderValuesSvg needs at least one panel");
  const step = options.step ?? 0;
  const grid = drawableGrid(mdp);
  const slices = panels.map((p) => (p.result ? slice(p.result, step) : undefined));
  // Grids: the colour scale spans the states an episode can occupy (others are greyed out).
  const reachable = grid ? reachableStates(mdp) : new Uint8Array(mdp.nStates).fill(1);
  const shown = (V: Float64Array) => Array.from(V).filter((_, s) => reachable[s]);
  const sharedScale = options.valueRange ? valueScale(options.valueRange) : valueScale(slices.flatMap((sl) => (sl ? shown(sl.V) : [])));
  const perPanel = options.scale === "panel";
  const scales = slices.map((sl) => (perPanel && sl ? valueScale(shown(sl.V)) : sharedScale));
  const vName = options.valueName ?? (step > 0 ? `${unicodeSubscript(`V_${step}`)}(s)` : "V(s)");

  // Layout: choose the number of columns that gives the largest cells within the target size.
  const barWidth = 520;
  const colourBarSpace = perPanel ? 0 : 90;
  let columns = options.columns ?? 1;
  let cell = MAX_CELL;
  if (grid) {
    const cellFor = (k: number) => Math.max(4, Math.min(MAX_CELL, Math.floor((TARGET_WIDTH - colourBarSpace - (perPanel ? 80 : 0) * k - 24 * k) / (k * grid.cols))));
    if (options.columns === undefined) {
      // Side by side while the cells stay large enough to print their values; else the largest cells.
      let best = 1;
      for (let k = panels.length; k >= 1; k--) {
        if (cellFor(k) >= MIN_CELL_SIDE_BY_SIDE) {
          best = k;
          break;
        }
      }
      columns = best;
    }
    cell = cellFor(columns);
  } else if (options.columns === undefined) {
    columns = Math.min(panels.length, 2);
  }
  columns = Math.max(1, Math.min(columns, panels.length));

  const drawn: { laid: Laid; panel: ValuePanel; scale: ValueScale }[] = panels.map((panel, i) => {
    const sl = slices[i];
    const scale = scales[i]!;
    if (!sl) {
      const w = grid ? grid.cols * cell : barWidth;
      const h = grid ? grid.rows * cell : 120;
      const lines = wrap(panel.error ?? "no result", Math.max(20, Math.floor(w / 7.2)));
      return {
        panel,
        scale,
        laid: {
          width: w,
          height: h,
          body: [
            el("rect", { class: "no-result", x: 0, y: 0, width: w, height: h, fill: "#f3f4f6", stroke: "#9ca3af", "stroke-dasharray": "6 4" }),
            ...lines.map((line, j) => text(w / 2, h / 2 - ((lines.length - 1) * 16) / 2 + j * 16, line, { "text-anchor": "middle", "font-size": 12.5, fill: "#b91c1c" })),
          ],
        },
      };
    }
    return { panel, scale, laid: grid ? gridPanel(mdp, grid, sl.V, sl.policy, scale, cell, reachable) : barPanel(mdp, sl.V, sl.policy, scale, barWidth) };
  });

  const headH = 40;
  const perPanelBar = perPanel ? 80 : 0;
  const gapX = 28;
  const gapY = 22;
  const colW = Math.max(...drawn.map((d) => d.laid.width)) + perPanelBar;
  const rowCount = Math.ceil(drawn.length / columns);
  const rowHeights = Array.from({ length: rowCount }, (_, r) => headH + Math.max(...drawn.slice(r * columns, (r + 1) * columns).map((d) => d.laid.height)));
  const top = 64;
  const left = 24;
  const body: string[] = [];
  let y = top;
  for (let r = 0; r < rowCount; r++) {
    for (let c = 0; c < columns; c++) {
      const i = r * columns + c;
      const d = drawn[i];
      if (!d) continue;
      const x = left + c * (colW + gapX);
      const sub = d.panel.subtitle ?? (d.panel.result ? runFacts(d.panel.result) : "");
      const parts = [
        text(0, 14, d.panel.title, { class: "panel-title", "font-size": 14, "font-weight": "bold", fill: "#111111" }),
        sub ? text(0, 31, sub, { "font-size": 11.5, fill: "#4b5563" }) : "",
        el("g", { transform: `translate(0 ${headH})` }, d.laid.body),
      ];
      if (perPanel && d.panel.result) parts.push(colourBar(d.laid.width + 16, headH + 18, Math.max(60, Math.min(d.laid.height - 24, 220)), d.scale, vName));
      body.push(el("g", { class: "panel", "data-panel": i, transform: `translate(${px(x)} ${px(y)})` }, parts));
    }
    y += rowHeights[r]! + gapY;
  }
  const contentW = left + columns * colW + (columns - 1) * gapX;
  let width = contentW + colourBarSpace + 16;
  if (!perPanel && slices.some((sl) => sl)) body.push(colourBar(contentW + 24, top + headH + 18, Math.min(260, Math.max(80, (rowHeights[0] ?? 100) - headH - 30)), sharedScale, vName));
  const notes: string[] = [];
  if (grid) {
    const dirs = directions(mdp);
    const named = dirs.filter((d) => d).length;
    notes.push(
      named > 0
        ? `arrows: q(a|s), length ∝ √probability, so that near-uniform policies stay readable (shown when ≥ ${ARROW_MIN_PROB}); letters: S start, G goal, H hole, C cliff; the number in a cell is ${vName}${reachable.includes(0) ? "; grey cells are never occupied (no colour, not in the scale)" : ""}`
        : "no arrows: the action names are not directions (LEFT/RIGHT/UP/DOWN)",
    );
  }
  if (grid && directions(mdp).some((d) => d)) {
    // A drawn legend of arrow lengths (q = 1, 0.5, 0.25), at the size of the panels' arrows.
    const maxLen = cell * (cell >= MIN_CELL_FOR_TEXT ? 0.34 : 0.44);
    const legend: string[] = [text(0, 0, "q(a|s):", { "font-size": 12, fill: "#111111" })];
    let lx = 52;
    for (const q of [1, 0.5, 0.25]) {
      const len = arrowLength(q, maxLen);
      legend.push(arrow(lx, -4, 1, 0, len, "#111111", { "data-legend-prob": q }, "legend-arrow"));
      legend.push(text(lx + len + 4, 0, formatProb(q), { "font-size": 12, fill: "#111111" }));
      lx += len + 42;
    }
    if (reachable.includes(0)) {
      legend.push(rectSwatch(lx, -13));
      legend.push(text(lx + 18, 0, "never occupied", { "font-size": 12, fill: "#111111" }));
    }
    body.push(el("g", { class: "arrow-legend", transform: `translate(${left} ${px(y + 8)})` }, legend));
    y += 22;
  }
  if (!perPanel && drawn.length > 1) notes.push("one colour scale for all panels: colours compare across panels");
  if (perPanel && drawn.length > 1) notes.push("each panel has its own colour scale");
  const title = options.title ?? defaultTitle(mdp);
  width = Math.max(width, textWidth(title, 17) + 48, 520);
  const lines = notes.flatMap((n) => wrap(n, Math.floor((width - 2 * left) / (12 * 0.6))));
  lines.forEach((n, i) => body.push(text(left, y + 4 + i * 17, n, { "font-size": 12, fill: "#4b5563", class: "note" })));
  const height = y + 4 + lines.length * 17 + 6;
  return svgDocument(width, height, title, [text(left, 32, title, { "font-size": 17, "font-weight": "bold", fill: "#111111", class: "picture-title" }), ...body], "cai-picture cai-values");
}

/** The swatch of a never-occupied cell. */
function rectSwatch(x: number, y: number): string {
  return el("rect", { x, y, width: 14, height: 14, fill: UNREACHABLE_FILL, stroke: "#9ca3af", "stroke-width": 0.8 });
}

/** Greedy word wrap. */
function wrap(s: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of s.split(/\s+/)) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
