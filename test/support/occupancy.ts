/**
 * Shared by the occupancy tests (the Krylov solve and the lean work list): random policies, the
 * dense linear solve they are checked against (ml-matrix), and L1 helpers.
 */
import { Matrix, solve as solveLinear } from "ml-matrix";
import type { MdpArrays } from "../../src/index.js";

/** A random full-support policy (a small LCG: the property's seed decides it). */
export function randomPolicy(n: number, m: number, seed: number, zeros = false): Float64Array {
  let x = seed + 7;
  const rnd = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const q = new Float64Array(n * m);
  for (let s = 0; s < n; s++) {
    let t = 0;
    for (let a = 0; a < m; a++) t += (q[s * m + a] = zeros && a > 0 && rnd() < 0.4 ? 0 : 0.05 + rnd());
    for (let a = 0; a < m; a++) q[s * m + a]! /= t;
  }
  return q;
}

/** d = (I - gamma P_q^T)^-1 p0, dense. */
export function denseOccupancy(mdp: MdpArrays, q: Float64Array, gamma: number): number[] {
  const n = mdp.nStates;
  const m = mdp.nActions;
  const A = Matrix.eye(n, n);
  for (let s = 0; s < n; s++) {
    for (let a = 0; a < m; a++) {
      const row = s * m + a;
      for (let k = mdp.rowStart[row]!; k < mdp.rowStart[row + 1]!; k++) {
        if (!mdp.done[k]) A.set(mdp.next[k]!, s, A.get(mdp.next[k]!, s) - gamma * q[row]! * mdp.prob[k]!);
      }
    }
  }
  return solveLinear(A, Matrix.columnVector(Array.from(mdp.initial))).to1DArray();
}

export const l1 = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let e = 0;
  for (let i = 0; i < a.length; i++) e += Math.abs(a[i]! - b[i]!);
  return e;
};
export const sum = (a: ArrayLike<number>) => {
  let t = 0;
  for (let i = 0; i < a.length; i++) t += a[i]!;
  return t;
};

