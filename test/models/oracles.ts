/**
 * Independent oracles for the model tests, written without the engine: the hard Bellman optimum by
 * plain value iteration (optionally restricted to a support), and a few small helpers (rel and
 * normalise are in test/support/numeric.ts).
 */
import { expect } from "vitest";
import type { TabularMdp } from "../../src/index.js";
import { rel } from "../support/numeric.js";

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

/** log sum_i exp(x_i) with -Infinity entries skipped, written out here (not the package's). */
export function lse(x: readonly number[]): number {
  const mx = Math.max(...x);
  if (mx === -Infinity) return -Infinity;
  return mx + Math.log(x.reduce((acc, v) => acc + (v === -Infinity ? 0 : Math.exp(v - mx)), 0));
}

/**
 * How far the engine's infinite-horizon values may sit from the fixed point: it stops when
 * max |dQ| <= 1e-10 (its default tolerance), which bounds the distance by 1e-10 gamma / (1 - gamma);
 * twice that, for the rounding of both sides. A finite horizon is an exact recursion: 1e-9.
 */
export function fixedPointTol(gamma: number, horizon: number | null): number {
  return horizon === null ? Math.max(1e-9, (2e-10 * gamma) / (1 - gamma)) : 1e-9;
}

/**
 * The alpha -> 0 limit at every state s: the hard backup's V(s) equals the oracle's optimum Vopt(s)
 * within `tol` (relative), and 0 <= Vopt(s) - Vsoft(s) <= bound, both within slack
 * tol max(1, max_s |Vopt(s)|).
 */
export function expectHardLimit(Vopt: readonly number[], Vhard: Float64Array, Vsoft: Float64Array, bound: number, tol: number): void {
  const slack = tol * Math.max(1, ...Vopt.map(Math.abs));
  for (let s = 0; s < Vopt.length; s++) {
    expect(rel(Vhard[s]!, Vopt[s]!), `state ${s}`).toBeLessThan(tol);
    const gap = Vopt[s]! - Vsoft[s]!;
    expect(gap, `state ${s}`).toBeGreaterThanOrEqual(-slack);
    expect(gap, `state ${s}`).toBeLessThanOrEqual(bound + slack);
  }
}
