/**
 * Independent oracles for the model tests, written without the engine: the hard Bellman optimum by
 * plain value iteration (optionally restricted to a support), and a few small helpers.
 */
import type { TabularMdp } from "../../src/index.js";

/**
 * Q*(s,a) = sum_k p_k (r_k + gamma (1 - d_k) max_{a' allowed at s'} Q*(s',a')), by value iteration:
 * H sweeps for a finite horizon (Q at t = 0), else until max |dQ| < 1e-14 (gamma < 1).
 * @param allowed - allowed(s, a); every action by default.
 */
export function hardQ(mdp: TabularMdp, gamma: number, horizon: number | null, allowed: (s: number, a: number) => boolean = () => true): number[][] {
  const { nStates: n, nActions: m } = mdp;
  let V = new Array<number>(n).fill(0);
  let Q: number[][] = [];
  const sweeps = horizon ?? 1_000_000;
  for (let it = 0; it < sweeps; it++) {
    Q = [];
    for (let s = 0; s < n; s++) {
      const row: number[] = [];
      for (let a = 0; a < m; a++) {
        let q = 0;
        for (const e of mdp.entries(s, a)) q += e.prob * (e.reward + (e.done ? 0 : gamma * V[e.next]!));
        row.push(q);
      }
      Q.push(row);
    }
    const Vn = Q.map((row, s) => Math.max(...row.filter((_, a) => allowed(s, a))));
    const delta = Math.max(...Vn.map((v, s) => Math.abs(v - V[s]!)));
    V = Vn;
    if (horizon === null && delta < 1e-14 * Math.max(1, ...V.map(Math.abs))) break;
  }
  return Q;
}

/** max over allowed actions of each row. */
export function rowMax(Q: number[][], allowed: (s: number, a: number) => boolean = () => true): number[] {
  return Q.map((row, s) => Math.max(...row.filter((_, a) => allowed(s, a))));
}

/** sum_{t<H} gamma^t by an explicit loop (1/(1-gamma) for H = null). */
export function sumDiscounts(gamma: number, horizon: number | null): number {
  if (horizon === null) return 1 / (1 - gamma);
  let acc = 0;
  let g = 1;
  for (let t = 0; t < horizon; t++) {
    acc += g;
    g *= gamma;
  }
  return acc;
}

/** |a - b| relative to max(1, |a|, |b|). */
export const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(1, Math.abs(a), Math.abs(b));

/** log sum_i exp(x_i) with -Infinity entries skipped, written out here (not the package's). */
export function lse(x: readonly number[]): number {
  const mx = Math.max(...x);
  if (mx === -Infinity) return -Infinity;
  return mx + Math.log(x.reduce((acc, v) => acc + (v === -Infinity ? 0 : Math.exp(v - mx)), 0));
}

/** A probability vector from positive weights, with the rounding error put on the largest entry. */
export function normalise(w: readonly number[]): number[] {
  const total = w.reduce((x, y) => x + y, 0);
  const p = w.map((x) => x / total);
  const err = 1 - p.reduce((x, y) => x + y, 0);
  const i = p.indexOf(Math.max(...p));
  p[i]! += err;
  return p;
}

/**
 * How far the engine's infinite-horizon values may sit from the fixed point: it stops when
 * max |dQ| <= 1e-10 (its default tolerance), which bounds the distance by 1e-10 gamma / (1 - gamma);
 * twice that, for the rounding of both sides. A finite horizon is an exact recursion: 1e-9.
 */
export function fixedPointTol(gamma: number, horizon: number | null): number {
  return horizon === null ? Math.max(1e-9, (2e-10 * gamma) / (1 - gamma)) : 1e-9;
}
