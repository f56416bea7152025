/**
 * Compiling an MDP, a prior and a rule family to the flat arrays of the fused sweep
 * (sweep-core.ts), once per solve, and reading a Gauss-Seidel order off the transition graph.
 *
 * Compact form: grid worlds have few distinct entry coefficients c_k = gamma p_k (done: 0) and row
 * constants b = sum_k p_k r_k (FrozenLake: 2 and 2), so the kernel keeps a palette of them and
 * packs the palette index into the low bits of the next-state index (4 bytes an entry instead of
 * the 21 of prob, reward, done and next); with more distinct values than the bits allow it falls
 * back to dense per-entry coefficients.
 */
import type { MdpArrays } from "../../mdp/tabular.js";
import type { ActionPrior } from "../prior.js";
import type { SweepData } from "./sweep-core.js";

/** At most this many palette entries (a table that stays in L1). */
const PALETTE_LIMIT = 4096;

/** Allocate a typed array, on a SharedArrayBuffer when `shared`. */
function alloc<T extends Float64Array | Int32Array | Uint16Array | Uint8Array>(
  Ctor: { new (buffer: ArrayBufferLike): T; new (length: number): T; readonly BYTES_PER_ELEMENT: number },
  length: number,
  shared: boolean,
): T {
  return shared ? new Ctor(new SharedArrayBuffer(Math.max(1, length) * Ctor.BYTES_PER_ELEMENT)) : new Ctor(length);
}

/** Float64Array copy of `src`, shared when asked. */
export function copyFloat64(src: Float64Array, shared: boolean): Float64Array {
  const out = alloc(Float64Array, src.length, shared);
  out.set(src);
  return out.length === src.length ? out : out.subarray(0, src.length);
}

function tableOf(ids: Map<number, number>): Float64Array {
  const t = new Float64Array(Math.max(1, ids.size));
  for (const [v, i] of ids) t[i] = v;
  return t;
}

/** Everything a sweep needs except the value buffers and Q. */
export type CompiledDynamics = Pick<SweepData, "rowStart" | "packed" | "bits" | "mask" | "dense" | "coef" | "rowIndex" | "rowTable">;

/**
 * The dynamics factor's numbers in the kernel's form: c_k = gamma p_k for live entries (0 when
 * done), b(s,a) = sum_k p_k r_k, in the entry order of the CSR table.
 * @param shared - allocate on SharedArrayBuffers (for worker threads).
 */
export function compileDynamics(mdp: MdpArrays, gamma: number, shared: boolean): CompiledDynamics {
  const { nStates: n, nActions: m, rowStart, next, prob, reward, done } = mdp;
  const rows = n * m;
  const nnz = rowStart[rows]!;

  let rs = rowStart;
  if (shared) {
    rs = alloc(Int32Array, rows + 1, true);
    rs.set(rowStart);
  }

  // Row constants b(s,a) = sum_k p_k r_k: a palette (ids in a Uint8Array, widened to Uint16 past
  // 256 values) or, past 65536 distinct values, dense (rowIndex is then the identity).
  const rowIds = new Map<number, number>();
  let ids: Uint8Array | Uint16Array | undefined = alloc(Uint8Array, rows, shared);
  let lastB = NaN;
  let lastBId = 0;
  for (let row = 0; row < rows && ids; row++) {
    let acc = 0;
    for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) acc += prob[k]! * reward[k]!;
    if (acc !== lastB) {
      let id = rowIds.get(acc);
      if (id === undefined) {
        if (rowIds.size === 65536) {
          ids = undefined;
          break;
        }
        id = rowIds.size;
        rowIds.set(acc, id);
        if (id === 256) {
          const wide: Uint16Array = alloc(Uint16Array, rows, shared);
          wide.set(ids.subarray(0, row));
          ids = wide;
        }
      }
      lastB = acc;
      lastBId = id;
    }
    ids[row] = lastBId;
  }
  let rowIndex: Uint8Array | Uint16Array | Int32Array;
  let rowTable: Float64Array;
  if (ids) {
    rowTable = tableOf(rowIds);
    rowIndex = ids;
  } else {
    rowTable = alloc(Float64Array, rows, shared);
    rowIndex = alloc(Int32Array, rows, shared);
    for (let row = 0; row < rows; row++) {
      let acc = 0;
      for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) acc += prob[k]! * reward[k]!;
      rowTable[row] = acc;
      rowIndex[row] = row;
    }
  }

  // Entry coefficients c_k = gamma p_k (0 when done): palette ids packed below the next state when
  // they fit in 32 bits. Entries with c = 0 point at the zero state n instead, with id 0.
  const room = 32 - Math.ceil(Math.log2(n + 1));
  const limit = room > 0 ? Math.min(PALETTE_LIMIT, 2 ** room) : 0;
  const coefIds = new Map<number, number>();
  let packed: Int32Array | undefined = limit > 0 ? alloc(Int32Array, nnz, shared) : undefined;
  let lastC = NaN;
  let lastCId = 0;
  for (let k = 0; k < nnz && packed; k++) {
    const c = done[k] ? 0 : gamma * prob[k]!;
    if (c === 0) {
      packed[k] = -1; // the zero state, filled in below
      continue;
    }
    if (c !== lastC) {
      let id = coefIds.get(c);
      if (id === undefined) {
        if (coefIds.size === limit) {
          packed = undefined;
          break;
        }
        id = coefIds.size;
        coefIds.set(c, id);
      }
      lastC = c;
      lastCId = id;
    }
    packed[k] = lastCId;
  }
  if (packed) {
    const bits = coefIds.size <= 1 ? 0 : Math.ceil(Math.log2(coefIds.size));
    for (let k = 0; k < nnz; k++) {
      const id = packed[k]!;
      packed[k] = id < 0 ? n << bits : (next[k]! << bits) | id; // (n + 1) << bits <= 2^32: read back with >>>
    }
    return { rowStart: rs, packed, bits, mask: (1 << bits) - 1, dense: 0, coef: tableOf(coefIds.size > 0 ? coefIds : new Map([[0, 0]])), rowIndex, rowTable };
  }
  const coef = alloc(Float64Array, nnz, shared);
  for (let k = 0; k < nnz; k++) coef[k] = done[k] ? 0 : gamma * prob[k]!;
  let nextIndex = next;
  if (shared) {
    nextIndex = alloc(Int32Array, nnz, true);
    nextIndex.set(next);
  }
  return { rowStart: rs, packed: nextIndex, bits: 0, mask: 0, dense: 1, coef, rowIndex, rowTable };
}

/** The prior in the kernel's form: a constant when every pi0(a|s) is 1/m (uniform, entropy). */
export function compilePrior(prior: ActionPrior, shared: boolean): Pick<SweepData, "uniformProb" | "logMassConst" | "probs" | "logMass"> {
  if (prior.kind === "uniform" || prior.kind === "entropy") {
    return { uniformProb: prior.probs[0]!, logMassConst: prior.logMass[0] ?? 0, probs: new Float64Array(1), logMass: new Float64Array(1) };
  }
  return { uniformProb: 0, logMassConst: 0, probs: shared ? copyFloat64(prior.probs, true) : prior.probs, logMass: shared ? copyFloat64(prior.logMass, true) : prior.logMass };
}

/** Relaxation passes over the entries that estimate the distances of {@link gaussSeidelDirection}. */
const DISTANCE_PASSES = 16;

/**
 * The direction of a Gauss-Seidel sweep, read off the transition graph: the number of steps from
 * every state to the states where reward is earned or episodes end, along entries with p > 0, then
 * the index order (ascending or descending, both stream memory in order) in which more entries point
 * to a state nearer those sources that has already been updated in the same sweep. On the open
 * FrozenLake (goal at the last index) that is descending.
 *
 * The distances come from relaxation passes over the entries in alternating index order (the
 * "fast sweeping" of shortest paths: one pass per turn of a shortest path in index order, one on a
 * grid with the goal in a corner), at most 16, in place in one Int32Array: no reverse adjacency,
 * so no memory beyond n integers. States still unreached after the passes do not vote.
 */
export function gaussSeidelDirection(mdp: MdpArrays): "ascending" | "descending" {
  const { nStates: n, nActions: m, rowStart, next, prob, reward, done } = mdp;
  const FAR = 0x7fffffff;
  const dist = new Int32Array(n).fill(FAR);
  for (let s = 0; s < n; s++) {
    for (let k = rowStart[s * m]!; k < rowStart[(s + 1) * m]! && dist[s] !== 0; k++) {
      if (prob[k]! > 0 && (reward[k] !== 0 || done[k])) dist[s] = 0;
    }
  }
  for (let pass = 0; pass < DISTANCE_PASSES; pass++) {
    let changed = false;
    const descending = pass % 2 === 0;
    for (let i = 0; i < n; i++) {
      const s = descending ? n - 1 - i : i;
      let best = dist[s]!;
      for (let k = rowStart[s * m]!; k < rowStart[(s + 1) * m]!; k++) {
        const dt = dist[next[k]!]!;
        if (dt < best - 1 && prob[k]! > 0) best = dt + 1;
      }
      if (best < dist[s]!) {
        dist[s] = best;
        changed = true;
      }
    }
    if (!changed) break;
  }
  let score = 0; // > 0: descending helps more entries than ascending
  for (let s = 0; s < n; s++) {
    const ds = dist[s]!;
    for (let k = rowStart[s * m]!; k < rowStart[(s + 1) * m]!; k++) {
      const t = next[k]!;
      if (t !== s && ds !== FAR && prob[k]! > 0 && dist[t]! < ds) score += t > s ? 1 : -1;
    }
  }
  return score >= 0 ? "descending" : "ascending";
}
