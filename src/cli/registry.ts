/**
 * The list of `cai` sub-commands. Each command lives in its own file under commands/ and is loaded
 * only when it runs, so that `cai solve` never pays for mathjs (loaded by `cai derive` only).
 */
import type { Command } from "./common.js";

/** Name, one-line summary, and a loader for each command. */
export const COMMANDS: ReadonlyArray<{ name: string; summary: string; load: () => Promise<Command> }> = [
  { name: "demo", summary: "what the engine does, on FrozenLake 8x8 (the main job, `npm start`)", load: async () => (await import("./commands/demo.js")).default },
  { name: "solve", summary: "soft values, Q and the policy by message passing (exact, variational or hard)", load: async () => (await import("./commands/solve.js")).default },
  { name: "graph", summary: "the trajectory factor graph of an MDP (DOT or JSON)", load: async () => (await import("./commands/graph.js")).default },
  { name: "inspect", summary: "summarise an MDP file (sizes, nonzeros, terminal entries, rewards)", load: async () => (await import("./commands/inspect.js")).default },
  { name: "env", summary: "write FrozenLake, CliffWalking, Taxi (as Gymnasium builds env.P) or a seeded random MDP as P JSON", load: async () => (await import("./commands/env.js")).default },
  { name: "render", summary: "pictures as self-contained SVG: the factor graph, values and policies (side by side, alpha sweeps)", load: async () => (await import("./commands/render.js")).default },
  { name: "report", summary: "one self-contained HTML page of a run: the factor graph, the derivation, values and policies, the numbers", load: async () => (await import("./commands/report.js")).default },
  { name: "lesson", summary: "the lesson as one interactive HTML page that runs the engine in the browser (no network, opens from file://)", load: async () => (await import("./commands/lesson.js")).default },
  { name: "learn", summary: "tabular soft Q-learning from sampled episodes (seeded), with its error to the message-passing fixed point", load: async () => (await import("./commands/learn.js")).default },
  { name: "sample", summary: "sample episodes from the soft-optimal policy or the exact posterior, as a --demos file (seeded)", load: async () => (await import("./commands/sample.js")).default },
  { name: "irl", summary: "inverse RL from demonstrations: MCE IRL (variational) or MaxEnt IRL (exact), by L-BFGS", load: async () => (await import("./commands/irl.js")).default },
  { name: "check", summary: "judge a Q-table computed elsewhere: Bellman residual, largest differences, known convention mismatches", load: async () => (await import("./commands/check.js")).default },
  { name: "derive", summary: "derive the backups symbolically from the graph's message rules (text or LaTeX)", load: async () => (await import("./commands/derive.js")).default },
  { name: "bench", summary: "time the engine on the soft value iteration benchmark (open N x N FrozenLake, built in memory)", load: async () => (await import("./commands/bench.js")).default },
];
