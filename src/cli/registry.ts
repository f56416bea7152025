/**
 * The list of `cai` sub-commands. Each command lives in its own file under commands/ and is loaded
 * only when it runs, so that `cai solve` never pays for mathjs (loaded by `cai derive` only).
 */
import type { Command } from "./common.js";

/** Name, one-line summary, and a loader for each command. */
export const COMMANDS: ReadonlyArray<{ name: string; summary: string; load: () => Promise<Command> }> = [
  { name: "inspect", summary: "summarise an MDP file (sizes, nonzeros, terminal entries, rewards)", load: async () => (await import("./commands/inspect.js")).default },
];
