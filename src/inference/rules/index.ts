/**
 * Rule families: which rule each factor uses in each mode. The engine is generic over these values.
 * - exact: sum-product (log E exp over next states, tempered logsumexp over actions)
 * - variational: structured VMP with the dynamics fixed (E over next states, tempered over actions)
 * - hard: max-product over actions with the dynamics' expectation, the alpha -> 0 limit of variational
 */
import { maxSemiring, temperedSemiring } from "./actions.js";
import { exactDynamics } from "./dynamics-exact.js";
import { variationalDynamics } from "./dynamics-variational.js";
import type { ActionSemiring, AffineForm, DynamicsRule } from "./types.js";

export type Backup = "exact" | "variational" | "hard";

/** The rules every factor of the trajectory graph uses in one mode. */
export interface RuleFamily {
  readonly backup: Backup;
  readonly dynamics: DynamicsRule;
  readonly actions: ActionSemiring;
}

export const EXACT: RuleFamily = { backup: "exact", dynamics: exactDynamics, actions: temperedSemiring };
export const VARIATIONAL: RuleFamily = { backup: "variational", dynamics: variationalDynamics, actions: temperedSemiring };
export const HARD: RuleFamily = { backup: "hard", dynamics: variationalDynamics, actions: maxSemiring };

export const RULES: Readonly<Record<Backup, RuleFamily>> = { exact: EXACT, variational: VARIATIONAL, hard: HARD };

export { exactDynamics, variationalDynamics, temperedSemiring, maxSemiring };
export type { ActionSemiring, AffineForm, DynamicsRule };
