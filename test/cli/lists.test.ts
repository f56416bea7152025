/**
 * Closed lists are defined once and the help texts are generated from them: every member of each
 * list (backups, schedules, models, environments, MDP formats, derivation formats) appears in the
 * usage and help of the commands that take it, and the CLI's checks refuse what is not in the list.
 */
import { describe, expect, it } from "vitest";
import { BACKUPS } from "../../src/inference/rules/index.js";
import { SWEEP_SCHEDULES } from "../../src/inference/kernels/sweeper.js";
import { MDP_FORMATS } from "../../src/mdp/formats.js";
import { ENVIRONMENT_NAMES } from "../../src/mdp/environments/registry.js";
import { DERIVE_FORMATS } from "../../src/derive/format.js";
import { MODEL_NAMES } from "../../models/index.js";
import { SOLVE_FLAGS_HELP, SOLVE_FLAGS_USAGE } from "../../src/cli/solve-flags.js";
import { sweepFlags } from "../../src/cli/sweep-flags.js";
import solve from "../../src/cli/commands/solve.js";
import derive from "../../src/cli/commands/derive.js";
import bench from "../../src/cli/commands/bench.js";
import env from "../../src/cli/commands/env.js";

/** The `[--flag a|b|c]` choices of a usage line. */
function choices(usage: string, flag: string): string[] {
  const m = new RegExp(`\\[--${flag} ([^\\] ]+)\\]`).exec(usage);
  expect(m, `--${flag} in ${usage}`).not.toBeNull();
  return m![1]!.split("|");
}

describe("closed lists in usage and help are generated from their one definition", () => {
  it("the solve flags (solve, learn, check, render, report, sample) list every backup, schedule and model", () => {
    expect(new Set(choices(SOLVE_FLAGS_USAGE, "backup"))).toEqual(new Set(BACKUPS));
    expect(choices(SOLVE_FLAGS_USAGE, "schedule")).toEqual([...SWEEP_SCHEDULES]);
    expect(choices(SOLVE_FLAGS_USAGE, "model")).toEqual([...MODEL_NAMES]);
    for (const b of BACKUPS) expect(SOLVE_FLAGS_HELP).toMatch(new RegExp(`--backup B .*\\b${b} \\(`));
    for (const m of MODEL_NAMES) expect(SOLVE_FLAGS_HELP).toMatch(new RegExp(`^ {2}(--model M)? +${m} \\(`, "m"));
    expect(solve.help).toContain(SOLVE_FLAGS_USAGE);
  });

  it("derive lists every backup, model and format; bench every backup and schedule; env every environment and format", () => {
    const deriveUsage = derive.help.split("\n")[0]!;
    expect(new Set(choices(deriveUsage, "backup"))).toEqual(new Set(BACKUPS));
    expect(choices(deriveUsage, "model")).toEqual([...MODEL_NAMES]);
    expect(choices(deriveUsage, "format")).toEqual([...DERIVE_FORMATS]);
    for (const m of MODEL_NAMES) expect(derive.help).toMatch(new RegExp(`\\b${m} \\(`));
    const benchUsage = bench.help.split("\n")[0]!;
    expect(choices(benchUsage, "backup")).toEqual([...BACKUPS]);
    expect(choices(benchUsage, "schedule")).toEqual([...SWEEP_SCHEDULES]);
    for (const b of BACKUPS) expect(bench.help).toMatch(new RegExp(`--backup B .*\\b${b}\\b`));
    const envUsage = env.help.split("\n")[0]!;
    expect(choices(envUsage, "format")).toEqual([...MDP_FORMATS]);
    expect(envUsage).toContain(`(NAME: ${ENVIRONMENT_NAMES.join(", ")})`);
    for (const name of ENVIRONMENT_NAMES) expect(env.help).toMatch(new RegExp(`^ {2}${name} +\\S`, "m"));
    for (const f of MDP_FORMATS) expect(env.help).toMatch(new RegExp(`--format F .*\\b${f}\\b`));
  });

  it("the checks accept every member and refuse anything else, listing the members", () => {
    for (const schedule of SWEEP_SCHEDULES) expect(sweepFlags({ schedule }).schedule).toBe(schedule);
    expect(() => sweepFlags({ schedule: "red-black" })).toThrow(`--schedule: "red-black" is not one of ${SWEEP_SCHEDULES.join(", ")}`);
    expect(() => env.run(["frozenlake", "--format", "csv"])).toThrow(`--format must be ${MDP_FORMATS.join(" or ")}, got "csv"`);
  });
});
