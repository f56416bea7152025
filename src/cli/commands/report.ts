import { ParameterError } from "../../errors.js";
import type { Backup } from "../../inference/rules/index.js";
import { solve } from "../../inference/solve.js";
import { loadMdp } from "../tables.js";
import { refuseTerminal, writeOutput } from "../../render/output.js";
import { renderReport, reportRuns, ruleDerivation, type ReportDerivation } from "../../render/report.js";
import { checkDrawable } from "../../limits.js";
import { numberFlag, onePositional, parseFlags, type Command, warn } from "../common.js";
import { SOLVE_FLAGS, SOLVE_FLAGS_HELP, SOLVE_FLAGS_USAGE, resultJson, solveOptionsFromFlags } from "../solve-flags.js";
import { backupList, numberList } from "./render.js";
import { MODELS } from "../../../models/index.js";
import { defaultModel } from "../models.js";

const usage = `cai report FILE ${SOLVE_FLAGS_USAGE} [--backups B1,B2] [--alphas A1,A2,...] [--graph-horizon H] [--no-derivation] [--out report.html]`;

/**
 * The symbolic derivation of `cai derive` (src/derive, loaded here on first use: it loads mathjs,
 * about 2 s), or the rule objects' equations when it fails.
 */
async function derivation(backup: Backup, model: string): Promise<ReportDerivation> {
  const api = await import("../../derive/index.js");
  // A --prior table without --model ("custom") is derived with the default model's section.
  const symbolic = (MODELS.find((m) => m.name === model) ?? defaultModel()).symbolic;
  try {
    const d = await api.derive({ backup, model: symbolic });
    return { source: "derive", text: api.formatDerivation(d, "text"), latex: api.formatDerivation(d, "latex") };
  } catch (e) {
    return { ...ruleDerivation(backup), note: `the symbolic derivation failed: ${(e as Error).message}` };
  }
}

const command: Command = {
  name: "report",
  summary: "one self-contained HTML page of a run: the factor graph, the derivation, values and policies, the numbers",
  help: [
    `usage: ${usage}`,
    "",
    "Solves FILE and writes one self-contained HTML page (no scripts, no network, pictures inline as SVG):",
    "the factor graph with its backward schedule, the derivation of the messages (cai derive), the values",
    "and policy of the run, exact against variational side by side, an alpha sweep as small multiples,",
    "and the numbers (a table of V and q(a|s), and the full JSON of cai solve --json).",
    "",
    SOLVE_FLAGS_HELP,
    "  --backups LIST   the backups compared side by side (default exact,variational)",
    "  --alphas LIST    the temperatures of the sweep (default alpha/10, alpha, 10 alpha)",
    "  --graph-horizon H  unroll the graph picture over H steps (default min(horizon, 3); stationary slice",
    "                   for an infinite horizon)",
    "  --no-derivation  the rules' equations instead of the symbolic derivation (skips loading mathjs)",
    "  --out FILE       where to write the page (default: standard output)",
    "",
    "Exit status: 0 success, 1 the run failed (no fixed point, or not converged under --strict), 2 bad input.",
  ].join("\n"),
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      { ...SOLVE_FLAGS, backups: { type: "string" }, alphas: { type: "string" }, "graph-horizon": { type: "string" }, "no-derivation": { type: "boolean" }, out: { type: "string" } },
      usage,
    );
    const file = onePositional(positionals, "FILE", usage);
    refuseTerminal(values.out, "the HTML page");
    const backups = values.backups === undefined ? undefined : backupList(values.backups);
    const alphas = values.alphas === undefined ? undefined : numberList(values.alphas, "--alphas", { exclusiveMin: 0 });
    const graphHorizon = values["graph-horizon"] === undefined ? undefined : numberFlag(values["graph-horizon"], "--graph-horizon", 1, { integer: true, min: 1, max: 12 });
    const mdp = loadMdp(file);
    checkDrawable(mdp.nActions, "report");
    const options = solveOptionsFromFlags(values, mdp);
    if (options.horizon !== undefined && graphHorizon !== undefined && graphHorizon > options.horizon) {
      throw new ParameterError("--graph-horizon", `must be at most the horizon ${options.horizon}`);
    }
    const result = solve(mdp, options);
    for (const w of result.warnings) warn(`${w}`);
    const runs = reportRuns(mdp, options, { ...(backups ? { backups } : {}), ...(alphas ? { alphas } : {}), ...(graphHorizon !== undefined ? { graphHorizon } : {}) });
    const model = values.model ?? (values.prior !== undefined ? "custom" : defaultModel().name);
    const d = values["no-derivation"] ? { ...ruleDerivation(result.backup), note: "--no-derivation" } : await derivation(result.backup, model);
    const page = renderReport({
      mdp,
      source: file === "-" ? "<stdin>" : file,
      options,
      result,
      model,
      ...runs,
      derivation: d,
      json: resultJson(result, false),
      command: ["cai", "report", ...argv].join(" "),
    });
    writeOutput(values.out, page, "--out", "the report (HTML)");
    return 0;
  },
};
export default command;
