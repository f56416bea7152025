/**
 * Message rules, one per factor kind and mode. A rule runs one typed-array loop over the CSR
 * entries (or the action rows); it never calls a function per number.
 */
import type { MdpArrays } from "../../mdp/tabular.js";
import type { ActionPrior } from "../prior.js";

/**
 * The dynamics-and-optimality factor P(s'|s,a) exp(r(s,a,s')/alpha): its message towards (s_t, a_t),
 * given the message V_t+1 arriving on its `next` interface. Writes Q(s, a) in reward units.
 */
export interface DynamicsRule {
  /** A name for people (help, derive, reports); the engine never branches on it. */
  readonly name: string;
  /** One-line statement of the backup it implements. */
  readonly equation: string;
  /**
   * The rule as an affine map of the next values, in the space a fused kernel iterates, or null when
   * it is affine in neither (then no fused kernel may run it).
   */
  readonly affine: AffineForm | null;
  /**
   * A Lipschitz constant of the rule in the sup norm, as a map from next values V' <= vMax to Q:
   * |Q(V'_1) - Q(V'_2)| <= L max |V'_1 - V'_2|. With the action rules (1-Lipschitz) it bounds the
   * distance of an iterate to the fixed point: max |Q - Q*| <= L / (1 - L) x (the last sweep's max |dQ|).
   */
  lipschitz(gamma: number, alpha: number, vMax: number): number;
  apply(mdp: MdpArrays, Vnext: Float64Array, alpha: number, gamma: number, Q: Float64Array): void;
}

/**
 * Which closed form an action rule computes, for the kernels that fuse it:
 * - "tempered": V(s) = alpha log sum_a pi0(a|s) exp(Q(s,a)/alpha);
 * - "max": V(s) = max over {a : pi0(a|s) > 0} of Q(s,a).
 */
export type SemiringKind = "tempered" | "max";

/**
 * The action-prior factor pi0(a|s) as a semiring over actions: its message towards s_t, V(s), and
 * the resulting policy q(a|s), from Q(s, .).
 */
export interface ActionSemiring {
  /** A name for people; the engine never branches on it. */
  readonly name: string;
  /** The closed form it computes (what a fused kernel implements), or null for one no kernel knows. */
  readonly kind: SemiringKind | null;
  /** The semiring, stated as (plus, times, zero, one) in log space. */
  readonly statement: string;
  apply(Q: Float64Array, prior: ActionPrior, alpha: number, V: Float64Array, policy: Float64Array | null): void;
}

/**
 * A dynamics rule that is affine in the next values, in the space the fused kernels iterate:
 * - "value": Q(s,a) = b(s,a) + sum_k c_k V(s'_k) (the variational rule);
 * - "exp": exp(Q(s,a)/alpha) = b(s,a) + sum_k c_k exp(V(s'_k)/alpha) (the exact rule, linear in
 *   z = exp(V/alpha)); the kernel keeps z shifted by a per-sweep constant against overflow.
 * b(s,a) = sum_k constant(entry k), c_k = coefficient(entry k); c_k = 0 for an entry that reads no
 * next value (done, or p = 0).
 */
export interface AffineForm {
  readonly space: "value" | "exp";
  coefficient(p: number, r: number, done: boolean, gamma: number, alpha: number): number;
  constant(p: number, r: number, done: boolean, gamma: number, alpha: number): number;
}
