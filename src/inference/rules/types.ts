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
  readonly name: "log-expect-exp" | "expectation";
  /** One-line statement of the backup it implements. */
  readonly equation: string;
  apply(mdp: MdpArrays, Vnext: Float64Array, alpha: number, gamma: number, Q: Float64Array): void;
}

/**
 * The action-prior factor pi0(a|s) as a semiring over actions: its message towards s_t, V(s), and
 * the resulting policy q(a|s), from Q(s, .).
 */
export interface ActionSemiring {
  readonly name: "tempered" | "max";
  /** The semiring, stated as (plus, times, zero, one) in log space. */
  readonly statement: string;
  apply(Q: Float64Array, prior: ActionPrior, alpha: number, V: Float64Array, policy: Float64Array | null): void;
}
