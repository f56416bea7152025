/**
 * `cai bench softvi`: the job of the bench's C reference (test/bench/ref/softvi.c) run by the engine
 * itself: message passing (KL form, uniform prior; variational by default) on the open N x N FrozenLake, slippery, built in memory (a
 * 1000 x 1000 grid as JSON would be half a gigabyte), solved by `solve` with the options users pass.
 *
 * Sweeps are counted as the C reference counts them: every sweep from V = 0, the engine's sweep 0
 * included, so `--tol 0 --max-iter 100` runs exactly 100 sweeps. ns_per_nnz times the sweeps only
 * (from the end of sweep 0 to the end of the last, through solve's onSweep hook), as the C reference
 * times only its sweeps; total_ms is the whole solve (compiling the kernel's arrays, starting the
 * threads, the sweeps, the policy).
 */
import { readBytes } from "../../mdp/read-bytes.js";
import { writeOutput } from "../../render/output.js";
import { checkTableSize } from "../../limits.js";
import { sweepProgress } from "../progress.js";
import { ParameterError, UsageError } from "../../errors.js";
import { frozenLakeOpen } from "../../mdp/environments/index.js";
import { SOLVE_DEFAULTS, solve } from "../../inference/solve.js";
import { SWEEP_SCHEDULES, type SweepSchedule } from "../../inference/kernels/sweeper.js";
import { kernelFor } from "../../inference/kernels/wasm.js";
import { BACKUPS, RULES, type Backup } from "../../inference/rules/index.js";
import { numberFlag, parseFlags, parseNumber, printJson, type Command } from "../common.js";
import { orList, sweepFlags } from "../sweep-flags.js";

const usage =
  `cai bench softvi --size N [--backup ${BACKUPS.join("|")}] [--alpha A] [--gamma G] [--tol T] [--max-iter K] [--schedule ${SWEEP_SCHEDULES.join("|")}] [--threads auto|T] [--init FILE] [--dump FILE] [--json]`;

const flags = {
  size: { type: "string" },
  backup: { type: "string" },
  alpha: { type: "string" },
  gamma: { type: "string" },
  tol: { type: "string" },
  "max-iter": { type: "string" },
  schedule: { type: "string" },
  threads: { type: "string" },
  init: { type: "string" },
  dump: { type: "string" },
  json: { type: "boolean" },
} as const;

/** `--init FILE`: exactly n finite float64 values, little-endian; else a typed error naming the flag (and the index). */
function readValues(path: string, n: number): Float64Array {
  const bytes = readBytes(path);
  if (bytes.length !== 8 * n) throw new ParameterError("--init", `${path} holds ${bytes.length} bytes; ${n} states need ${8 * n} (raw little-endian float64)`);
  const V = new Float64Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let s = 0; s < n; s++) {
    const v = view.getFloat64(8 * s, true);
    if (!Number.isFinite(v)) throw new ParameterError("--init", `value ${s} of ${path} is ${v}, not a finite number`);
    V[s] = v;
  }
  return V;
}

const command: Command = {
  name: "bench",
  summary: "time the engine on the soft value iteration benchmark (open N x N FrozenLake, built in memory)",
  help: [
    `usage: ${usage}`,
    "",
    "Message passing (variational backup unless --backup, KL to the uniform prior) on the open N x N FrozenLake,",
    "slippery, Gymnasium's layout, as the bench's C reference (test/bench/ref/softvi.c) runs it, through the",
    "engine's solve().",
    "",
    "  --size N         grid side, N >= 2 (N^2 states, 12 (N^2 - 1) + 4 transition entries)",
    `  --backup B       ${orList(BACKUPS.map((b) => (b === SOLVE_DEFAULTS.backup ? `${b} (default)` : b)))}`,
    "  --alpha A        temperature in [1e-300, 1e300] (default 0.1)",
    "  --gamma G        discount in (0, 1) (default 0.99)",
    "  --tol T          stop when V is within T of the fixed point by the error bound (gamma / (1 - gamma) x",
    "                   max |dQ| for the variational backup; default 1e-10; 0: run --max-iter sweeps)",
    "  --max-iter K     at most K sweeps, counted from V = 0 as softvi.c counts them (default 100000, K >= 2)",
    "  --schedule S     jacobi (default, the C reference's), gauss-seidel, prioritised",
    "  --threads T      worker threads sharing each sweep: auto (default) or a number (capped at the cores)",
    "  --init FILE      start from the V in FILE (N^2 raw little-endian float64, as --dump writes it and",
    "                   softvi.c init= reads it) instead of V = 0: sweeps on converged values, the real workload",
    "  --dump FILE      write the final V as raw little-endian float64 (as softvi.c dump=)",
    "  --json           one JSON object: ns_per_nnz, sweeps, total_ms, peak_rss_mb, V0, sumV and the run's facts",
    "",
    "The sweep kernel is the engine's choice (WebAssembly for every backup on tables of 4096 entries and more,",
    "JavaScript otherwise); CAI_KERNEL=js or CAI_KERNEL=wasm forces one (JSON key kernel).",
    "",
    "ns_per_nnz: the sweeps' wall time (sweep 0 excluded, as it holds the set-up's page faults) per sweep",
    "per transition entry. total_ms: the whole solve. peak_rss_mb: the process's peak resident set (MiB).",
  ].join("\n"),
  run(argv) {
    const { values, positionals } = parseFlags(argv, flags, usage);
    if (positionals[0] !== "softvi") throw new UsageError(`${positionals[0] === undefined ? "missing job" : `unknown job "${positionals[0]}"`} (jobs: softvi)\nusage: ${usage}`);
    if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"\nusage: ${usage}`);
    if (values.size === undefined) throw new UsageError(`missing --size N\nusage: ${usage}`);
    const size = parseNumber(values.size, "--size", { integer: true, min: 2 });
    checkTableSize(4 * size * size, 12 * size * size, "--size", `an open lake of ${size} x ${size} cells`);
    const backup = values.backup ?? "variational";
    if (!(BACKUPS as readonly string[]).includes(backup)) throw new ParameterError("--backup", `"${backup}" is not one of ${BACKUPS.join(", ")}`);
    const alpha = numberFlag(values.alpha, "--alpha", 0.1, { exclusiveMin: 0 });
    const gamma = numberFlag(values.gamma, "--gamma", 0.99, { exclusiveMin: 0 });
    if (!(gamma < 1)) throw new ParameterError("--gamma", `must be below 1 for an infinite horizon, got ${gamma}`);
    const tol = numberFlag(values.tol, "--tol", SOLVE_DEFAULTS.tol, { min: 0 });
    const maxSweeps = numberFlag(values["max-iter"], "--max-iter", SOLVE_DEFAULTS.maxIter, { integer: true, min: 2 });
    const sweepOptions = sweepFlags(values);
    const schedule: SweepSchedule = sweepOptions.schedule ?? "jacobi";
    const threads = sweepOptions.threads ?? "auto";

    let t = performance.now();
    const mdp = frozenLakeOpen(size);
    const buildMs = performance.now() - t;
    const initialValues = values.init === undefined ? undefined : readValues(values.init, mdp.nStates);
    const nnz = mdp.nnz;
    let afterSweep0 = 0;
    let lastSweep = 0;
    const progress = sweepProgress("cai bench", { gamma, tol, maxIter: maxSweeps - 1 });
    t = performance.now();
    const res = solve(mdp, {
      backup: backup as Backup,
      alpha,
      gamma,
      tol,
      maxIter: maxSweeps - 1, // solve counts the sweeps after sweep 0
      schedule,
      threads,
      diagnostics: false,
      stallTest: tol > 0, // --tol 0 runs exactly --max-iter sweeps, as softvi.c tol=0 does
      ...(initialValues ? { initialValues } : {}),
      onSweep: (k, r) => {
        const now = performance.now();
        if (k === 0) afterSweep0 = now;
        lastSweep = now;
        progress?.onSweep(k, r);
      },
    });
    progress?.done();
    const totalMs = performance.now() - t;
    const sweeps = res.iterations + 1;
    const sweepMs = (lastSweep - afterSweep0) / res.iterations;
    let sumV = 0;
    for (let s = 0; s < mdp.nStates; s++) sumV += res.V[s]!;
    // An unwritable --dump path is bad input (exit 2, naming the flag), as --out is.
    if (values.dump !== undefined) writeOutput(values.dump === "-" ? "./-" : values.dump, new Uint8Array(res.V.buffer, res.V.byteOffset, mdp.nStates * 8), "--dump");
    const report = {
      job: "softvi",
      backup,
      N: size,
      states: mdp.nStates,
      nnz,
      alpha,
      gamma,
      tol,
      schedule,
      threads: res.threads ?? null,
      kernel: RULES[backup as Backup].kernel === null ? "js" : kernelFor(nnz), // the fused kernels (value and exp space) on WebAssembly; the rules' own loops in JavaScript
      sweeps,
      backups_per_state: (res.backups ?? sweeps * mdp.nStates) / mdp.nStates,
      converged: res.converged,
      stop_reason: res.stopReason,
      residual: res.residual,
      error_bound: res.errorBound,
      ns_per_sweep: sweepMs * 1e6,
      ns_per_nnz: (sweepMs * 1e6) / nnz,
      total_ms: totalMs,
      build_ms: buildMs,
      peak_rss_mb: process.resourceUsage().maxRSS / 1024,
      V0: res.V[0]!,
      sumV,
    };
    if (values.json) printJson(report);
    else for (const [k, v] of Object.entries(report)) process.stdout.write(`${k} ${String(v)}\n`); // key value lines, as softvi.c prints
    return 0;
  },
};
export default command;
