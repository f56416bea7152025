/**
 * What an environment states about itself: one descriptor per environment, listed once in
 * `ENVIRONMENTS` (registry.ts). `cai env` (its names, flags, help and the build), and the pictures
 * and tables that draw a grid (`gridShape`: render, report, the lesson, demo, irl) read the
 * descriptors. A new environment is one file exporting a builder and its descriptor, and one line in
 * `ENVIRONMENTS`.
 */
import type { TabularMdp } from "../tabular.js";
import type { CellKind } from "./grid.js";

/** A flag of `cai env NAME` (several environments may share one, e.g. `--no-slippery`). */
export interface EnvironmentFlag {
  /** The flag without its dashes. */
  readonly name: string;
  readonly type: "string" | "boolean";
}

/** What `build` is given: the flags' values and parsing that names the flag (the CLI's). */
export interface EnvironmentInputs {
  /** A string flag's text (undefined when not given). */
  readonly text: (flag: string) => string | undefined;
  /** Whether a boolean flag was given. */
  readonly given: (flag: string) => boolean;
  /** A number flag, range-checked (the error names the flag); undefined when not given. */
  readonly number: (flag: string, check?: { integer?: boolean; min?: number; max?: number }) => number | undefined;
  /** Parse a number out of a flag's text (e.g. one of a list); the error names the flag. */
  readonly parse: (text: string, flag: string) => number;
  /** A bad-usage error (the CLI adds its usage line). */
  readonly fail: (message: string) => never;
}

/** How the states of a grid environment sit on its map (read back from `meta` by `gridShape`). */
export interface GridDrawing {
  /** The `meta.name` the environment writes. */
  readonly meta: string;
  /** The kind of each map character. */
  readonly legend: Readonly<Record<string, CellKind>>;
  /** Consecutive states per cell (1; Taxi's 20: passenger x destination). */
  readonly statesPerCell: number;
}

/** An environment: its name, flags and help for `cai env`, its build, and how it is drawn. */
export interface EnvironmentDescriptor {
  /** Its name, as `cai env NAME` takes it. */
  readonly name: string;
  /** Its lines in `cai env --help` (first line: the name and what it is). */
  readonly help: readonly string[];
  /** The flags it accepts, in the order its refusals list them. */
  readonly flags: readonly EnvironmentFlag[];
  /** Build the MDP from the flags. */
  readonly build: (inputs: EnvironmentInputs) => TabularMdp;
  /** How its states are drawn on a grid (absent: not a grid). */
  readonly grid?: GridDrawing;
}

// cai env face: from here on, this environment's descriptor for `cai env` (issue 12: name, flags, help, build); its text may name flags.

/** `--slippery` and `--no-slippery`, shared by the grid worlds. */
export const SLIPPERY_FLAGS: readonly EnvironmentFlag[] = [
  { name: "slippery", type: "boolean" },
  { name: "no-slippery", type: "boolean" },
];

/** --slippery / --no-slippery, or the environment's default. */
export function slipperyFlag(inputs: EnvironmentInputs, fallback: boolean): boolean {
  const on = inputs.given("slippery");
  const off = inputs.given("no-slippery");
  if (on && off) return inputs.fail("give --slippery or --no-slippery, not both");
  if (on) return true;
  if (off) return false;
  return fallback;
}
