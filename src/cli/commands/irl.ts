/**
 * `cai irl`: inverse RL from demonstrations. MCE IRL (variational backup, the default) or MaxEnt IRL
 * (exact backup), reward r = theta . phi(s, a), maximised by L-BFGS (src/learning/).
 */
import { RULES } from "../../inference/rules/index.js";
import { ParameterError } from "../../errors.js";
import { irlDemonstrations } from "../../learning/demonstrations.js";
import { parseFeatures, stateActionFeatures, stateFeatures, type FeatureMap } from "../../learning/features.js";
import { IRL_BACKUPS, IRL_DEFAULTS, inverseRl, type IrlBackup, type IrlCurvePoint } from "../../learning/irl.js";
import { gridShape } from "../../mdp/environments/grid.js";
import { parseJson } from "../../mdp/json.js";
import { readSource } from "../../mdp/read-source.js";
import { loadMdp } from "../tables.js";
import type { TabularMdp } from "../../mdp/tabular.js";
import { numberFlag, onePositional, parseFlags, printJson, type Command, warn } from "../common.js";
import { rows } from "../solve-flags.js";

const usage =
  "cai irl FILE --demos DEMOS.json [--features state|state-action|FEATURES.json] [--backup variational|exact] " +
  "[--alpha A] [--gamma G] [--horizon H] [--entropy] [--l2 L] [--tol T] [--max-iter K] [--json]";

const FLAGS = {
  demos: { type: "string" },
  features: { type: "string" },
  backup: { type: "string" },
  alpha: { type: "string" },
  gamma: { type: "string" },
  horizon: { type: "string" },
  entropy: { type: "boolean" },
  l2: { type: "string" },
  tol: { type: "string" },
  "max-iter": { type: "string" },
  json: { type: "boolean" },
} as const;

/** The feature map named by --features. */
function featuresFrom(value: string, mdp: TabularMdp): FeatureMap {
  if (value === "state") return stateFeatures(mdp.nStates, mdp.nActions);
  if (value === "state-action") return stateActionFeatures(mdp.nStates, mdp.nActions);
  const source = value === "-" ? "<stdin>" : value;
  return parseFeatures(parseJson(readSource(value), source), mdp.nStates, mdp.nActions, source);
}

const fmt = (x: number) => (x === 0 ? "0" : Math.abs(x) >= 1e4 || Math.abs(x) < 1e-3 ? x.toExponential(2) : x.toFixed(3));

/** The learned reward drawn on the map of a grid environment: r(s) = max_a r(s, a) per cell, and the best action. */
function rewardMap(mdp: TabularMdp, reward: Float64Array, policy: Float64Array): string[] {
  const grid = gridShape(mdp);
  if (!grid || grid.layout) return [];
  const m = mdp.nActions;
  const arrows: Record<string, string> = { LEFT: "<", DOWN: "v", RIGHT: ">", UP: "^" };
  const lines = ["learned reward max_a r(s, a) on the map (and the learned policy's most likely action):"];
  for (let r = 0; r < grid.rows; r++) {
    let values = "";
    let acts = "";
    for (let c = 0; c < grid.cols; c++) {
      const s = r * grid.cols + c;
      let best = 0;
      let rmax = -Infinity;
      for (let a = 0; a < m; a++) {
        rmax = Math.max(rmax, reward[s * m + a]!);
        if (policy[s * m + a]! > policy[s * m + best]!) best = a;
      }
      values += fmt(rmax).padStart(9);
      acts += ` ${arrows[mdp.actionName(best).toUpperCase()] ?? "?"}`;
    }
    lines.push(`  ${grid.map[r]}  ${acts}  ${values}`);
  }
  return lines;
}

/** A one-line progress report on stderr (a terminal only): iteration, objective, feature gap. */
function progress(): { update: (p: IrlCurvePoint) => void; done: () => void } {
  return {
    update(p) {
      process.stderr.write(`\rirl: iteration ${String(p.iteration).padStart(4)}  L = ${p.objective.toPrecision(10)}  feature gap ${p.featureGap.toExponential(2)}\x1b[K`);
    },
    done() {
      process.stderr.write("\r\x1b[K");
    },
  };
}

const command: Command = {
  name: "irl",
  summary: "inverse RL from demonstrations: MCE IRL (variational) or MaxEnt IRL (exact), by L-BFGS",
  help: [
    `usage: ${usage}`,
    "",
    "Learns a reward r(s, a, s') = theta . phi(s, a) whose soft-optimal behaviour matches the demonstrations, by",
    "maximising L(theta) = (theta . mu_D - p0 . V_0(theta)) / alpha - (l2/2) |theta|^2 (nats per episode) with",
    "L-BFGS; the gradient is (mu_D - expected feature counts) / alpha - l2 theta, the counts discounted by gamma^t.",
    "",
    '  --demos FILE     {"trajectories": [[[s, a], ...], ...] or [{"states": [...], "actions": [...]}, ...]} (what',
    '                   cai sample writes; any lengths, cut at a done entry), or {"counts": c[s][a], "episodes": N}',
    "  --features F     state (one-hot of the state left, default: imitation's and Ziebart's convention),",
    '                   state-action (one-hot of (s, a)), or a file {"features": phi[s][a][k]} (or phi[s][k])',
    "  --backup B       variational (default): maximum causal entropy IRL (Ziebart 2010), the dual of the",
    "                   causal likelihood; exact: maximum entropy IRL (Ziebart 2008), the likelihood of whole",
    "                   trajectories under p(tau | s_0, O), whose dynamics are tilted towards good outcomes",
    "  --alpha A        temperature > 0 (default 1)",
    "  --gamma G        discount in (0, 1]; default 1 with --horizon, required without",
    "  --horizon H      finite horizon (demonstrations at most H steps long); absent: infinite horizon",
    "  --entropy        the entropy form V = alpha log sum_a exp(Q/alpha) (imitation's) instead of KL to uniform",
    `  --l2 L           L2 regularisation weight >= 0 (default ${IRL_DEFAULTS.l2})`,
    `  --tol T          stop when max |grad L| <= T (default ${IRL_DEFAULTS.tol})`,
    `  --max-iter K     at most K L-BFGS iterations (default ${IRL_DEFAULTS.maxIter})`,
    "  --json           one JSON object: theta, reward (n x m), policy (n x m, t = 0), log_likelihood, feature_gap,",
    "                   iterations, converged, curve [{iteration, objective, feature_gap}], objective and the settings",
    "",
    "log_likelihood is the mean over episodes of sum_t log pi(a_t | s_t) under the learned policy (the objective",
    "equals it, up to the prior's constant, only with gamma = 1 and expected counts). Progress goes to stderr on a",
    "terminal. Exit status: 0 success (not converged is reported on stderr), 1 no fixed point (exact backup), 2 bad input.",
  ].join("\n"),
  run(argv) {
    const { values, positionals } = parseFlags(argv, FLAGS, usage);
    const file = onePositional(positionals, "FILE", usage);
    if (values.demos === undefined) throw new ParameterError("--demos", 'is required: a file {"trajectories": [...]} (cai sample writes one)');
    const backup = values.backup ?? IRL_DEFAULTS.backup;
    if (!(IRL_BACKUPS as readonly string[]).includes(backup)) throw new ParameterError("--backup", `"${backup}" is not one of ${IRL_BACKUPS.join(", ")} (inverse RL needs a soft backup)`);
    const alpha = numberFlag(values.alpha, "--alpha", 1, { exclusiveMin: 0 });
    const horizon = values.horizon === undefined ? undefined : numberFlag(values.horizon, "--horizon", 1, { integer: true, min: 1 });
    if (values.gamma === undefined && horizon === undefined) throw new ParameterError("--gamma", "required without --horizon (an infinite horizon needs a discount in (0, 1))");
    const gamma = numberFlag(values.gamma, "--gamma", 1, { exclusiveMin: 0, max: 1 });
    if (horizon === undefined && gamma === 1) throw new ParameterError("--gamma", "must be below 1 without --horizon (the occupancy of an infinite horizon needs a discount)");
    const l2 = numberFlag(values.l2, "--l2", IRL_DEFAULTS.l2, { min: 0 });
    const tol = numberFlag(values.tol, "--tol", IRL_DEFAULTS.tol, { min: 0 });
    const maxIter = numberFlag(values["max-iter"], "--max-iter", IRL_DEFAULTS.maxIter, { integer: true, min: 1 });
    const mdp = loadMdp(file);
    const features = featuresFrom(values.features ?? "state", mdp);
    const demoSource = values.demos === "-" ? "<stdin>" : values.demos;
    const demos = irlDemonstrations(parseJson(readSource(values.demos), demoSource), mdp, { gamma, horizon: horizon ?? null }, demoSource);
    for (const w of demos.warnings) warn(`${w}`);
    const bar = process.stderr.isTTY ? progress() : null;
    const res = inverseRl(mdp, features, demos, {
      backup: backup as IrlBackup,
      alpha,
      gamma,
      ...(horizon !== undefined ? { horizon } : {}),
      ...(values.entropy ? { entropy: true } : {}),
      l2,
      tol,
      maxIter,
      ...(bar ? { onIteration: bar.update } : {}),
    });
    bar?.done();
    if (!res.converged) warn(`not converged: max |grad L| above ${tol} after ${res.iterations} iterations (${res.stop})`);
    const m = mdp.nActions;
    const kind = values.features === "state" || values.features === undefined ? "state" : values.features === "state-action" ? "state-action" : "file";
    if (values.json) {
      printJson({
        backup: res.backup,
        objective_kind: RULES[res.backup].exactMessages ? "maximum entropy (Ziebart 2008)" : "maximum causal entropy (Ziebart 2010)",
        features: kind,
        alpha,
        gamma,
        horizon: horizon ?? null,
        l2,
        episodes: demos.episodes,
        theta: Array.from(res.theta),
        reward: rows(res.reward, m),
        policy: rows(res.solution.policy, m),
        objective: res.objective,
        log_likelihood: res.logLikelihood,
        feature_gap: res.featureGap,
        iterations: res.iterations,
        evaluations: res.evaluations,
        converged: res.converged,
        stop_reason: res.stop,
        curve: res.curve.map((p) => ({ iteration: p.iteration, objective: p.objective, feature_gap: p.featureGap })),
      });
      return 0;
    }
    const out = [
      `inverse RL: ${RULES[res.backup].exactMessages ? `maximum entropy IRL (${res.backup} backup)` : `maximum causal entropy IRL (${res.backup} backup)`}, ` +
        `features ${kind} (${features.dim}), alpha ${alpha}, gamma ${gamma}, ${horizon === undefined ? "infinite horizon" : `horizon ${horizon}`}, l2 ${l2}`,
      `${demos.episodes} demonstrated episodes; ${res.converged ? "converged" : "NOT converged"} after ${res.iterations} L-BFGS iterations (${res.evaluations} evaluations, ${res.stop})`,
      `objective L = ${res.objective} nats per episode; feature gap max |mu_D - E[phi]| = ${res.featureGap.toExponential(3)}`,
      `log-likelihood of the demonstrated actions = ${res.logLikelihood ?? "n/a (counts of a finite horizon)"} nats per episode`,
    ];
    const map = rewardMap(mdp, res.reward, res.solution.policy);
    if (map.length > 0) out.push("", ...map);
    else {
      out.push("", "theta (first 20):", "  " + Array.from(res.theta.subarray(0, 20), fmt).join(" "));
    }
    process.stdout.write(out.join("\n") + "\n");
    return 0;
  },
};
export default command;
