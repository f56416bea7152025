import { loadMdp } from "../tables.js";
import { summarizeMdp } from "../../mdp/summary.js";
import { onePositional, parseFlags, printJson, type Command } from "../common.js";

const usage = "cai inspect FILE [--json]";

const command: Command = {
  name: "inspect",
  summary: "summarise an MDP file (sizes, nonzeros, terminal entries, rewards)",
  help: [
    `usage: ${usage}`,
    "",
    "Reads an MDP (Gymnasium P JSON or native JSON; FILE may be - for standard input) and prints its",
    "sizes, number of transition entries, terminal entries, reward range, whether the dynamics are",
    "deterministic, and the initial distribution's support.",
    "",
    "  --json   print the summary as one JSON object",
  ].join("\n"),
  run(argv) {
    const { values, positionals } = parseFlags(argv, { json: { type: "boolean" } }, usage);
    const file = onePositional(positionals, "FILE", usage);
    const summary = summarizeMdp(loadMdp(file));
    // JSON keys in snake_case, as every other command's (nonzero_entries, reward_min, ...).
    if (values.json) printJson(Object.fromEntries(Object.entries(summary).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v])));
    else {
      const label = (k: string) => k.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`);
      const w = Math.max(...Object.keys(summary).map((k) => label(k).length));
      for (const [k, v] of Object.entries(summary)) process.stdout.write(`${label(k).padEnd(w)}  ${Array.isArray(v) ? v.join(", ") : String(v)}\n`);
    }
    return 0;
  },
};
export default command;
