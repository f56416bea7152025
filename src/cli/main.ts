#!/usr/bin/env node
/**
 * `cai`: the command line of control-as-inference.
 * Exit status: 0 success, 1 a run that failed (e.g. no convergence under --strict), 2 bad input or usage.
 * Errors go to stderr, one line per problem, never with a stack trace (CAI_DEBUG=1 adds one for
 * internal errors).
 */
import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { reportError } from "./common.js";
import { COMMANDS } from "./registry.js";
import { UsageError } from "../errors.js";
import { didYouMean } from "../suggest.js";

/** The package version, read from package.json (compiled: dist/src/cli -> root; from source: src/cli -> root; the bundle dist/cai.js: dist -> root). */
function version(): string {
  for (const rel of ["../../../package.json", "../../package.json", "../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "control-as-inference" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // try the next location
    }
  }
  return "unknown";
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
    "FILE arguments may be - for standard input (read once per command; inputs up to 512 MiB).",
    "limits: alpha in [1e-300, 1e300]; |values| and |values|/alpha up to 1e300; numbers in decimal; --threads at most the cores;",
    "        memory estimated before it is allocated (2 GiB for time-indexed arrays and tables) and refused beyond",
    "exit status: 0 success, 1 a run that failed (e.g. not converged under --strict), 2 bad input or usage",
  ].join("\n");
}

/** Run `cai` with the given arguments (without node and the script); resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  try {
    const [name, ...rest] = argv;
    if (name === undefined) {
      // No command is a usage error: the help goes to stderr, and the status says so.
      process.stderr.write(topHelp() + "\n");
      return 2;
    }
    if (name === "--help" || name === "-h") {
      process.stdout.write(topHelp() + "\n");
      return 0;
    }
    if (name === "--version" || name === "-V") {
      process.stdout.write(version() + "\n");
      return 0;
    }
    if (name === "help") {
      const topic = rest[0];
      if (topic === undefined) {
        process.stdout.write(topHelp() + "\n");
        return 0;
      }
      const entry = COMMANDS.find((c) => c.name === topic);
      if (!entry) throw unknownCommand(topic);
      process.stdout.write((await entry.load()).help + "\n");
      return 0;
    }
    if (name.startsWith("-")) throw new UsageError(`unknown option "${name}" (options before a command: --help, --version; run cai --help)`);
    const entry = COMMANDS.find((c) => c.name === name);
    if (!entry) throw unknownCommand(name);
    const command = await entry.load();
    const flags = rest.indexOf("--") === -1 ? rest : rest.slice(0, rest.indexOf("--"));
    if (flags.includes("--help") || flags.includes("-h")) {
      process.stdout.write(command.help + "\n");
      return 0;
    }
    return await command.run(rest);
  } catch (e) {
    return reportError(e);
  }
}

function unknownCommand(name: string): UsageError {
  const names = COMMANDS.map((c) => c.name);
  const guess = didYouMean(name, names).replace(/^ \((.*)\)$/, "$1; ");
  return new UsageError(`unknown command "${name}" (${guess}commands: ${names.join(", ")}; run cai --help)`);
}

/** True when this module is the program node was started with (directly, or through the npm bin link). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  const self = fileURLToPath(import.meta.url);
  for (const candidate of [script, script + ".js"]) {
    try {
      if (realpathSync(candidate) === self) return true;
    } catch {
      // not this one
    }
  }
  return false;
}

if (isEntryPoint()) {
  // The engine asks for a collection between the phases of a solve of millions of states (host.ts
  // collectGarbage), so that the sweeps' tables are freed before the diagnostics allocate theirs.
  // The function is taken from a new context on first use only (making the context takes about 6 ms,
  // which most commands never need).
  if ((globalThis as { gc?: unknown }).gc === undefined) {
    setFlagsFromString("--expose-gc");
    let gc: (() => void) | undefined;
    Object.defineProperty(globalThis, "gc", {
      configurable: true,
      get: () => (gc ??= runInNewContext("gc") as () => void),
    });
  }
  // `cai inspect big.json | head`: a closed pipe ends the output quietly, not with a stack trace.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    process.exitCode = reportError(e);
  });
  process.exitCode = await main(process.argv.slice(2));
}
