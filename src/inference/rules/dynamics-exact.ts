/**
 * Exact sum-product rule for the dynamics factor (the "optimistic" backup):
 *   Q(s,a) = alpha log sum_k p_k exp(r_k/alpha) [done_k ? 1 : gamma exp(V'(s'_k)/alpha) + (1 - gamma)]
 * The (1 - gamma) branch is the death state (value 0); a done entry contributes exp(r/alpha) alone.
 */
import type { DynamicsRule } from "./types.js";
import { logAddExp } from "../../numeric/logspace.js";

export const exactDynamics: DynamicsRule = {
  name: "log-expect-exp",
  equation: "Q(s,a) = alpha log E_{s'~P}[ exp(r/alpha) (gamma exp(V(s')/alpha) + 1 - gamma) ]",
  // exp(Q/alpha) = sum_k p_k exp(r_k/alpha) (done_k ? 1 : 1 - gamma) + sum_k gamma p_k exp(r_k/alpha) (1 - done_k) z(s'_k)
  affine: {
    space: "exp",
    coefficient: (p, r, done, gamma, alpha) => (done || p === 0 ? 0 : gamma * p * Math.exp(r / alpha)),
    constant: (p, r, done, gamma, alpha) => (p === 0 ? 0 : p * Math.exp(r / alpha) * (done ? 1 : 1 - gamma)),
  },
  apply(mdp, Vnext, alpha, gamma, Q) {
    const { nStates: n, nActions: m, rowStart, next, prob, reward, done } = mdp;
    const inv = 1 / alpha;
    // W(s') = log(gamma exp(V'/alpha) + 1 - gamma): the log-message of s' including the death branch.
    const W = new Float64Array(n);
    const logGamma = Math.log(gamma);
    const logDeath = gamma < 1 ? Math.log1p(-gamma) : -Infinity;
    for (let t = 0; t < n; t++) {
      const a = logGamma + Vnext[t]! * inv;
      W[t] = logAddExp(a, logDeath);
    }
    const rows = n * m;
    for (let row = 0; row < rows; row++) {
      const k0 = rowStart[row]!;
      const k1 = rowStart[row + 1]!;
      // Pass 1: the max-shift over entries with p > 0 (p = 0 entries are masks).
      let mx = -Infinity;
      for (let k = k0; k < k1; k++) {
        if (prob[k]! > 0) {
          const u = reward[k]! * inv + (done[k] ? 0 : W[next[k]!]!);
          if (u > mx) mx = u;
        }
      }
      let sum = 0;
      for (let k = k0; k < k1; k++) {
        const p = prob[k]!;
        if (p > 0) sum += p * Math.exp(reward[k]! * inv + (done[k] ? 0 : W[next[k]!]!) - mx);
      }
      Q[row] = alpha * (mx + Math.log(sum));
    }
  },
};
