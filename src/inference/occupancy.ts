/**
 * The discounted occupancy of a policy, d = p0 + gamma P_q^T d, as a sparse linear solve for gamma < 1.
 *
 *   (I - M^T) d = p0,   M(s, s') = gamma sum_a q(a|s) sum_k p_k [next_k = s', not done_k]
 *
 * Pushing mass step by step (evaluate.ts) needs about log(eps) / log(gamma) generations of pushes:
 * 3700 at gamma = 0.99 for 1e-16, each a sweep over the table. Here the solve is BiCGSTAB on the
 * SSOR split system P^-1 A Q^-1 y = P^-1 p0 (A = I - M^T = Dg - L - U, P = Dg / w - L,
 * Q = Dg / w - U, w = {@link SSOR_OMEGA}), applied with Eisenstat's trick (one forward and one
 * backward triangular solve per product, the cost of one product with A), on M merged over actions
 * (successors shared by several actions, as on grids, stored once).
 *
 * The guarantee comes from the residual of the answer, not from the iteration: for any d,
 * |d - d_q|_1 <= |p0 - (I - M^T) d|_1 / (1 - gamma), because |(I - M^T)^-1|_1 = |(I - M)^-1|_inf <=
 * 1 / (1 - gamma) (M's rows sum to at most gamma). The solve stops when this bound is at most
 * `relTol` x sum_s d(s) (computed with the true residual), and negative entries (rounding) are set
 * to 0, which only moves them towards d_q >= 0.
 */
import type { MdpArrays } from "../mdp/tabular.js";

/**
 * The SSOR relaxation factor of the split. On the open 300 x 300 lake at gamma = 0.99 (to 1e-10):
 * 48 BiCGSTAB iterations with 1 (symmetric Gauss-Seidel), 37 with 1.2, 28 with 1.5, 23 with 1.6,
 * 22 with 1.7, 29 with 1.9. Any value in (0, 2) gives a nonsingular split; the bound does not depend on it.
 */
export const SSOR_OMEGA = 1.6;

/** The policy's one-step matrix M (rows s, merged over actions and entries), with its transpose. */
export interface PolicyMatrix {
  readonly n: number;
  /** M in CSR: row s lists s' != s with M(s, s') > 0. */
  readonly start: Int32Array;
  readonly col: Int32Array;
  readonly val: Float64Array;
  /** M(s, s). */
  readonly self: Float64Array;
  /** M^T in CSR (row s' lists its predecessors s != s', in increasing order). */
  readonly tStart: Int32Array;
  readonly tCol: Int32Array;
  readonly tVal: Float64Array;
}

/** Writes q(.|s) for one state s into out[0..m). */
export type PolicyRow = (s: number, out: Float64Array) => void;

/** A policy: its n x m table, or its rows computed when asked (no table in memory). */
export type PolicyRows = Float64Array | PolicyRow;

/** Rows of a policy given either way. */
export function rowReader(q: PolicyRows, m: number): PolicyRow {
  if (typeof q === "function") return q;
  return (s, out) => {
    const base = s * m;
    for (let a = 0; a < m; a++) out[a] = q[base + a]!;
  };
}

/**
 * The off-diagonal entries of M (successors s' != s of each state under the actions q takes,
 * merged), counted without building M, in one pass with one n-array of marks.
 */
export function mergedEntries(mdp: MdpArrays, q: PolicyRows, mark = new Int32Array(mdp.nStates)): number {
  const { nStates: n, nActions: m, rowStart, next, prob, done } = mdp;
  const rowOf = rowReader(q, m);
  const qs = new Float64Array(m);
  mark.fill(0);
  let count = 0;
  for (let s = 0; s < n; s++) {
    rowOf(s, qs);
    for (let a = 0; a < m; a++) {
      const row = s * m + a;
      if (qs[a] === 0) continue;
      for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
        const t = next[k]!;
        if (done[k] || prob[k] === 0 || t === s || mark[t] === s + 1) continue;
        mark[t] = s + 1;
        count++;
      }
    }
  }
  return count;
}

/** Bytes {@link policyMatrix} and {@link solveOccupancy} allocate for `merged` entries over n states (M, M^T, 12 vectors). */
export function occupancySolveBytes(n: number, merged: number): number {
  return 2 * merged * 12 + n * (4 * 4 + 8) + 12 * n * 8;
}

/**
 * M = gamma P_q merged (live entries of the actions q takes), and its transpose. `merged` is the
 * count of M's entries when the caller has it; else `capacity`, an upper bound (the table's entries:
 * M's arrays are then that long, and only their first entries are written, so that the rest never
 * takes memory); else they are counted first.
 */
export function policyMatrix(mdp: MdpArrays, q: Float64Array, gamma: number, merged?: number, capacity?: number): PolicyMatrix {
  const { nStates: n, nActions: m, rowStart, next, prob, done } = mdp;
  const start = new Int32Array(n + 1);
  // pos[s'] = where s' sits in the current row (valid while mark[s'] === s + 1).
  const mark = new Int32Array(n);
  // The caller may have counted the entries already (to decide whether M fits its memory budget).
  const cap = merged ?? capacity ?? mergedEntries(mdp, q, mark);
  mark.fill(0);
  const col = new Int32Array(cap);
  const val = new Float64Array(cap);
  const self = new Float64Array(n);
  const pos = new Int32Array(n);
  const inCount = new Int32Array(n + 1);
  let w = 0;
  for (let s = 0; s < n; s++) {
    start[s] = w;
    const rowMark = s + 1;
    let diag = 0;
    for (let a = 0; a < m; a++) {
      const row = s * m + a;
      const g = gamma * q[row]!;
      if (g === 0) continue;
      for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
        if (done[k]) continue;
        const x = g * prob[k]!;
        if (x === 0) continue;
        const t = next[k]!;
        if (t === s) diag += x;
        else if (mark[t] === rowMark) val[pos[t]!]! += x;
        else {
          mark[t] = rowMark;
          pos[t] = w;
          col[w] = t;
          val[w] = x;
          inCount[t + 1]!++;
          w++;
        }
      }
    }
    self[s] = diag;
  }
  start[n] = w;
  for (let i = 0; i < n; i++) inCount[i + 1]! += inCount[i]!;
  const tStart = inCount;
  const fill = tStart.slice(0, n);
  const tCol = new Int32Array(w);
  const tVal = new Float64Array(w);
  for (let s = 0; s < n; s++) {
    for (let j = start[s]!; j < start[s + 1]!; j++) {
      const at = fill[col[j]!]!++;
      tCol[at] = s;
      tVal[at] = val[j]!;
    }
  }
  return { n, start, col, val, self, tStart, tCol, tVal };
}

/** y = (I - M^T) x. */
function applyA(M: PolicyMatrix, x: Float64Array, y: Float64Array): void {
  const { n, tStart, tCol, tVal, self } = M;
  for (let r = 0; r < n; r++) {
    let acc = (1 - self[r]!) * x[r]!;
    for (let j = tStart[r]!; j < tStart[r + 1]!; j++) acc -= tVal[j]! * x[tCol[j]!]!;
    y[r] = acc;
  }
}

/**
 * t = Q^-1 v, Q = Dg / w - U (backward: row r uses t[c], c > r); with `u`, also Eisenstat's middle
 * term u = v - (2 / w - 1) Dg t, which is (w - 1) v - (2 - w) (U t)(r) by the row's own equation
 * (Dg t = w (v + U t)). `inv` = w / Dg: a multiply on the row-to-row dependency chain, not a divide.
 */
function solveUpper(M: PolicyMatrix, inv: Float64Array, v: Float64Array, t: Float64Array, u: Float64Array | null): void {
  const { n, tStart, tCol, tVal } = M;
  for (let r = n - 1; r >= 0; r--) {
    let acc = 0;
    const lo = tStart[r]!;
    // Columns are increasing: the ones above r are at the end of the row.
    for (let j = tStart[r + 1]! - 1; j >= lo; j--) {
      const c = tCol[j]!;
      if (c < r) break;
      acc += tVal[j]! * t[c]!;
    }
    const vr = v[r]!;
    t[r] = (vr + acc) * inv[r]!;
    if (u !== null) u[r] = (SSOR_OMEGA - 1) * vr - (2 - SSOR_OMEGA) * acc;
  }
}

/** t = P^-1 v, P = Dg / w - L (forward: row r uses t[c], c < r). */
function solveLower(M: PolicyMatrix, inv: Float64Array, v: Float64Array, t: Float64Array): void {
  const { n, tStart, tCol, tVal } = M;
  for (let r = 0; r < n; r++) {
    let acc = v[r]!;
    const hi = tStart[r + 1]!;
    for (let j = tStart[r]!; j < hi; j++) {
      const c = tCol[j]!;
      if (c > r) break;
      acc += tVal[j]! * t[c]!;
    }
    t[r] = acc * inv[r]!;
  }
}

/** u = P^-1 u in place (row r reads u[r] before it becomes w[r]; rows c < r are w already) and out = u + t. */
function solveLowerAdd(M: PolicyMatrix, inv: Float64Array, u: Float64Array, t: Float64Array, out: Float64Array): void {
  const { n, tStart, tCol, tVal } = M;
  for (let r = 0; r < n; r++) {
    let acc = u[r]!;
    const hi = tStart[r + 1]!;
    for (let j = tStart[r]!; j < hi; j++) {
      const c = tCol[j]!;
      if (c > r) break;
      acc += tVal[j]! * u[c]!;
    }
    const w = acc * inv[r]!;
    u[r] = w;
    out[r] = w + t[r]!;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export interface OccupancySolve {
  /** The occupancy (entries >= 0). */
  readonly d: Float64Array;
  /** A bound on sum_s |d(s) - d_q(s)| from the final residual. */
  readonly errorBound: number;
  /** BiCGSTAB iterations (each two products with the split system). */
  readonly iterations: number;
}

/**
 * Solve (I - M^T) d = p0 (gamma < 1) until |residual|_1 / (1 - gamma) <= relTol x sum(d). Returns null
 * when the iteration breaks down or does not get there within maxIter iterations (the caller then
 * pushes mass instead).
 */
export function solveOccupancy(M: PolicyMatrix, p0: ArrayLike<number>, gamma: number, relTol: number, maxIter: number): OccupancySolve | null {
  const n = M.n;
  const inv = new Float64Array(n);
  for (let i = 0; i < n; i++) inv[i] = SSOR_OMEGA / (1 - M.self[i]!);
  const b = Float64Array.from(p0);
  const y = new Float64Array(n);
  const x = new Float64Array(n);
  const r = new Float64Array(n);
  const p = new Float64Array(n);
  const v = new Float64Array(n);
  const s = new Float64Array(n);
  const t = new Float64Array(n);
  const tmpT = new Float64Array(n);
  const tmpU = new Float64Array(n);
  // A fixed shadow residual with every entry positive (p0 itself can be a single state, which makes
  // r0 . r see one entry only and the iteration break down).
  const r0 = new Float64Array(n);
  let h = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    h = (Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) + i) >>> 0;
    r0[i] = 0.5 + h / 2 ** 32;
  }
  /**
   * out = P^-1 A Q^-1 v = t + P^-1 (v - (2 / w - 1) Dg t), t = Q^-1 v (Eisenstat: A = P + Q - (2 / w - 1) Dg),
   * the middle term from the backward pass's own row sums: one backward and one forward pass over M^T.
   */
  const apply = (vin: Float64Array, out: Float64Array): void => {
    solveUpper(M, inv, vin, tmpT, tmpU);
    solveLowerAdd(M, inv, tmpU, tmpT, out);
  };
  const scale = 1 / (1 - gamma);
  /** x = Q^-1 y, its true residual bound and sum; with `replace`, r = P^-1 (p0 - A x) (the split residual). */
  const check = (replace: boolean): { bound: number; sum: number } => {
    solveUpper(M, inv, y, x, null);
    applyA(M, x, tmpU);
    let res = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const e = b[i]! - tmpU[i]!;
      tmpU[i] = e;
      res += Math.abs(e);
      sum += x[i]!;
    }
    if (replace) solveLower(M, inv, tmpU, r);
    return { bound: res * scale, sum };
  };
  // |P|_1 <= max(Dg) / w + gamma <= 1 / w + gamma: the true residual is at most that times |r|_1.
  const pNorm = 1 / SSOR_OMEGA + gamma;
  // sum(d) >= sum(p0): a safe start for the estimate until a check measures it.
  let sumEstimate = 0;
  for (let i = 0; i < n; i++) sumEstimate += b[i]!;
  let last = check(true);
  if (last.bound <= relTol * last.sum) return finish(x, last.bound, 0);
  let rho = 1;
  let al = 1;
  let om = 1;
  p.fill(0);
  v.fill(0);
  let sinceCheck = 0;
  // r0 . r, computed with r (the loop below fuses it into the update of r).
  let rhoNext = dot(r0, r);
  for (let it = 1; it <= maxIter; it++) {
    const rhoN = rhoNext;
    if (!(Math.abs(rhoN) > 0) || !Number.isFinite(rhoN)) return null;
    const beta = (rhoN / rho) * (al / om);
    rho = rhoN;
    for (let i = 0; i < n; i++) p[i] = r[i]! + beta * (p[i]! - om * v[i]!);
    apply(p, v);
    const r0v = dot(r0, v);
    if (!(Math.abs(r0v) > 0) || !Number.isFinite(r0v)) return null;
    al = rho / r0v;
    let sNorm = 0;
    for (let i = 0; i < n; i++) {
      s[i] = r[i]! - al * v[i]!;
      sNorm += Math.abs(s[i]!);
    }
    if (sNorm === 0) {
      for (let i = 0; i < n; i++) y[i]! += al * p[i]!;
      last = check(false);
      return last.bound <= relTol * last.sum ? finish(x, last.bound, it) : null;
    }
    apply(s, t);
    let tt = 0;
    let ts = 0;
    for (let i = 0; i < n; i++) {
      const ti = t[i]!;
      tt += ti * ti;
      ts += ti * s[i]!;
    }
    om = tt > 0 ? ts / tt : 0;
    if (!Number.isFinite(om) || om === 0) return null;
    let rNorm = 0;
    rhoNext = 0;
    for (let i = 0; i < n; i++) {
      y[i]! += al * p[i]! + om * s[i]!;
      const ri = s[i]! - om * t[i]!;
      r[i] = ri;
      rNorm += Math.abs(ri);
      rhoNext += r0[i]! * ri;
    }
    if (!Number.isFinite(rNorm)) return null;
    sinceCheck++;
    // The recursive residual says done (with the last known sum(d)), or a periodic check is due
    // (it learns sum(d)). A failed check on the first ground replaces the recursive residual,
    // which drifts from the true one, by the true one.
    const looksDone = pNorm * rNorm * scale <= relTol * sumEstimate;
    if (looksDone || sinceCheck >= 16) {
      sinceCheck = 0;
      last = check(looksDone);
      if (looksDone) rhoNext = dot(r0, r); // r was replaced
      sumEstimate = Math.max(sumEstimate, last.sum);
      if (last.bound <= relTol * last.sum) return finish(x, last.bound, it);
    }
  }
  return null;
}

function finish(x: Float64Array, bound: number, iterations: number): OccupancySolve {
  for (let i = 0; i < x.length; i++) if (!(x[i]! > 0)) x[i] = 0;
  return { d: x, errorBound: bound, iterations };
}

/**
 * The same occupancy in little memory (two n-vectors, a queue and its flags, beside the policy):
 * for tables whose {@link policyMatrix} and solve would not fit the diagnostics' memory budget.
 * Mass is pushed as in evaluate.ts's pushOccupancy, but only from states holding more than a
 * threshold, from a work list (no sweeps over states with nothing to pass on), the threshold falling
 * by 8 whenever no state holds more. The guarantee is the solve's: once the mass not yet passed on
 * is r, |d - d_q|_1 <= r / (1 - gamma) (it would add (I - M^T)^-1 r, of norm at most that); stop
 * when this is at most relTol x sum(d). Null after `maxPushes` pushes (for the caller: the policy
 * evaluation's sweep cap times n).
 */
export function worklistOccupancy(mdp: MdpArrays, q: PolicyRows, gamma: number, relTol: number, maxPushes: number): OccupancySolve | null {
  const { nStates: n, nActions: m, rowStart, next, prob, done } = mdp;
  const rowOf = rowReader(q, m);
  const qs = new Float64Array(m);
  const total = new Float64Array(n);
  const pending = new Float64Array(n);
  pending.set(mdp.initial);
  const queue = new Int32Array(n);
  const queued = new Uint8Array(n);
  const scale = 1 / (1 - gamma);
  let head = 0;
  let size = 0;
  let top = 0;
  for (let s = 0; s < n; s++) top = Math.max(top, pending[s]!);
  let theta = top / 8;
  let pushes = 0;
  for (;;) {
    for (let s = 0; s < n; s++) {
      if (pending[s]! > theta && !queued[s]) {
        queued[s] = 1;
        queue[(head + size++) % n] = s;
      }
    }
    while (size > 0) {
      const s = queue[head]!;
      head = head + 1 === n ? 0 : head + 1;
      size--;
      queued[s] = 0;
      const x = pending[s]!;
      if (!(x > theta)) continue;
      if (++pushes > maxPushes) return null;
      pending[s] = 0;
      total[s]! += x;
      rowOf(s, qs);
      for (let a = 0; a < m; a++) {
        const row = s * m + a;
        const w = gamma * x * qs[a]!;
        if (w === 0) continue;
        for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
          if (done[k]) continue;
          const t = next[k]!;
          const p = (pending[t]! += w * prob[k]!);
          if (p > theta && !queued[t]) {
            queued[t] = 1;
            queue[(head + size++) % n] = t;
          }
        }
      }
    }
    let rest = 0;
    let sum = 0;
    for (let s = 0; s < n; s++) {
      rest += pending[s]!;
      sum += total[s]!;
    }
    const bound = rest * scale;
    if (bound <= relTol * sum) return { d: total, errorBound: bound, iterations: pushes };
    // Every state now holds at most theta; lower it (to the largest holding, if that is below).
    top = 0;
    for (let s = 0; s < n; s++) top = Math.max(top, pending[s]!);
    theta = Math.min(theta, top) / 8;
    if (!(theta > 0)) return { d: total, errorBound: bound, iterations: pushes };
  }
}
