#!/usr/bin/env node
/**
 * `cai`: the command line of control-as-inference.
 * Exit status: 0 success, 1 a run that failed (e.g. no convergence under --strict), 2 bad input or usage.
 */
import { readFileSync } from "node:fs";
import { reportError } from "./common.js";
import { COMMANDS } from "./registry.js";
import { UsageError } from "../errors.js";

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "cai: reinforcement learning as inference in a factor graph",
    "",
    "usage: cai <command> [options]      cai <command> --help for its options",
    "",
    "commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "options: --help, --version",
    "exit status: 0 success, 1 a run that failed (e.g. not converged under --strict), 2 bad input or usage",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  try {
    const [name, ...rest] = argv;
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      process.stdout.write(topHelp() + "\n");
      return name === undefined ? 2 : 0;
    }
    if (name === "--version" || name === "-V") {
      process.stdout.write(version() + "\n");
      return 0;
    }
    const entry = COMMANDS.find((c) => c.name === name);
    if (!entry) throw new UsageError(`unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(", ")})`);
    const command = await entry.load();
    if (rest.includes("--help") || rest.includes("-h")) {
      process.stdout.write(command.help + "\n");
      return 0;
    }
    return await command.run(rest);
  } catch (e) {
    return reportError(e);
  }
}

const status = await main(process.argv.slice(2));
process.exitCode = status;
