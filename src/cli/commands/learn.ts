/**
 * `cai learn`: tabular soft Q-learning on a simulator of the MDP, measured against the message
 * passing's fixed point.
 */
import { ParameterError } from "../../errors.js";
import { solve } from "../../inference/solve.js";
import { loadMdp } from "../tables.js";
import { BEHAVIOURS, SOFT_Q_LEARNING_DEFAULTS, softQLearning, type Behaviour } from "../../learning/soft-q-learning.js";
import { numberFlag, onePositional, parseFlags, printJson, type Command, warn } from "../common.js";
import { list, rows, solveFlagsWithout, solveSetupFromFlags } from "../solve-flags.js";

// cai learn learns an infinite-horizon fixed point: no --horizon (nor its --terminal-values).
const SOLVE = solveFlagsWithout(["horizon", "terminal-values"]);

const usage =
  `cai learn FILE ${SOLVE.usage} --steps N [--seed S] [--behaviour ${BEHAVIOURS.join("|")}] [--epsilon E] ` +
  "[--lr C | --lr-power W] [--points K] [--max-episode-steps T] [--json]";

const FLAGS = {
  ...SOLVE.flags,
  steps: { type: "string" },
  seed: { type: "string" },
  behaviour: { type: "string" },
  epsilon: { type: "string" },
  lr: { type: "string" },
  "lr-power": { type: "string" },
  points: { type: "string" },
  "max-episode-steps": { type: "string" },
  json: { type: "boolean" },
} as const;

/** A one-line progress bar on stderr (only when stderr is a terminal). */
function progressBar(total: number): { update: (step: number) => void; done: () => void } {
  const width = 30;
  let last = -1;
  return {
    update(step) {
      const pct = total === 0 ? 100 : Math.floor((100 * step) / total);
      if (pct === last) return;
      last = pct;
      const fill = Math.round((width * pct) / 100);
      process.stderr.write(`\rlearning [${"#".repeat(fill)}${".".repeat(width - fill)}] ${String(pct).padStart(3)}%  ${step}/${total} steps`);
    },
    done() {
      process.stderr.write("\r\x1b[K");
    },
  };
}

const command: Command = {
  name: "learn",
  summary: "tabular soft Q-learning from sampled episodes (seeded), with its error to the message-passing fixed point",
  help: [
    `usage: ${usage}`,
    "",
    "Runs soft Q-learning on a simulator of FILE: episodes start from the initial distribution and end on",
    "done entries; each step samples an action from the behaviour policy and one transition entry, and moves",
    "Q(s,a) towards r + gamma (1 - done) V(s') (variational; hard: the max; exact: Z-learning in log space).",
    "The error max |Q - Q*| is measured against message passing with the same flags, over the pairs episodes",
    "can visit (states reachable from the initial distribution, actions the prior allows). Infinite horizon only.",
    "",
    SOLVE.help,
    "  --steps N        number of updates (sampled transitions), required",
    "  --seed S         seed of the generator (default 0): the same seed gives the same run",
    `  --behaviour B    soft (the current soft policy, default), epsilon-greedy, or uniform (over the prior's support)`,
    `  --epsilon E      exploration of epsilon-greedy (default ${SOFT_Q_LEARNING_DEFAULTS.epsilon})`,
    "  --lr C           a constant learning rate in (0, 1]",
    `  --lr-power W     learning rate 1 / n(s,a)^W, W in (0, 1] (default ${SOFT_Q_LEARNING_DEFAULTS.learningRatePower}; used without --lr)`,
    "  --points K       points on the error curve, at regular steps (default 20)",
    "  --max-episode-steps T  cut episodes after T steps (default max(100, 10 / (1 - gamma)); 1000 with gamma = 1)",
    '  --json           one JSON object: Q (n x m), curve [{"step", "max_abs_error"}], V, policy, and the settings',
    "",
    "A progress bar goes to stderr when it is a terminal. Exit status: 0 success, 1 no fixed point to learn",
    "(exact backup), 2 bad input.",
  ].join("\n"),
  run(argv) {
    const { values, positionals } = parseFlags(argv, FLAGS, usage);
    const file = onePositional(positionals, "FILE", usage);
    if (values.steps === undefined) throw new ParameterError("--steps", "is required: the number of sampled transitions to learn from");
    const steps = numberFlag(values.steps, "--steps", 0, { integer: true, min: 1 });
    const seed = numberFlag(values.seed, "--seed", 0, { integer: true });
    if (!Number.isSafeInteger(seed)) throw new ParameterError("--seed", `must be a safe integer, got ${values.seed}`);
    const behaviour = values.behaviour ?? SOFT_Q_LEARNING_DEFAULTS.behaviour;
    if (!(BEHAVIOURS as readonly string[]).includes(behaviour)) {
      throw new ParameterError("--behaviour", `"${behaviour}" is not one of ${BEHAVIOURS.join(", ")}`);
    }
    const epsilon = numberFlag(values.epsilon, "--epsilon", SOFT_Q_LEARNING_DEFAULTS.epsilon, { min: 0, max: 1 });
    if (values.lr !== undefined && values["lr-power"] !== undefined) throw new ParameterError("--lr", "give either --lr (a constant rate) or --lr-power (1 / n^W), not both");
    const lr = values.lr === undefined ? undefined : numberFlag(values.lr, "--lr", 1, { exclusiveMin: 0, max: 1 });
    const power = numberFlag(values["lr-power"], "--lr-power", SOFT_Q_LEARNING_DEFAULTS.learningRatePower, { exclusiveMin: 0, max: 1 });
    const points = numberFlag(values.points, "--points", 20, { integer: true, min: 1 });
    const cap = values["max-episode-steps"] === undefined ? undefined : numberFlag(values["max-episode-steps"], "--max-episode-steps", 1, { integer: true, min: 1 });

    const mdp = loadMdp(file);
    const { options, model } = solveSetupFromFlags(values, mdp);
    for (const w of model.warnings) warn(`${w}`);
    const reference = solve(mdp, { ...options, diagnostics: false });
    for (const w of reference.warnings) warn(`${w}`);
    const bar = process.stderr.isTTY ? progressBar(steps) : null;
    const res = softQLearning(mdp, {
      backup: reference.backup,
      alpha: reference.alpha,
      gamma: reference.gamma,
      ...(options.prior ? { prior: options.prior } : {}),
      ...(options.entropy ? { entropy: true } : {}),
      steps,
      seed,
      behaviour: behaviour as Behaviour,
      epsilon,
      ...(lr !== undefined ? { learningRate: lr } : { learningRatePower: power }),
      ...(cap !== undefined ? { maxEpisodeSteps: cap } : {}),
      reference: reference.Q,
      recordEvery: Math.max(1, Math.floor(steps / points)),
      ...(bar ? { onProgress: bar.update } : {}),
    });
    bar?.done();
    const m = mdp.nActions;
    const measured = res.learnable.reduce((a, b) => a + b, 0);
    const final = res.curve.at(-1)!.maxAbsError;
    if (values.json) {
      printJson({
        model: model.name,
        backup: reference.backup,
        alpha: reference.alpha,
        gamma: reference.gamma,
        steps,
        seed,
        behaviour,
        ...(behaviour === "epsilon-greedy" ? { epsilon } : {}),
        learning_rate: lr !== undefined ? { constant: lr } : { power },
        episodes: res.episodes,
        Q: rows(res.Q, m),
        V: list(res.V),
        policy: rows(res.policy, m),
        curve: res.curve.map((p) => ({ step: p.step, max_abs_error: p.maxAbsError })),
        max_abs_error: final,
        pairs_measured: measured,
        pairs_total: mdp.nStates * m,
      });
      return 0;
    }
    const out = [
      `soft Q-learning: backup ${reference.backup}, alpha ${reference.alpha}, gamma ${reference.gamma}, behaviour ${behaviour}, ` +
        `learning rate ${lr !== undefined ? `${lr} (constant)` : `1/n^${power}`}, seed ${seed}`,
      `${steps} steps in ${res.episodes} episodes; max |Q - Q*| = ${final.toExponential(3)} over ${measured} of ${mdp.nStates * m} (state, action) pairs`,
      "",
      `${"step".padStart(12)}  max |Q - Q*|`,
      ...res.curve.map((p) => `${String(p.step).padStart(12)}  ${p.maxAbsError.toExponential(3)}`),
    ];
    process.stdout.write(out.join("\n") + "\n");
    return 0;
  },
};
export default command;
