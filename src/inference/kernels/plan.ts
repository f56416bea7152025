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

/** Distinct values of `count` numbers produced by `value(i)`, up to `limit`; undefined past it. */
function palette(count: number, value: (i: number) => number, limit: number): Map<number, number> | undefined {
  const ids = new Map<number, number>();
  let last = NaN;
  for (let i = 0; i < count; i++) {
    const v = value(i);
    if (Object.is(v, last)) continue;
    last = v;
    if (!ids.has(v)) {
      if (ids.size >= limit) return undefined;
      ids.set(v, ids.size);
    }
  }
  return ids;
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
  const c = (k: number) => (done[k] ? 0 : gamma * prob[k]!);
  // The coefficient zero-state entries take in the palette: the first nonzero one (any would do).
  let coefOfZeroState = 0;
  for (let k = 0; k < nnz && coefOfZeroState === 0; k++) coefOfZeroState = c(k);
  const b = (row: number) => {
    let acc = 0;
    for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) acc += prob[k]! * reward[k]!;
    return acc;
  };

  let rs = rowStart;
  if (shared) {
    rs = alloc(Int32Array, rows + 1, true);
    rs.set(rowStart);
  }

  // Row constants: a palette when small, else dense (rowIndex is then the identity).
  let rowIndex: Uint8Array | Uint16Array | Int32Array;
  let rowTable: Float64Array;
  const rowIds = palette(rows, b, 65536);
  if (rowIds) {
    rowTable = tableOf(rowIds);
    rowIndex = rowIds.size <= 256 ? alloc(Uint8Array, rows, shared) : alloc(Uint16Array, rows, shared);
    let last = NaN;
    let lastId = 0;
    for (let row = 0; row < rows; row++) {
      const v = b(row);
      if (!Object.is(v, last)) {
        last = v;
        lastId = rowIds.get(v)!;
      }
      rowIndex[row] = lastId;
    }
  } else {
    rowTable = alloc(Float64Array, rows, shared);
    rowIndex = alloc(Int32Array, rows, shared);
    for (let row = 0; row < rows; row++) {
      rowTable[row] = b(row);
      rowIndex[row] = row;
    }
  }

  // Entry coefficients: palette index packed below the next state when it fits in 32 bits.
  // Entries with c = 0 point at the zero state n instead (no palette entry of their own).
  const stateBits = Math.ceil(Math.log2(n + 1));
  const room = 32 - stateBits;
  const coefIds = room > 0 ? palette(nnz, (k) => c(k) || coefOfZeroState, Math.min(PALETTE_LIMIT, 2 ** room)) : undefined;
  if (coefIds) {
    const bits = coefIds.size <= 1 ? 0 : Math.ceil(Math.log2(coefIds.size));
    const packed = alloc(Int32Array, nnz, shared);
    let last = NaN;
    let lastId = 0;
    for (let k = 0; k < nnz; k++) {
      const v = c(k);
      if (v === 0) {
        packed[k] = n << bits; // class 0, any coefficient times V = 0
        continue;
      }
      if (!Object.is(v, last)) {
        last = v;
        lastId = coefIds.get(v)!;
      }
      packed[k] = (next[k]! << bits) | lastId; // (n + 1) << bits <= 2^32; read back with >>>
    }
    return { rowStart: rs, packed, bits, mask: (1 << bits) - 1, dense: 0, coef: tableOf(coefIds), rowIndex, rowTable };
  }
  const coef = alloc(Float64Array, nnz, shared);
  for (let k = 0; k < nnz; k++) coef[k] = c(k);
  let packed = next;
  if (shared) {
    packed = alloc(Int32Array, nnz, true);
    packed.set(next);
  }
  return { rowStart: rs, packed, bits: 0, mask: 0, dense: 1, coef, rowIndex, rowTable };
}

/** The prior in the kernel's form: a constant when every pi0(a|s) is 1/m (uniform, entropy). */
export function compilePrior(prior: ActionPrior, shared: boolean): Pick<SweepData, "uniformProb" | "logMassConst" | "probs" | "logMass"> {
  if (prior.kind === "uniform" || prior.kind === "entropy") {
    return { uniformProb: prior.probs[0]!, logMassConst: prior.logMass[0] ?? 0, probs: new Float64Array(1), logMass: new Float64Array(1) };
  }
  return { uniformProb: 0, logMassConst: 0, probs: shared ? copyFloat64(prior.probs, true) : prior.probs, logMass: shared ? copyFloat64(prior.logMass, true) : prior.logMass };
}

/**
 * The direction of a Gauss-Seidel sweep, read off the transition graph: breadth-first distance of
 * every state to the states where reward is earned or episodes end (along reversed live entries),
 * then the index order (ascending or descending, both stream memory in order) in which more
 * entries point to a state nearer the source that has already been updated in the same sweep.
 * On the open FrozenLake (goal at the last index) that is descending.
 */
export function gaussSeidelDirection(mdp: MdpArrays): "ascending" | "descending" {
  const { nStates: n, nActions: m, rowStart, next, prob, reward, done } = mdp;
  const rows = n * m;
  const nnz = rowStart[rows]!;
  // Reverse adjacency (CSR) over entries with p > 0.
  const indeg = new Int32Array(n + 1);
  for (let k = 0; k < nnz; k++) if (prob[k]! > 0) indeg[next[k]! + 1]!++;
  for (let t = 0; t < n; t++) indeg[t + 1]! += indeg[t]!;
  const from = new Int32Array(indeg[n]!);
  const fill = indeg.slice(0, n);
  for (let row = 0; row < rows; row++) {
    const s = (row / m) | 0;
    for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) if (prob[k]! > 0) from[fill[next[k]!]!++] = s;
  }
  const dist = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let tail = 0;
  for (let row = 0; row < rows; row++) {
    const s = (row / m) | 0;
    if (dist[s] !== -1) continue;
    for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
      if (prob[k]! > 0 && (reward[k] !== 0 || done[k])) {
        dist[s] = 0;
        queue[tail++] = s;
        break;
      }
    }
  }
  for (let head = 0; head < tail; head++) {
    const t = queue[head]!;
    for (let j = indeg[t]!; j < indeg[t + 1]!; j++) {
      const s = from[j]!;
      if (dist[s] === -1) {
        dist[s] = dist[t]! + 1;
        queue[tail++] = s;
      }
    }
  }
  let score = 0; // > 0: descending helps more entries than ascending
  for (let row = 0; row < rows; row++) {
    const s = (row / m) | 0;
    const ds = dist[s]!;
    for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
      const t = next[k]!;
      if (prob[k]! > 0 && dist[t]! !== -1 && (ds === -1 || dist[t]! < ds) && t !== s) score += t > s ? 1 : -1;
    }
  }
  return score >= 0 ? "descending" : "ascending";
}
