/**
 * Compiling an MDP, a prior and a rule family to the flat arrays of the fused sweep
 * (sweep-core.ts), once per solve, and reading a Gauss-Seidel order off the transition graph.
 *
 * Compact forms: grid worlds have few distinct entry coefficients c_k = gamma p_k (done: 0) and row
 * constants b = sum_k p_k r_k (slippery FrozenLake: one and two), so the kernel keeps a palette of them and packs
 * the palette index into the low bits of each entry's successor, instead of the 21 bytes of prob,
 * reward, done and next:
 * - relative (2 bytes an entry): the jump s' - s in an Int16, when every entry stays within
 *   2^(15 - bits) of its state (grids up to thousands of columns, chains, banded tables);
 * - absolute (4 bytes): the successor's index in an Int32;
 * - dense: with more distinct coefficients than a palette holds, one per entry (Float64) beside
 *   the MDP's own `next`.
 */
import type { MdpArrays } from "../../mdp/tabular.js";
import { priorConstants, type ActionPrior } from "../prior.js";
import { expectationForm } from "../rules/dynamics-variational.js";
import type { AffineForm } from "../rules/types.js";
import type { SweepData } from "./sweep-core.js";

/** At most this many palette entries (a table that stays in L1). */
const PALETTE_LIMIT = 4096;

type KernelArray = Float64Array | Int32Array | Int16Array | Uint16Array | Uint8Array;

/** Allocates the kernel's arrays in a memory of its own (the WebAssembly kernel's, kernels/wasm.ts). */
export type Allocator = <T extends KernelArray>(Ctor: { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; readonly BYTES_PER_ELEMENT: number }, length: number) => T;

/** Where the kernel's arrays go: plain memory (false), SharedArrayBuffers (true), or an allocator. */
export type Placement = boolean | Allocator;

/** Allocate a typed array: on a SharedArrayBuffer when `shared` is true, through it when it is an allocator. */
function alloc<T extends KernelArray>(
  Ctor: { new (buffer: ArrayBufferLike): T; new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; new (length: number): T; readonly BYTES_PER_ELEMENT: number },
  length: number,
  shared: Placement,
): T {
  if (typeof shared === "function") return shared(Ctor, length);
  return shared ? new Ctor(new SharedArrayBuffer(Math.max(1, length) * Ctor.BYTES_PER_ELEMENT)) : new Ctor(length);
}

/** `src` itself when it lies on a SharedArrayBuffer (and no allocator is given), else a copy placed as asked. */
function sharedCopy(src: Int32Array, shared: Placement = true): Int32Array {
  if (typeof shared !== "function" && src.buffer instanceof SharedArrayBuffer) return src;
  const out = alloc(Int32Array, src.length, shared === false ? true : shared);
  out.set(src);
  return out.length === src.length ? out : out.subarray(0, src.length);
}

/** Float64Array copy of `src`, placed as asked. */
export function copyFloat64(src: Float64Array, shared: Placement): Float64Array {
  const out = alloc(Float64Array, src.length, shared);
  out.set(src);
  return out.length === src.length ? out : out.subarray(0, src.length);
}

/** The palette as a table indexed by id; `zeroId` >= 0 adds an entry 0 at that id. */
function tableOf(ids: Map<number, number>, shared: Placement, zeroId = -1): Float64Array {
  const t = alloc(Float64Array, Math.max(1, ids.size, zeroId + 1), typeof shared === "function" ? shared : false);
  for (const [v, i] of ids) t[i] = v;
  return t;
}

/** Everything a sweep needs except the value buffers and Q. */
export type CompiledDynamics = Pick<SweepData, "rowStart" | "packed" | "rel" | "relative" | "bits" | "mask" | "dense" | "coef" | "rowIndex" | "rowTable" | "zeroFrom"> & {
  /** log of the factor the row constants were divided by (exp space: max b; value space: 0). */
  readonly logRowScale: number;
};

/** Exp space: coefficients and scaled row constants stay within [2^-400, 2^400] (products of them and values within 2^-500..1 stay normal). */
export const EXP_RANGE = 2 ** 400;

/** The entry-wise numbers of an affine form, with the last (p, r, done) remembered (rewards repeat). */
function entryNumbers(mdp: MdpArrays, form: AffineForm, gamma: number, alpha: number): { coef(k: number): number; cst(k: number): number; load(k: number): void; c: number; b: number } {
  const { prob, reward, done } = mdp;
  let lp = NaN;
  let lr = NaN;
  let ld = -1;
  const self = {
    /** Entry k's coefficient and constant into `c` and `b`. */
    load(k: number): void {
      const p = prob[k]!;
      const r = reward[k]!;
      const d = done[k]!;
      if (p !== lp || r !== lr || d !== ld) {
        lp = p;
        lr = r;
        ld = d;
        self.c = form.coefficient(p, r, d !== 0, gamma, alpha);
        self.b = form.constant(p, r, d !== 0, gamma, alpha);
      }
    },
    c: 0,
    b: 0,
    coef(k: number): number {
      self.load(k);
      return self.c;
    },
    cst(k: number): number {
      self.load(k);
      return self.b;
    },
  };
  return self;
}

/**
 * Whether an exp-space form runs on the fused kernels for this table: every coefficient and every
 * row constant (divided by the largest) finite and, when nonzero, within [2^-400, 2^400]. Tables
 * whose rewards span more than some 270 alpha fail and run on the rules' log-space loops.
 */
export function expFormFits(mdp: MdpArrays, form: AffineForm, gamma: number, alpha: number): boolean {
  const { nStates: n, nActions: m, rowStart } = mdp;
  const e = entryNumbers(mdp, form, gamma, alpha);
  let bMax = 0;
  let bMin = Infinity;
  for (let row = 0; row < n * m; row++) {
    let b = 0;
    for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
      const c = e.coef(k);
      if (!Number.isFinite(c) || (c !== 0 && (c > EXP_RANGE || c < 1 / EXP_RANGE))) return false;
      b += e.cst(k);
    }
    if (!Number.isFinite(b)) return false;
    if (b > bMax) bMax = b;
    if (b > 0 && b < bMin) bMin = b;
  }
  return bMax === 0 || bMin / bMax >= 1 / EXP_RANGE;
}

/**
 * The dynamics factor's numbers in the kernel's form: c_k = gamma p_k for live entries (0 when
 * done), b(s,a) = sum_k p_k r_k, in the entry order of the CSR table.
 * @param shared - allocate on SharedArrayBuffers (for worker threads), or through an allocator (the
 *   WebAssembly kernel's memory, which also takes the row starts and the palettes).
 */
export function compileDynamics(mdp: MdpArrays, gamma: number, shared: Placement, form: AffineForm = expectationForm, alpha = 1): CompiledDynamics {
  const { nStates: n, nActions: m, rowStart, next } = mdp;
  const e = entryNumbers(mdp, form, gamma, alpha);
  const rows = n * m;
  const nnz = rowStart[rows]!;

  // Worker threads read the MDP's own row starts when they are already shared (tabular.ts indexArray).
  // The WebAssembly kernel (an allocator) reads row lengths of its own instead (sweeper.ts), and its
  // workers the row starts from JavaScript: shared, not copied into its memory.
  const rs = shared ? sharedCopy(rowStart, true) : rowStart;

  // One pass over the entries finds both palettes.
  // Row constants b(s,a) = sum_k p_k r_k: a palette (ids in a Uint8Array, or Uint16 past 256
  // values) or, past 65536 distinct values, dense (rowIndex is then the identity). Rows with an
  // entry whose coefficient is 0 (done, or p = 0) take the ids from `zeroFrom` up, so that the
  // relative layout checks for such entries only in those rows (a compare with the id it reads anyway).
  // Entry coefficients c_k = gamma p_k (0 when done): their palette (nonzero values), whether any
  // entry has c = 0, and the widest jump |s' - s| of an entry with c != 0.
  const rowIds = new Map<number, number>();
  const zeroRowIds = new Map<number, number>();
  // Each row's id goes straight into the array the kernel keeps: a Uint8Array while there are at
  // most 256 ids, then a Uint16Array (up to 65536; beyond, dense). A row with a zero entry counts down
  // from the top (255, then 65535): the zero rows' ids are placed after the others, from zeroFrom,
  // once their number is known.
  let narrow: Uint8Array | null = alloc(Uint8Array, rows, shared);
  let wide: Uint16Array | null = null;
  let fits = true;
  const coefIds = new Map<number, number>();
  let zeros = false;
  let overflow = false;
  let widest = 0;
  let lastC = NaN;
  for (let row = 0; row < rows; row++) {
    const s = (row / m) | 0;
    let b = 0;
    let zero = false;
    for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
      e.load(k);
      b += e.b;
      const c = e.c;
      if (c === 0) {
        zero = true; // the entry passes' test for c = 0
        zeros = true;
        continue;
      }
      if (overflow) continue;
      if (c !== lastC && !coefIds.has(c)) {
        if (coefIds.size === PALETTE_LIMIT) {
          overflow = true; // too many values for a palette: dense
          continue;
        }
        coefIds.set(c, coefIds.size);
      }
      lastC = c;
      const jump = Math.abs(next[k]! - s);
      if (jump > widest) widest = jump;
    }
    if (!fits) continue;
    const map = zero ? zeroRowIds : rowIds;
    let id = map.get(b);
    if (id === undefined) {
      if (narrow !== null && rowIds.size + zeroRowIds.size === 256) {
        // The 257th id: the rows so far move to 16 bits (below rowIds.size their own ids, above it
        // zero rows counted down from 255, now from 65535).
        wide = alloc(Uint16Array, rows, shared);
        for (let r = 0; r < row; r++) {
          const v = narrow[r]!;
          wide[r] = v < rowIds.size ? v : 65535 - (255 - v);
        }
        narrow = null;
      }
      id = map.size;
      map.set(b, id);
      fits = rowIds.size + zeroRowIds.size <= 65536;
      if (!fits) continue;
    }
    if (narrow !== null) narrow[row] = zero ? 255 - id : id;
    else wide![row] = zero ? 65535 - id : id;
  }
  let rowIndex: Uint8Array | Uint16Array | Int32Array;
  let rowTable: Float64Array;
  let zeroFrom: number;
  if (fits) {
    zeroFrom = rowIds.size;
    const size = rowIds.size + zeroRowIds.size;
    rowTable = alloc(Float64Array, Math.max(1, size), typeof shared === "function" ? shared : false);
    for (const [v, i] of rowIds) rowTable[i] = v;
    for (const [v, i] of zeroRowIds) rowTable[zeroFrom + i] = v;
    // In place: ids below zeroFrom are the other rows' own; top - i is zero row i (no overlap).
    if (narrow !== null) {
      for (let row = 0; row < rows; row++) {
        const id = narrow[row]!;
        if (id >= zeroFrom) narrow[row] = zeroFrom + 255 - id;
      }
      rowIndex = narrow;
    } else {
      const w = wide!;
      for (let row = 0; row < rows; row++) {
        const id = w[row]!;
        if (id >= zeroFrom) w[row] = zeroFrom + 65535 - id;
      }
      rowIndex = w;
    }
  } else {
    zeroFrom = 0; // every row may hold an entry with c = 0
    rowTable = alloc(Float64Array, rows, shared);
    rowIndex = alloc(Int32Array, rows, shared);
    for (let row = 0; row < rows; row++) {
      let b = 0;
      for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
        e.load(k);
        b += e.b;
      }
      rowTable[row] = b;
      rowIndex[row] = row;
    }
  }

  // Exp space: row constants divided by the largest, so that the kernel's per-sweep factor
  // exp(logRowScale - shift/alpha) carries their magnitude (they can be exp(r/alpha) of any size).
  let logRowScale = 0;
  if (form.space === "exp") {
    let bMax = 0;
    for (let i = 0; i < rowTable.length; i++) if (rowTable[i]! > bMax) bMax = rowTable[i]!;
    if (bMax > 0) {
      logRowScale = Math.log(bMax);
      for (let i = 0; i < rowTable.length; i++) rowTable[i] = rowTable[i]! / bMax;
    }
  }

  const paletteOk = !overflow;
  const idOf = (c: number) => coefIds.get(c)!;

  // Relative layout (grids, chains, anything whose entries stay near their state): an Int16 per
  // entry, (s' - s) << bits | id, with c = 0 entries as id `zeroId` pointing at s itself: 2 bytes an
  // entry, half the memory and memory traffic of the absolute layout.
  // With a single coefficient (grids: gamma p, p the same for every entry), bits is 0 and entries
  // with c = 0 carry the jump ZERO_JUMP instead, which the kernel skips.
  const single = coefIds.size <= 1;
  const relBits = single ? 0 : Math.ceil(Math.log2(coefIds.size + (zeros ? 1 : 0)));
  if (paletteOk && widest < 2 ** (15 - relBits) - (single ? 1 : 0)) {
    const zeroId = single ? ZERO_JUMP : coefIds.size;
    const table = single ? tableOf(coefIds.size > 0 ? coefIds : new Map([[0, 0]]), shared) : tableOf(coefIds, shared, zeros ? zeroId : -1);
    const rel = alloc(Int16Array, nnz, shared);
    let lastId = 0;
    lastC = NaN;
    for (let row = 0; row < rows; row++) {
      const s = (row / m) | 0;
      for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
        const c = e.coef(k);
        if (c === 0) {
          rel[k] = zeroId;
          continue;
        }
        if (c !== lastC) {
          lastC = c;
          lastId = idOf(c);
        }
        rel[k] = ((next[k]! - s) << relBits) | lastId;
      }
    }
    return { rowStart: rs, packed: EMPTY_INT32, rel, relative: 1, bits: relBits, mask: (1 << relBits) - 1, dense: 0, coef: table, rowIndex, rowTable, zeroFrom, logRowScale };
  }

  // Absolute layout: palette ids packed below the next state in an Int32 when they fit in 32 bits;
  // entries with c = 0 point at the zero state n instead, with id 0.
  const room = 32 - Math.ceil(Math.log2(n + 1));
  const bits = coefIds.size <= 1 ? 0 : Math.ceil(Math.log2(coefIds.size));
  if (paletteOk && room > 0 && bits <= room) {
    const packed = alloc(Int32Array, nnz, shared);
    let lastId = 0;
    lastC = NaN;
    for (let k = 0; k < nnz; k++) {
      const c = e.coef(k);
      if (c === 0) {
        packed[k] = n << bits; // (n + 1) << bits <= 2^32: read back with >>>
        continue;
      }
      if (c !== lastC) {
        lastC = c;
        lastId = idOf(c);
      }
      packed[k] = (next[k]! << bits) | lastId;
    }
    return { rowStart: rs, packed, rel: EMPTY_INT16, relative: 0, bits, mask: (1 << bits) - 1, dense: 0, coef: tableOf(coefIds.size > 0 ? coefIds : new Map([[0, 0]]), shared), rowIndex, rowTable, zeroFrom, logRowScale };
  }

  // Dense: a coefficient per entry, the MDP's own next states.
  const coef = alloc(Float64Array, nnz, shared);
  for (let k = 0; k < nnz; k++) coef[k] = e.coef(k);
  return { rowStart: rs, packed: shared ? sharedCopy(next, shared) : next, rel: EMPTY_INT16, relative: 0, bits: 0, mask: 0, dense: 1, coef, rowIndex, rowTable, zeroFrom, logRowScale };
}

/** In the relative layout with one coefficient, the jump that marks an entry with c = 0 (never a real jump). */
export const ZERO_JUMP = -32768;
const EMPTY_INT32 = new Int32Array(0);
const EMPTY_INT16 = new Int16Array(0);

/** The prior in the kernel's form: a constant when every pi0(a|s) is 1/m (uniform, entropy). */
export function compilePrior(prior: ActionPrior, shared: Placement): Pick<SweepData, "uniformProb" | "logMassConst" | "probs" | "logMass"> {
  const constants = priorConstants(prior);
  if (constants) return { uniformProb: constants.prob, logMassConst: constants.logMass, probs: new Float64Array(1), logMass: new Float64Array(1) };
  return { uniformProb: 0, logMassConst: 0, probs: shared ? copyFloat64(prior.probs, shared) : prior.probs, logMass: shared ? copyFloat64(prior.logMass, shared) : prior.logMass };
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
 * so no memory beyond n integers (`scratch`, when given, holds them). States still unreached after
 * the passes do not vote.
 */
export function gaussSeidelDirection(mdp: MdpArrays, scratch?: Int32Array): "ascending" | "descending" {
  const { nStates: n, nActions: m, rowStart, next, prob, reward, done } = mdp;
  const FAR = 0x7fffffff;
  const dist = (scratch && scratch.length >= n ? scratch.subarray(0, n) : new Int32Array(n)).fill(FAR);
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
