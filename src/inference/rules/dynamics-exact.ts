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
  // dQ / dV(s') is a posterior weight times gamma z(s') / (gamma z(s') + 1 - gamma), z = exp(V/alpha),
  // which grows with V(s'): at most 1 / (1 + (1 - gamma) / gamma exp(-vMax/alpha)) < 1 for gamma < 1.
  lipschitz: (gamma, alpha, vMax) => (gamma >= 1 ? 1 : 1 / (1 + ((1 - gamma) / gamma) * Math.exp(-vMax / alpha))),
  affine: {
    space: "exp",
    coefficient: (p, r, done, gamma, alpha) => (done || p === 0 ? 0 : gamma * p * Math.exp(r / alpha)),
    constant: (p, r, done, gamma, alpha) => (p === 0 ? 0 : p * Math.exp(r / alpha) * (done ? 1 : 1 - gamma)),
  },
  apply(mdp, Vnext, alpha, gamma, Q) {
    const { nStates: n, nActions: m, rowStart, next, prob, reward, done } = mdp;
    const inv = 1 / alpha;
    // W(s') = log(gamma exp(V'/alpha) + 1 - gamma): the log-message of s' including the death branch.
    // Near x = V'/alpha = 0 (large alpha) it is log1p(gamma expm1(x)), which keeps x ~ 1e-100 intact.
    const W = new Float64Array(n);
    const logGamma = Math.log(gamma);
    const logDeath = gamma < 1 ? Math.log1p(-gamma) : -Infinity;
    for (let t = 0; t < n; t++) {
      const x = Vnext[t]! * inv;
      if (gamma === 1) W[t] = x;
      else if (x >= -1 && x <= 1) W[t] = Math.log1p(gamma * Math.expm1(x));
      else {
        W[t] = logAddExp(logGamma + x, logDeath);
      }
    }
    const rows = n * m;
    for (let row = 0; row < rows; row++) {
      const k0 = rowStart[row]!;
      const k1 = rowStart[row + 1]!;
      // Pass 1: the max-shift over entries with p > 0 (p = 0 entries are masks), and the row's mass.
      let mx = -Infinity;
      let mass = 0;
      for (let k = k0; k < k1; k++) {
        const p = prob[k]!;
        if (p > 0) {
          mass += p;
          const u = reward[k]! * inv + (done[k] ? 0 : W[next[k]!]!);
          if (u > mx) mx = u;
        }
      }
      // Pass 2: S = sum p exp(d) and S - mass = sum p expm1(d), d = u - mx <= 0, one transcendental
      // per entry (expm1 near 0, exp further out; each gives the other to within an ulp of 1).
      // When S is near the mass (large alpha: every d tiny), Q = alpha (mx + log1p((S - mass)/mass))
      // keeps the differences that alpha log(S) would round away, so that Q tends to E[r + gamma V']
      // as alpha grows; otherwise alpha (mx + log(S/mass)). The expectation is normalised by the
      // row's mass (1 within 1e-9), so that the rounding of that sum never grows with alpha.
      let S = 0;
      let Sm1 = 0;
      for (let k = k0; k < k1; k++) {
        const p = prob[k]!;
        if (p > 0) {
          const d = reward[k]! * inv + (done[k] ? 0 : W[next[k]!]!) - mx;
          let e: number;
          let em: number;
          if (d > -0.7) {
            em = Math.expm1(d);
            e = em + 1;
          } else {
            e = Math.exp(d);
            em = e - 1;
          }
          S += p * e;
          Sm1 += p * em;
        }
      }
      if (!(mass > 0)) Q[row] = -Infinity;
      else Q[row] = alpha * (S >= 0.5 * mass ? mx + Math.log1p(Sm1 / mass) : mx + Math.log(S / mass));
    }
  },
};
