import { ParameterError, UsageError } from "../../errors.js";
import { TrajectoryGraph } from "../../graph/trajectory-graph.js";
import { BACKUPS, isBackup, type Backup } from "../../inference/rules/index.js";
import type { SolveOptions } from "../../inference/solve.js";
import { loadMdp } from "../tables.js";
import { renderGraphSvg } from "../../render/graph-svg.js";
import { gridOfPanels, settingsText, solvePanel } from "../../render/runs.js";
import { renderValuesSvg, type ValuePanel } from "../../render/values-svg.js";
import { refuseTerminal, writeOutput } from "../../render/output.js";
import { numberFlag, onePositional, parseFlags, parseNumber, type Command, warn } from "../common.js";
import { InputError, type Problem } from "../../errors.js";
import { solve } from "../../inference/solve.js";
import { withReward } from "../../learning/irl.js";
import { parseJson } from "../../mdp/json.js";
import { readSource } from "../../mdp/read-source.js";
import type { TabularMdp } from "../../mdp/tabular.js";
import { SOLVE_FLAGS, SOLVE_FLAGS_HELP, SOLVE_FLAGS_USAGE, solveOptionsFromFlags } from "../solve-flags.js";
import { preview } from "../../preview.js";
import { checkDrawable } from "../../limits.js";

const graphUsage = "cai render graph FILE [--horizon H] [--gamma G] [--messages] [--title T] [--out G.svg]";
const valuesUsage = `cai render values FILE ${SOLVE_FLAGS_USAGE} [--backups B1,B2] [--alphas A1,A2,...] [--scale shared|panel] [--columns N] [--step T] [--title T] [--out V.svg]\n       cai render values FILE --reward REWARD.json [--title T] [--out R.svg]`;
const usage = `${graphUsage}\nusage: ${valuesUsage}`;

/** "a,b,c" -> numbers, each checked and named by the flag. */
export function numberList(value: string, flag: string, check: { exclusiveMin?: number } = {}): number[] {
  const parts = value.split(",").map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => p === "")) throw new ParameterError(flag, `"${value}" is not a comma-separated list of numbers`);
  return parts.map((p) => parseNumber(p, flag, check));
}

/** "exact,variational" -> backups, each checked. */
export function backupList(value: string): Backup[] {
  const parts = value.split(",").map((s) => s.trim());
  for (const p of parts) {
    if (!isBackup(p)) throw new ParameterError("--backups", `"${p}" is not one of ${BACKUPS.join(", ")}`);
  }
  return parts as Backup[];
}

function renderGraph(argv: string[]): number {
  const { values, positionals } = parseFlags(
    argv,
    { horizon: { type: "string" }, gamma: { type: "string" }, messages: { type: "boolean" }, title: { type: "string" }, out: { type: "string" } },
    graphUsage,
  );
  const file = onePositional(positionals, "FILE", graphUsage);
  refuseTerminal(values.out, "the SVG picture");
  const gamma = numberFlag(values.gamma, "--gamma", 1, { exclusiveMin: 0, max: 1 });
  const horizon = values.horizon === undefined ? undefined : numberFlag(values.horizon, "--horizon", 1, { integer: true, min: 1, max: 12 });
  const mdp = loadMdp(file);
  const tg = TrajectoryGraph.forMdp(mdp, gamma, horizon);
  const svg = renderGraphSvg(tg, { messages: values.messages ?? false, ...(values.title !== undefined ? { title: values.title } : {}) });
  writeOutput(values.out, svg, "--out", "the graph picture (SVG)");
  return 0;
}

/** n x m (or n, broadcast over actions) finite numbers under `key` of a document; null when absent and optional. */
function tableOf(doc: Record<string, unknown>, key: string, mdp: TabularMdp, source: string, probabilities: boolean): Float64Array | null {
  if (!(key in doc)) return null;
  const { nStates: n, nActions: m } = mdp;
  const t = doc[key];
  const out = new Float64Array(n * m);
  const problems: Problem[] = [];
  const bad = (path: string, message: string, state?: number) =>
    problems.length < 20 && problems.push({ code: "bad-table", path: `${source}: ${path}`, message: `${source}: ${path}: ${message}`, ...(state !== undefined ? { state } : {}) });
  const num = (v: unknown) => typeof v === "number" && Number.isFinite(v) && (!probabilities || v >= 0);
  if (!Array.isArray(t) || t.length !== n) bad(key, `expected ${n} rows (one per state), got ${Array.isArray(t) ? t.length : typeof t}`);
  else
    t.forEach((row: unknown, s) => {
      if (!probabilities && num(row)) out.fill(row as number, s * m, (s + 1) * m);
      else if (!Array.isArray(row) || row.length !== m) bad(`${key}[${s}]`, `expected ${m} numbers (one per action)${probabilities ? "" : " or one number"}`, s);
      else row.forEach((v: unknown, a) => (num(v) ? (out[s * m + a] = v as number) : bad(`${key}[${s}][${a}]`, `${preview(v)} is not a finite number${probabilities ? " >= 0" : ""}`, s)));
    });
  if (problems.length > 0) throw new InputError(problems);
  return out;
}

/**
 * A panel of a reward table (what `cai irl --json` prints, or {"reward": r[s][a]}): the number in a
 * cell is sum_a q(a|s) r(s, a) with the file's "policy", else max_a r(s, a) with arrows on the best actions.
 */
function rewardPanel(mdp: TabularMdp, path: string): { panel: ValuePanel; valueName: string } {
  const source = path === "-" ? "<stdin>" : path;
  const doc = parseJson(readSource(path), source);
  if (typeof doc !== "object" || doc === null || Array.isArray(doc) || !("reward" in doc)) {
    throw new InputError([{ code: "bad-table", path: source, message: `${source}: expected an object {"reward": r[s][a]} (cai irl --json writes one)` }]);
  }
  const o = doc as Record<string, unknown>;
  const reward = tableOf(o, "reward", mdp, source, false)!;
  const given = tableOf(o, "policy", mdp, source, true);
  // The greedy policy on r (ties shared): the hard backup over one step, whose Q is the table itself.
  const greedy = solve(withReward(mdp, reward), { backup: "hard", horizon: 1, diagnostics: false });
  const policy = given ?? greedy.policy;
  const m = mdp.nActions;
  const cell = new Float64Array(mdp.nStates);
  for (let s = 0; s < mdp.nStates; s++) {
    let acc = given ? 0 : -Infinity;
    for (let a = 0; a < m; a++) acc = given ? acc + policy[s * m + a]! * reward[s * m + a]! : Math.max(acc, reward[s * m + a]!);
    cell[s] = acc;
  }
  const valueName = given ? "Σₐ q(a|s) r(s,a)" : "maxₐ r(s,a)";
  return {
    panel: { title: "learned reward", subtitle: given ? "arrows: the file's policy" : "arrows: the most rewarding actions", result: { ...greedy, V: cell, policy } },
    valueName,
  };
}

function renderValues(argv: string[]): number {
  const { values, positionals } = parseFlags(
    argv,
    {
      ...SOLVE_FLAGS,
      backups: { type: "string" },
      alphas: { type: "string" },
      scale: { type: "string" },
      columns: { type: "string" },
      step: { type: "string" },
      title: { type: "string" },
      out: { type: "string" },
      reward: { type: "string" },
    },
    valuesUsage,
  );
  const file = onePositional(positionals, "FILE", valuesUsage);
  refuseTerminal(values.out, "the SVG picture");
  if (values.reward !== undefined) {
    const others = Object.keys(values).filter((k) => k !== "reward" && k !== "title" && k !== "out");
    if (others.length > 0) throw new ParameterError("--reward", `draws a reward table as it is; --${others[0]} does not apply`);
    const mdp = loadMdp(file);
    checkDrawable(mdp.nActions, "render values");
    const { panel, valueName } = rewardPanel(mdp, values.reward);
    const name = typeof mdp.meta.name === "string" ? mdp.meta.name : "MDP";
    writeOutput(values.out, renderValuesSvg(mdp, [panel], { title: values.title ?? `${name}: a reward table`, valueName }), "--out", "the reward picture (SVG)");
    return 0;
  }
  const scale = values.scale ?? (values.alphas !== undefined ? "panel" : "shared");
  if (scale !== "shared" && scale !== "panel") throw new ParameterError("--scale", `"${scale}" is not shared or panel`);
  const backups = values.backups === undefined ? undefined : backupList(values.backups);
  const alphas = values.alphas === undefined ? undefined : numberList(values.alphas, "--alphas", { exclusiveMin: 0 });
  const columns = values.columns === undefined ? undefined : numberFlag(values.columns, "--columns", 1, { integer: true, min: 1 });
  const mdp = loadMdp(file);
  checkDrawable(mdp.nActions, "render values");
  const base: SolveOptions = solveOptionsFromFlags(values, mdp);
  const step = values.step === undefined ? 0 : numberFlag(values.step, "--step", 0, { integer: true, min: 0 });
  if (step > 0 && (base.horizon === undefined || step >= base.horizon)) {
    throw new ParameterError("--step", base.horizon === undefined ? "needs a finite --horizon" : `must be below the horizon ${base.horizon}`);
  }
  let panels: ValuePanel[];
  if (backups === undefined && alphas === undefined) {
    // One run: its failure is the command's failure (exit 1), as for cai solve.
    panels = [solvePanel(mdp, base, base.backup ?? "variational", { catchRunErrors: false })];
  } else {
    // Titles name what varies: the backup, alpha, or both.
    const titles = { backup: backups !== undefined || alphas === undefined, alpha: alphas !== undefined || backups === undefined };
    panels = gridOfPanels(mdp, base, backups ?? [base.backup ?? "variational"], alphas ?? [base.alpha ?? 1], { catchRunErrors: !base.strict }, titles);
  }
  for (const p of panels) {
    for (const w of p.result?.warnings ?? []) warn(`${p.title}: ${w}`);
    if (p.error !== undefined) warn(`${p.title}: ${p.error}`);
  }
  const name = typeof mdp.meta.name === "string" ? mdp.meta.name : "MDP";
  const varied = backups && alphas ? "backups × temperatures" : backups ? "backups side by side" : alphas ? "an alpha sweep" : undefined;
  const title = values.title ?? `${name}: V(s) and q(a|s), ${varied ?? base.backup ?? "variational"} (${settingsText(base, { alpha: !alphas })})`;
  const svg = renderValuesSvg(mdp, panels, { title, scale, step, ...(columns !== undefined ? { columns } : {}) });
  writeOutput(values.out, svg, "--out", `the values picture (SVG, ${panels.length} panel${panels.length > 1 ? "s" : ""})`);
  return 0;
}

const command: Command = {
  name: "render",
  summary: "pictures as self-contained SVG: the factor graph, values and policies (side by side, alpha sweeps)",
  help: [
    `usage: ${usage}`,
    "",
    "Writes a self-contained SVG (no network, no external fonts, no scripts) to --out (default: standard output).",
    "",
    "render graph: the trajectory factor graph of FILE: variables as circles (observed O_t shaded), factors as",
    "squares, edges labelled with the factor's interface names (out, s, a, next, O), laid out by time slice.",
    "  --horizon H      unroll over t = 0..H-1 (1..12); absent: the stationary slice whose P.next loops back to s",
    "  --gamma G        discount (adds the death state to the state domain when < 1; default 1)",
    "  --messages       draw the backward message schedule read off the graph (numbered orange arrows)",
    "",
    "render values: solve FILE and draw V(s) and the policy q(a|s). A grid environment written with",
    "`cai env NAME --format native` (FrozenLake, CliffWalking, open lakes: the grid is in its meta) is drawn",
    "as a heat map with policy arrows (length proportional to q(a|s), directions from the action names);",
    "any other MDP as a bar chart of V per state with the policy as stacked bars.",
    "",
    SOLVE_FLAGS_HELP,
    "  --backups LIST   one panel per backup, side by side, e.g. exact,variational (a run without a fixed",
    "                   point becomes a panel that says so, unless --strict)",
    "  --alphas LIST    one panel per temperature (small multiples), e.g. 0.1,1,10; with --backups: a grid",
    "  --scale S        shared (one colour range for all panels; default) or panel (one per panel; default",
    "                   with --alphas)",
    "  --columns N      panels per row (default: as many side by side as keep the cells readable)",
    "  --step T         with --horizon: draw V_T and policy_T (default 0)",
    '  --reward FILE    draw a reward table instead of solving: {"reward": r[s][a] or r[s]} (what cai irl --json',
    "                   prints); a cell shows sum_a q(a|s) r(s,a) with the file's \"policy\", else max_a r(s,a)",
    "",
    "  --title T        the picture's title",
    "  --out FILE       where to write the SVG (default: standard output)",
    "",
    "Exit status: 0 success, 1 a single run that failed (no fixed point, or not converged under --strict),",
    "2 bad input.",
  ].join("\n"),
  run(argv) {
    const [sub, ...rest] = argv;
    if (sub === "graph") return renderGraph(rest);
    if (sub === "values") return renderValues(rest);
    if (sub === undefined) throw new UsageError(`missing what to render (graph or values)\nusage: ${usage}`);
    throw new UsageError(`unknown picture "${sub}" (pictures: graph, values)\nusage: ${usage}`);
  },
};
export default command;
