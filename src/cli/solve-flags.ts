/**
 * The flags of `cai solve`, shared by every command that solves (learn, check, render, report):
 * one parser, one meaning.
 */
import { ParameterError } from "../errors.js";
import type { TabularMdp } from "../mdp/tabular.js";
import type { ActionPrior } from "../inference/prior.js";
import type { Backup } from "../inference/rules/index.js";
import type { SolveOptions, SolveResult } from "../inference/solve.js";
import { numberFlag, parseNumber } from "./common.js";
import { checkPositive, checkTemperature } from "../limits.js";
import { BACKUP_CHOICES, sweepFlags } from "./sweep-flags.js";
import { SWEEP_SCHEDULES } from "../inference/kernels/sweeper.js";
import { readPolicyTableFile, readVectorFile } from "./tables.js";
import { JsonTable } from "./json-writer.js";
import { modelFlagOptions, modelFlags, modelFromFlags as buildModel, modelHelp, modelUsage, type ModelSetup } from "./models.js";
import { RULES, isBackup } from "../inference/rules/index.js";
import { SOLVE_DEFAULTS } from "../inference/solve-options.js";

/** The engine's flags (the models' own flags join them in {@link SOLVE_FLAGS}). */
const ENGINE_FLAGS = {
  backup: { type: "string" },
  entropy: { type: "boolean" },
  alpha: { type: "string" },
  gamma: { type: "string" },
  horizon: { type: "string" },
  prior: { type: "string" },
  tol: { type: "string" },
  "max-iter": { type: "string" },
  strict: { type: "boolean" },
  model: { type: "string" },
  schedule: { type: "string" },
  threads: { type: "string" },
  "terminal-values": { type: "string" },
} as const;

/**
 * parseArgs options for the solve flags: the engine's and every model's own (read from the model
 * registry; typed as the engine's, the models' are read by name).
 */
export const SOLVE_FLAGS = { ...ENGINE_FLAGS, ...modelFlagOptions() } as typeof ENGINE_FLAGS;

/** Usage text of the solve flags. */
export const SOLVE_FLAGS_USAGE =
  `[--backup ${BACKUP_CHOICES.join("|")}] [--entropy] [--alpha A] [--gamma G] [--horizon H] [--terminal-values FILE] [--prior PRIOR.json] [--tol T] [--max-iter N] [--strict] [--schedule ${SWEEP_SCHEDULES.join("|")}] [--threads auto|T] ${modelUsage()}`;

/** Help lines for the solve flags. */
export const SOLVE_FLAGS_HELP = [
  `  --backup B       ${BACKUP_CHOICES.map((b) => `${b} (${RULES[b].words.help}${b === SOLVE_DEFAULTS.backup ? ", default" : ""})`).join(", ")}`,
  "  --entropy        unnormalised MaxEnt/SAC form V = alpha log sum_a exp(Q/alpha) instead of KL to uniform",
  "  --alpha A        temperature in [1e-300, 1e300] (default 1); values/alpha must stay below 1e300",
  "  --gamma G        discount in [0, 1] (0: the one-step problem); default 1 with --horizon, required without",
  "  --horizon H      finite horizon (time-indexed Q_t, V_t, policy_t); absent: infinite horizon",
  '  --terminal-values FILE  with --horizon: V_H after the last step (pymdptoolbox\'s h; default 0): a JSON list',
  '                   or {"h": [...]}, a .npy of shape (n,), or an .npz with an array "h"',
  '  --prior FILE     action prior {"prior": pi0[s][a]} (or .npy (n, m), .npz "prior"), rows summing to 1; 0 masks an action',
  `  --tol T          infinite horizon: stop when V is within T of the fixed point (default ${SOLVE_DEFAULTS.tol}): for`,
  "                   gamma < 1 on the error bound (gamma / (1 - gamma) x max |dQ| for the variational and",
  "                   hard backups), reported as error_bound; for gamma = 1 when max |dQ| <= T",
  `  --max-iter N     infinite horizon: at most N sweeps (default ${SOLVE_DEFAULTS.maxIter})`,
  "  --strict         exit 1 instead of reporting an unconverged result",
  "  --schedule S     infinite horizon sweeps: prioritised (default; jacobi for --backup exact), jacobi,",
  "                   gauss-seidel (the same fixed point; each answer within its error bound of it)",
  "  --threads T      worker threads sharing each sweep of large tables: auto (default) or a number,",
  "                   capped at the number of cores (more never helps a memory-bound sweep)",
  ...modelHelp(),
].join("\n");

/**
 * The solve flags without some of them (for a command that does not accept them: its help lists only
 * what it accepts, and parsing refuses the rest as unknown options).
 */
export function solveFlagsWithout<const K extends keyof typeof SOLVE_FLAGS>(exclude: readonly K[]): { flags: Omit<typeof SOLVE_FLAGS, K>; usage: string; help: string } {
  const flags = Object.fromEntries(Object.entries(SOLVE_FLAGS).filter(([k]) => !(exclude as readonly string[]).includes(k))) as Omit<typeof SOLVE_FLAGS, K>;
  let usage = SOLVE_FLAGS_USAGE;
  for (const k of exclude) usage = usage.replace(new RegExp(`\\[--${k}(?: [^\\]]*)?\\] ?`), "");
  const lines = SOLVE_FLAGS_HELP.split("\n");
  const kept: string[] = [];
  let skipping = false;
  for (const line of lines) {
    const flag = /^  --([a-z-]+)/.exec(line)?.[1];
    if (flag !== undefined) skipping = (exclude as readonly string[]).includes(flag);
    if (!skipping) kept.push(exclude.includes("horizon" as K) && flag === "gamma" ? "  --gamma G        discount in [0, 1], required" : line);
  }
  return { flags, usage: usage.trim(), help: kept.join("\n") };
}

export type SolveFlagValues = { [K in keyof typeof SOLVE_FLAGS]?: (typeof SOLVE_FLAGS)[K]["type"] extends "boolean" ? boolean : string };

/**
 * Read a prior table file: JSON `{"prior": pi0[s][a]}`, `.npy` (n, m), or `.npz` with an array
 * "prior" (or its only array); float32 accepted within float32 rounding, with a warning.
 */
export function readPriorFile(path: string, mdp: TabularMdp, key = "prior", what = "prior"): ActionPrior {
  return readPolicyTableFile(path, mdp, key, what);
}

export type { ModelSetup } from "./models.js";

/**
 * Build the prior of the model named by --model (models/ registry) from its flags, or read --prior.
 * @throws {@link ParameterError} naming the flag for a flag that does not fit the model,
 *   {@link PriorError} for a model's file that is wrong (exit status 2).
 */
export function modelFromFlags(v: SolveFlagValues, mdp: TabularMdp): ModelSetup {
  return buildModel(v, mdp, (path) => readPriorFile(path, mdp));
}

/** The temperature from --alpha or its RLHF name --beta (both: they must agree). */
function temperatureFlag(v: SolveFlagValues): number {
  // The engine's range (limits.ts), checked here too so that the message names the flag and quotes its text.
  // (The hard backup's values need no alpha: any alpha > 0 runs there, without log Z and the ELBO out of range.)
  const maxRule = v.backup !== undefined && isBackup(v.backup) && RULES[v.backup].actions.kind === "max";
  const check = maxRule ? checkPositive : checkTemperature;
  let value = v.alpha === undefined ? undefined : check(parseNumber(v.alpha, "--alpha"), "--alpha", v.alpha);
  // A model's other name for the temperature (RLHF's --beta): both given, they must agree.
  for (const f of modelFlags()) {
    const text = (v as Readonly<Record<string, unknown>>)[f.name];
    if (!f.temperature || typeof text !== "string") continue;
    const other = check(parseNumber(text, `--${f.name}`), `--${f.name}`, text);
    if (value !== undefined && other !== value) {
      throw new ParameterError(`--${f.name}`, `is another name for --alpha, and --alpha ${v.alpha} and --${f.name} ${text} differ; give one of them`);
    }
    value ??= other;
  }
  return value ?? 1;
}

/** Engine options and the model, from the solve flags. */
export function solveSetupFromFlags(v: SolveFlagValues, mdp: TabularMdp): { options: SolveOptions; model: ModelSetup } {
  const options = solveOptionsFromFlags(v, mdp, false);
  const model = modelFromFlags(v, mdp);
  return { options: model.prior ? { ...options, prior: model.prior } : options, model };
}

/**
 * Turn the solve flags into engine options (checked by the engine, errors name the flag), the
 * model's prior included.
 * @param withModel - build the prior of --model (reads its files). @defaultValue true
 */
export function solveOptionsFromFlags(v: SolveFlagValues, mdp: TabularMdp, withModel = true): SolveOptions {
  const backup = v.backup ?? SOLVE_DEFAULTS.backup;
  if (!isBackup(backup)) {
    throw new ParameterError("--backup", `"${backup}" is not one of ${BACKUP_CHOICES.join(", ")}`);
  }
  const o: { -readonly [K in keyof SolveOptions]: SolveOptions[K] } = { backup: backup as Backup };
  o.alpha = temperatureFlag(v);
  if (v.horizon !== undefined) o.horizon = numberFlag(v.horizon, "--horizon", 1, { integer: true, min: 1 });
  if (v.gamma !== undefined) o.gamma = numberFlag(v.gamma, "--gamma", 1, { min: 0, max: 1 });
  else if (o.horizon === undefined) {
    throw new ParameterError("--gamma", "required without --horizon (an infinite horizon needs a discount in [0, 1])");
  }
  if (v["terminal-values"] !== undefined) {
    if (o.horizon === undefined) throw new ParameterError("--terminal-values", "are the values after the last step of a finite horizon: give --horizon H");
    o.terminalValues = readVectorFile(v["terminal-values"], mdp.nStates, ["h", "terminal_values", "V"], "terminal values");
  }
  if (v.tol !== undefined) o.tol = numberFlag(v.tol, "--tol", SOLVE_DEFAULTS.tol, { min: 0 });
  if (v["max-iter"] !== undefined) o.maxIter = numberFlag(v["max-iter"], "--max-iter", SOLVE_DEFAULTS.maxIter, { integer: true, min: 1 });
  if (v.entropy) o.entropy = true;
  if (v.strict) o.strict = true;
  const sweeps = sweepFlags(v);
  if (sweeps.schedule !== undefined) o.schedule = sweeps.schedule;
  if (sweeps.threads !== undefined) o.threads = sweeps.threads;
  if (withModel) {
    const model = modelFromFlags(v, mdp);
    if (model.prior) o.prior = model.prior;
  }
  return o;
}

/**
 * Rows of a flat n x m table as nested JSON lists (json-writer.ts JsonTable: written from the typed
 * array, never built as n lists of boxed numbers).
 */
export function rows(flat: Float64Array, m: number): JsonTable {
  return new JsonTable(flat, m);
}

/** A vector as a JSON list, written from the typed array (JsonTable). */
export function list(v: Float64Array): JsonTable {
  return new JsonTable(v, null);
}

/** The JSON object `cai solve --json` prints (keys are a contract: Q, V, policy, ...). */
export function resultJson(res: SolveResult, allSteps: boolean): Record<string, unknown> {
  const m = res.nActions;
  const out: Record<string, unknown> = {
    backup: res.backup,
    alpha: res.alpha,
    gamma: res.gamma,
    horizon: res.horizon,
    prior: res.priorKind,
    Q: rows(res.Q, m),
    V: list(res.V),
    policy: rows(res.policy, m),
  };
  if (allSteps && res.steps) {
    out.Q_t = res.steps.Q.map((q) => rows(q, m));
    out.V_t = res.steps.V.map((v) => list(v));
    out.policy_t = res.steps.policy.map((p) => rows(p, m));
  }
  // logZ is the finite-horizon evidence: null for an infinite horizon (the key is always there).
  out.logZ = res.logZ;
  out.elbo = res.elbo;
  out.occupancy = res.occupancy ? list(res.occupancy) : null;
  out.converged = res.converged;
  out.iterations = res.iterations;
  out.residual = res.residual;
  out.error_bound = res.errorBound;
  out.stop_reason = res.stopReason;
  out.warnings = res.warnings;
  return out;
}
