/**
 * `--schedule` and `--threads`, shared by `cai solve` and `cai bench`. A module of its own so that
 * `cai bench` loads neither the models nor the rest of the public API (solve-flags.ts does).
 */
import { availableParallelism } from "node:os";
import { ParameterError } from "../errors.js";
import { SWEEP_SCHEDULES, type SweepSchedule } from "../inference/kernels/sweeper.js";
import { BACKUPS, type Backup } from "../inference/rules/index.js";
import { SOLVE_DEFAULTS } from "../inference/solve-options.js";
import { parseNumber } from "./common.js";

/** The backups as the CLI lists them: the default first, then the registry's order. */
export const BACKUP_CHOICES: readonly Backup[] = [SOLVE_DEFAULTS.backup, ...BACKUPS.filter((b) => b !== SOLVE_DEFAULTS.backup)];

/** Items as words: "a, b or c". */
export function orList(items: readonly string[]): string {
  return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/** `--schedule` and `--threads` (infinite horizon sweeps), checked and naming the flag. */
export function sweepFlags(v: { schedule?: string | undefined; threads?: string | undefined }): { schedule?: SweepSchedule; threads?: number | "auto" } {
  const out: { schedule?: SweepSchedule; threads?: number | "auto" } = {};
  if (v.schedule !== undefined) {
    if (!(SWEEP_SCHEDULES as readonly string[]).includes(v.schedule)) {
      throw new ParameterError("--schedule", `"${v.schedule}" is not one of ${SWEEP_SCHEDULES.join(", ")}`);
    }
    out.schedule = v.schedule as SweepSchedule;
  }
  // More threads than cores never helps a memory-bound sweep: a larger number means all cores.
  if (v.threads !== undefined) out.threads = v.threads === "auto" ? "auto" : Math.min(parseNumber(v.threads, "--threads", { integer: true, min: 1 }), availableParallelism());
  return out;
}

