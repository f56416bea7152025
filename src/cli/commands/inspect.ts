import { readMdpFile } from "../../mdp/read-source.js";
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
    const summary = summarizeMdp(readMdpFile(file));
    if (values.json) printJson(summary);
    else {
      const w = Math.max(...Object.keys(summary).map((k) => k.length));
      for (const [k, v] of Object.entries(summary)) process.stdout.write(`${k.padEnd(w)}  ${Array.isArray(v) ? v.join(", ") : String(v)}\n`);
    }
    return 0;
  },
};
export default command;
