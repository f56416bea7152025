/**
 * `cai sample`: episodes drawn from q(tau) (the returned policy in the world's dynamics) or from the
 * exact posterior p(tau | O), written as the demonstrations document `--demos` reads.
 */
import { RULES } from "../../inference/rules/index.js";
import { SOLVE_DEFAULTS } from "../../inference/solve-options.js";
import { ParameterError } from "../../errors.js";
import { TRAJECTORY_SOURCES, type TrajectorySource } from "../../inference/forward.js";
import { demonstrationsDocument, sampleTrajectories } from "../../inference/sample.js";
import { solve } from "../../inference/solve.js";
import { loadMdp } from "../tables.js";
import { numberFlag, onePositional, parseFlags, printJson, type Command, warn } from "../common.js";
import { SOLVE_FLAGS, SOLVE_FLAGS_HELP, SOLVE_FLAGS_USAGE, solveSetupFromFlags } from "../solve-flags.js";

const usage = `cai sample FILE ${SOLVE_FLAGS_USAGE} --episodes N [--seed S] [--from ${TRAJECTORY_SOURCES.join("|")}] [--max-steps T]`;

const FLAGS = {
  ...SOLVE_FLAGS,
  episodes: { type: "string" },
  seed: { type: "string" },
  from: { type: "string" },
  "max-steps": { type: "string" },
} as const;

/** At most this many episodes in one run (the document is held in memory and printed at once). */
const MAX_EPISODES = 1_000_000;

const command: Command = {
  name: "sample",
  summary: "sample episodes from the soft-optimal policy or the exact posterior, as a --demos file (seeded)",
  help: [
    `usage: ${usage}`,
    "",
    "Solves FILE with the solve flags, then samples episodes and prints them as the demonstrations document",
    'that --demos and cai irl read: {"trajectories": [{"states": [...], "actions": [...]}, ...], "meta": {...}}.',
    "An episode ends at a done entry (its next state is not listed), in the death state (posterior, gamma < 1),",
    "or after --max-steps actions (then the state reached is listed last: one more state than actions).",
    "",
    SOLVE_FLAGS_HELP,
    "  --episodes N     number of episodes, required",
    "  --seed S         seed of the generator (default 0): the same seed gives the same episodes",
    "  --from S         policy (default): q(tau), the returned policy in the world's dynamics (the discount is",
    "                   not sampled: it is how the episodes are counted); posterior (--backup exact): p(tau | O),",
    "                   posterior policy and posterior dynamics from p(s_0 | O), whose dynamics are not the world's",
    "  --max-steps T    at most T actions per episode; default the horizon, required without --horizon",
    "",
    "Exit status: 0 success, 1 no fixed point (exact backup) or not converged under --strict, 2 bad input.",
  ].join("\n"),
  run(argv) {
    const { values, positionals } = parseFlags(argv, FLAGS, usage);
    const file = onePositional(positionals, "FILE", usage);
    if (values.episodes === undefined) throw new ParameterError("--episodes", "is required: the number of episodes to sample");
    const episodes = numberFlag(values.episodes, "--episodes", 1, { integer: true, min: 1, max: MAX_EPISODES });
    const seed = numberFlag(values.seed, "--seed", 0, { integer: true });
    if (!Number.isSafeInteger(seed)) throw new ParameterError("--seed", `must be a safe integer, got ${values.seed}`);
    const from = values.from ?? "policy";
    if (!(TRAJECTORY_SOURCES as readonly string[]).includes(from)) throw new ParameterError("--from", `"${from}" is not one of ${TRAJECTORY_SOURCES.join(", ")}`);
    const maxSteps = values["max-steps"] === undefined ? undefined : numberFlag(values["max-steps"], "--max-steps", 1, { integer: true, min: 1 });
    const mdp = loadMdp(file);
    const { options, model } = solveSetupFromFlags(values, mdp);
    if (from === "posterior" && !RULES[options.backup ?? SOLVE_DEFAULTS.backup].exactMessages) {
      throw new ParameterError("--from", "posterior samples the exact posterior p(tau | O): give --backup exact (or --from policy)");
    }
    if (options.horizon === undefined && maxSteps === undefined) {
      throw new ParameterError("--max-steps", "is required without --horizon (episodes that never reach a done entry must stop somewhere)");
    }
    if (options.horizon !== undefined && maxSteps !== undefined && maxSteps > options.horizon) {
      throw new ParameterError("--max-steps", `is ${maxSteps}, longer than --horizon ${options.horizon} (the policy has no steps beyond it)`);
    }
    const res = solve(mdp, { ...options, diagnostics: false });
    for (const w of [...model.warnings, ...res.warnings]) warn(`${w}`);
    const samples = sampleTrajectories(mdp, res, { episodes, seed, from: from as TrajectorySource, ...(maxSteps !== undefined ? { maxSteps } : {}) });
    printJson(
      demonstrationsDocument(samples, {
        sampled_by: "cai sample",
        model: model.name,
        backup: res.backup,
        alpha: res.alpha,
        gamma: res.gamma,
        horizon: res.horizon,
        seed,
      }),
    );
    return 0;
  },
};
export default command;
