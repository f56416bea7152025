/**
 * The action-prior factor's rules, as semirings over actions.
 *
 * tempered(alpha) = (alpha logsumexp(./alpha), +, -inf, 0):
 *   V(s) = alpha log sum_a w(a|s) exp(Q(s,a)/alpha),  q(a|s) = w(a|s) exp((Q(s,a) - V(s))/alpha)
 * max = (max, +, -inf, 0), its alpha -> 0 limit:
 *   V(s) = max over {a : pi0(a|s) > 0} Q(s,a); actions within 1e-9 max(1, |best|) of the best share
 *   the policy in proportion to pi0.
 */
import { priorConstants, type ActionPrior } from "../prior.js";
import type { ActionSemiring } from "./types.js";

/** The prior's tables, or (uniform, entropy) its two constants, so that the tables are never built. */
function priorView(prior: ActionPrior): { probs: Float64Array | null; logMass: Float64Array | null; prob0: number; logMass0: number } {
  const c = priorConstants(prior);
  return c ? { probs: null, logMass: null, prob0: c.prob, logMass0: c.logMass } : { probs: prior.probs, logMass: prior.logMass, prob0: 0, logMass0: 0 };
}

/** Relative width of a tie in the max semiring. */
export const TIE_TOLERANCE = 1e-9;

export const temperedSemiring: ActionSemiring = {
  name: "tempered",
  kind: "tempered",
  statement: "(alpha logsumexp(x/alpha), +, -inf, 0)",
  apply(Q, prior, alpha, V, policy) {
    const { nStates: n, nActions: m } = prior;
    const { probs, logMass, prob0, logMass0 } = priorView(prior);
    const inv = 1 / alpha;
    for (let s = 0; s < n; s++) {
      const base = s * m;
      let mx = -Infinity;
      for (let a = 0; a < m; a++) if ((probs ? probs[base + a]! : prob0) > 0 && Q[base + a]! > mx) mx = Q[base + a]!;
      // log1p form: with sum_a pi0 = 1, sum_a pi0 exp(x_a) = 1 + sum_a pi0 expm1(x_a), x_a = (Q_a - mx)/alpha <= 0,
      // which keeps values near zero accurate where the plain max-shifted sum rounds them to mx.
      let sm1 = 0;
      for (let a = 0; a < m; a++) {
        const p = probs ? probs[base + a]! : prob0;
        if (p > 0) sm1 += p * Math.expm1((Q[base + a]! - mx) * inv);
      }
      const v = mx + alpha * ((logMass ? logMass[s]! : logMass0) + Math.log1p(sm1));
      V[s] = v;
      if (policy) {
        let z = 0;
        for (let a = 0; a < m; a++) {
          const p = probs ? probs[base + a]! : prob0;
          const w = p > 0 ? p * Math.exp((Q[base + a]! - mx) * inv) : 0;
          policy[base + a] = w;
          z += w;
        }
        for (let a = 0; a < m; a++) policy[base + a] = policy[base + a]! / z;
      }
    }
  },
};

export const maxSemiring: ActionSemiring = {
  name: "max",
  kind: "max",
  statement: "(max, +, -inf, 0)",
  apply(Q, prior, _alpha, V, policy) {
    const { nStates: n, nActions: m } = prior;
    const { probs, prob0 } = priorView(prior);
    for (let s = 0; s < n; s++) {
      const base = s * m;
      let mx = -Infinity;
      for (let a = 0; a < m; a++) if ((probs ? probs[base + a]! : prob0) > 0 && Q[base + a]! > mx) mx = Q[base + a]!;
      V[s] = mx;
      if (policy) {
        const cut = mx - TIE_TOLERANCE * Math.max(1, Math.abs(mx));
        let z = 0;
        for (let a = 0; a < m; a++) {
          const p = probs ? probs[base + a]! : prob0;
          const w = p > 0 && Q[base + a]! >= cut ? p : 0;
          policy[base + a] = w;
          z += w;
        }
        for (let a = 0; a < m; a++) policy[base + a] = policy[base + a]! / z;
      }
    }
  },
};
