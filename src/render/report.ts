/**
 * The report of a run: one self-contained HTML page (no script, no network, no external font or
 * stylesheet; the pictures inline as SVG) with the graphical model, the derivation of the
 * messages, the values and policy of the run, exact against variational, an alpha sweep, and the
 * numbers (a table and the full JSON of `cai solve --json`).
 *
 * The page is also well-formed XML (every element closed), so that tests can read it back.
 */
import { TrajectoryGraph } from "../graph/trajectory-graph.js";
import { RULES, type Backup } from "../inference/rules/index.js";
import type { SolveOptions, SolveResult } from "../inference/solve.js";
import { summarizeMdp } from "../mdp/summary.js";
import type { TabularMdp } from "../mdp/tabular.js";
import { renderGraphSvg } from "./graph-svg.js";
import { backupPanels, alphaPanels, settingsText } from "./runs.js";
import { escapeXml, inlineSvg } from "./svg.js";
import { drawableGrid, renderValuesSvg, type ValuePanel } from "./values-svg.js";

/** How many states the page's table lists before it refers to the JSON. */
export const REPORT_TABLE_STATES = 100;

/** The derivation section's content. */
export interface ReportDerivation {
  /** "derive": symbolic, from `cai derive`; "rules": the engine's rule objects' one-line equations. */
  readonly source: "derive" | "rules";
  /** Plain text (shown as preformatted text). */
  readonly text: string;
  /** LaTeX source, when available (shown folded, for slides). */
  readonly latex?: string;
  /** Why the symbolic derivation is not there, when it is not. */
  readonly note?: string;
}

/** Everything the page shows, computed. */
export interface ReportInput {
  readonly mdp: TabularMdp;
  /** Where the MDP came from (a file name). */
  readonly source: string;
  readonly options: SolveOptions;
  readonly result: SolveResult;
  /** The model's name (maxent, rlhf, demonstration, custom), when known. */
  readonly model?: string;
  readonly graph: TrajectoryGraph;
  readonly comparison: readonly ValuePanel[];
  readonly sweep: readonly ValuePanel[];
  readonly derivation: ReportDerivation;
  /** The JSON object `cai solve --json` prints for this run. */
  readonly json: Record<string, unknown>;
  /** The command line that made the page. */
  readonly command?: string;
  /** Extra warnings (e.g. from the model). */
  readonly warnings?: readonly string[];
}

/** Options of {@link reportRuns}. */
export interface ReportRunOptions {
  /** Backups compared side by side. @defaultValue ["exact", "variational"] */
  readonly backups?: readonly Backup[];
  /** Temperatures of the sweep. @defaultValue alpha/10, alpha, 10 alpha */
  readonly alphas?: readonly number[];
  /** Horizon of the factor-graph picture. @defaultValue min(H, 3) for a finite horizon, else the stationary slice */
  readonly graphHorizon?: number;
}

/** The runs and the graph of a report besides the main run (which the caller solves). */
export function reportRuns(mdp: TabularMdp, options: SolveOptions, o: ReportRunOptions = {}): { graph: TrajectoryGraph; comparison: ValuePanel[]; sweep: ValuePanel[] } {
  const alpha = options.alpha ?? 1;
  const backups = o.backups ?? ["exact", "variational"];
  const alphas = o.alphas ?? [alpha / 10, alpha, alpha * 10];
  const gh = o.graphHorizon ?? (options.horizon !== undefined ? Math.min(options.horizon, 3) : undefined);
  const graph = TrajectoryGraph.forMdp(mdp, options.gamma ?? 1, gh);
  const how = { catchRunErrors: true };
  // The default sweep's alpha/10 and 10 alpha are derived: one beyond the supported range becomes a
  // panel that says so, never an error quoting a number the user did not write.
  const sweepHow = o.alphas ? how : { ...how, catchDerivedParameterErrors: true };
  return { graph, comparison: backupPanels(mdp, options, backups, how), sweep: alphaPanels(mdp, options, alphas, sweepHow) };
}

/** The derivation from the rule objects alone (used when the symbolic derivation is not available). */
export function ruleDerivation(backup: Backup): ReportDerivation {
  const lines: string[] = [];
  for (const b of ["exact", "variational", "hard"] as const) {
    const f = RULES[b];
    lines.push(`${b}${b === backup ? "  (this run)" : ""}`);
    lines.push(`  dynamics x optimality factor (${f.dynamics.name}):  ${f.dynamics.equation}`);
    lines.push(`  action-prior factor (${f.actions.name} semiring ${f.actions.statement}):`);
    const max = RULES[b].actions.kind === "max";
    lines.push(`    V(s) = ${max ? "max over {a: pi0(a|s) > 0} of Q(s,a)" : "alpha log sum_a pi0(a|s) exp(Q(s,a)/alpha)"}`);
    lines.push(`    q(a|s) = ${max ? "pi0 restricted to the maximisers, renormalised" : "pi0(a|s) exp((Q(s,a) - V(s))/alpha)"}`);
    lines.push("");
  }
  return { source: "rules", text: lines.join("\n").trimEnd() };
}

/** A number for the table: 6 decimals, exponent form outside [1e-3, 1e5) (as `cai solve` prints). */
export function tableNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1e5 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(4) : x.toFixed(6);
}

const STYLE = `
:root { color-scheme: light; }
body { font-family: system-ui, "DejaVu Sans", Verdana, sans-serif; color: #111827; background: #ffffff; margin: 0; line-height: 1.5; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 1.7rem; margin: 0.4rem 0 0.2rem; }
h2 { font-size: 1.25rem; margin: 2.2rem 0 0.5rem; padding-bottom: 0.2rem; border-bottom: 2px solid #e5e7eb; }
p { margin: 0.4rem 0 0.8rem; max-width: 80ch; }
.settings { color: #4b5563; }
figure { margin: 0.8rem 0 1.2rem; overflow-x: auto; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: #4b5563; font-size: 0.92rem; margin-top: 0.3rem; max-width: 90ch; }
pre { background: #f8fafc; border: 1px solid #e5e7eb; border-radius: 6px; padding: 12px 14px; overflow-x: auto; font-size: 0.86rem; line-height: 1.45; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; }
pre { max-width: 100%; box-sizing: border-box; }
pre.derivation { white-space: pre-wrap; overflow-wrap: anywhere; }
table { border-collapse: collapse; font-size: 0.88rem; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #e5e7eb; padding: 3px 9px; text-align: right; font-variant-numeric: tabular-nums; }
th { background: #f3f4f6; }
td.name, th.name { text-align: left; }
dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2px 18px; margin: 0.6rem 0 1rem; }
dl.facts dt { color: #4b5563; }
dl.facts dd { margin: 0; font-variant-numeric: tabular-nums; }
.warning { color: #b45309; }
.note { color: #4b5563; font-size: 0.92rem; }
details { margin: 0.6rem 0; }
summary { cursor: pointer; color: #1d4ed8; }
footer { margin-top: 3rem; color: #6b7280; font-size: 0.85rem; }
`;

function para(html: string, cls?: string): string {
  return cls ? `<p class="${cls}">${html}</p>` : `<p>${html}</p>`;
}

function figure(svg: string, caption: string, name: string): string {
  return `<figure class="picture" data-picture="${name}">\n${inlineSvg(svg)}\n<figcaption>${escapeXml(caption)}</figcaption>\n</figure>`;
}

/** JSON text with full-precision numbers; non-finite numbers as null (as `cai solve --json`). */
function jsonText(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v instanceof Float64Array ? Array.from(v) : v), 1);
}

/** Facts of a result as a definition list. */
function facts(input: ReportInput): string {
  const { result: res, mdp } = input;
  const rows: [string, string][] = [];
  rows.push(["MDP", `${input.source}: ${typeof mdp.meta.name === "string" ? mdp.meta.name : "unnamed"}, ${mdp.nStates} states, ${mdp.nActions} actions`]);
  if (input.model) rows.push(["model", input.model]);
  rows.push(["backup", res.backup]);
  rows.push(["settings", settingsText(input.options)]);
  if (res.horizon === null) {
    rows.push(["convergence", `${res.converged ? "converged" : "NOT converged"} after ${res.iterations} sweeps, residual max |ΔQ| = ${res.residual.toExponential(2)} (${res.stopReason})`]);
  } else rows.push(["log Z", res.logZ === null ? "n/a" : String(res.logZ)]);
  rows.push(["ELBO of this policy", res.elbo === null ? "n/a" : `${res.elbo} nats`]);
  if (res.horizon !== null && res.logZ !== null && res.elbo !== null) rows.push(["log Z − ELBO = KL(q(τ) ‖ p(τ | O))", String(res.logZ - res.elbo)]);
  const starts: number[] = [];
  for (let s = 0; s < mdp.nStates && starts.length < 5; s++) if (mdp.initial[s]! > 0) starts.push(s);
  for (const s of starts) rows.push([`V(${mdp.stateName(s)}) (start state)`, String(res.V[s])]);
  return `<dl class="facts">\n${rows.map(([k, v]) => `<dt>${escapeXml(k)}</dt><dd>${escapeXml(v)}</dd>`).join("\n")}\n</dl>`;
}

/** The table of V and q(a|s), one row per state. */
function numbersTable(mdp: TabularMdp, res: SolveResult): string {
  const m = mdp.nActions;
  const shown = Math.min(mdp.nStates, REPORT_TABLE_STATES);
  const head = `<tr><th class="name">state</th><th>V(s)</th>${Array.from({ length: m }, (_, a) => `<th>q(${escapeXml(mdp.actionName(a))}|s)</th>`).join("")}<th class="name">most likely</th></tr>`;
  const body: string[] = [];
  for (let s = 0; s < shown; s++) {
    let best = 0;
    for (let a = 1; a < m; a++) if (res.policy[s * m + a]! > res.policy[s * m + best]!) best = a;
    const cells = Array.from({ length: m }, (_, a) => `<td>${res.policy[s * m + a]!.toFixed(4)}</td>`).join("");
    body.push(`<tr data-state="${s}"><td class="name">${escapeXml(mdp.stateName(s))}</td><td class="value" data-value="${String(res.V[s])}">${tableNumber(res.V[s]!)}</td>${cells}<td class="name">${escapeXml(mdp.actionName(best))}</td></tr>`);
  }
  const more = mdp.nStates > shown ? para(`… ${mdp.nStates - shown} more states: see the full JSON below.`, "note") : "";
  return `<table class="numbers">\n<thead>${head}</thead>\n<tbody>\n${body.join("\n")}\n</tbody>\n</table>\n${more}`;
}

/** Largest V_exact - V_variational and whether V_exact >= V_variational held everywhere (within rounding). */
function optimism(panels: readonly ValuePanel[], stateName: (s: number) => string): string | undefined {
  const ex = panels.find((p) => p.result?.backup === "exact")?.result;
  const va = panels.find((p) => p.result?.backup === "variational")?.result;
  if (!ex || !va) return undefined;
  let maxGap = -Infinity;
  let at = 0;
  let minGap = Infinity;
  for (let s = 0; s < ex.V.length; s++) {
    const d = ex.V[s]! - va.V[s]!;
    if (d > maxGap) {
      maxGap = d;
      at = s;
    }
    if (d < minGap) minGap = d;
  }
  const holds = minGap >= -1e-9 * Math.max(1, ...Array.from(ex.V, Math.abs));
  return `Here V_exact − V_variational ranges from ${minGap.toPrecision(4)} to ${maxGap.toPrecision(4)} (largest in state ${stateName(at)}); ` +
    (holds ? "V_exact ≥ V_variational holds in every state, as Jensen's inequality says it must." : "V_exact ≥ V_variational does NOT hold everywhere: a bug to report.");
}

/** The page. */
export function renderReport(input: ReportInput): string {
  const { mdp, result: res } = input;
  const name = typeof mdp.meta.name === "string" ? mdp.meta.name : input.source;
  const title = `Control as inference: ${name}, ${res.backup} backup`;
  const grid = drawableGrid(mdp);
  const sections: string[] = [];

  sections.push(`<header>\n<h1>${escapeXml(title)}</h1>\n${para(escapeXml(settingsText(input.options)), "settings")}\n</header>`);
  const warnings = [...(input.warnings ?? []), ...res.warnings];
  sections.push(`<section id="run">\n<h2>The run</h2>\n${facts(input)}\n${warnings.map((w) => para(`warning: ${escapeXml(w)}`, "warning")).join("\n")}\n</section>`);

  const gAttrs = input.graph.graph.getAttributes();
  sections.push(
    `<section id="graph">\n<h2>1. The graphical model</h2>\n` +
      para(
        "Optimality variables O_t, observed to be 1, with p(O_t = 1 | s_t, a_t, s_t+1) = exp(r/α), sit on the trajectory beside the initial " +
          "distribution, the action prior and the dynamics. Inference in this graph is control: the backward messages are the soft values, and " +
          "the posterior over a_t given s_t is the policy. The orange arrows are the backward schedule the engine reads off this graph and runs.",
      ) +
      figure(
        renderGraphSvg(input.graph, { messages: true }),
        gAttrs.stationary ? "The stationary slice (infinite horizon): iterating its messages around the loop is soft value iteration." : `The graph unrolled over ${gAttrs.horizon} time steps.`,
        "graph",
      ) +
      `\n</section>`,
  );

  const d = input.derivation;
  sections.push(
    `<section id="derivation">\n<h2>2. The messages and the backups</h2>\n` +
      para(
        d.source === "derive"
          ? "The message rules of the graph run on symbols (cai derive): each scheduled message as a product of factors, its logarithm, and the backup it simplifies to."
          : "The backup equations of the engine's message rules, one family per backup." + (d.note ? ` (${escapeXml(d.note)})` : ""),
      ) +
      `<pre class="derivation" data-source="${d.source}">${escapeXml(d.text)}</pre>\n` +
      (d.latex ? `<details><summary>LaTeX source (for slides)</summary>\n<pre class="latex">${escapeXml(d.latex)}</pre>\n</details>\n` : "") +
      `</section>`,
  );

  const main = renderValuesSvg(mdp, [{ title: `${res.backup}, α = ${res.alpha}`, result: res }], { title: `${name}: V(s) and the policy q(a|s) of this run` });
  sections.push(
    `<section id="values">\n<h2>3. Values and policy of this run</h2>\n` +
      figure(main, grid ? "Heat map of V(s); arrows show q(a|s), their length proportional to the probability." : "V(s) per state, and the policy q(·|s) as stacked bars.", "values") +
      `\n</section>`,
  );

  const opt = optimism(input.comparison, (s) => input.mdp.stateName(s));
  sections.push(
    `<section id="comparison">\n<h2>4. Exact against variational</h2>\n` +
      para(
        "Exact inference conditions the dynamics on optimality too: its backup α log E exp(V′/α) is optimistic, as if the agent could choose its " +
          "luck. The structured variational posterior keeps the true dynamics and gives the soft Bellman backup E[r + γV′]. One colour scale for both panels.",
      ) +
      (opt ? para(escapeXml(opt), "note") : "") +
      figure(renderValuesSvg(mdp, input.comparison, { title: `${name}: ${input.comparison.map((p) => p.title).join(" against ")}` }), "Same settings, different backups; colours compare across panels.", "comparison") +
      `\n</section>`,
  );

  sections.push(
    `<section id="sweep">\n<h2>5. The temperature α</h2>\n` +
      para("α weighs reward against the KL to the prior: small α approaches the hard (max) backup, large α the prior policy. Each panel has its own colour scale.") +
      figure(renderValuesSvg(mdp, input.sweep, { title: `${name}: ${res.backup} backup, α sweep`, scale: "panel" }), "Small multiples over α; everything else as in this run.", "sweep") +
      `\n</section>`,
  );

  const failed = [...input.comparison, ...input.sweep].filter((p) => p.error !== undefined);
  const failNote = failed.length ? failed.map((p) => para(`${escapeXml(p.title)}: ${escapeXml(p.error!)}`, "warning")).join("\n") : "";

  sections.push(
    `<section id="numbers">\n<h2>6. The numbers</h2>\n` +
      para(`V(s) and q(a|s) at t = 0, as the engine computed them (cai solve prints the same).`) +
      numbersTable(mdp, res) +
      failNote +
      `<details><summary>Full result as JSON (the output of cai solve --json)</summary>\n<pre class="json">${escapeXml(jsonText(input.json))}</pre>\n</details>\n</section>`,
  );

  const summary = summarizeMdp(mdp);
  sections.push(
    `<footer>\n${para(
      `Made by cai report${input.command ? `: ${escapeXml(input.command)}` : ""}. MDP: ${summary.states} states, ${summary.actions} actions, ${summary.nonzeroEntries} transition entries, ` +
        `rewards in [${summary.rewardMin}, ${summary.rewardMax}]${summary.deterministic ? ", deterministic" : ""}. This page is self-contained: no scripts, no network.`,
    )}\n</footer>`,
  );

  return `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8"/>\n<meta name="viewport" content="width=device-width, initial-scale=1"/>\n<title>${escapeXml(title)}</title>\n<style>${STYLE}</style>\n</head>\n<body>\n<main>\n${sections.join("\n\n")}\n</main>\n</body>\n</html>\n`;
}
