/**
 * The fused sweep kernel of soft value iteration (variational and hard backups), one typed-array
 * loop per state range:
 *   Q(s,a) = b(s,a) + sum_k c_k V(s'_k),   b(s,a) = sum_k p_k r_k,   c_k = done_k ? 0 : gamma p_k
 *   V(s)   = m + alpha (logMass(s) + log1p(sum_a pi0(a|s) expm1((Q(s,a) - m)/alpha))),  m = max_a Q
 * (the max semiring: V(s) = m). It is the dynamics rule followed by the action rule of
 * ../rules/, fused per state so that Q and V are written in one pass; b and c are those rules'
 * numbers regrouped, so results agree with the rules to rounding (test/perf checks 1e-12).
 *
 * Everything here is self-contained (no imports, no module-level state): the same functions run
 * on the main thread and, as their own source text, inside worker threads (sweeper.ts).
 */

/**
 * expm1(x) for soft value iteration, where most arguments are tiny (states far from any reward):
 * |x| < 2^-500: x (the next term is below 2^-501 relative; also keeps x * x out of subnormals);
 * |x| < 2^-27: x + x^2/2 (truncation x^2/6 < 2^-56 relative); |x| < 2^-10: the Taylor polynomial
 * to x^6 (truncation below 2^-72 relative); elsewhere V8's Math.expm1. Each branch is within
 * 1 ulp of Math.expm1 (tested in test/perf/fast-math.test.ts) and, unlike a call to Math.expm1,
 * is inlined into the sweep.
 */
export function expm1Fast(x: number): number {
  const ax = Math.abs(x);
  if (ax < 7.450580596923828e-9) return ax < 3.054936363499605e-151 ? x : x + 0.5 * x * x;
  if (ax < 0.0009765625) {
    return x + x * x * (0.5 + x * (0.16666666666666666 + x * (0.041666666666666664 + x * (0.008333333333333333 + x * 0.001388888888888889))));
  }
  return Math.expm1(x);
}

/**
 * log1p(y), branch for branch like {@link expm1Fast}: |y| < 2^-500: y; |y| < 2^-27: y - y^2/2
 * (truncation y^2/3 < 2^-55 relative); |y| < 2^-10: the Taylor polynomial to y^7 (truncation
 * below 2^-72 relative); elsewhere V8's Math.log1p. Each branch is within 1 ulp of Math.log1p
 * (tested in test/perf/fast-math.test.ts).
 */
export function log1pFast(y: number): number {
  const ay = Math.abs(y);
  if (ay < 7.450580596923828e-9) return ay < 3.054936363499605e-151 ? y : y - 0.5 * y * y;
  if (ay < 0.0009765625) {
    return y - y * y * (0.5 - y * (0.3333333333333333 - y * (0.25 - y * (0.2 - y * (0.16666666666666666 - y * 0.14285714285714285)))));
  }
  return Math.log1p(y);
}

/**
 * The arrays a sweep reads, compiled once per solve by plan.ts (shared memory when threads run).
 * Entry k of row `row` (in [rowStart[row], rowStart[row+1])) of state s has, by layout:
 * - relative (`relative` 1): next state `s + (rel[k] >> bits)` and coefficient `coef[rel[k] & mask]`
 *   (entries with c_k = 0 jump 0, to s itself, with the id of the palette's entry 0; with one
 *   coefficient, bits 0, they carry the jump -32768 instead, which the kernel skips);
 * - absolute: next state `packed[k] >>> bits` and coefficient `coef[packed[k] & mask]`; entries with
 *   c_k = 0 (done, or p = 0) point at state nStates, whose value stays 0 in every buffer (length
 *   nStates + 1), so that they need no coefficient of their own;
 * - dense (`dense` 1): next state `packed[k]` and coefficient `coef[k]`.
 * The row constant is `rowTable[rowIndex[row]]`; rows with an entry whose c_k is 0 have ids from
 * `zeroFrom` up (the relative layout with one coefficient marks those entries with the jump -32768).
 */
export interface SweepData {
  readonly nStates: number;
  readonly nActions: number;
  readonly rowStart: Int32Array;
  readonly packed: Int32Array;
  readonly rel: Int16Array;
  readonly relative: number;
  readonly bits: number;
  readonly mask: number;
  readonly dense: number;
  readonly coef: Float64Array;
  readonly rowIndex: Uint8Array | Uint16Array | Int32Array;
  readonly rowTable: Float64Array;
  readonly zeroFrom: number;
  /** 0: tempered (alpha logsumexp), 1: max. */
  readonly semiring: number;
  /** > 0: every pi0(a|s) equals this (uniform and entropy priors) and logMass is `logMassConst`. */
  readonly uniformProb: number;
  readonly logMassConst: number;
  /** pi0 and logMass tables when `uniformProb` is 0. */
  readonly probs: Float64Array;
  readonly logMass: Float64Array;
  readonly alpha: number;
  /** 0: value space (the variational rule, Q and V in reward units); 1: exp space (sweepRangeExp). */
  readonly space: number;
  /** Exp space, set before each sweep: the row constants' factor and the values' factor. */
  readonly scales: Float64Array;
  readonly Q: Float64Array;
  /** Value buffers; which one is read and which written is chosen per sweep. */
  readonly buffers: readonly Float64Array[];
  /**
   * The WebAssembly kernel (wasm.ts), when it sweeps: every array it reads (and Q, the buffers and
   * `out`) then lies in its shared memory, and pointers are byte offsets. Workers instantiate their
   * own on the same memory (sweeper.ts); undefined: the JavaScript kernel below.
   */
  readonly kernel?: { sweepRange(...args: number[]): void; sweepRangeExp(...args: number[]): void } | undefined;
  /** The WebAssembly kernel's row lengths (in its memory; it reads no row starts); empty for the JavaScript kernel. */
  readonly rowLen?: Uint8Array | Uint16Array | Int32Array;
}

/**
 * One sweep over states [lo, hi) (descending when `descending` is 1), reading successor values
 * from `V` and writing the new values to `Vw`: Jacobi passes two buffers, Gauss-Seidel the same
 * one twice (in place). Writes Q for its states; stores max |dQ| and max(1, max |Q|) at out[at],
 * out[at + 1], and the smallest and one past the largest state whose max_a |dQ| exceeds `hotCut`
 * at out[at + 2], out[at + 3] (the range a prioritised schedule sweeps again).
 */
export function sweepRange(
  d: SweepData,
  lo: number,
  hi: number,
  descending: number,
  V: Float64Array,
  Vw: Float64Array,
  out: Float64Array,
  at: number,
  hotCut: number,
): void {
  const m = d.nActions;
  const rowStart = d.rowStart;
  const packed = d.packed;
  const rel = d.rel;
  const relative = d.relative;
  const relSingle = d.relative === 1 && d.bits === 0 ? 1 : 0;
  const bits = d.bits;
  const mask = d.mask;
  const dense = d.dense;
  const coef = d.coef;
  const c0 = coef[0]!;
  const rowIndex = d.rowIndex;
  const rowTable = d.rowTable;
  const zeroFrom = d.zeroFrom;
  const Q = d.Q;
  const tempered = d.semiring === 0;
  const up = d.uniformProb;
  const lmc = d.logMassConst;
  const probs = d.probs;
  const logMass = d.logMass;
  const alpha = d.alpha;
  const inv = 1 / alpha;
  let res = 0;
  let scale = 1;
  let hotLo = hi;
  let hotHi = lo;
  const count = hi - lo;
  const first = descending === 1 ? hi - 1 : lo;
  for (let i = 0; i < count; i++) {
    const s = descending === 1 ? first - i : first + i; // no multiply: step * 0 = -0 would leave the int32 range
    const base = s * m;
    let mx = -Infinity;
    let ds = 0;
    let k = rowStart[base]!;
    for (let a = 0; a < m; a++) {
      const row = base + a;
      const id = rowIndex[row]!;
      let acc = rowTable[id]!;
      const k1 = rowStart[row + 1]!;
      // One loop per layout, so that V8 compiles each without the others' work per entry; rows of
      // three entries (slippery grids) unrolled, adding in the same order as the loop.
      if (relSingle === 1 && id < zeroFrom) {
        // One coefficient c0, and no entry with c = 0 in this row.
        if (k1 - k === 3) {
          const t0 = s + rel[k]!;
          const t1 = s + rel[k + 1]!;
          const t2 = s + rel[k + 2]!;
          acc += c0 * V[t0]!;
          acc += c0 * V[t1]!;
          acc += c0 * V[t2]!;
          k = k1;
        } else for (; k < k1; k++) acc += c0 * V[s + rel[k]!]!;
      } else if (relSingle === 1) {
        // One coefficient c0; the jump -32768 marks an entry with c = 0 (plan.ts ZERO_JUMP).
        if (k1 - k === 3) {
          const x0 = rel[k]!;
          const x1 = rel[k + 1]!;
          const x2 = rel[k + 2]!;
          if (x0 !== -32768) acc += c0 * V[s + x0]!;
          if (x1 !== -32768) acc += c0 * V[s + x1]!;
          if (x2 !== -32768) acc += c0 * V[s + x2]!;
          k = k1;
        } else {
          for (; k < k1; k++) {
            const x = rel[k]!;
            if (x !== -32768) acc += c0 * V[s + x]!;
          }
        }
      } else if (relative === 1) {
        if (k1 - k === 3) {
          const x0 = rel[k]!;
          const x1 = rel[k + 1]!;
          const x2 = rel[k + 2]!;
          acc += coef[x0 & mask]! * V[s + (x0 >> bits)]!;
          acc += coef[x1 & mask]! * V[s + (x1 >> bits)]!;
          acc += coef[x2 & mask]! * V[s + (x2 >> bits)]!;
          k = k1;
        } else {
          for (; k < k1; k++) {
            const x = rel[k]!;
            acc += coef[x & mask]! * V[s + (x >> bits)]!;
          }
        }
      } else if (dense === 1) {
        for (; k < k1; k++) acc += coef[k]! * V[packed[k]!]!;
      } else if (bits === 0) {
        if (k1 - k === 3) {
          acc += c0 * V[packed[k]!]!;
          acc += c0 * V[packed[k + 1]!]!;
          acc += c0 * V[packed[k + 2]!]!;
          k = k1;
        } else for (; k < k1; k++) acc += c0 * V[packed[k]!]!;
      } else {
        for (; k < k1; k++) {
          const x = packed[k]!;
          acc += coef[x & mask]! * V[x >>> bits]!;
        }
      }
      const dq = Math.abs(acc - Q[row]!);
      if (dq > ds) ds = dq;
      const aq = Math.abs(acc);
      if (aq > scale) scale = aq;
      Q[row] = acc;
      if (acc > mx && (up > 0 || probs[row]! > 0)) mx = acc;
    }
    if (ds > res) res = ds;
    if (ds > hotCut) {
      if (s < hotLo) hotLo = s;
      if (s >= hotHi) hotHi = s + 1;
    }
    if (tempered) {
      // log1p form, as temperedSemiring: sum_a pi0 exp(x_a) = 1 + sum_a pi0 expm1(x_a), x_a <= 0.
      let sm1 = 0;
      if (up > 0) {
        for (let a = 0; a < m; a++) {
          const x = (Q[base + a]! - mx) * inv;
          if (x !== 0) sm1 += up * expm1Fast(x); // expm1(0) = 0: skipped (often all of them)
        }
        Vw[s] = mx + alpha * (lmc + (sm1 === 0 ? 0 : log1pFast(sm1)));
      } else {
        for (let a = 0; a < m; a++) {
          const p = probs[base + a]!;
          const x = (Q[base + a]! - mx) * inv;
          if (p > 0 && x !== 0) sm1 += p * expm1Fast(x);
        }
        Vw[s] = mx + alpha * (logMass[s]! + (sm1 === 0 ? 0 : log1pFast(sm1)));
      }
    } else {
      Vw[s] = mx;
    }
  }
  out[at] = res;
  out[at + 1] = scale;
  out[at + 2] = hotLo;
  out[at + 3] = hotHi;
}

/**
 * {@link sweepRange} by the WebAssembly kernel (wasm/sweep.ts), the same arguments as byte offsets
 * into its memory, the rows as lengths (`rowLen`) from the first entry of the range (read here from
 * the row starts, which stay outside its memory). Value space ({@link sweepRangeExpWasm}: exp space).
 */
export function sweepRangeWasm(d: SweepData, lo: number, hi: number, descending: number, V: Float64Array, Vw: Float64Array, out: Float64Array, at: number, hotCut: number): void {
  const m = d.nActions;
  d.kernel!.sweepRange(
    m,
    d.rowLen!.byteOffset,
    d.rowLen!.BYTES_PER_ELEMENT,
    d.rowStart[lo * m]!,
    d.rowStart[hi * m]!,
    d.packed.byteOffset,
    d.rel.byteOffset,
    d.relative,
    d.bits,
    d.mask,
    d.dense,
    d.coef.byteOffset,
    d.rowIndex.byteOffset,
    d.rowIndex.BYTES_PER_ELEMENT,
    d.rowTable.byteOffset,
    d.zeroFrom,
    d.semiring,
    d.uniformProb,
    d.logMassConst,
    d.probs.byteOffset,
    d.logMass.byteOffset,
    d.alpha,
    d.Q.byteOffset,
    lo,
    hi,
    descending,
    V.byteOffset,
    Vw.byteOffset,
    out.byteOffset + 8 * at,
    hotCut,
  );
}

/** A value-space sweep of states [lo, hi) by the kernel `d` carries: WebAssembly or JavaScript. */
export function sweepAny(d: SweepData, lo: number, hi: number, descending: number, V: Float64Array, Vw: Float64Array, out: Float64Array, at: number, hotCut: number): void {
  if (d.kernel !== undefined) sweepRangeWasm(d, lo, hi, descending, V, Vw, out, at, hotCut);
  else sweepRange(d, lo, hi, descending, V, Vw, out, at, hotCut);
}

/**
 * The exact backup's sweep, linear in exp space: buffers hold y(s) = exp((V(s) - sigma)/alpha) and
 * Q holds exp((Q(s,a) - sigma)/alpha) for a shift sigma that follows max V sweep by sweep. With
 * bS = scales[0] = exp(logRowScale - sigma'/alpha) and cS = scales[1] = exp((sigma - sigma')/alpha)
 * (sigma' the new shift), one sweep over states [lo, hi) computes
 *   zQ(s,a) = bS b(s,a) + cS sum_k c_k y(s'_k),   y'(s) = exp(logMass(s)) sum_a pi0(a|s) zQ(s,a)
 * (b, c: the exact rule's affine form, rules/dynamics-exact.ts; no exp or log per entry). It stores
 * at out[at..at+7]: the largest and smallest ratio zQ / (cS zQ_old) (max |dQ| = alpha max |log ratio|),
 * an empty hot range, the largest and smallest zQ, the largest and smallest y'. Jacobi only.
 */
export function sweepRangeExp(d: SweepData, lo: number, hi: number, V: Float64Array, Vw: Float64Array, out: Float64Array, at: number): void {
  const m = d.nActions;
  const rowStart = d.rowStart;
  const packed = d.packed;
  const rel = d.rel;
  const relative = d.relative;
  const relSingle = d.relative === 1 && d.bits === 0 ? 1 : 0;
  const bits = d.bits;
  const mask = d.mask;
  const dense = d.dense;
  const coef = d.coef;
  const c0 = coef[0]!;
  const rowIndex = d.rowIndex;
  const rowTable = d.rowTable;
  const zeroFrom = d.zeroFrom;
  const Q = d.Q;
  const up = d.uniformProb;
  const wUniform = up * Math.exp(d.logMassConst);
  const probs = d.probs;
  const logMass = d.logMass;
  const bS = d.scales[0]!;
  const cS = d.scales[1]!;
  let rMax = 0;
  let rMin = Infinity;
  let qMax = 0; // (out[at + 2]: max_s (M y)(s) / y(s); out[at + 3] unused)
  let qMin = Infinity;
  let yMax = 0;
  let yMin = Infinity;
  let kappa = 0;
  for (let s = lo; s < hi; s++) {
    const base = s * m;
    let k = rowStart[base]!;
    let z = 0;
    let zh = 0;
    for (let a = 0; a < m; a++) {
      const row = base + a;
      const id = rowIndex[row]!;
      let acc = 0;
      const k1 = rowStart[row + 1]!;
      if (relSingle === 1 && id < zeroFrom) {
        if (k1 - k === 3) {
          acc += V[s + rel[k]!]!;
          acc += V[s + rel[k + 1]!]!;
          acc += V[s + rel[k + 2]!]!;
          k = k1;
        } else for (; k < k1; k++) acc += V[s + rel[k]!]!;
        acc *= c0;
      } else if (relSingle === 1) {
        for (; k < k1; k++) {
          const x = rel[k]!;
          if (x !== -32768) acc += V[s + x]!;
        }
        acc *= c0;
      } else if (relative === 1) {
        for (; k < k1; k++) {
          const x = rel[k]!;
          acc += coef[x & mask]! * V[s + (x >> bits)]!;
        }
      } else if (dense === 1) {
        for (; k < k1; k++) acc += coef[k]! * V[packed[k]!]!;
      } else if (bits === 0) {
        for (; k < k1; k++) acc += V[packed[k]!]!;
        acc *= c0;
      } else {
        for (; k < k1; k++) {
          const x = packed[k]!;
          acc += coef[x & mask]! * V[x >>> bits]!;
        }
      }
      const q = bS * rowTable[id]! + cS * acc;
      const ratio = q / (cS * Q[row]!);
      if (ratio > rMax) rMax = ratio;
      if (ratio < rMin) rMin = ratio;
      if (q > qMax) qMax = q;
      if (q < qMin) qMin = q;
      Q[row] = q;
      const p = up > 0 ? 1 : probs[row]!;
      z += p * q;
      zh += p * acc;
    }
    const w = up > 0 ? wUniform : Math.exp(logMass[s]!);
    const y = w * z;
    Vw[s] = y;
    // (M y)(s) / y(s) for the linear part M (without the scales): its max is an upper bound on rho(M)
    // and the contraction factor of M in the norm weighted by y (Collatz-Wielandt).
    const ratio = (w * zh) / V[s]!;
    if (ratio > kappa) kappa = ratio;
    if (y > yMax) yMax = y;
    if (y < yMin) yMin = y;
  }
  out[at] = rMax;
  out[at + 1] = rMin;
  out[at + 2] = kappa;
  out[at + 3] = 0;
  out[at + 4] = qMax;
  out[at + 5] = qMin;
  out[at + 6] = yMax;
  out[at + 7] = yMin;
}

/**
 * {@link sweepRangeExp} by the WebAssembly kernel (wasm/sweep.ts), arrays as byte offsets into its
 * memory and rows as lengths from the first entry of state `lo`.
 */
export function sweepRangeExpWasm(d: SweepData, lo: number, hi: number, V: Float64Array, Vw: Float64Array, out: Float64Array, at: number): void {
  const m = d.nActions;
  d.kernel!.sweepRangeExp(
    m,
    d.rowLen!.byteOffset,
    d.rowLen!.BYTES_PER_ELEMENT,
    d.rowStart[lo * m]!,
    d.packed.byteOffset,
    d.rel.byteOffset,
    d.relative,
    d.bits,
    d.mask,
    d.dense,
    d.coef.byteOffset,
    d.rowIndex.byteOffset,
    d.rowIndex.BYTES_PER_ELEMENT,
    d.rowTable.byteOffset,
    d.zeroFrom,
    d.uniformProb,
    d.uniformProb * Math.exp(d.logMassConst),
    d.probs.byteOffset,
    d.logMass.byteOffset,
    d.scales[0]!,
    d.scales[1]!,
    d.Q.byteOffset,
    lo,
    hi,
    V.byteOffset,
    Vw.byteOffset,
    out.byteOffset + 8 * at,
  );
}

/** Slots of the control array shared by the main thread and the workers (workerLoop uses the numbers). */
export const CTRL = { GEN: 0, DONE: 1, READY: 2, CMD: 3, READ: 4, WRITE: 5, FAILED: 6, BARRIER: 7, LENGTH: 8 } as const;
/** A barrier count that releases every waiter (set when a thread fails or the sweeper closes). */
export const BARRIER_OPEN = 1 << 30;
/** Numbers each thread reports per sweep in `out`: residual, scale, hot range start and end (exp space: see sweepRangeExp). */
export const OUT_STRIDE = 8; // workerLoop writes at 8 * index: change both together

/**
 * The state entry k of a row of state s reads (n: the zero state of done entries), or -1 for an
 * entry with c = 0 that reads nothing (the jump plan.ts ZERO_JUMP, -32768).
 */
export function entryTarget(d: Pick<SweepData, "relative" | "bits" | "rel" | "dense" | "packed">, s: number, k: number): number {
  if (d.relative === 1) return d.bits === 0 && d.rel[k] === -32768 ? -1 : s + (d.rel[k]! >> d.bits);
  return d.dense === 1 ? d.packed[k]! : d.packed[k]! >>> d.bits;
}

/**
 * The barrier: count this thread's arrival at ctrl[CTRL.BARRIER] and wait until the count reaches
 * `target` (the last to arrive wakes the others; BARRIER_OPEN lets everyone through). A waiter
 * first polls the count a few thousand times (a few microseconds) before it sleeps in Atomics.wait:
 * waking from the futex takes about 16 microseconds here, and the prioritised schedule's partial
 * sweeps cross two barriers a step, a thousand steps a solve (about 40 ms less at N = 300).
 */
export function arriveAndWait(ctrl: Int32Array, target: number): void {
  if (Atomics.add(ctrl, 7, 1) + 1 >= target) {
    Atomics.notify(ctrl, 7);
    return;
  }
  for (let spin = 0; spin < 4000; spin++) if (Atomics.load(ctrl, 7) >= target) return;
  for (;;) {
    const arrived = Atomics.load(ctrl, 7);
    if (arrived >= target) return;
    Atomics.wait(ctrl, 7, arrived);
  }
}

/**
 * One thread's share of a sweep. Jacobi (`own` < 0): read buffers[read], write buffers[write].
 * Gauss-Seidel across threads: the thread refreshes the `halo` (the states of other blocks its
 * entries read) in its own full-length buffer buffers[own] from buffers[read], the values all
 * threads published at the end of the previous sweep; waits at a barrier (ctrl[CTRL.BARRIER]) until
 * all `parties` threads have done so; sweeps its block in place in buffers[own]; and publishes its
 * block to buffers[read]. Reads of other blocks thus see the previous sweep whatever the timing of
 * the threads, and the result does not depend on it. Only the block and the halo of buffers[own]
 * are ever written, so the rest of it never takes memory.
 */
export function blockSweep(
  d: SweepData,
  lo: number,
  hi: number,
  descending: number,
  read: number,
  write: number,
  own: number,
  halo: Int32Array,
  out: Float64Array,
  at: number,
  hotCut: number,
  ctrl: Int32Array,
  parties: number,
): void {
  const buffers = d.buffers;
  if (d.space === 1) {
    if (d.kernel !== undefined) sweepRangeExpWasm(d, lo, hi, buffers[read]!, buffers[write]!, out, at);
    else sweepRangeExp(d, lo, hi, buffers[read]!, buffers[write]!, out, at);
    return;
  }
  // One call runs a whole sweep, so V8 optimises sweepRange on stack replacement inside its loop;
  // an empty call first records type feedback for the code after the loop, which otherwise
  // deoptimises the optimised code at the end of every sweep.
  if (d.kernel === undefined) sweepRange(d, lo, lo, descending, buffers[read]!, buffers[write]!, out, at, hotCut);
  if (own < 0) {
    sweepAny(d, lo, hi, descending, buffers[read]!, buffers[write]!, out, at, hotCut);
    return;
  }
  const R = buffers[own]!;
  const P = buffers[read]!;
  for (let i = 0; i < halo.length; i++) {
    const t = halo[i]!;
    R[t] = P[t]!;
  }
  // Nobody publishes into P before everyone has read its halo from it.
  if (parties > 1) arriveAndWait(ctrl, parties);
  sweepAny(d, lo, hi, descending, R, R, out, at, hotCut);
  P.set(R.subarray(lo, hi), lo);
}

/**
 * One thread's share of the prioritised schedule's partial sweeps across threads: states [a, b) of
 * the hot range, swept in place in the thread's own buffer buffers[own], step by step with the
 * other threads. Each step the thread takes from buffers[0] (the values all threads published) the
 * states its entries read, waits at the barrier (ctrl[CTRL.BARRIER], a count that only rises during
 * the phase) until all `parties` threads have, sweeps [a, b), publishes it to buffers[0] and waits
 * again. So every part reads the others as they were at the end of the previous step (block
 * Gauss-Seidel, as the full sweeps across threads), whatever the timing of the threads. The steps
 * end for all threads alike once the largest max |dQ| of a step is at most `stopAt`, or after
 * `maxSweeps`; the number run goes to out[at + 4].
 */
export function partialSweep(
  d: SweepData,
  a: number,
  b: number,
  descending: number,
  own: number,
  out: Float64Array,
  at: number,
  ctrl: Int32Array,
  parties: number,
  maxSweeps: number,
  stopAt: number,
): void {
  const R = d.buffers[own]!;
  const P = d.buffers[0]!;
  const m = d.nActions;
  // The states the range's entries read: one interval around it (the zero state n included).
  let lo = a;
  let hi = b;
  for (let s = a; s < b; s++) {
    const k1 = d.rowStart[(s + 1) * m]!;
    for (let k = d.rowStart[s * m]!; k < k1; k++) {
      const t = entryTarget(d, s, k);
      if (t < 0) continue;
      if (t < lo) lo = t;
      else if (t >= hi) hi = t + 1;
    }
  }
  let arrivals = 0;
  let l = 0;
  for (;;) {
    if (a < b) R.set(P.subarray(lo, hi), lo);
    arriveAndWait(ctrl, (arrivals += parties));
    if (a < b) sweepAny(d, a, b, descending, R, R, out, at, Infinity);
    else out[at] = 0;
    l++;
    if (a < b) P.set(R.subarray(a, b), a);
    arriveAndWait(ctrl, (arrivals += parties));
    let residual = 0;
    for (let t = 0; t < parties; t++) residual = Math.max(residual, out[8 * t]!);
    if (residual <= stopAt || l >= maxSweeps) break;
  }
  out[at + 4] = l;
}

/**
 * A worker's loop: wait for a new generation, run its share of the sweep (with the hot cut the
 * main thread left at out[cutAt]), count itself done (setting `FAILED` if its share threw, so that
 * the main thread never waits for it in vain, and opening the barrier so that no other thread
 * does). `CMD` 0 sweeps, 1 exits, 2 runs the partial sweeps ({@link partialSweep}: the thread's
 * range at out[cutAt + 1 + 2 index] and out[cutAt + 2 + 2 index], the stopping residual at
 * out[cutAt + 1 + 2 parties], the most sweeps at out[cutAt + 2 + 2 parties]). Self-contained:
 * sweeper.ts ships this function's source text to the worker.
 */
export function workerLoop(
  d: SweepData,
  ctrl: Int32Array,
  out: Float64Array,
  index: number,
  lo: number,
  hi: number,
  descending: number,
  own: number,
  halo: Int32Array,
  cutAt: number,
  parties: number,
): void {
  let gen = Atomics.load(ctrl, 0);
  Atomics.add(ctrl, 2, 1);
  Atomics.notify(ctrl, 2);
  for (;;) {
    Atomics.wait(ctrl, 0, gen);
    gen = Atomics.load(ctrl, 0);
    const cmd = Atomics.load(ctrl, 3);
    if (cmd === 1) return;
    try {
      // 2: the prioritised schedule's partial sweeps (the ranges and limits after the hot cut in `out`).
      if (cmd === 2) partialSweep(d, out[cutAt + 1 + 2 * index]!, out[cutAt + 2 + 2 * index]!, descending, own, out, 8 * index, ctrl, parties, out[cutAt + 2 + 2 * parties]!, out[cutAt + 1 + 2 * parties]!);
      else blockSweep(d, lo, hi, descending, Atomics.load(ctrl, 4), Atomics.load(ctrl, 5), own, halo, out, 8 * index, out[cutAt]!, ctrl, parties);
    } catch {
      Atomics.store(ctrl, 6, 1); // the main thread, waiting below, reports the failure
      Atomics.store(ctrl, 7, 1 << 30); // BARRIER_OPEN: no thread waits at the barrier for this one
      Atomics.notify(ctrl, 7);
    }
    Atomics.add(ctrl, 1, 1);
    Atomics.notify(ctrl, 1);
  }
}
