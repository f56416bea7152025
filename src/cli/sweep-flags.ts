/**
 * `--schedule` and `--threads`, shared by `cai solve` and `cai bench`. A module of its own so that
 * `cai bench` loads neither the models nor the rest of the public API (solve-flags.ts does).
 */
import { availableParallelism } from "node:os";
import { ParameterError } from "../errors.js";
import type { SweepSchedule } from "../inference/kernels/index.js";
import { parseNumber } from "./common.js";

/** `--schedule` and `--threads` (infinite horizon sweeps), checked and naming the flag. */
export function sweepFlags(v: { schedule?: string | undefined; threads?: string | undefined }): { schedule?: SweepSchedule; threads?: number | "auto" } {
  const out: { schedule?: SweepSchedule; threads?: number | "auto" } = {};
  if (v.schedule !== undefined) {
    if (v.schedule !== "jacobi" && v.schedule !== "gauss-seidel" && v.schedule !== "prioritised") {
      throw new ParameterError("--schedule", `"${v.schedule}" is not one of jacobi, gauss-seidel, prioritised`);
    }
    out.schedule = v.schedule;
  }
  // More threads than cores never helps a memory-bound sweep: a larger number means all cores.
  if (v.threads !== undefined) out.threads = v.threads === "auto" ? "auto" : Math.min(parseNumber(v.threads, "--threads", { integer: true, min: 1 }), availableParallelism());
  return out;
}

