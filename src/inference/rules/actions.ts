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
import type { ActionSemiring, SemiringKind } from "./types.js";

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

/**
 * The policy's rows from the fixed point's Q and V, one state at a time, without its n x m table,
 * for the semirings whose policy has a closed form in them: tempered, q(a|s) = pi0(a|s) exp((Q(s,a) -
 * V(s))/alpha + logMass(s)) (V = alpha (logMass + log sum_a pi0 exp(Q/alpha)), so the row sums to 1
 * to rounding); max, pi0 shared over the actions tied with V(s) = max_a Q(s,a). Null for a semiring no
 * closed form is known for (the caller takes the table). The diagnostics of a table too large for
 * another n x m array read the policy this way.
 */
export function policyRowsFromValues(kind: SemiringKind | null, Q: Float64Array, V: Float64Array, prior: ActionPrior, alpha: number): ((s: number, out: Float64Array) => void) | null {
  const m = prior.nActions;
  const { probs, logMass, prob0, logMass0 } = priorView(prior);
  switch (kind) {
    case "tempered": {
      const inv = 1 / alpha;
      return (s, out) => {
        const base = s * m;
        const shift = logMass ? logMass[s]! : logMass0;
        for (let a = 0; a < m; a++) {
          const p = probs ? probs[base + a]! : prob0;
          out[a] = p > 0 ? p * Math.exp((Q[base + a]! - V[s]!) * inv + shift) : 0;
        }
      };
    }
    case "max":
      return (s, out) => {
        const base = s * m;
        const mx = V[s]!;
        const cut = mx - TIE_TOLERANCE * Math.max(1, Math.abs(mx));
        let z = 0;
        for (let a = 0; a < m; a++) {
          const p = probs ? probs[base + a]! : prob0;
          z += out[a] = p > 0 && Q[base + a]! >= cut ? p : 0;
        }
        for (let a = 0; a < m; a++) out[a] = out[a]! / z;
      };
    case null:
      return null;
    default:
      return unreachableKind(kind);
  }
}

function unreachableKind(kind: never): never {
  throw new Error(`no policy rows for the semiring kind ${String(kind)}`);
}
