import { UsageError } from "../../errors.js";
import { writeMdpChunks, type MdpFormat } from "../../mdp/formats.js";
import { cliffWalking, frozenLake, frozenLakeOpen, randomMdp, taxi, FROZEN_LAKE_MAPS, type FrozenLakeMapName } from "../../mdp/environments/index.js";
import type { TabularMdp } from "../../mdp/tabular.js";
import { parseFlags, parseNumber, type Command } from "../common.js";
import { checkTableSize } from "../../limits.js";

const usage = "cai env NAME [options] [--format gymnasium|native]   (NAME: frozenlake, frozenlake-open, cliffwalking, taxi, random)";

const flags = {
  map: { type: "string" },
  slippery: { type: "boolean" },
  "no-slippery": { type: "boolean" },
  "success-rate": { type: "string" },
  "reward-schedule": { type: "string" },
  size: { type: "string" },
  states: { type: "string" },
  actions: { type: "string" },
  successors: { type: "string" },
  seed: { type: "string" },
  "reward-min": { type: "string" },
  "reward-max": { type: "string" },
  "terminal-probability": { type: "string" },
  format: { type: "string" },
} as const;

type Flag = keyof typeof flags;
type Values = ReturnType<typeof parseFlags<typeof flags>>["values"];

/** The options each environment accepts (besides --format). */
const ACCEPTS: Readonly<Record<string, readonly Flag[]>> = {
  frozenlake: ["map", "slippery", "no-slippery", "success-rate", "reward-schedule"],
  "frozenlake-open": ["size", "slippery", "no-slippery", "success-rate"],
  cliffwalking: ["slippery", "no-slippery"],
  taxi: [],
  random: ["states", "actions", "successors", "seed", "reward-min", "reward-max", "terminal-probability"],
};

const command: Command = {
  name: "env",
  summary: "write FrozenLake, CliffWalking, Taxi (as Gymnasium builds env.P) or a seeded random MDP as P JSON",
  help: [
    `usage: ${usage}`,
    "",
    "Writes an environment's transition table to standard output as Gymnasium P JSON: P[s][a] lists",
    "[prob, next_state, reward, done] exactly as Gymnasium's env.P does (same states, actions, entry",
    'order and probabilities), plus "initial" (p0). --format native adds names and metadata.',
    "",
    "environments:",
    "  frozenlake        FrozenLake-v1; actions LEFT, DOWN, RIGHT, UP",
    "    --map M           4x4 (default), 8x8, or rows of S, F, H, G separated by commas, e.g. SFFF,FHFH,FFFH,HFFG",
    "    --no-slippery     deterministic moves (slippery is the default)",
    "    --success-rate P  probability of the intended direction when slippery (default 1/3); each side gets (1-P)/2",
    "    --reward-schedule G,H,F  rewards for entering a goal, a hole, a frozen cell (default 1,0,0)",
    "  frozenlake-open   open N x N FrozenLake: start top-left, goal bottom-right, no holes (the benchmark layout;",
    "                    slippery entries all exactly 1/3 unless --success-rate is given)",
    "    --size N          side, N >= 2 (required)",
    "    --no-slippery, --success-rate P",
    "  cliffwalking      CliffWalking-v1, 4 x 12; actions UP, RIGHT, DOWN, LEFT; the cliff costs -100 and returns",
    "                    to the start without ending the episode; -1 per other step; the goal ends it",
    "    --slippery        intended or either perpendicular move, 1/3 each (not slippery by default)",
    "  taxi              Taxi-v3, 500 states; actions SOUTH, NORTH, EAST, WEST, PICKUP, DROPOFF",
    "  random            seeded sparse random MDP (same options, same table), p0 uniform",
    "    --states N        number of states (required)",
    "    --actions M       number of actions (default 4)",
    "    --successors K    distinct next states per (s, a) (default min(8, N))",
    "    --seed S          integer seed (default 0)",
    "    --reward-min A, --reward-max B   rewards uniform in [A, B) (default -1, 1); write negatives as --reward-min=-2",
    "    --terminal-probability Q         probability that an entry ends the episode (default 0)",
    "",
    "  --format F        gymnasium (default) or native",
  ].join("\n"),
  run(argv) {
    const { values, positionals } = parseFlags(argv, flags, usage);
    if (positionals.length === 0) throw new UsageError(`missing the environment NAME\nusage: ${usage}`);
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"\nusage: ${usage}`);
    const name = positionals[0]!;
    const accepts = ACCEPTS[name];
    if (!accepts) throw new UsageError(`unknown environment "${name}" (environments: ${Object.keys(ACCEPTS).join(", ")})\nusage: ${usage}`);
    for (const flag of Object.keys(values) as Flag[]) {
      if (flag !== "format" && values[flag] !== undefined && !accepts.includes(flag)) {
        throw new UsageError(
          `--${flag} does not apply to ${name} (${accepts.length > 0 ? `its options: ${accepts.map((f) => `--${f}`).join(", ")}` : "it has no options"})\nusage: ${usage}`,
        );
      }
    }
    const format = values.format ?? "gymnasium";
    if (format !== "gymnasium" && format !== "native") throw new UsageError(`--format must be gymnasium or native, got "${format}"\nusage: ${usage}`);
    const mdp = build(name, values);
    // In chunks: the open 1000 x 1000 lake is about 420 MB of JSON, too much for one string.
    // On a terminal, large tables show how far the writing is (nothing on pipes, files or CI logs).
    const show = process.stderr.isTTY === true && mdp.nStates >= 100_000;
    let states = 0;
    let bytes = 0;
    let last = 0;
    writeMdpChunks(mdp, format as MdpFormat, (chunk) => {
      process.stdout.write(chunk);
      if (!show) return;
      bytes += chunk.length;
      for (let i = chunk.indexOf("\n["); i !== -1; i = chunk.indexOf("\n[", i + 2)) states++;
      const now = performance.now();
      if (now - last < 200) return;
      last = now;
      process.stderr.write(`\r\x1b[Kcai env: ${states} of ${mdp.nStates} states written (${(bytes / 1e6).toFixed(0)} MB)`);
    });
    if (show) process.stderr.write("\r\x1b[K");
    return 0;
  },
};
export default command;

function build(name: string, values: Values): TabularMdp {
  switch (name) {
    case "frozenlake": {
      const successRate = values["success-rate"] === undefined ? undefined : parseNumber(values["success-rate"], "--success-rate", { min: 0, max: 1 });
      return frozenLake({
        map: parseMap(values.map),
        isSlippery: slippery(values, true),
        ...(successRate !== undefined ? { successRate } : {}),
        ...(values["reward-schedule"] !== undefined ? { rewardSchedule: parseSchedule(values["reward-schedule"]) } : {}),
      });
    }
    case "frozenlake-open": {
      if (values.size === undefined) throw new UsageError(`frozenlake-open needs --size N (N >= 2)\nusage: ${usage}`);
      const size = parseNumber(values.size, "--size", { integer: true, min: 2 });
      checkTableSize(4 * size * size, 12 * size * size, "--size", `an open lake of ${size} x ${size} cells`);
      const successRate = values["success-rate"] === undefined ? undefined : parseNumber(values["success-rate"], "--success-rate", { min: 0, max: 1 });
      return frozenLakeOpen(size, { isSlippery: slippery(values, true), ...(successRate !== undefined ? { successRate } : {}) });
    }
    case "cliffwalking":
      return cliffWalking({ isSlippery: slippery(values, false) });
    case "taxi":
      return taxi();
    default: {
      if (values.states === undefined) throw new UsageError(`random needs --states N\nusage: ${usage}`);
      const states = parseNumber(values.states, "--states", { integer: true, min: 1 });
      const actions = values.actions === undefined ? 4 : parseNumber(values.actions, "--actions", { integer: true, min: 1 });
      const successors = values.successors === undefined ? Math.min(8, states) : parseNumber(values.successors, "--successors", { integer: true, min: 1, max: states });
      checkTableSize(states * actions, states * actions * successors, "--states", `a random MDP of ${states} states x ${actions} actions x ${successors} successors`);
      const seed = values.seed === undefined ? 0 : parseNumber(values.seed, "--seed", { integer: true });
      const rewardMin = values["reward-min"] === undefined ? -1 : parseNumber(values["reward-min"], "--reward-min");
      const rewardMax = values["reward-max"] === undefined ? Math.max(1, rewardMin) : parseNumber(values["reward-max"], "--reward-max", { min: rewardMin });
      const terminalProbability = values["terminal-probability"] === undefined ? 0 : parseNumber(values["terminal-probability"], "--terminal-probability", { min: 0, max: 1 });
      return randomMdp({ states, actions, successors, seed, rewardRange: [rewardMin, rewardMax], terminalProbability });
    }
  }
}

/** --slippery / --no-slippery, or the environment's default. */
function slippery(values: Values, fallback: boolean): boolean {
  if (values.slippery && values["no-slippery"]) throw new UsageError(`give --slippery or --no-slippery, not both\nusage: ${usage}`);
  if (values.slippery) return true;
  if (values["no-slippery"]) return false;
  return fallback;
}

/** A named map, or comma-separated rows. */
function parseMap(value: string | undefined): FrozenLakeMapName | string[] {
  if (value === undefined) return "4x4";
  if (value in FROZEN_LAKE_MAPS) return value as FrozenLakeMapName;
  if (value.includes(",") || /^[SFHG]+$/.test(value.trim())) return value.split(",").map((row) => row.trim());
  throw new UsageError(`--map: "${value}" is neither a named map (${Object.keys(FROZEN_LAKE_MAPS).join(", ")}) nor rows of S, F, H, G separated by commas\nusage: ${usage}`);
}

/** "G,H,F" as three numbers. */
function parseSchedule(value: string): [number, number, number] {
  const parts = value.split(",");
  if (parts.length !== 3) throw new UsageError(`--reward-schedule: expected three numbers G,H,F (rewards for entering a goal, a hole, a frozen cell), got "${value}"\nusage: ${usage}`);
  const [g, h, f] = parts.map((p) => parseNumber(p, "--reward-schedule")) as [number, number, number];
  return [g, h, f];
}
