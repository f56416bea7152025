/**
 * The worker protocol of the sweep kernels (sweep-core.ts workerLoop, blockSweep's barrier): a
 * worker whose share of a sweep throws reports FAILED, counts itself done and opens the barrier,
 * so that neither the main thread nor another worker waits for it forever; an open barrier lets
 * a thread through without waiting.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { BARRIER_OPEN, CTRL, blockSweep, entryTarget, workerLoop, type SweepData } from "../../src/inference/kernels/sweep-core.js";
import { ZERO_JUMP } from "../../src/inference/kernels/plan.js";
import { idleSweepWorkers, prestartSweepWorkers, workerSource } from "../../src/inference/kernels/sweeper.js";
import { frozenLakeOpen, solve } from "../../src/index.js";

function waitFor(ctrl: Int32Array, slot: number, atLeast: number, ms: number): boolean {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = Atomics.load(ctrl, slot);
    if (v >= atLeast) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    Atomics.wait(ctrl, slot, v, left);
  }
}

describe("the worker protocol", () => {
  it("a worker whose share throws sets FAILED, counts itself done and opens the barrier; CMD 1 ends it", async () => {
    const ctrl = new Int32Array(new SharedArrayBuffer(CTRL.LENGTH * 4));
    const out = new Float64Array(new SharedArrayBuffer(8 * 9));
    // No value buffers: its blockSweep throws on the first read.
    const broken = { buffers: [] } as unknown as SweepData;
    const source = workerSource(`${workerLoop.name}(workerData.d, workerData.ctrl, workerData.out, 1, 0, 4, 0, 1, new Int32Array(0), 8, 2);`);
    const w = new Worker(source, { eval: true, workerData: { d: broken, ctrl, out } });
    const exited = new Promise<number>((resolve) => w.on("exit", resolve));
    expect(waitFor(ctrl, CTRL.READY, 1, 10_000)).toBe(true);
    Atomics.add(ctrl, CTRL.GEN, 1);
    Atomics.notify(ctrl, CTRL.GEN);
    expect(waitFor(ctrl, CTRL.DONE, 1, 10_000)).toBe(true);
    expect(Atomics.load(ctrl, CTRL.FAILED)).toBe(1);
    expect(Atomics.load(ctrl, CTRL.BARRIER)).toBeGreaterThanOrEqual(BARRIER_OPEN);
    Atomics.store(ctrl, CTRL.CMD, 1);
    Atomics.add(ctrl, CTRL.GEN, 1);
    Atomics.notify(ctrl, CTRL.GEN);
    expect(await exited).toBe(0);
  });

  it("an open barrier lets a Gauss-Seidel share through at once: it sweeps its block and publishes it", () => {
    // Two states, one action each, state 0 -> 1 -> 1 (self loop) with reward 1 on entering 1.
    const n = 2;
    const buffers = [new Float64Array(n + 1), new Float64Array(n + 1)];
    const d: SweepData = {
      nStates: n,
      nActions: 1,
      rowStart: Int32Array.from([0, 1, 2]),
      packed: Int32Array.from([1, 1]),
      rel: new Int16Array(0),
      relative: 0,
      bits: 0,
      mask: 0,
      dense: 0,
      coef: Float64Array.from([0.5]),
      rowIndex: Uint8Array.from([0, 0]),
      rowTable: Float64Array.from([1]),
      zeroFrom: 1,
      semiring: 0,
      uniformProb: 1,
      logMassConst: 0,
      probs: new Float64Array(1),
      logMass: new Float64Array(1),
      alpha: 1,
      space: 0,
      scales: new Float64Array(2),
      Q: new Float64Array(n),
      buffers,
    };
    const ctrl = new Int32Array(new SharedArrayBuffer(CTRL.LENGTH * 4));
    Atomics.store(ctrl, CTRL.BARRIER, BARRIER_OPEN);
    const out = new Float64Array(4);
    blockSweep(d, 0, n, 1, 0, 0, 1, new Int32Array(0), out, 0, Infinity, ctrl, 2);
    // Descending, in place: V(1) = 1 + 0.5 V(1) from 0 gives 1, then V(0) = 1 + 0.5 * 1 = 1.5.
    expect(Array.from(buffers[0]!.subarray(0, n))).toEqual([1.5, 1]);
    expect(Array.from(buffers[1]!.subarray(0, n))).toEqual([1.5, 1]);
  });

  it("entryTarget reads a relative jump, a dense and a packed target, and skips plan.ts's ZERO_JUMP (c = 0)", () => {
    const none = new Int32Array(0);
    expect(entryTarget({ relative: 1, bits: 0, rel: Int16Array.of(ZERO_JUMP, -3), dense: 0, packed: none }, 5, 0)).toBe(-1);
    expect(entryTarget({ relative: 1, bits: 0, rel: Int16Array.of(ZERO_JUMP, -3), dense: 0, packed: none }, 5, 1)).toBe(2);
    expect(entryTarget({ relative: 1, bits: 2, rel: Int16Array.of(7 << 2 | 1), dense: 0, packed: none }, 5, 0)).toBe(12);
    expect(entryTarget({ relative: 0, bits: 0, rel: new Int16Array(0), dense: 1, packed: Int32Array.of(9) }, 5, 0)).toBe(9);
    expect(entryTarget({ relative: 0, bits: 3, rel: new Int16Array(0), dense: 0, packed: Int32Array.of((9 << 3) | 5) }, 5, 0)).toBe(9);
  });
});

describe("workers started ahead of time (prestartSweepWorkers, as cai solve does before reading a large file)", () => {
  it("wait for a job; a solve on threads takes them and gives the numbers of one thread, bit for bit (Jacobi)", () => {
    // One fewer than the cores at most (none on one core, where solves run on the calling thread).
    const cores = availableParallelism();
    prestartSweepWorkers(1);
    expect(idleSweepWorkers()).toBe(Math.min(1, cores - 1));
    prestartSweepWorkers(1); // no more than asked
    expect(idleSweepWorkers()).toBe(Math.min(1, cores - 1));
    const mdp = frozenLakeOpen(70); // 58 800 entries: threads when asked
    const o = { alpha: 0.1, gamma: 0.99, schedule: "jacobi", tol: 0, maxIter: 40, stallTest: false, diagnostics: false } as const;
    const two = solve(mdp, { ...o, threads: 2 });
    expect(two.threads).toBe(Math.min(2, cores));
    expect(idleSweepWorkers()).toBe(0);
    const one = solve(mdp, { ...o, threads: 1 });
    expect(Array.from(two.V)).toEqual(Array.from(one.V));
    expect(Array.from(two.Q)).toEqual(Array.from(one.Q));
  });
});
