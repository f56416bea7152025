/// <reference lib="dom" />
/**
 * The lesson page in the browser: builds the page's controls and panels, keeps one LessonState
 * (model.ts), and on every interaction re-solves with the engine's `solve` and redraws the step
 * that is open. Bundled by esbuild into the single HTML file that `cai lesson` writes; the
 * derivations of step 8 are rendered at build time (KaTeX, MathML) and arrive in the page as HTML.
 */
import { TrajectoryGraph } from "../graph/trajectory-graph.js";
import { backwardSchedule, type ScheduleStep } from "../inference/schedule.js";
import { RULES, type Backup } from "../inference/rules/index.js";
import type { SolveResult } from "../inference/solve.js";
import { gridShape } from "../mdp/environments/grid.js";
import type { TabularMdp } from "../mdp/tabular.js";
import { renderGraphSvg } from "../render/graph-svg.js";
import { CATEGORY_COLOURS, el, escapeXml, inlineSvg, px, svgElement, text } from "../render/svg.js";
import { renderValuesSvg, type ValuePanel } from "../render/values-svg.js";
import {
  ALPHA_SLIDER,
  BACKUPS,
  HORIZON_MAX,
  PRIORS,
  SAMPLE_EPISODES,
  SAMPLE_STEPS,
  STRIP_ALPHAS,
  SWEEP_MAX,
  WORLDS,
  alphaOf,
  backupRun,
  buildWorld,
  cycleCell,
  demoCounts,
  editable,
  evidence,
  extendDemo,
  formatNumber,
  initialState,
  policyEntropy,
  priorOptions,
  sampleRuns,
  startValue,
  sweeps,
  trySolve,
  withWorld,
  type BackupRun,
  type LessonState,
  type PriorId,
  type SampleSummary,
  type WorldId,
} from "./model.js";
import { STEPS, type StepId } from "./steps.js";



const BACKUP_WORDS = (b: Backup): string => RULES[b].words.label;

/** What the test harness and the curious can read: the state and the time of each redraw. */
interface LessonGlobal {
  state: LessonState;
  /** Milliseconds of compute and drawing for each interaction, in order, with what caused it. */
  timings: { cause: string; step: StepId; ms: number }[];
}

declare global {
  interface Window {
    caiLesson?: LessonGlobal;
  }
}

let state = initialState();
let step: StepId = "world";
let message = "";
const timings: LessonGlobal["timings"] = [];

function $(id: string): HTMLElement {
  const e = document.getElementById(id);
  if (!e) throw new Error(`the page has no #${id}`);
  return e;
}

function input(id: string): HTMLInputElement {
  return $(id) as HTMLInputElement;
}

function select(id: string): HTMLSelectElement {
  return $(id) as HTMLSelectElement;
}

/** One fact line: a label and a number, with the exact value in data-value. */
function fact(key: string, label: string, value: number | null | undefined, note = ""): string {
  const v = value === null || value === undefined ? "" : String(value);
  return `<tr data-fact="${key}"><th scope="row">${label}</th><td class="num" data-value="${v}">${formatNumber(value)}</td><td class="note">${note}</td></tr>`;
}

function options<T extends string>(list: readonly { id: T; label: string }[], current: T): string {
  return list.map((o) => `<option value="${o.id}"${o.id === current ? " selected" : ""}>${escapeXml(o.label)}</option>`).join("");
}

/** The page's skeleton: the step tabs, the shared controls, one section per step. */
function skeleton(derivations: string): string {
  const tabs = STEPS.map(
    (s, i) => `<button type="button" role="tab" id="tab-${s.id}" aria-controls="step-${s.id}" aria-selected="${i === 0}" tabindex="${i === 0 ? 0 : -1}" data-step="${s.id}">${s.title}</button>`,
  ).join("");
  return `
<header>
  <h1>Control as inference <span class="sub">reinforcement learning as message passing on the trajectory factor graph</span></h1>
  <nav role="tablist" aria-label="steps of the lesson" id="tabs">${tabs}</nav>
</header>
<div class="layout">
<aside aria-label="parameters">
  <fieldset><legend>The world</legend>
    <label for="world">environment</label>
    <select id="world">${options(WORLDS, state.world)}</select>
    <label class="inline"><input type="checkbox" id="slippery" checked> slippery ice</label>
    <label for="success">success rate <output id="success-out" for="success"></output></label>
    <input type="range" id="success" min="0.1" max="1" step="0.01" value="${state.successRate.toFixed(2)}">
  </fieldset>
  <fieldset><legend>Inference</legend>
    <label for="alpha">temperature α <output id="alpha-out" for="alpha"></output></label>
    <input type="range" id="alpha" min="${ALPHA_SLIDER.min}" max="${ALPHA_SLIDER.max}" step="${ALPHA_SLIDER.step}" value="${state.logAlpha}" aria-describedby="alpha-help">
    <p class="help" id="alpha-help">logarithmic, 0.01 to 10</p>
    <label for="gamma">discount γ <output id="gamma-out" for="gamma"></output></label>
    <input type="range" id="gamma" min="0.5" max="0.999" step="0.001" value="${state.gamma}">
    <label for="prior">action prior π₀</label>
    <select id="prior">${options(PRIORS, state.prior)}</select>
    <label for="backup">backup (steps 4 and 6)</label>
    <select id="backup">${BACKUPS.map((b) => `<option value="${b}"${b === state.backup ? " selected" : ""}>${BACKUP_WORDS(b)}</option>`).join("")}</select>
  </fieldset>
  <p id="status" role="status" aria-live="polite"></p>
</aside>
<main>
  <section id="step-world" role="tabpanel" aria-labelledby="tab-world">
    <h2>1. The world</h2>
    <p>A tabular MDP: states, actions, and transitions (p, s′, r, done) as Gymnasium lists them. Click a cell (or focus it and press Enter) to cycle it through
    start S → frozen F → hole H → goal G; holes and the goal end the episode, the goal pays 1. On slippery ice a move goes the intended way with the success rate
    and to either side with the rest.</p>
    <div class="row"><div id="map-editor" class="map-grid" role="group" aria-label="map editor"></div><div id="world-facts" class="facts"></div></div>
  </section>
  <section id="step-graph" role="tabpanel" aria-labelledby="tab-graph" hidden>
    <h2>2. The graph</h2>
    <p>The trajectory factor graph for horizon 2: states s<sub>t</sub>, actions a<sub>t</sub>, observed optimality O<sub>t</sub>, and the factors p₀, π₀ and
    P·exp(r/α). The red arrows are the backward schedule the engine runs; point at one (or focus it with Tab) to see the message it carries, computed for this world at the start state.</p>
    <div class="row side"><div id="graph" class="picture"></div><div id="message" class="facts" aria-live="polite"></div></div>
  </section>
  <section id="step-backups" role="tabpanel" aria-labelledby="tab-backups" hidden>
    <h2>3. The two backups</h2>
    <p>Exact inference (sum-product) lets the optimality evidence reshape the dynamics too: it is optimistic, as if it could choose where the ice slides.
    The variational backup keeps the dynamics fixed (the soft Bellman backup); the hard backup is the α → 0 limit. One colour scale for the three panels.</p>
    <div id="backup-maps" class="picture"></div>
    <table id="backup-facts" class="facts"></table>
  </section>
  <section id="step-temperature" role="tabpanel" aria-labelledby="tab-temperature" hidden>
    <h2>4. Temperature and prior</h2>
    <p>q(a|s) = π₀(a|s) exp((Q(s,a) − V(s))/α): as α falls the policy sharpens into the greedy one; as α grows it returns to the prior.
    With the demonstrations prior, click a path of neighbouring cells on the map below: its moves become π<sub>D</sub>(a|s) = (count + λ)/(count(s) + mλ), λ = 0.1.</p>
    <div class="row"><div id="temp-map" class="picture"></div><div><table id="temp-facts" class="facts"></table>
      <div id="demo-box"><div id="demo-editor" class="map-grid small" role="group" aria-label="demonstration path: click neighbouring cells"></div>
      <button type="button" id="demo-clear">clear the path</button><p id="demo-text" class="help"></p></div></div></div>
    <h3>The same backup at α = ${STRIP_ALPHAS.join(", ")} (each panel has its own colour scale)</h3>
    <div id="temp-strip" class="picture"></div>
  </section>
  <section id="step-evidence" role="tabpanel" aria-labelledby="tab-evidence" hidden>
    <h2>5. Evidence and the ELBO</h2>
    <p>With a finite horizon the backward messages end in the evidence log Z = log Σ p₀(s) exp(V₀(s)/α). Any policy q gives a lower bound, the ELBO; the gap is
    KL(q(τ) ‖ p(τ | O)). The exact posterior policy, run in the real dynamics, is not the best q.</p>
    <div class="controls-row">
      <label class="inline"><input type="checkbox" id="finite" checked> finite horizon</label>
      <label for="horizon">horizon H <output id="horizon-out" for="horizon"></output></label>
      <input type="range" id="horizon" min="1" max="${HORIZON_MAX}" step="1" value="${state.horizon}">
      <label for="time">time t <output id="time-out" for="time"></output></label>
      <input type="range" id="time" min="0" max="${state.horizon - 1}" step="1" value="0">
    </div>
    <table id="evidence-facts" class="facts"></table>
    <div id="evidence-maps" class="picture"></div>
  </section>
  <section id="step-sweeps" role="tabpanel" aria-labelledby="tab-sweeps" hidden>
    <h2>6. Message passing, step by step</h2>
    <p>Infinite-horizon message passing iterates the backup from V₀ = 0: V<sub>k</sub> = T<sup>k</sup>(0), the value of the k-step problem.
    The residual max |V<sub>k</sub> − V<sub>k−1</sub>| falls by about γ per sweep (variational and hard backups contract).</p>
    <div class="controls-row"><label for="sweep">sweeps k <output id="sweep-out" for="sweep"></output></label>
      <input type="range" id="sweep" min="0" max="${SWEEP_MAX}" step="1" value="${state.sweep}"></div>
    <table id="sweep-facts" class="facts"></table>
    <div id="sweep-map" class="picture"></div>
  </section>
  <section id="step-samples" role="tabpanel" aria-labelledby="tab-samples" hidden>
    <h2>7. Samples</h2>
    <p>Episodes drawn with the engine's seeded sampler from the exact backup's solution: on the left its policy run in the real dynamics, q(τ);
    on the right the exact posterior p(τ | O), whose dynamics p(s′ | s, a, O) lean towards where the value is: the ice obeys. Each line is one episode
    (${SAMPLE_EPISODES} per panel, at most ${SAMPLE_STEPS} steps), the dots where each episode is at time t.</p>
    <div class="controls-row">
      <label for="seed">seed</label><input type="number" id="seed" min="0" max="1000000" step="1" value="${state.seed}">
      <button type="button" id="resample">new samples</button>
      <label for="frame">time t <output id="frame-out" for="frame"></output></label>
      <input type="range" id="frame" min="0" max="${SAMPLE_STEPS}" step="1" value="${state.frame}">
      <button type="button" id="play" aria-pressed="false">play</button>
    </div>
    <div id="samples" class="picture"></div>
    <table id="sample-facts" class="facts"></table>
  </section>
  <section id="step-derivation" role="tabpanel" aria-labelledby="tab-derivation" hidden>
    <h2>8. The derivation</h2>
    <p>The backups as <code>cai derive --backup B --format latex</code> prints them: each scheduled factor's message rule run on symbols, one identity per line.</p>
    <label for="derive-backup">backup</label>
    <select id="derive-backup">${BACKUPS.map((b) => `<option value="${b}">${BACKUP_WORDS(b)}</option>`).join("")}</select>
    <div id="derivations">${derivations}</div>
  </section>
</main>
</div>`;
}

/** The world's MDP, kept while the world's settings do not change. */
let world: { key: string; built: ReturnType<typeof buildWorld> } | undefined;
function currentWorld(): ReturnType<typeof buildWorld> {
  const key = JSON.stringify([state.world, state.map, state.slippery, state.successRate]);
  if (!world || world.key !== key) world = { key, built: buildWorld(state) };
  return world.built;
}

/** A grid of buttons, one per cell (the map editor and the demonstration path). */
function cellButtons(mdp: TabularMdp | undefined, mode: "edit" | "demo"): string {
  const rows = state.world === "cliff" ? undefined : state.map;
  const grid = mdp ? gridShape(mdp) : undefined;
  const map = rows ?? grid?.map ?? [];
  const cols = map[0]?.length ?? 0;
  const onPath = new Set(state.demo);
  const names: Record<string, string> = { S: "start", F: "frozen", H: "hole", G: "goal", C: "cliff", x: "start", o: "free" };
  const out: string[] = [];
  map.forEach((line, r) => {
    for (let c = 0; c < line.length; c++) {
      const ch = line[c]!;
      const s = r * cols + c;
      const kind = grid ? grid.kindOf(s) : (names[ch] ?? ch);
      const order = mode === "demo" ? state.demo.indexOf(s) : -1;
      const label = `row ${r + 1}, column ${c + 1}: ${kind}${order >= 0 ? `, path step ${order + 1}` : ""}`;
      out.push(
        `<button type="button" class="cell kind-${kind}${mode === "demo" && onPath.has(s) ? " on-path" : ""}" data-row="${r}" data-col="${c}" data-state="${s}" aria-label="${label}">${mode === "demo" && order >= 0 ? order + 1 : ch === "F" || ch === "o" ? "" : ch}</button>`,
      );
    }
  });
  return `<div class="cells" style="grid-template-columns: repeat(${cols}, var(--cell))">${out.join("")}</div>`;
}

/** A panel's second line, in the page's number format. */
function facts(r: SolveResult): string {
  const parts = [r.horizon !== null ? `H = ${r.horizon}` : r.converged ? `converged, ${r.iterations} sweeps` : `NOT converged (residual ${formatNumber(r.residual)})`];
  if (r.logZ !== null) parts.push(`log Z = ${formatNumber(r.logZ)}`);
  if (r.elbo !== null) parts.push(`ELBO = ${formatNumber(r.elbo)}`);
  return parts.join(", ");
}

function panelOf(title: string, result: SolveResult | undefined, error: string | undefined, subtitle?: string): ValuePanel {
  const sub = subtitle ?? (result ? facts(result) : undefined);
  return { title, ...(result ? { result } : {}), ...(error !== undefined ? { error } : {}), ...(sub !== undefined ? { subtitle: sub } : {}) };
}

function drawWorld(mdp: TabularMdp | undefined, error: string | undefined): void {
  $("map-editor").innerHTML = cellButtons(mdp, "edit");
  const facts: string[] = [];
  if (mdp) {
    const grid = gridShape(mdp);
    facts.push(`<p><strong>${escapeXml(String(mdp.meta.name ?? "MDP"))}</strong>: ${mdp.nStates} states, ${mdp.nActions} actions (${Array.from({ length: mdp.nActions }, (_, a) => mdp.actionName(a)).join(", ")}), ${mdp.rowStart[mdp.nStates * mdp.nActions]} transition entries${grid ? `, a ${grid.rows} × ${grid.cols} grid` : ""}.</p>`);
    facts.push(`<p>${state.slippery ? (state.world === "cliff" ? "slippery: 1/3 intended, 1/3 each side" : `slippery: the intended move with probability ${formatNumber(state.successRate)}, each side ${formatNumber((1 - state.successRate) / 2)}`) : "not slippery: moves are deterministic"}.</p>`);
  }
  if (!editable(state.world)) facts.push(`<p>CliffWalking's layout is fixed (the cliff: −100 and back to the start). Pick a lake to edit a map.</p>`);
  if (error) facts.push(`<p class="error" role="alert">${escapeXml(error)}</p>`);
  $("world-facts").innerHTML = facts.join("");
}

/** Step 2: the schedule's steps, for the message box. */
let graphSchedule: readonly ScheduleStep[] = [];
let graphRun: SolveResult | undefined;

function drawGraph(mdp: TabularMdp): void {
  const tg = TrajectoryGraph.forMdp(mdp, state.gamma, 2);
  graphSchedule = backwardSchedule(tg).steps;
  $("graph").innerHTML = inlineSvg(renderGraphSvg(tg, { messages: true, title: `the trajectory factor graph, horizon 2 (${mdp.nStates} states, ${mdp.nActions} actions)` }));
  for (const g of Array.from($("graph").querySelectorAll("g.message"))) {
    g.setAttribute("tabindex", "0");
    g.setAttribute("role", "button");
  }
  const r = trySolve(mdp, { backup: state.backup, alpha: alphaOf(state), gamma: state.gamma, horizon: 2, ...priorOptions(state, mdp) });
  graphRun = "result" in r ? r.result : undefined;
  showMessage(mdp, 1);
}

function showMessage(mdp: TabularMdp, n: number): void {
  const s = graphSchedule[n - 1];
  if (!s) return;
  const start = mdp.initial.findIndex((p) => p > 0);
  const t = s.t ?? 0;
  const run = graphRun;
  const lines: string[] = [`<p><strong>message ${n}</strong>: ${escapeXml(s.factor)} → ${s.to.length ? escapeXml(s.to.join(", ")) : "the evidence"} (${state.backup} backup, α = ${formatNumber(alphaOf(state))}, γ = ${formatNumber(state.gamma)})</p>`];
  const m = mdp.nActions;
  if (!run || !run.steps) lines.push("<p>no run</p>");
  else if (s.kind === "dynamics") {
    lines.push(`<p>Q<sub>${t}</sub>(s,a) = α log β<sub>${t}</sub>(s,a), at the start state ${escapeXml(mdp.stateName(start))}:</p><table>`);
    for (let a = 0; a < m; a++) lines.push(fact(`msg-q-${a}`, `Q<sub>${t}</sub>(start, ${escapeXml(mdp.actionName(a))})`, run.steps.Q[t]![start * m + a]));
    lines.push("</table>");
  } else if (s.kind === "prior") {
    lines.push(`<table>${fact("msg-v", `V<sub>${t}</sub>(start) = α log Σ<sub>a</sub> π₀ exp(Q<sub>${t}</sub>/α)`, run.steps.V[t]![start])}</table>`);
  } else {
    lines.push(`<table>${fact("msg-logz", "log Z = log Σ p₀(s) exp(V₀(s)/α)", run.logZ)}${fact("msg-elbo", "ELBO of the returned policy", run.elbo)}</table>`);
  }
  if (run?.steps && run.steps.V.every((V) => V.every((v) => v === 0))) lines.push(`<p class="help">All zero: within 2 steps no reward is reachable from the start, whatever the policy.</p>`);
  $("message").innerHTML = lines.join("");
}

let hardRun: { key: string; run: BackupRun } | undefined;

function drawBackups(mdp: TabularMdp): void {
  // max-product ignores alpha: its run is kept while only alpha changes.
  const key = JSON.stringify([world?.key, state.gamma, state.prior, state.demo]);
  if (!hardRun || hardRun.key !== key) hardRun = { key, run: backupRun(state, mdp, "hard") };
  const runs = [backupRun(state, mdp, "exact"), backupRun(state, mdp, "variational"), hardRun.run];
  $("backup-maps").innerHTML = inlineSvg(
    renderValuesSvg(
      mdp,
      runs.map((r) => panelOf(BACKUP_WORDS(r.backup), r.result, r.error)),
      { columns: 3, title: `V(s) and q(a|s), α = ${formatNumber(alphaOf(state))}, γ = ${formatNumber(state.gamma)}, one colour scale` },
    ),
  );
  const rows = runs.map(
    (r) =>
      `<tr data-backup="${r.backup}"><th scope="row">${BACKUP_WORDS(r.backup)}</th><td class="num" data-fact="vstart-${r.backup}" data-value="${r.vStart ?? ""}">${formatNumber(r.vStart)}</td>` +
      `<td class="num" data-fact="return-${r.backup}" data-value="${r.realReturn ?? ""}">${formatNumber(r.realReturn)}</td>` +
      `<td class="note">${r.error ? escapeXml(r.error) : r.result!.converged ? `converged in ${r.result!.iterations} sweeps` : "NOT converged"}</td></tr>`,
  );
  $("backup-facts").innerHTML =
    `<caption>Optimism in numbers: what each backup believes V(start) is, against the expected discounted return its policy really gets in the true dynamics (rewards only, no KL term).</caption>` +
    `<thead><tr><th scope="col">backup</th><th scope="col">V(start)</th><th scope="col">return of its policy</th><th scope="col"></th></tr></thead><tbody>${rows.join("")}</tbody>`;
}

let stripKey = "";

function drawTemperature(mdp: TabularMdp): void {
  const alpha = alphaOf(state);
  const main = trySolve(mdp, { backup: state.backup, alpha, gamma: state.gamma, diagnostics: false, ...priorOptions(state, mdp) });
  const result = "result" in main ? main.result : undefined;
  $("temp-map").innerHTML = inlineSvg(
    renderValuesSvg(mdp, [panelOf(`${BACKUP_WORDS(state.backup)}, α = ${formatNumber(alpha)}`, result, "error" in main ? main.error : undefined)], {
      title: `q(a|s) under the ${PRIORS.find((p) => p.id === state.prior)!.label} prior`,
    }),
  );
  const counts = demoCounts(mdp, state.demo);
  const demonstrated = counts.reduce((a, b) => a + b, 0);
  $("temp-facts").innerHTML =
    fact("temp-vstart", "V(start)", result ? startValue(mdp, result.V) : undefined) +
    fact("temp-entropy", "policy entropy (nats, occupancy-weighted)", result ? policyEntropy(mdp, result) : undefined, `uniform: log ${mdp.nActions} = ${formatNumber(Math.log(mdp.nActions))}`) +
    (state.prior === "demonstrations" ? fact("temp-demo", "demonstrated moves", demonstrated) : "");
  const demoBox = $("demo-box");
  demoBox.hidden = state.prior !== "demonstrations";
  if (!demoBox.hidden) {
    $("demo-editor").innerHTML = cellButtons(mdp, "demo");
    $("demo-text").textContent = state.demo.length === 0 ? "Click a cell to start a path, then its neighbours." : `path: ${state.demo.map((s) => mdp.stateName(s)).join(" → ")}`;
  }
  // The strip's alphas are fixed: it changes with the world, gamma, the prior and the backup only.
  const key = JSON.stringify([world?.key, state.gamma, state.prior, state.demo, state.backup]);
  if (stripKey !== key) {
    const strip = STRIP_ALPHAS.map((a) => {
      const r = trySolve(mdp, { backup: state.backup, alpha: a, gamma: state.gamma, diagnostics: false, ...priorOptions(state, mdp) });
      return panelOf(`α = ${a}`, "result" in r ? r.result : undefined, "error" in r ? r.error : undefined, "");
    });
    $("temp-strip").innerHTML = inlineSvg(renderValuesSvg(mdp, strip, { scale: "panel", columns: 4, title: `${BACKUP_WORDS(state.backup)}: the policy sharpens as α falls` }));
    stripKey = key;
  }
}

function drawEvidence(mdp: TabularMdp): void {
  input("horizon").disabled = !state.finite;
  input("time").disabled = !state.finite;
  input("time").max = String(state.horizon - 1);
  $("horizon-out").textContent = String(state.horizon);
  $("time-out").textContent = String(state.time);
  const ev = evidence(state, mdp);
  const gap = (elbo: number | null) => (ev.logZ !== null && elbo !== null ? ev.logZ - elbo : null);
  $("evidence-facts").innerHTML =
    `<caption>${state.finite ? `horizon H = ${state.horizon}` : "infinite horizon"}, α = ${formatNumber(alphaOf(state))}, γ = ${formatNumber(state.gamma)}; ELBOs in nats (reward/α units)</caption>` +
    fact("logz", "log Z (the evidence)", ev.logZ, state.finite ? "" : "log Z needs a finite horizon") +
    fact("elbo-variational", "ELBO of the variational policy q*", ev.elboVariational) +
    fact("elbo-exact", "ELBO of the exact posterior policy in the real dynamics", ev.elboExact) +
    fact("gap-variational", "log Z − ELBO(q*) = KL(q*(τ) ‖ p(τ | O))", gap(ev.elboVariational)) +
    fact("gap-exact", "log Z − ELBO(exact policy)", gap(ev.elboExact)) +
    (ev.error ? `<tr><td colspan="3" class="error" role="alert">${escapeXml(ev.error)}</td></tr>` : "");
  const t = state.finite ? Math.min(state.time, state.horizon - 1) : 0;
  const all: number[] = [];
  for (const r of [ev.exact, ev.variational]) for (const V of r?.steps?.V ?? (r ? [r.V] : [])) all.push(...V);
  $("evidence-maps").innerHTML = inlineSvg(
    renderValuesSvg(
      mdp,
      [panelOf(`exact: V${state.finite ? `_${t}` : ""}`, ev.exact, ev.exact ? undefined : (ev.error ?? "no run")), panelOf(`variational: V${state.finite ? `_${t}` : ""}`, ev.variational, ev.variational ? undefined : (ev.error ?? "no run"))],
      { step: t, columns: 2, ...(state.finite ? { valueRange: all } : {}), title: state.finite ? `V_t and q_t at t = ${t} of ${state.horizon} (one colour scale for every t)` : "V and q (infinite horizon)" },
    ),
  );
}

let sweepCache: { key: string; data: ReturnType<typeof sweeps> } | undefined;

function drawSweeps(mdp: TabularMdp): void {
  const key = JSON.stringify([world?.key, state.logAlpha, state.gamma, state.prior, state.demo, state.backup]);
  if (!sweepCache || sweepCache.key !== key) sweepCache = { key, data: sweeps(state, mdp) };
  const sw = sweepCache.data;
  const k = state.sweep;
  $("sweep-out").textContent = String(k);
  const Vk = sw.V[k];
  const star = sw.fixedPoint?.V;
  let dist: number | undefined;
  if (Vk && star) {
    dist = 0;
    for (let s = 0; s < mdp.nStates; s++) dist = Math.max(dist, Math.abs(Vk[s]! - star[s]!));
  }
  const res = sw.residual[k];
  const contracting = !RULES[state.backup].mayHaveNoFixedPoint;
  $("sweep-facts").innerHTML =
    `<caption>${BACKUP_WORDS(state.backup)}, α = ${formatNumber(alphaOf(state))}, γ = ${formatNumber(state.gamma)}</caption>` +
    fact("vk-start", `V<sub>${k}</sub>(start)`, Vk ? startValue(mdp, Vk) : undefined) +
    fact("residual", `residual max |V<sub>${k}</sub> − V<sub>${k - 1}</sub>|`, k > 0 ? res : undefined) +
    fact("distance", "max |V<sub>k</sub> − V*| (V* the fixed point)", dist, sw.fixedPoint ? `V* reached in ${sw.fixedPoint.iterations} sweeps` : "") +
    (contracting ? fact("bound", "bound γ · residual / (1 − γ) on that distance", k > 0 && res !== undefined ? (state.gamma * res) / (1 - state.gamma) : undefined) : "") +
    (sw.error ? `<tr><td colspan="3" class="error" role="alert">${escapeXml(sw.error)}</td></tr>` : "");
  if (!Vk) {
    $("sweep-map").innerHTML = "";
    return;
  }
  // A result-shaped panel for V_k (the policy of V_k: q_k from the next backup's Q, step k - 1 of the run).
  const range: number[] = [];
  for (const s of [0, Math.floor(SWEEP_MAX / 2), SWEEP_MAX]) range.push(...(sw.V[s] ?? []));
  if (star) range.push(...star);
  const steps = sweepPolicy(mdp, sw, k);
  $("sweep-map").innerHTML = inlineSvg(
    renderValuesSvg(mdp, [panelOf(`V_${k}`, steps, undefined, `k = ${k} backups from V₀ = 0`)], { valueRange: range, title: `V_k after k = ${k} sweeps (one colour scale for every k)` }),
  );
}

/** V_k with the policy of its last backup, shaped as a result for the picture. */
function sweepPolicy(mdp: TabularMdp, sw: ReturnType<typeof sweeps>, k: number): SolveResult {
  // The picture reads V, policy and steps only.
  return { V: sw.V[k]!, policy: sw.policy[k] ?? new Float64Array(mdp.nStates * mdp.nActions), steps: null, horizon: null } as unknown as SolveResult;
}

let sampleCache: { key: string; data: ReturnType<typeof sampleRuns> } | undefined;

/** One panel of sampled episodes on the grid, up to time `frame`. */
function samplePanel(mdp: TabularMdp, title: string, sum: SampleSummary, frame: number, x0: number, cell: number): string {
  const grid = gridShape(mdp)!;
  const parts: string[] = [text(x0, 16, title, { "font-size": 14, "font-weight": "bold", fill: "#111111" })];
  const top = 26;
  const kindFill: Record<string, string> = { start: "#fde68a", frozen: "#dbeafe", free: "#dbeafe", hole: "#1f2937", goal: "#6ee7b7", cliff: "#9ca3af" };
  for (let s = 0; s < mdp.nStates; s++) {
    const { row, col } = grid.position(s);
    const kind = grid.kindOf(s);
    parts.push(el("rect", { x: x0 + col * cell, y: top + row * cell, width: cell, height: cell, fill: kindFill[kind] ?? "#f3f4f6", stroke: "#ffffff" }, [el("title", {}, `${mdp.stateName(s)} (${kind})`)]));
  }
  sum.samples.episodes.forEach((e, i) => {
    const jx = (((i * 37) % 9) - 4) * (cell / 22);
    const jy = (((i * 53) % 9) - 4) * (cell / 22);
    const upto = Math.min(frame, e.states.length - 1);
    const pts = e.states.slice(0, upto + 1).map((s) => {
      const { row, col } = grid.position(s);
      return `${px(x0 + (col + 0.5) * cell + jx)},${px(top + (row + 0.5) * cell + jy)}`;
    });
    const colour = CATEGORY_COLOURS[i % 6]!;
    if (pts.length > 1) parts.push(el("polyline", { points: pts.join(" "), fill: "none", stroke: colour, "stroke-width": 2, "stroke-opacity": 0.55, "stroke-linejoin": "round" }));
    const [cx, cy] = pts[pts.length - 1]!.split(",").map(Number);
    const ended = frame >= e.states.length - 1;
    parts.push(el("circle", { class: "walker", "data-episode": i, cx: cx!, cy: cy!, r: cell / 9, fill: ended ? "#ffffff" : colour, stroke: colour, "stroke-width": 1.5 }));
  });
  return el("g", { class: "sample-panel" }, parts);
}

function drawSamples(mdp: TabularMdp): void {
  const key = JSON.stringify([world?.key, state.logAlpha, state.gamma, state.prior, state.demo, state.seed]);
  if (!sampleCache || sampleCache.key !== key) sampleCache = { key, data: sampleRuns(state, mdp) };
  const runs = sampleCache.data;
  $("frame-out").textContent = String(state.frame);
  const grid = gridShape(mdp);
  if (runs.error || !runs.policy || !runs.posterior || !grid) {
    $("samples").innerHTML = `<p class="error">${escapeXml(runs.error ?? "samples are drawn on grid worlds")}</p>`;
    $("sample-facts").innerHTML = "";
    return;
  }
  const cell = Math.max(22, Math.min(48, Math.floor(460 / grid.cols)));
  const w = grid.cols * cell;
  const body = [samplePanel(mdp, "q(τ): the exact policy, real dynamics", runs.policy, state.frame, 0, cell), samplePanel(mdp, "p(τ | O): the exact posterior", runs.posterior, state.frame, w + 40, cell)];
  $("samples").innerHTML = svgElement(2 * w + 40, 26 + grid.rows * cell + 4, `sampled episodes at time ${state.frame}`, body);
  const row = (key: string, label: string, a: number, b: number) =>
    `<tr data-fact="${key}"><th scope="row">${label}</th><td class="num" data-value="${a}">${formatNumber(a)}</td><td class="num" data-value="${b}">${formatNumber(b)}</td></tr>`;
  const n = SAMPLE_EPISODES;
  $("sample-facts").innerHTML =
    `<caption>${n} episodes each, seed ${state.seed}; exact backup, α = ${formatNumber(alphaOf(state))}, γ = ${formatNumber(state.gamma)}</caption>` +
    `<thead><tr><th scope="col"></th><th scope="col">q(τ), real dynamics</th><th scope="col">p(τ | O), posterior</th></tr></thead>` +
    row("mean-return", "mean return per episode (undiscounted)", runs.policy.meanReturn, runs.posterior.meanReturn) +
    row("ended-done", "episodes that ended at a done entry", runs.policy.ends.done, runs.posterior.ends.done) +
    row("ended-death", "episodes that ended in the death state (1 − γ)", runs.policy.ends.death, runs.posterior.ends.death) +
    row("ended-cut", `episodes cut at ${SAMPLE_STEPS} steps`, runs.policy.ends.cut, runs.posterior.ends.cut);
}

let playing: ReturnType<typeof setInterval> | undefined;

function stopPlaying(): void {
  if (playing !== undefined) clearInterval(playing);
  playing = undefined;
  $("play").setAttribute("aria-pressed", "false");
  $("play").textContent = "play";
}

function togglePlay(): void {
  if (playing !== undefined) return stopPlaying();
  $("play").setAttribute("aria-pressed", "true");
  $("play").textContent = "pause";
  let frame = state.frame >= SAMPLE_STEPS ? 0 : state.frame;
  playing = setInterval(() => {
    input("frame").value = String(frame);
    update({ ...state, frame }, "animation");
    if (++frame > SAMPLE_STEPS) stopPlaying();
  }, 120);
}

function drawDerivation(): void {
  const chosen = select("derive-backup").value;
  for (const d of Array.from($("derivations").querySelectorAll<HTMLElement>("[data-derivation]"))) d.hidden = d.dataset.derivation !== chosen;
}

/** Re-solve and redraw the open step; record how long it took. */
function redraw(cause: string): void {
  const t0 = performance.now();
  $("alpha-out").textContent = formatNumber(alphaOf(state));
  $("gamma-out").textContent = formatNumber(state.gamma);
  $("success-out").textContent = formatNumber(state.successRate);
  input("success").disabled = !state.slippery || state.world === "cliff";
  const built = currentWorld();
  const mdp = "mdp" in built ? built.mdp : undefined;
  const error = "error" in built ? built.error : undefined;
  $("status").textContent = message || (error ? `the map cannot be solved: ${error}` : "");
  document.body.dataset.alpha = String(alphaOf(state));
  if (step === "world") drawWorld(mdp, error);
  else if (step === "derivation") drawDerivation();
  else if (!mdp) {
    stripKey = "";
    const sec = $(`step-${step}`);
    sec.querySelectorAll(".picture, .facts").forEach((e) => (e.innerHTML = ""));
  } else if (step === "graph") drawGraph(mdp);
  else if (step === "backups") drawBackups(mdp);
  else if (step === "temperature") drawTemperature(mdp);
  else if (step === "evidence") drawEvidence(mdp);
  else if (step === "sweeps") drawSweeps(mdp);
  else if (step === "samples") drawSamples(mdp);
  const ms = performance.now() - t0;
  timings.push({ cause, step, ms });
  document.body.dataset.redraws = String(timings.length);
  message = "";
}

function openStep(id: StepId, focus = false): void {
  if (id !== "samples") stopPlaying();
  step = id;
  for (const s of STEPS) {
    const tab = $(`tab-${s.id}`);
    const on = s.id === id;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    $(`step-${s.id}`).hidden = !on;
    if (on && focus) tab.focus();
  }
  redraw(`open ${id}`);
}

function update(next: LessonState, cause: string): void {
  state = next;
  window.caiLesson!.state = state;
  redraw(cause);
}

function wire(): void {
  const tabs = $("tabs");
  tabs.addEventListener("click", (e) => {
    const b = (e.target as HTMLElement).closest<HTMLElement>("[data-step]");
    if (b) openStep(b.dataset.step as StepId);
  });
  tabs.addEventListener("keydown", (e) => {
    const i = STEPS.findIndex((s) => s.id === step);
    if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      const j = (i + (e.key === "ArrowRight" ? 1 : STEPS.length - 1)) % STEPS.length;
      openStep(STEPS[j]!.id, true);
      e.preventDefault();
    }
  });
  select("world").addEventListener("change", () => update(withWorld(state, select("world").value as WorldId), "world"));
  input("slippery").addEventListener("change", () => update({ ...state, slippery: input("slippery").checked }, "slippery"));
  input("success").addEventListener("input", () => update({ ...state, successRate: Number(input("success").value) }, "success rate"));
  input("alpha").addEventListener("input", () => update({ ...state, logAlpha: Number(input("alpha").value) }, "alpha"));
  input("gamma").addEventListener("input", () => update({ ...state, gamma: Number(input("gamma").value) }, "gamma"));
  select("prior").addEventListener("change", () => update({ ...state, prior: select("prior").value as PriorId }, "prior"));
  select("backup").addEventListener("change", () => update({ ...state, backup: select("backup").value as Backup }, "backup"));
  input("finite").addEventListener("change", () => update({ ...state, finite: input("finite").checked }, "finite"));
  input("horizon").addEventListener("input", () => {
    const horizon = Number(input("horizon").value);
    update({ ...state, horizon, time: Math.min(state.time, horizon - 1) }, "horizon");
  });
  input("time").addEventListener("input", () => update({ ...state, time: Number(input("time").value) }, "time"));
  input("sweep").addEventListener("input", () => update({ ...state, sweep: Number(input("sweep").value) }, "sweep"));
  select("derive-backup").addEventListener("change", () => redraw("derivation"));
  input("seed").addEventListener("change", () => {
    const seed = Math.max(0, Math.floor(Number(input("seed").value)));
    if (Number.isSafeInteger(seed)) update({ ...state, seed }, "seed");
  });
  $("resample").addEventListener("click", () => {
    input("seed").value = String(state.seed + 1);
    update({ ...state, seed: state.seed + 1 }, "seed");
  });
  input("frame").addEventListener("input", () => update({ ...state, frame: Number(input("frame").value) }, "frame"));
  $("play").addEventListener("click", togglePlay);
  $("map-editor").addEventListener("click", (e) => {
    const b = (e.target as HTMLElement).closest<HTMLElement>("button.cell");
    if (!b || !editable(state.world)) return;
    const row = Number(b.dataset.row);
    const col = Number(b.dataset.col);
    update({ ...state, map: cycleCell(state.map, row, col), demo: [] }, "edit cell");
    // Keep the keyboard focus on the cell that was edited.
    $("map-editor").querySelector<HTMLElement>(`button[data-row="${row}"][data-col="${col}"]`)?.focus();
  });
  $("demo-editor").addEventListener("click", (e) => {
    const b = (e.target as HTMLElement).closest<HTMLElement>("button.cell");
    const built = currentWorld();
    if (!b || !("mdp" in built)) return;
    const s = Number(b.dataset.state);
    const r = extendDemo(state, built.mdp, s);
    if (r.message) message = r.message;
    update(r.state, "demonstration");
    $("demo-editor").querySelector<HTMLElement>(`button[data-state="${s}"]`)?.focus();
  });
  $("demo-clear").addEventListener("click", () => update({ ...state, demo: [] }, "clear demonstration"));
  const graph = $("graph");
  const onMessage = (e: Event) => {
    const g = (e.target as Element).closest("g.message");
    const built = currentWorld();
    if (g && "mdp" in built) showMessage(built.mdp, Number(g.getAttribute("data-step")));
  };
  graph.addEventListener("mouseover", onMessage);
  graph.addEventListener("focusin", onMessage);
}

/** Start the page: the skeleton into #app, the controls wired, step 1 drawn. */
export function start(): void {
  const app = document.getElementById("app")!;
  const derivations = document.getElementById("derivation-html") as HTMLTemplateElement | null;
  app.innerHTML = skeleton(derivations ? derivations.innerHTML : "<p>(no derivations in this build)</p>");
  window.caiLesson = { state, timings };
  wire();
  input("slippery").checked = state.slippery;
  openStep("world");
}

start();
