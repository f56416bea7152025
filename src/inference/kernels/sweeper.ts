/**
 * A sweeper runs the fused sweeps of soft value iteration for solveInfinite: Jacobi (synchronous),
 * Gauss-Seidel (in place, in an order read off the transition graph) or prioritised (Gauss-Seidel
 * plus partial sweeps), on the calling thread alone or split over worker threads that share the
 * arrays through SharedArrayBuffers.
 *
 * Threads and Jacobi: every state reads the values of the previous sweep, so the result is the
 * same bit for bit whatever the number of threads. Threads and Gauss-Seidel: each thread sweeps its
 * own block of states in place and reads the other blocks as they were at the start of the sweep
 * (block Gauss-Seidel), so the iterates depend on the number of threads (the fixed point does not).
 *
 * The main thread takes part in every sweep and waits for the workers with Atomics.wait, so
 * `solve` stays synchronous. Workers are started per solve and ended by {@link Sweeper.close}.
 */
import type { Worker } from "node:worker_threads";
import { nodeBuiltin } from "../../host.js";
import { expectationForm } from "../rules/dynamics-variational.js";
import type { MdpArrays } from "../../mdp/tabular.js";
import type { ActionPrior } from "../prior.js";
import type { Stepper } from "../stepper.js";
import { unreachable, type SemiringKind } from "../rules/index.js";
import type { AffineForm } from "../rules/types.js";
import { compileDynamics, compilePrior, gaussSeidelDirection } from "./plan.js";
import { BARRIER_OPEN, CTRL, OUT_STRIDE, arriveAndWait, blockSweep, entryTarget, expm1Fast, log1pFast, partialSweep, sweepAny, sweepRange, sweepRangeExp, sweepRangeExpWasm, sweepRangeWasm, workerLoop, type SweepData } from "./sweep-core.js";
import { kernelFor, openArena, type WasmArena } from "./wasm.js";
import type { CompiledDynamics } from "./plan.js";
import { RunError } from "../../errors.js";

/**
 * Sweep schedules: synchronous (every state from the previous sweep), in place (Gauss-Seidel), or
 * in place with prioritised partial sweeps: after each full Gauss-Seidel sweep, up to
 * {@link PRIORITY_SWEEPS} more sweeps over the index range of the states whose Q still moved by
 * more than {@link PRIORITY_CUT} times the previous full sweep's residual (where the values are
 * still settling: near the rewards), when that range holds at most half of the states, stopping
 * early once a partial sweep moves Q by at most {@link PRIORITY_STOP} times the full sweep's
 * residual. Across threads the range is split by entries and swept step by step behind barriers
 * (sweep-core.ts partialSweep). Every state is still backed up in every full sweep, so the
 * iteration converges as Gauss-Seidel does (asynchronous value iteration), and the stopping test
 * is the full sweep's residual.
 */
export const SWEEP_SCHEDULES = ["jacobi", "gauss-seidel", "prioritised"] as const;
export type SweepSchedule = (typeof SWEEP_SCHEDULES)[number];

/** Partial sweeps at most after each full sweep of the prioritised schedule (32, 1e-2, 1e-2: the fewest backups on the open lake at N = 300, 260 full sweeps' worth against 360 with 8, 1e-3). */
export const PRIORITY_SWEEPS = 32;
/** The partial sweeps of a range stop early once their max |dQ| is at most this times the full sweep's residual. */
export const PRIORITY_STOP = 1e-2;
/** States whose max_a |dQ| exceeds this times the previous residual are swept again. */
export const PRIORITY_CUT = 1e-2;

/**
 * Below this many transition entries a solve runs on one thread ("auto"): a sweep of 2^16 entries
 * takes about 0.2 ms, against some 30 ms to start a worker per solve and tens of microseconds to
 * hand each sweep over.
 */
export const THREAD_MIN_ENTRIES = 1 << 16;
/** How long to wait for workers to start before running on one thread. */
const WORKER_START_TIMEOUT_MS = 10_000;

export interface SweeperOptions {
  readonly semiring: SemiringKind;
  /**
   * The dynamics rule's affine form (rules/types.ts): value space (variational, hard) or exp space
   * (exact: Jacobi with the tempered semiring only; the caller checks plan.ts expFormFits).
   * @defaultValue the variational rule's
   */
  readonly form?: AffineForm;
  readonly alpha: number;
  readonly gamma: number;
  readonly schedule: SweepSchedule;
  /** Number of threads, or "auto": all cores for tables of at least {@link THREAD_MIN_ENTRIES} entries. */
  readonly threads: number | "auto";
}

/** The fused stepper: runs sweeps; `Q` and `values()` are the current iterates. */
export interface Sweeper extends Stepper {
  /** Direction of the in-place order (Gauss-Seidel), or null for Jacobi. */
  readonly order: "ascending" | "descending" | null;
  /** The kernel that sweeps: the JavaScript one or the WebAssembly one (wasm.ts, CAI_KERNEL). */
  readonly kernel: "js" | "wasm";
}

/**
 * The source text of a worker (run with `eval: true`): the kernel's self-contained functions
 * (sweep-core.ts), `workerData` in scope, then `call`. Calls name the functions by `.name`, so that
 * a bundler that renames them renames them inside these sources alike.
 */
export function workerSource(call: string): string {
  return [
    `"use strict";`,
    `const { workerData } = require("node:worker_threads");`,
    expm1Fast.toString(),
    log1pFast.toString(),
    sweepRange.toString(),
    sweepRangeWasm.toString(),
    sweepAny.toString(),
    sweepRangeExp.toString(),
    sweepRangeExpWasm.toString(),
    entryTarget.toString(),
    arriveAndWait.toString(),
    blockSweep.toString(),
    partialSweep.toString(),
    workerLoop.toString(),
    call,
  ].join("\n");
}

/**
 * A sweep worker's program: it waits for one job (a message: the SweepData, the control and `out`
 * arrays, its share), instantiates the WebAssembly kernel on the shared memory when the job has one,
 * and runs {@link workerLoop} until the sweeper closes.
 */
const WORKER_PROGRAM =
  `require("node:worker_threads").parentPort.once("message", (job) => {\n` +
  `  if (job.wasm) job.d.kernel = new WebAssembly.Instance(job.wasm.module, { env: { memory: job.wasm.memory } }).exports;\n` +
  `  ${workerLoop.name}(job.d, job.ctrl, job.out, job.index, job.lo, job.hi, job.descending, job.own, job.halo, job.cutAt, job.parties);\n` +
  `});`;

/** Workers started by {@link prestartSweepWorkers}, waiting for a job. */
const idleWorkers: Worker[] = [];

/** A new sweep worker (unref'd: it never keeps the process alive), waiting for its job. */
function startWorker(threadsApi: NonNullable<ReturnType<typeof nodeBuiltin<"node:worker_threads">>>): Worker {
  const w = new threadsApi.Worker(workerSource(WORKER_PROGRAM), { eval: true });
  w.unref();
  return w;
}

/**
 * Start up to `count` sweep workers now, so that a solve about to come (after a file is read)
 * finds them booted instead of waiting about 80 ms for each: `cai solve` calls it before reading a
 * large file. At most one fewer than the cores are kept; none outside Node.js. Workers left unused
 * cost nothing at exit (unref'd).
 */
export function prestartSweepWorkers(count: number): void {
  const threadsApi = nodeBuiltin("node:worker_threads");
  const cores = nodeBuiltin("node:os")?.availableParallelism() ?? 1;
  if (threadsApi === undefined) return;
  while (idleWorkers.length < Math.min(count, cores - 1)) idleWorkers.push(startWorker(threadsApi));
}

/** How many started workers wait for a job (tests). */
export function idleSweepWorkers(): number {
  return idleWorkers.length;
}

/** The kernel's code for an action rule (sweep-core.ts: 0 tempered, 1 max). */
function semiringCode(kind: SemiringKind): number {
  switch (kind) {
    case "tempered":
      return 0;
    case "max":
      return 1;
    default:
      return unreachable(kind);
  }
}

/** How many threads "auto" means for a table of `nnz` entries. */
export function autoThreads(nnz: number): number {
  const os = nodeBuiltin("node:os");
  // Outside Node.js (a browser) the sweeps run on the calling thread.
  return nnz >= THREAD_MIN_ENTRIES && os !== undefined && nodeBuiltin("node:worker_threads") !== undefined ? Math.max(1, os.availableParallelism()) : 1;
}

/** Split states [lo, hi) (default [0, n)) into `parts` contiguous blocks of about equal numbers of entries. */
function partition(rowStart: Int32Array, n: number, m: number, parts: number, lo = 0, hi = n): number[] {
  const first = rowStart[lo * m]!;
  const total = rowStart[hi * m]! - first;
  const cuts = [lo];
  let s = lo;
  for (let p = 1; p < parts; p++) {
    const target = first + (total * p) / parts;
    while (s < hi && rowStart[s * m]! < target) s++;
    cuts.push(Math.max(cuts[cuts.length - 1]!, s));
  }
  cuts.push(hi);
  return cuts;
}

/** The states outside [lo, hi) that entries of rows in [lo, hi) read (sorted). */
function haloOf(d: CompiledDynamics, n: number, m: number, lo: number, hi: number, shared: boolean): Int32Array {
  const seen = new Uint8Array(n + 1);
  let count = 0;
  for (let s = lo; s < hi; s++) {
    for (let k = d.rowStart[s * m]!; k < d.rowStart[(s + 1) * m]!; k++) {
      const t = entryTarget(d, s, k); // -1: c = 0, reads nothing
      if (t >= 0 && (t < lo || t >= hi) && t < n && !seen[t]) {
        seen[t] = 1;
        count++;
      }
    }
  }
  const halo = shared ? new Int32Array(new SharedArrayBuffer(Math.max(1, count) * 4), 0, count) : new Int32Array(count);
  let i = 0;
  for (let t = 0; t < n; t++) if (seen[t] && (t < lo || t >= hi)) halo[i++] = t;
  return halo;
}

/** The row lengths rowStart[r + 1] - rowStart[r] of `rows` rows, in the narrowest type that holds them, in the arena. */
function rowLengths(rowStart: Int32Array, rows: number, arena: WasmArena): Uint8Array | Uint16Array | Int32Array {
  let longest = 0;
  for (let r = 0; r < rows; r++) longest = Math.max(longest, rowStart[r + 1]! - rowStart[r]!);
  const len = longest < 256 ? arena.alloc(Uint8Array, rows) : longest < 65536 ? arena.alloc(Uint16Array, rows) : arena.alloc(Int32Array, rows);
  for (let r = 0; r < rows; r++) len[r] = rowStart[r + 1]! - rowStart[r]!;
  return len;
}

/**
 * Bytes the WebAssembly kernel's arrays can take at most (sweeper and plan.ts, each rounded up to
 * 8 bytes): row starts, entries (the dense layout's 12 bytes each at most), row ids (up to three
 * arrays of them: compileDynamics starts with bytes, widens to 16 bits, then to dense 32) and constants,
 * the prior's tables, Q, the value buffers, the palette (plan.ts PALETTE_LIMIT) and `out`.
 */
function arenaBound(n: number, m: number, nnz: number, nBuffers: number, threads: number): number {
  const rows = n * m;
  return 8 * 16 + 4 * (rows + 1) + 12 * nnz + 7 * rows + 8 * rows + 8 * (rows + n) + 8 * rows + nBuffers * 8 * (n + 1) + 8 * 4096 + 8 * (OUT_STRIDE * (threads + 1) + 3 + 2 * threads);
}

/**
 * Compile the problem and open a sweeper starting from values `start`.
 * @param start - V_0 (copied); zeros when absent.
 */
export function openSweeper(mdp: MdpArrays, prior: ActionPrior, start: Float64Array | undefined, o: SweeperOptions): Sweeper {
  const n = mdp.nStates;
  const m = mdp.nActions;
  const nnz = mdp.rowStart[n * m]!;
  const threadsApi = nodeBuiltin("node:worker_threads");
  // Without worker threads (a browser) every schedule runs on the calling thread; with them, at most
  // one per core (more never helps a memory-bound sweep) and one per state.
  const cores = nodeBuiltin("node:os")?.availableParallelism() ?? 1;
  const threads = threadsApi === undefined ? 1 : Math.max(1, Math.min(o.threads === "auto" ? autoThreads(nnz) : o.threads, cores, n));
  const shared = threads > 1;
  const gs = o.schedule !== "jacobi";
  const prioritised = o.schedule === "prioritised";
  const form = o.form ?? expectationForm;
  const exp = form.space === "exp";
  if (exp && (gs || o.semiring !== "tempered")) throw new Error("the exp-space kernel runs Jacobi sweeps with the tempered semiring");
  // The WebAssembly kernel (value and exp space; CAI_KERNEL, wasm.ts): every array it reads or writes lives
  // in its shared memory, which the workers' instances share too.
  const arena: WasmArena | null = kernelFor(nnz) === "wasm" ? openArena(arenaBound(n, m, nnz, gs ? 1 + threads : 2, threads)) : null;
  const placement = arena ? arena.alloc : shared;
  const mk = (len: number) => (arena ? arena.alloc(Float64Array, len) : shared ? new Float64Array(new SharedArrayBuffer(len * 8)) : new Float64Array(len));
  const Q = mk(n * m);
  // The order's distances use Q's memory (n of its 2 n m int32 slots) before sweep 0 writes Q.
  const order = gs ? gaussSeidelDirection(mdp, new Int32Array(Q.buffer, Q.byteOffset, n)) : null;
  Q.fill(0);
  const descending = order === "descending" ? 1 : 0;
  const dynamics = compileDynamics(mdp, o.gamma, placement, form, o.alpha);
  const cuts = partition(dynamics.rowStart, n, m, threads);
  // Value buffers, length n + 1 (state n is the zero state that done entries point at, plan.ts).
  // Jacobi: two, read one and write the other. Gauss-Seidel on one thread: one, in place. Across
  // threads: one published buffer and one private buffer per thread, of which only the thread's
  // block and halo are ever written (blockSweep), so that they take about n values together.
  const nBuffers = !gs ? 2 : threads === 1 ? 1 : 1 + threads;
  const buffers: Float64Array[] = [];
  // Exp space: buffers hold y = exp((V - sigma)/alpha), sigma = max V at the start.
  let sigma = 0;
  if (exp && start) for (let s = 0; s < n; s++) sigma = s === 0 || start[s]! > sigma ? start[s]! : sigma;
  for (let i = 0; i < nBuffers; i++) {
    const b = mk(n + 1);
    if (exp) {
      for (let s = 0; s < n; s++) b[s] = start ? Math.exp((start[s]! - sigma) / o.alpha) : 1;
    } else if (start) b.set(start);
    buffers.push(b);
  }
  const halos = gs && threads > 1 ? cuts.slice(0, -1).map((lo, t) => haloOf(dynamics, n, m, lo, cuts[t + 1]!, shared)) : [];
  const noHalo = new Int32Array(0);
  const data: SweepData = {
    nStates: n,
    nActions: m,
    ...dynamics,
    semiring: semiringCode(o.semiring),
    ...compilePrior(prior, placement),
    alpha: o.alpha,
    space: exp ? 1 : 0,
    scales: shared ? new Float64Array(new SharedArrayBuffer(16)) : new Float64Array(2),
    Q,
    buffers,
    kernel: arena?.kernel,
    rowLen: arena ? rowLengths(dynamics.rowStart, n * m, arena) : new Uint8Array(0),
  };
  const ctrl = new Int32Array(shared ? new SharedArrayBuffer(CTRL.LENGTH * 4) : new ArrayBuffer(CTRL.LENGTH * 4));
  // Per thread: residual, scale, hot range; then the hot cut of the sweep (read by the workers), and
  // for the partial sweeps each thread's range, the stopping residual and the most sweeps.
  const cutAt = OUT_STRIDE * threads;
  const outLength = cutAt + 3 + 2 * threads;
  const out = arena ? arena.alloc(Float64Array, outLength) : shared ? new Float64Array(new SharedArrayBuffer(8 * outLength)) : new Float64Array(outLength);
  const localOut = arena ? arena.alloc(Float64Array, OUT_STRIDE) : new Float64Array(OUT_STRIDE);
  if (arena) {
    // The kernel reads these by byte offset: each must lie in its memory.
    const read: ArrayBufferView[] = [data.rowLen!, dynamics.coef, dynamics.rowIndex, dynamics.rowTable, Q, out, localOut, ...buffers];
    if (dynamics.relative === 1) read.push(dynamics.rel);
    else read.push(dynamics.packed);
    if (data.uniformProb === 0) read.push(data.probs, data.logMass);
    if (!read.every((a) => arena.owns(a))) throw new Error("sweeper: an array of the WebAssembly kernel lies outside its memory");
  }
  const ownOf = (t: number) => (gs && threads > 1 ? 1 + t : -1);
  const workers: Worker[] = [];
  if (threads > 1 && threadsApi !== undefined) {
    // Workers started ahead of time (prestartSweepWorkers: booting one takes about 80 ms) first,
    // then new ones; each gets its share of the job as a message.
    for (let t = 1; t < threads; t++) {
      const w = idleWorkers.pop() ?? startWorker(threadsApi);
      w.postMessage({
        d: arena ? { ...data, kernel: undefined } : data,
        wasm: arena ? { module: arena.module, memory: arena.memory } : null,
        ctrl,
        out,
        index: t,
        lo: cuts[t],
        hi: cuts[t + 1],
        descending,
        own: ownOf(t),
        halo: halos[t] ?? noHalo,
        cutAt,
        parties: threads,
      });
      workers.push(w);
    }
    const deadline = Date.now() + WORKER_START_TIMEOUT_MS;
    for (;;) {
      const ready = Atomics.load(ctrl, CTRL.READY);
      if (ready === threads - 1) break;
      const left = deadline - Date.now();
      if (left <= 0 || Atomics.wait(ctrl, CTRL.READY, ready, left) === "timed-out") {
        for (const w of workers) void w.terminate();
        throw new RunError("worker-failed", `worker threads did not start within ${WORKER_START_TIMEOUT_MS} ms (threads: 1 sweeps on this thread)`);
      }
    }
  }

  // Jacobi: buffer `read` (0 or 1) holds V. Gauss-Seidel: buffer 0, always (on one thread it is
  // swept in place; across threads it holds the values the threads published).
  let read = 0;
  let closed = false;
  let qFinished = false;
  let backups = 0;
  let lastResidual = Infinity;
  // Exp space: max y of the buffer read next (the starting buffer holds max 1), whether the values
  // stay in range, and the scales of the last sweep.
  let yMax = 1;
  let inRange = true;
  let lastKappa = NaN;
  const close = () => {
    if (closed) return;
    closed = true;
    if (workers.length > 0) {
      Atomics.store(ctrl, CTRL.CMD, 1);
      Atomics.store(ctrl, CTRL.BARRIER, BARRIER_OPEN); // release a worker left waiting at the barrier
      Atomics.notify(ctrl, CTRL.BARRIER);
      Atomics.add(ctrl, CTRL.GEN, 1);
      Atomics.notify(ctrl, CTRL.GEN);
      for (const w of workers) void w.terminate();
    }
  };
  /** Wait until every worker has counted itself done; a failed worker closes the sweeper. */
  const waitForWorkers = () => {
    if (threads === 1) return;
    for (;;) {
      const done = Atomics.load(ctrl, CTRL.DONE);
      if (done === threads - 1) break;
      Atomics.wait(ctrl, CTRL.DONE, done);
    }
    if (Atomics.load(ctrl, CTRL.FAILED) !== 0) {
      close();
      throw new RunError("worker-failed", "a worker thread failed during a sweep (threads: 1 sweeps on this thread)");
    }
  };
  const sweeper: Sweeper = {
    // With the WebAssembly kernel, Q and values() are views of its memory (copying them out at the
    // end would raise the peak by n (m + 1) numbers): a result keeps that memory alive.
    Q: data.Q,
    threads,
    order,
    kernel: arena ? "wasm" : "js",
    get backups() {
      return backups;
    },
    sweep() {
      if (closed) throw new Error("sweeper is closed");
      const write = gs ? read : 1 - read; // Gauss-Seidel publishes in place
      const hotCut = prioritised ? PRIORITY_CUT * lastResidual : Infinity;
      let sigmaNext = sigma;
      if (exp) {
        // The new shift sigma' = sigma + alpha log max y; constants scaled by exp(logRowScale - sigma'/alpha).
        sigmaNext = sigma + o.alpha * Math.log(yMax);
        data.scales[0] = Math.exp(dynamics.logRowScale - sigmaNext / o.alpha);
        data.scales[1] = 1 / yMax;
        if (!Number.isFinite(data.scales[0]!) || !Number.isFinite(data.scales[1]!)) {
          inRange = false;
          return { residual: NaN, scale: 1, top: NaN, contraction: NaN };
        }
      }
      out[cutAt] = hotCut;
      if (threads > 1) {
        Atomics.store(ctrl, CTRL.CMD, 0);
        Atomics.store(ctrl, CTRL.READ, read);
        Atomics.store(ctrl, CTRL.WRITE, write);
        Atomics.store(ctrl, CTRL.DONE, 0);
        Atomics.store(ctrl, CTRL.BARRIER, 0);
        Atomics.add(ctrl, CTRL.GEN, 1);
        Atomics.notify(ctrl, CTRL.GEN);
      }
      blockSweep(data, cuts[0]!, cuts[1]!, descending, read, write, ownOf(0), halos[0] ?? noHalo, out, 0, hotCut, ctrl, threads);
      waitForWorkers();
      let residual = 0;
      let scale = 1;
      let hotLo = n;
      let hotHi = 0;
      if (exp) {
        let rMax = 0;
        let rMin = Infinity;
        let qMax = 0;
        let qMin = Infinity;
        let yLow = Infinity;
        let kappa = 0;
        yMax = 0;
        for (let t = 0; t < threads; t++) {
          const at = OUT_STRIDE * t;
          rMax = Math.max(rMax, out[at]!);
          rMin = Math.min(rMin, out[at + 1]!);
          qMax = Math.max(qMax, out[at + 4]!);
          qMin = Math.min(qMin, out[at + 5]!);
          yMax = Math.max(yMax, out[at + 6]!);
          yLow = Math.min(yLow, out[at + 7]!);
          kappa = Math.max(kappa, out[at + 2]!);
        }
        // max |dQ| = alpha max |log ratio| (ratio - 1 is exact near 1)
        residual = o.alpha * Math.max(Math.log1p(rMax - 1), -Math.log1p(rMin - 1));
        scale = Math.max(1, Math.abs(sigmaNext + o.alpha * Math.log(qMax)), Math.abs(sigmaNext + o.alpha * Math.log(qMin)));
        sigma = sigmaNext;
        if (!(yMax < Infinity && yLow > 0 && yLow / yMax >= 2 ** -500)) inRange = false;
        read = write;
        backups += n;
        lastResidual = residual;
        lastKappa = kappa;
        return { residual, scale, top: sigmaNext + o.alpha * Math.log(qMax), contraction: kappa };
      }
      for (let t = 0; t < threads; t++) {
        const at = OUT_STRIDE * t;
        if (out[at]! > residual) residual = out[at]!;
        if (out[at + 1]! > scale) scale = out[at + 1]!;
        if (out[at + 2]! < out[at + 3]!) {
          hotLo = Math.min(hotLo, out[at + 2]!);
          hotHi = Math.max(hotHi, out[at + 3]!);
        }
      }
      read = write;
      backups += n;
      lastResidual = residual;
      if (prioritised && hotLo < hotHi && 2 * (hotHi - hotLo) <= n) {
        const V = buffers[read]!;
        const stopAt = PRIORITY_STOP * residual;
        if (threads === 1) {
          // In place in the one buffer.
          let l = 0;
          while (l < PRIORITY_SWEEPS) {
            sweepAny(data, hotLo, hotHi, descending, V, V, localOut, 0, Infinity);
            l++;
            if (localOut[0]! <= stopAt) break;
          }
          backups += l * (hotHi - hotLo);
        } else {
          // Across threads: the range split by entries, each part swept in the thread's own buffer
          // and published to V (partialSweep).
          const parts = partition(dynamics.rowStart, n, m, threads, hotLo, hotHi);
          for (let t = 0; t < threads; t++) {
            out[cutAt + 1 + 2 * t] = parts[t]!;
            out[cutAt + 2 + 2 * t] = parts[t + 1]!;
          }
          out[cutAt + 1 + 2 * threads] = stopAt;
          out[cutAt + 2 + 2 * threads] = PRIORITY_SWEEPS;
          Atomics.store(ctrl, CTRL.CMD, 2);
          Atomics.store(ctrl, CTRL.DONE, 0);
          Atomics.store(ctrl, CTRL.BARRIER, 0);
          Atomics.add(ctrl, CTRL.GEN, 1);
          Atomics.notify(ctrl, CTRL.GEN);
          partialSweep(data, parts[0]!, parts[1]!, descending, ownOf(0), out, 0, ctrl, threads, PRIORITY_SWEEPS, stopAt);
          waitForWorkers();
          for (let t = 0; t < threads; t++) backups += out[OUT_STRIDE * t + 4]! * (parts[t + 1]! - parts[t]!);
          // Each thread's private buffer takes the new values of its own block (its halo is
          // refreshed from V at the start of the next sweep).
          for (let t = 0; t < threads; t++) {
            const from = Math.max(hotLo, cuts[t]!);
            const to = Math.min(hotHi, cuts[t + 1]!);
            if (from < to) buffers[ownOf(t)]!.set(V.subarray(from, to), from);
          }
        }
      }
      return { residual, scale, top: NaN, contraction: NaN };
    },
    values() {
      const y = buffers[read]!;
      return exp ? Float64Array.from(y.subarray(0, n), (v) => sigma + o.alpha * Math.log(v)) : y.subarray(0, n);
    },
    get inRange() {
      return inRange;
    },
    growthUpperBound() {
      return exp ? lastKappa : NaN;
    },
    finishQ() {
      if (!exp || qFinished) return;
      qFinished = true;
      for (let i = 0; i < Q.length; i++) Q[i] = sigma + o.alpha * Math.log(Q[i]!);
    },
    close,
  };
  return sweeper;
}
