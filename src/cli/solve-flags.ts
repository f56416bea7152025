/**
 * The flags of `cai solve`, shared by every command that solves (learn, check, render, report):
 * one parser, one meaning.
 */
import { ParameterError, PriorError } from "../errors.js";
import { mdpFromJson, parseJson, readSource } from "../mdp/formats.js";
import type { TabularMdp } from "../mdp/tabular.js";
import { tablePrior, type ActionPrior } from "../inference/prior.js";
import type { Backup } from "../inference/rules/index.js";
import type { SolveOptions, SolveResult } from "../inference/solve.js";
import { numberFlag } from "./common.js";

/** parseArgs options for the solve flags. */
export const SOLVE_FLAGS = {
  backup: { type: "string" },
  entropy: { type: "boolean" },
  alpha: { type: "string" },
  gamma: { type: "string" },
  horizon: { type: "string" },
  prior: { type: "string" },
  tol: { type: "string" },
  "max-iter": { type: "string" },
  strict: { type: "boolean" },
} as const;

/** Usage text of the solve flags. */
export const SOLVE_FLAGS_USAGE =
  "[--backup variational|exact|hard] [--entropy] [--alpha A] [--gamma G] [--horizon H] [--prior PRIOR.json] [--tol T] [--max-iter N] [--strict]";

/** Help lines for the solve flags. */
export const SOLVE_FLAGS_HELP = [
  "  --backup B       variational (soft Bellman, default), exact (sum-product, optimistic), hard (max-product)",
  "  --entropy        unnormalised MaxEnt/SAC form V = alpha log sum_a exp(Q/alpha) instead of KL to uniform",
  "  --alpha A        temperature > 0 (default 1)",
  "  --gamma G        discount in (0, 1]; default 1 with --horizon, required without",
  "  --horizon H      finite horizon (time-indexed Q_t, V_t, policy_t); absent: infinite horizon",
  '  --prior FILE     action prior {"prior": pi0[s][a]}, rows summing to 1; 0 masks an action',
  "  --tol T          infinite horizon: stop when max |dQ| <= T (default 1e-10)",
  "  --max-iter N     infinite horizon: at most N sweeps (default 100000)",
  "  --strict         exit 1 instead of reporting an unconverged result",
].join("\n");

export type SolveFlagValues = { [K in keyof typeof SOLVE_FLAGS]?: (typeof SOLVE_FLAGS)[K]["type"] extends "boolean" ? boolean : string };

/** Read a prior table file `{"prior": pi0[s][a]}` for an MDP. */
export function readPriorFile(path: string, mdp: TabularMdp, key = "prior", what = "prior"): ActionPrior {
  const source = path === "-" ? "<stdin>" : path;
  const doc = parseJson(readSource(path), source);
  if (typeof doc !== "object" || doc === null || Array.isArray(doc) || !(key in doc)) {
    throw new PriorError([{ code: "bad-prior", path: source, message: `${source}: expected an object {"${key}": [[...], ...]} with one row per state` }]);
  }
  return tablePrior((doc as Record<string, unknown>)[key], mdp.nStates, mdp.nActions, `${source}: ${what}`);
}

/** Turn the solve flags into engine options (checked by the engine, errors name the flag). */
export function solveOptionsFromFlags(v: SolveFlagValues, mdp: TabularMdp): SolveOptions {
  const backup = v.backup ?? "variational";
  if (backup !== "variational" && backup !== "exact" && backup !== "hard") {
    throw new ParameterError("--backup", `"${backup}" is not one of variational, exact, hard`);
  }
  const o: { -readonly [K in keyof SolveOptions]: SolveOptions[K] } = { backup: backup as Backup };
  o.alpha = numberFlag(v.alpha, "--alpha", 1, { exclusiveMin: 0 });
  if (v.horizon !== undefined) o.horizon = numberFlag(v.horizon, "--horizon", 1, { integer: true, min: 1 });
  if (v.gamma !== undefined) o.gamma = numberFlag(v.gamma, "--gamma", 1, { exclusiveMin: 0, max: 1 });
  else if (o.horizon === undefined) {
    throw new ParameterError("--gamma", "required without --horizon (an infinite horizon needs a discount in (0, 1])");
  }
  if (v.tol !== undefined) o.tol = numberFlag(v.tol, "--tol", 1e-10, { min: 0 });
  if (v["max-iter"] !== undefined) o.maxIter = numberFlag(v["max-iter"], "--max-iter", 100000, { integer: true, min: 1 });
  if (v.entropy) o.entropy = true;
  if (v.strict) o.strict = true;
  if (v.prior !== undefined) o.prior = readPriorFile(v.prior, mdp);
  return o;
}

/** Rows of a flat n x m table as nested lists. */
export function rows(flat: Float64Array, m: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < flat.length; i += m) out.push(Array.from(flat.subarray(i, i + m)));
  return out;
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
    V: Array.from(res.V),
    policy: rows(res.policy, m),
  };
  if (allSteps && res.steps) {
    out.Q_t = res.steps.Q.map((q) => rows(q, m));
    out.V_t = res.steps.V.map((v) => Array.from(v));
    out.policy_t = res.steps.policy.map((p) => rows(p, m));
  }
  if (res.horizon !== null) {
    out.logZ = res.logZ;
    out.elbo = res.elbo;
  } else out.elbo = res.elbo;
  out.occupancy = res.occupancy ? Array.from(res.occupancy) : null;
  out.converged = res.converged;
  out.iterations = res.iterations;
  out.residual = res.residual;
  out.stop_reason = res.stopReason;
  out.warnings = res.warnings;
  return out;
}
