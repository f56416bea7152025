/**
 * Shared pieces of the `cai` command: flag parsing on node:util's parseArgs (unknown flags are
 * usage errors), number parsing that names the flag, and error reporting without stack traces.
 */
import { writeJson } from "./json-writer.js";
import { writeSync } from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { CaiError, InputError, NoFixedPointError, ParameterError, UsageError } from "../errors.js";
import { escapeControl } from "../preview.js";
import { didYouMean } from "../suggest.js";

/** One sub-command of `cai`. */
export interface Command {
  readonly name: string;
  /** One line for `cai --help`. */
  readonly summary: string;
  /** Full help text for `cai NAME --help`. */
  readonly help: string;
  /** Runs the command; resolves to the exit status. */
  run(argv: string[]): Promise<number> | number;
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Parse flags; unknown flags and missing values become a {@link UsageError}. */
export function parseFlags<O extends Options>(
  argv: string[],
  options: O,
  usage: string,
): { values: { [K in keyof O]?: O[K]["type"] extends "boolean" ? boolean : O[K]["multiple"] extends true ? string[] : string }; positionals: string[] } {
  try {
    // "--alpha -1" would read as a missing value followed by a flag: join a negative number to its flag
    // so that the value reaches the range check, which names the flag.
    const args: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      const next = argv[i + 1];
      const name = a.startsWith("--") ? a.slice(2) : undefined;
      if (name !== undefined && options[name]?.type === "string" && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
        args.push(`${a}=${next}`);
        i++;
      } else args.push(a);
    }
    const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: values as never, positionals };
  } catch (e) {
    throw new UsageError(`${flagErrorMessage(e as Error & { code?: string }, Object.keys(options))}\nusage: ${usage}`);
  }
}

/**
 * parseArgs' errors in the CLI's style (lower case, names quoted with "), with "did you mean" for a
 * near miss: `unknown option "--bakcup" (did you mean --backup?)`.
 */
export function flagErrorMessage(e: Error & { code?: string }, known: readonly string[]): string {
  const unknown = /^Unknown option '([^']*)'/.exec(e.message);
  if (unknown) {
    const flag = unknown[1]!;
    const name = flag.replace(/^-+/, "").replace(/=.*$/, "");
    return `unknown option "${flag}"${didYouMean(name, known, (c) => `--${c}`)}`;
  }
  const missing = /^Option '(-[^' ]*)(?: <value>)?' argument missing/.exec(e.message);
  if (missing) return `option "${missing[1]}" needs a value`;
  const noArg = /^Option '(-[^']*)' does not take an argument/.exec(e.message);
  if (noArg) return `option "${noArg[1]}" takes no value`;
  const msg = e.message.replace(/\. To specify a positional argument.*$/s, "");
  return msg.charAt(0).toLowerCase() + msg.slice(1);
}

/** A number from a flag, or the default; throws a {@link ParameterError} naming the flag. */
export function numberFlag(
  value: string | undefined,
  flag: string,
  fallback: number,
  check?: { integer?: boolean; min?: number; max?: number; exclusiveMin?: number },
): number {
  if (value === undefined) return fallback;
  return parseNumber(value, flag, check);
}

/** Parse a number given on the command line; throws a {@link ParameterError} naming the flag. */
export function parseNumber(value: string, flag: string, check: { integer?: boolean; min?: number; max?: number; exclusiveMin?: number } = {}): number {
  // Decimal notation only: Number() would also read "0x10" as 16, "0b11" as 3 and "" as 0.
  const x = DECIMAL.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isFinite(x)) {
    throw new ParameterError(flag, `${quote(value)} is not a finite number (${DECIMAL.test(value.trim()) ? "beyond the range of float64" : "write it in decimal, e.g. 16, 0.5 or 1e-3"})`);
  }
  if (check.integer && !Number.isInteger(x)) throw new ParameterError(flag, `"${value}" is not an integer`);
  if (check.min !== undefined && x < check.min) throw new ParameterError(flag, `${value} is below the minimum ${check.min}`);
  if (check.exclusiveMin !== undefined && x <= check.exclusiveMin) throw new ParameterError(flag, `${value} must be greater than ${check.exclusiveMin}`);
  if (check.max !== undefined && x > check.max) throw new ParameterError(flag, `${value} is above the maximum ${check.max}`);
  return x;
}

/** A decimal number as a user writes one: 12, -0.5, .5, 1e-3, 2.5E+10 (no hex, binary, octal, Infinity, underscores). */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A user's text quoted for a message: JSON string syntax (control characters escaped), cut to 40 characters. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? text.slice(0, 40) + "..." : text);
}

/** Exactly one positional argument (a file or "-"). */
export function onePositional(positionals: string[], what: string, usage: string): string {
  if (positionals.length === 0) throw new UsageError(`missing ${what}\nusage: ${usage}`);
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"\nusage: ${usage}`);
  return positionals[0]!;
}

/** API options the engine names whose flag is spelled differently. */
const API_FLAGS: Readonly<Record<string, string>> = { maxIter: "--max-iter", maxSteps: "--max-steps" };

/**
 * Phrases of engine messages that name API options, and what the CLI user types instead. The engine
 * speaks the library's language; the CLI translates on the way out.
 */
const API_PHRASES: readonly (readonly [string, string])[] = [
  ["(maxIter)", "(--max-iter)"],
  ["(keepSteps: false)", "(cai solve without --all-steps)"],
  ['backup: "hard"', "--backup hard"],
  ["keep only t = 0 (cai solve without --all-steps)", "leave out --all-steps (only t = 0 is kept)"],
];

/** An engine message in the CLI's words (flags for API options). */
export function cliText(s: string): string {
  for (const [api, flag] of API_PHRASES) s = s.split(api).join(flag);
  return s;
}

/** Write a warning on stderr, one line, in the CLI's words. */
export function warn(message: string): void {
  process.stderr.write(`cai: warning: ${cliText(oneLine(message))}\n`);
}

/** How many problem lines the CLI prints before summarising the rest. */
export const MAX_PROBLEM_LINES = 20;

/**
 * Report an error on stderr and return the exit status: 2 for bad input or usage, 1 for a run
 * that failed. No stack trace unless CAI_DEBUG is set.
 */
export function reportError(e: unknown, write: (line: string) => void = (l) => process.stderr.write(l + "\n")): number {
  // The engine names its API options; the CLI says which flag sets them.
  if (e instanceof ParameterError && e.parameter in API_FLAGS) {
    write(`cai: error: ${API_FLAGS[e.parameter]}: ${cliText(oneLine(e.detail))}`);
    return 2;
  }
  if (e instanceof NoFixedPointError) {
    write(`cai: error: ${oneLine(e.finding)} Use --backup variational, a finite --horizon, or a smaller --gamma.`);
    return 1;
  }
  if (e instanceof UsageError) {
    // A usage error may carry a "usage: ..." line after its message.
    for (const line of e.message.split("\n")) write(line.startsWith("usage:") ? line : `cai: error: ${escapeControl(line)}`);
    return 2;
  }
  if (e instanceof InputError) {
    const shown = e.problems.slice(0, MAX_PROBLEM_LINES);
    for (const p of shown) write(`cai: error: ${cliText(oneLine(asFlag(p)))}`);
    const rest = e.problems.length - shown.length;
    if (rest > 0) write(`cai: error: ... and ${rest} more problem${rest > 1 ? "s" : ""} (${e.problems.length} in all)`);
    return 2;
  }
  if (e instanceof CaiError) {
    write(`cai: error: ${cliText(oneLine(e.message))}`);
    return 1;
  }
  const err = e instanceof Error ? e : undefined;
  write(`cai: internal error: ${oneLine(err?.message ?? String(e))}`);
  if (process.env.CAI_DEBUG && err?.stack) write(err.stack);
  return 70;
}

/** The engine's option names that the CLI spells as flags (an engine ParameterError names the option). */
const OPTION_FLAGS: Readonly<Record<string, string>> = { alpha: "--alpha", gamma: "--gamma", horizon: "--horizon", tol: "--tol", "max-iter": "--max-iter", threads: "--threads", schedule: "--schedule", backup: "--backup", entropy: "--entropy" };

/** A problem's message, with an engine option name at its start replaced by the flag that set it. */
function asFlag(p: { code: string; path?: string; message: string }): string {
  const flag = p.code === "bad-parameter" && p.path !== undefined ? OPTION_FLAGS[p.path] : undefined;
  return flag !== undefined && p.message.startsWith(`${p.path}: `) ? flag + p.message.slice(p.path!.length) : p.message;
}

/** A message on one line (a problem is one line of stderr). */
function oneLine(s: string): string {
  // Control characters (an ESC in a file name) are escaped, never written raw to the terminal.
  return escapeControl(s.replace(/\s*[\r\n]+\s*/g, " "));
}

/**
 * Write JSON to stdout (numbers with full precision; non-finite numbers become null; a Float64Array
 * as a list): the bytes of `JSON.stringify(value, cliReplacer)`, written in chunks (json-writer.ts).
 */
export function printJson(value: unknown): void {
  const write = stdoutWriter();
  if (!writeJson(value, write)) write("undefined");
  write("\n");
}

/**
 * A writer of text and bytes to standard output that is done with each chunk when it returns (the
 * JSON writer hands it views of the WebAssembly number writer's memory): fs.writeSync on fd 1, all
 * of the chunk, waiting out EAGAIN on a non-blocking pipe, and leaving as the 'error' handler of
 * main.ts does when the reader has gone (EPIPE). Where process.stdout still holds queued output,
 * chunks are copied and queued behind it instead, so that the order stays.
 */
function stdoutWriter(): (chunk: string | Uint8Array) => void {
  if (process.stdout.writableLength > 0) {
    return (chunk) => void process.stdout.write(typeof chunk === "string" ? chunk : Buffer.from(chunk));
  }
  const pause = new Int32Array(new SharedArrayBuffer(4));
  return (chunk) => {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
    for (let at = 0; at < bytes.length; ) {
      try {
        at += writeSync(1, bytes, at, bytes.length - at);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EAGAIN") Atomics.wait(pause, 0, 0, 1);
        else if (code === "EPIPE") process.exit(process.exitCode ?? 0);
        else throw e;
      }
    }
  };
}

/**
 * A number for text output at a readable precision: `digits` significant digits in plain notation
 * between 1e-3 and 1e6 ("0.365402", "13.5630" -> "13.563"), scientific outside ("2.5e-12"), 0 as "0".
 * JSON output keeps full precision; this is for people.
 */
export function formatNumber(x: number, digits = 6): string {
  if (x === 0) return "0";
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e6) return String(Number(x.toPrecision(digits)));
  return x.toExponential(digits - 1).replace(/\.?0+e/, "e");
}
