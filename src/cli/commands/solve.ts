import { statSync, writeFileSync } from "node:fs";
import { RULES } from "../../inference/rules/index.js";
import { SOLVE_DEFAULTS } from "../../inference/solve-options.js";
import { loadMdp } from "../tables.js";
import { THREAD_MIN_ENTRIES, prestartSweepWorkers } from "../../inference/kernels/sweeper.js";
import { sweepProgress } from "../progress.js";
import type { TabularMdp } from "../../mdp/tabular.js";
import { solve, type SolveResult } from "../../inference/solve.js";
import { marginals, TRAJECTORY_SOURCES, type Marginals, type TrajectorySource } from "../../inference/forward.js";
import { CaiError, ConvergenceError, NoFixedPointError, ParameterError, RunError, UsageError } from "../../errors.js";
import { recordToNpz } from "../../mdp/numpy-mdp.js";
import { cliText, formatNumber, onePositional, parseFlags, printJson, type Command, warn } from "../common.js";
import { modelJsonHelp } from "../models.js";
import { SOLVE_FLAGS, SOLVE_FLAGS_HELP, SOLVE_FLAGS_USAGE, list, resultJson, rows, solveSetupFromFlags, type ModelSetup } from "../solve-flags.js";

const usage = `cai solve FILE ${SOLVE_FLAGS_USAGE} [--all-steps] [--json] [--marginals] [--marginals-from ${TRAJECTORY_SOURCES.join("|")}] [--npz OUT.npz]`;

/** A file's size in bytes, 0 when it cannot be read (loadMdp then says why). */
function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Write a file; a {@link ParameterError} naming --npz when the path cannot be written. */
function writeFileOrFail(path: string, bytes: Uint8Array): void {
  try {
    writeFileSync(path, bytes);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ParameterError("--npz", `cannot write ${path}: ${code === "ENOENT" ? "no such directory" : code === "EISDIR" ? "is a directory" : code === "EACCES" ? "permission denied" : (e as Error).message.replace(/\s*\n\s*/g, " ")}`);
  }
}


/** The JSON keys of --marginals (forward messages, inference/forward.ts). */
function marginalsJson(f: Marginals): Record<string, unknown> {
  const m = f.nActions;
  return {
    marginals_from: f.from,
    state_marginals: f.stateMarginals ? f.stateMarginals.map((d) => list(d)) : null,
    state_action_marginals: f.stateActionMarginals ? f.stateActionMarginals.map((d) => rows(d, m)) : null,
    state_occupancy: list(f.stateOccupancy),
    state_action_occupancy: rows(f.stateActionOccupancy, m),
  };
}

/**
 * The "best" column: the most probable action; several names joined by "/" when they tie (within
 * 1e-12), and "-" when every action ties (nothing to choose).
 */
function bestActions(mdp: TabularMdp, q: Float64Array): string {
  const m = mdp.nActions;
  let top = -Infinity;
  for (let a = 0; a < m; a++) top = Math.max(top, q[a]!);
  const tied: number[] = [];
  for (let a = 0; a < m; a++) if (q[a]! >= top - 1e-12) tied.push(a);
  if (m > 1 && tied.length === m) return "-";
  return tied.map((a) => mdp.actionName(a)).join("/");
}

/** How many states the readable table shows before it summarises. */
const TABLE_ROWS = 40;

function table(mdp: TabularMdp, res: SolveResult, model: ModelSetup): string {
  const m = mdp.nActions;
  const fmt = (x: number) => (Math.abs(x) >= 1e5 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(4) : x.toFixed(6));
  const head = ["state", "V", ...Array.from({ length: m }, (_, a) => `q(${mdp.actionName(a)})`), "best"];
  const lines: string[][] = [head];
  const shown = Math.min(mdp.nStates, TABLE_ROWS);
  // The shown states' rows only: at millions of states the whole policy would be another n x m array.
  const q = new Float64Array(m);
  for (let s = 0; s < shown; s++) {
    res.policyRow(s, q);
    lines.push([mdp.stateName(s), fmt(res.V[s]!), ...Array.from(q, (x) => x.toFixed(4)), bestActions(mdp, q)]);
  }
  const widths = head.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  const text = lines.map((l) => l.map((c, i) => c.padStart(widths[i]!)).join("  "));
  if (mdp.nStates > shown) text.push(`... ${mdp.nStates - shown} more states (use --json for all)`);
  const facts = [
    `model ${model.name}, backup ${res.backup}, ${model.descriptor?.temperatureName ?? "alpha"} ${res.alpha}, gamma ${res.gamma}, ${res.horizon === null ? "infinite horizon" : `horizon ${res.horizon}`}, prior ${res.priorKind}`,
    res.horizon === null
      ? `${res.converged ? "converged" : "NOT converged"} after ${res.iterations} sweeps (residual max|dQ| = ${res.residual.toExponential(2)}, ${res.stopReason})`
      : `log Z = ${res.logZ === null ? "n/a" : formatNumber(res.logZ)}`,
    `ELBO of this policy = ${res.elbo === null ? "n/a" : `${formatNumber(res.elbo)} nats`}`,
  ];
  return [...facts, "", ...text].join("\n");
}

/** The model's keys in the JSON output: model first, its warnings with the run's, then what the model adds (e.g. pi_D). */
export function modelJson(out: Record<string, unknown>, model: ModelSetup): Record<string, unknown> {
  const withModel: Record<string, unknown> = { model: model.name, ...out };
  if (model.warnings.length > 0) withModel.warnings = [...model.warnings, ...(out.warnings as readonly string[])];
  return model.json ? { ...withModel, ...model.json } : withModel;
}

const command: Command = {
  name: "solve",
  summary: "soft values, Q and the policy by message passing (exact, variational or hard)",
  help: [
    `usage: ${usage}`,
    "",
    "Runs message passing on the trajectory factor graph of FILE (Gymnasium P JSON, native JSON or a numpy .npz; - for stdin).",
    "",
    SOLVE_FLAGS_HELP,
    "  --all-steps      with --horizon and --json: also Q_t, V_t, policy_t for t = 0..H-1",
    "  --json           one JSON object: Q, V, policy (t = 0), logZ and elbo, occupancy, converged, iterations, residual;",
    "                   occupancy (gamma < 1): summed |error| <= max(1e-13, min(tol, 1e-10)) x its sum (a proved bound);",
    `                   model; ${modelJsonHelp()}`,
    '                   when the run fails (exit 1): {"error", "code", "exit_status", "converged": false, ...} (the message on stderr too);',
    '                   no fixed point: growth_per_step and spectral_radius, with proven bounds *_lower and *_upper',
    "  --npz OUT        also write the result as a numpy .npz: one array per key of --json (Q and policy (n, m), V (n,),",
    "                   Q_t (H, n, m) with --all-steps, scalars as 0-d arrays); null keys are left out; - for stdout",
    "  --marginals      with --json: forward messages. state_marginals D_t(s) (H+1 x n: t = 0..H, the last row the",
    "                   state after the last action), state_action_marginals D_t(s,a) (H x n x m), state_occupancy",
    "                   sum_{t<H} gamma^t D_t(s) (n) and state_action_occupancy (n x m); an infinite horizon gives the",
    "                   occupancies and null marginals. Keys marginals_from names the distribution",
    "  --marginals-from S  policy (default): q(tau), the returned policy in the world's dynamics;",
    "                   posterior (--backup exact): p(tau | O), posterior policy and posterior dynamics from p(s_0 | O)",
    "",
    "Exit status: 0 success (an unconverged result is reported on stderr), 1 not converged under --strict",
    "or no fixed point (exact backup), 2 bad input.",
  ].join("\n"),
  run(argv) {
    const { values, positionals } = parseFlags(argv, { ...SOLVE_FLAGS, "all-steps": { type: "boolean" }, json: { type: "boolean" }, npz: { type: "string" }, marginals: { type: "boolean" }, "marginals-from": { type: "string" } }, usage);
    const file = onePositional(positionals, "FILE", usage);
    if (values.npz === "-" && values.json) throw new UsageError(`--npz - and --json both write to standard output: give --npz a file name\nusage: ${usage}`);
    if (values.npz === "-" && process.stdout.isTTY) throw new UsageError(`--npz - writes binary data to standard output, which is a terminal: redirect it (> out.npz) or give a file name\nusage: ${usage}`);
    const from = values["marginals-from"] ?? "policy";
    if (!(TRAJECTORY_SOURCES as readonly string[]).includes(from)) throw new ParameterError("--marginals-from", `"${from}" is not one of ${TRAJECTORY_SOURCES.join(", ")}`);
    if (values["marginals-from"] !== undefined && !values.marginals) throw new ParameterError("--marginals-from", "chooses the distribution of --marginals; give --marginals too");
    if (values.marginals && !values.json) throw new ParameterError("--marginals", "adds keys to the JSON output; give --json too");
    // A file large enough to hold a table that sweeps on threads (well over THREAD_MIN_ENTRIES
    // entries of a few bytes): the workers boot while it is read (an infinite horizon only).
    if (values.horizon === undefined && values.threads !== "1" && file !== "-" && fileBytes(file) >= 16 * THREAD_MIN_ENTRIES) prestartSweepWorkers(Infinity);
    const mdp = loadMdp(file);
    const { options, model } = solveSetupFromFlags(values, mdp);
    if (from === "posterior" && !RULES[options.backup ?? SOLVE_DEFAULTS.backup].exactMessages) {
      throw new ParameterError("--marginals-from", "posterior is the exact posterior p(tau | O): give --backup exact (or --marginals-from policy for q(tau))");
    }
    let res: SolveResult;
    // On a terminal, long infinite-horizon runs show their sweeps on stderr (nothing when it is not one).
    const progress = options.horizon === undefined ? sweepProgress("cai solve", { gamma: options.gamma ?? 1, tol: options.tol ?? 1e-10, maxIter: options.maxIter ?? 100000 }) : undefined;
    try {
      // Without --all-steps (or --marginals, which runs forward through every step's policy) a finite
      // horizon keeps two value slices, not H x n x m numbers.
      const run = { ...options, keepSteps: (values["all-steps"] ?? false) || (values.marginals ?? false) };
      res = solve(mdp, progress ? { ...run, onSweep: progress.onSweep } : run);
      progress?.done();
    } catch (e) {
      progress?.done();
      // --json: stdout holds one JSON object also when the run fails (exit 1); the message goes to stderr.
      // Bad input (exit 2) prints nothing on stdout, as every command does.
      if (values.json && e instanceof RunError) printJson(failureJson(e));
      throw e;
    }
    const fw = values.marginals ? marginals(mdp, res, { from: from as TrajectorySource }) : null;
    for (const w of [...model.warnings, ...res.warnings]) warn(w);
    // The JSON record (rows of Q and the policy as arrays) only when it is written: for the
    // readable table alone it would be the largest thing in memory.
    if (!values.json && values.npz === undefined) {
      process.stdout.write(table(mdp, res, model) + "\n");
      return 0;
    }
    const out = { ...modelJson(resultJson(res, values["all-steps"] ?? false), model), ...(fw ? marginalsJson(fw) : {}) };
    if (values.npz !== undefined) {
      const { bytes, omitted } = recordToNpz(out, ["horizon", "iterations"]);
      if (values.npz === "-") process.stdout.write(bytes);
      else {
        writeFileOrFail(values.npz, bytes);
        process.stderr.write(`cai: wrote ${values.npz} (${bytes.length} bytes; numpy.load: Q, V, policy and the keys of --json${omitted.length > 0 ? `, except ${omitted.join(", ")}` : ""})\n`);
      }
    }
    if (values.json) printJson(out);
    else if (values.npz !== "-") process.stdout.write(table(mdp, res, model) + "\n");
    return 0;
  },
};

/** The JSON object of a failed run: the error, converged false, and what the error knows. */
function failureJson(e: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {
    error: cliText(e instanceof Error ? e.message.replace(/\s*\n\s*/g, " ") : String(e)),
    code: e instanceof CaiError ? e.code : "internal",
    exit_status: 1,
    converged: false,
  };
  if (e instanceof ConvergenceError) {
    out.iterations = e.iterations;
    out.residual = e.residual;
  }
  if (e instanceof NoFixedPointError) {
    out.growth_per_step = e.growthPerStep;
    out.spectral_radius = e.spectralRadius;
    // Proven bounds: equal to the values when rho is known to rounding.
    out.growth_per_step_lower = e.growthPerStepLower;
    out.growth_per_step_upper = e.growthPerStepUpper;
    out.spectral_radius_lower = e.spectralRadiusLower;
    out.spectral_radius_upper = e.spectralRadiusUpper;
  }
  return out;
}

export default command;
