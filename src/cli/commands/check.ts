/**
 * `cai check`: judge a Q-table computed elsewhere against the engine.
 */
import { InputError, ParameterError, UsageError } from "../../errors.js";
import { NUMERIC_LIMITS } from "../../limits.js";
import { loadMdp, readQTableFile } from "../tables.js";
import { CHECK_DEFAULTS, checkQTable, type CheckReport } from "../../diagnostics/check.js";
import type { TabularMdp } from "../../mdp/tabular.js";
import { numberFlag, onePositional, parseFlags, printJson, type Command, warn } from "../common.js";
import { SOLVE_FLAGS, SOLVE_FLAGS_HELP, SOLVE_FLAGS_USAGE, solveSetupFromFlags } from "../solve-flags.js";

// --tol is the comparison tolerance here; the engine runs to a tolerance derived from it.
const solveUsage = SOLVE_FLAGS_USAGE.replace("[--tol T] ", "");
const solveHelp = SOLVE_FLAGS_HELP.split("\n")
  .filter((l) => !l.trimStart().startsWith("--tol"))
  .join("\n");

const usage = `cai check FILE --q THEIR_Q.json|.csv|.npy|.npz ${solveUsage} [--tol T] [--top K] [--json]`;

const FLAGS = { ...SOLVE_FLAGS, q: { type: "string" }, top: { type: "string" }, json: { type: "boolean" } } as const;

const fmt = (x: number): string => (x === 0 ? "0" : Math.abs(x) >= 1e5 || Math.abs(x) < 1e-3 ? x.toExponential(3) : x.toFixed(6));

function text(mdp: TabularMdp, rep: CheckReport, source: string, format: string): string {
  const e = rep.engine;
  const lines = [
    `their Q: ${source} (${format}, ${mdp.nStates} x ${mdp.nActions}); engine: backup ${e.backup}, alpha ${e.alpha}, gamma ${e.gamma}, ` +
      `${e.horizon === null ? "infinite horizon" : `horizon ${e.horizon}`}, prior ${e.prior}`,
    `max |their Q - engine Q| = ${fmt(rep.maxAbsDifference)}: ${rep.withinTolerance ? "within" : "NOT within"} the tolerance ${rep.tol === 0 || rep.tol >= 1e-3 ? rep.tol : rep.tol.toExponential()}`,
  ];
  if (rep.bellmanResidual !== null) {
    lines.push(
      `Bellman residual of their Q under the ${e.backup} backup: max |T(Q) - Q| = ${fmt(rep.bellmanResidual)}` +
        (rep.distanceBound !== null ? ` (so max |Q - Q*| <= ${fmt(rep.distanceBound)})` : ""),
    );
  } else lines.push("Bellman residual: not defined for the Q_0 of a finite horizon alone");
  if (rep.largest.length > 0) {
    const head = ["state", "action", "theirs", "engine", "theirs - engine"];
    const body = rep.largest.map((d) => [mdp.stateName(d.state), mdp.actionName(d.action), fmt(d.theirs), fmt(d.engine), fmt(d.difference)]);
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
    lines.push("", "largest differences:", ...[head, ...body].map((r) => "  " + r.map((c, i) => c.padStart(widths[i]!)).join("  ")));
  }
  if (rep.constantOffset) {
    const u = rep.constantOffset.perAlphaLogMOverOneMinusGamma;
    lines.push("", `their Q - engine Q is one constant, ${fmt(rep.constantOffset.value)}${u === null ? "" : ` = ${u.toPrecision(6)} x alpha log(m) / (1 - gamma)`}`);
  }
  if (rep.conventions.length > 0) {
    const w = Math.max(...rep.conventions.map((c) => c.name.length));
    lines.push("", "conventions (max |their Q - Q under the convention|):");
    for (const c of rep.conventions) {
      const verdict = c.skipped !== null ? `not tested: ${c.skipped}` : `${fmt(c.maxAbsDifference!)}${c.matches ? "  MATCHES" : ""}`;
      lines.push(`  ${c.name.padEnd(w)}  ${verdict}`);
    }
    if (rep.explanation.length > 0) {
      const best = rep.conventions.find((c) => c.name === rep.explanation[0])!;
      lines.push("", `explanation: their table is the engine's Q under "${best.name}": ${best.description}`);
    } else lines.push("", "explanation: none of the known convention mismatches explains the difference");
  }
  return lines.join("\n");
}

function json(mdp: TabularMdp, rep: CheckReport, model: string, source: string, format: string): Record<string, unknown> {
  return {
    within_tolerance: rep.withinTolerance,
    tol: rep.tol,
    max_abs_difference: rep.maxAbsDifference,
    largest_differences: rep.largest.map((d) => ({
      state: d.state,
      action: d.action,
      state_name: mdp.stateName(d.state),
      action_name: mdp.actionName(d.action),
      theirs: d.theirs,
      engine: d.engine,
      difference: d.difference,
    })),
    bellman_residual: rep.bellmanResidual,
    distance_bound: rep.distanceBound,
    constant_offset: rep.constantOffset && { value: rep.constantOffset.value, per_alpha_log_m_over_1_minus_gamma: rep.constantOffset.perAlphaLogMOverOneMinusGamma },
    conventions: rep.conventions.map((c) => ({ name: c.name, description: c.description, max_abs_difference: c.maxAbsDifference, matches: c.matches, skipped: c.skipped })),
    explanation: rep.explanation,
    engine: { model, ...rep.engine },
    their_q: { file: source, format, states: mdp.nStates, actions: mdp.nActions },
  };
}

const command: Command = {
  name: "check",
  summary: "judge a Q-table computed elsewhere: Bellman residual, largest differences, known convention mismatches",
  help: [
    `usage: ${usage}`,
    "",
    "Reads their Q (JSON: a list of n rows of m numbers, or {\"Q\": ...} such as cai solve --json prints; CSV:",
    "n rows of m numbers separated by commas, semicolons, tabs or spaces, an optional header line, pandas' index",
    "column; numpy: a .npy of shape (n, m), or an .npz with an array Q such as cai solve --npz writes) and compares it with the engine's Q for FILE under the solve flags: its Bellman residual under the",
    "chosen backup, the largest differences with their states and actions, and, when it differs, whether a",
    "known convention explains it: the entropy form instead of KL (offset alpha log(m)/(1 - gamma)), the",
    "temperature given as its inverse, gamma inside the log-sum-exp or (exact backup) in the exponent or",
    "outside the log, a state-only reward, another backup.",
    "",
    solveHelp,
    "  --q FILE         their Q-table (.json, .csv, .npy or .npz; - for standard input when FILE is not -), required",
    `  --tol T          the tolerance on max |their Q - engine Q|, reward units (default ${CHECK_DEFAULTS.tol.toExponential()})`,
    `  --top K          how many of the largest differences to list (default ${CHECK_DEFAULTS.top})`,
    "  --json           one JSON object: within_tolerance, max_abs_difference, largest_differences, bellman_residual,",
    "                   conventions, explanation, engine",
    "",
    "Exit status: 0 their table is within --tol of the engine's, 1 it is not (or the engine has no fixed point),",
    "2 bad input (an MDP or Q-table that cannot be read, a Q-table of the wrong shape, a bad flag).",
  ].join("\n"),
  run(argv) {
    const { values, positionals } = parseFlags(argv, FLAGS, usage);
    const file = onePositional(positionals, "FILE", usage);
    if (values.q === undefined) throw new ParameterError("--q", "is required: their Q-table, a .json, .csv, .npy or .npz file");
    if (values.q === "-" && file === "-") throw new UsageError(`FILE and --q cannot both be standard input\nusage: ${usage}`);
    const tol = numberFlag(values.tol, "--tol", CHECK_DEFAULTS.tol, { min: 0 });
    const top = numberFlag(values.top, "--top", CHECK_DEFAULTS.top, { integer: true, min: 0 });
    const mdp = loadMdp(file);
    const { tol: _tol, ...solveFlags } = values;
    const { options, model } = solveSetupFromFlags(solveFlags, mdp);
    const source = values.q === "-" ? "<stdin>" : values.q;
    const { Q, format } = readQTableFile(values.q, mdp.nStates, mdp.nActions);
    // Their values must lie in the supported range too: a residual of two values near 1e308 overflows.
    let worst = 0;
    for (let i = 0; i < Q.length; i++) if (Math.abs(Q[i]!) > Math.abs(Q[worst]!)) worst = i;
    if (Math.abs(Q[worst]!) > NUMERIC_LIMITS.scaleMax) {
      throw new InputError([{ code: "out-of-range", path: source, state: Math.floor(worst / mdp.nActions), action: worst % mdp.nActions, message: `${source}: state ${Math.floor(worst / mdp.nActions)}, action ${worst % mdp.nActions}: ${Q[worst]} is beyond the supported range of values (|Q| <= 1e300)` }]);
    }
    for (const w of model.warnings) warn(`${w}`);
    const rep = checkQTable(mdp, Q, { solve: options, tol, top });
    if (values.json) printJson(json(mdp, rep, model.name, source, format));
    else process.stdout.write(text(mdp, rep, source, format) + "\n");
    return rep.withinTolerance ? 0 : 1;
  },
};
export default command;
