import { loadMdp } from "../tables.js";
import { TrajectoryGraph } from "../../graph/trajectory-graph.js";
import { backwardSchedule } from "../../inference/schedule.js";
import { UsageError } from "../../errors.js";
import { numberFlag, onePositional, parseFlags, printJson, type Command } from "../common.js";

const usage = "cai graph FILE [--horizon H] [--gamma G] [--format dot|json]";

const command: Command = {
  name: "graph",
  summary: "the trajectory factor graph of an MDP (DOT or JSON)",
  help: [
    `usage: ${usage}`,
    "",
    "Prints the factor graph: variables s_t, a_t, O_t (observed), factors p0, pi0_t, P_t (dynamics x",
    "optimality), and edges with their interface names (out, s, a, next, O). Without --horizon, the",
    "stationary one-slice graph whose P.next interface loops back to s.",
    "",
    "  --horizon H        unroll over t = 0..H-1",
    "  --gamma G          discount (adds the death state to the state domain when < 1; default 1)",
    "  --format dot|json  Graphviz DOT (default) or JSON (nodes, factors, edges, and the backward schedule)",
  ].join("\n"),
  run(argv) {
    const { values, positionals } = parseFlags(argv, { horizon: { type: "string" }, gamma: { type: "string" }, format: { type: "string" } }, usage);
    const file = onePositional(positionals, "FILE", usage);
    const format = values.format ?? "dot";
    if (format !== "dot" && format !== "json") throw new UsageError(`--format: "${format}" is not dot or json`);
    const mdp = loadMdp(file);
    const gamma = numberFlag(values.gamma, "--gamma", 1, { exclusiveMin: 0, max: 1 });
    const horizon = values.horizon === undefined ? undefined : numberFlag(values.horizon, "--horizon", 1, { integer: true, min: 1 });
    const tg = TrajectoryGraph.forMdp(mdp, gamma, horizon);
    if (format === "json") printJson({ ...tg.toJSON(), schedule: backwardSchedule(tg).steps });
    else process.stdout.write(tg.toDot());
    return 0;
  },
};
export default command;
