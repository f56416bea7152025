/**
 * What exact inference believes: the posterior over next states and the posterior over the start.
 *
 *   p(s' | s, a, O) = p(s'|s,a) exp(r/alpha) [done ? 1 : gamma exp(V'(s')/alpha)] / exp(Q(s,a)/alpha)
 *   p(death | s, a, O) = sum_{k live} p_k exp(r_k/alpha) (1 - gamma) / exp(Q(s,a)/alpha)
 *   p(s_0 | O) = p0(s_0) exp(V_0(s_0)/alpha) / Z
 *
 * These differ from the true dynamics: conditioning on optimality tilts the world towards good
 * outcomes (the optimism of exact inference).
 */
import type { MdpArrays } from "../mdp/tabular.js";
import { RULES } from "./rules/index.js";

export interface PosteriorDynamics {
  /** Per CSR entry: the posterior probability of that entry's outcome. */
  readonly prob: Float64Array;
  /** Per (s, a) row: the posterior probability of the death branch (0 when gamma = 1). */
  readonly death: Float64Array;
}

/** Posterior dynamics given the next-step values V' (V_t+1, or the fixed point). */
export function posteriorDynamics(mdp: MdpArrays, Vnext: Float64Array, alpha: number, gamma: number): PosteriorDynamics {
  const { nStates: n, nActions: m, rowStart, next, prob, reward, done } = mdp;
  const Q = new Float64Array(n * m);
  RULES.exact.dynamics.apply(mdp, Vnext, alpha, gamma, Q);
  const out = new Float64Array(prob.length);
  const death = new Float64Array(n * m);
  const inv = 1 / alpha;
  const logDeath = gamma < 1 ? Math.log1p(-gamma) : -Infinity;
  for (let row = 0; row < n * m; row++) {
    const q = Q[row]! * inv;
    let d = 0;
    for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
      const p = prob[k]!;
      if (!(p > 0)) continue;
      const base = Math.log(p) + reward[k]! * inv - q;
      if (done[k]) out[k] = Math.exp(base);
      else {
        out[k] = Math.exp(base + Math.log(gamma) + Vnext[next[k]!]! * inv);
        if (logDeath > -Infinity) d += Math.exp(base + logDeath);
      }
    }
    death[row] = d;
  }
  return { prob: out, death };
}

/** p(s_0 | O) proportional to p0(s_0) exp(V_0(s_0)/alpha). */
export function posteriorInitial(mdp: MdpArrays, V0: Float64Array, alpha: number): Float64Array {
  const n = mdp.nStates;
  let mx = -Infinity;
  for (let s = 0; s < n; s++) if (mdp.initial[s]! > 0 && V0[s]! / alpha > mx) mx = V0[s]! / alpha;
  const out = new Float64Array(n);
  let z = 0;
  for (let s = 0; s < n; s++) {
    out[s] = mdp.initial[s]! > 0 ? mdp.initial[s]! * Math.exp(V0[s]! / alpha - mx) : 0;
    z += out[s]!;
  }
  for (let s = 0; s < n; s++) out[s] = out[s]! / z;
  return out;
}
