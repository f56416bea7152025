/**
 * The models: one per RL variant, differing only in the action prior of the trajectory graph.
 *
 * | model         | prior pi0(a|s)                                        | objective                                   |
 * |---------------|-------------------------------------------------------|---------------------------------------------|
 * | maxent        | uniform 1/m (entropy form: weight 1 per action)       | E[sum gamma^t (r - alpha KL(pi || 1/m))]     |
 * | rlhf          | reference policy pi_ref                               | E[sum r] - beta KL(pi || pi_ref)            |
 * | demonstration | pi_D = (count(s,a) + lambda) / (count(s) + m lambda)  | E[sum gamma^t (r - alpha KL(pi || pi_D))]    |
 *
 * A model is declarative: it builds its prior (and, where the variant has its own MDP shape, the MDP)
 * and states its closed form as code. It holds no solver code and imports only the public API.
 */
import { DEMONSTRATION } from "./demonstration.js";
import { MAXENT } from "./maxent.js";
import { RLHF } from "./rlhf.js";

export * from "./maxent.js";
export * from "./rlhf.js";
export * from "./demonstration.js";

/** A model described in words. */
export interface ModelInfo {
  readonly name: ModelName;
  /** The action prior it uses. */
  readonly prior: string;
  /** The objective it optimises. */
  readonly objective: string;
  /** The closed form it reduces to. */
  readonly closedForm: string;
}

/** The names of the models, as `cai solve --model` takes them. */
export type ModelName = "maxent" | "rlhf" | "demonstration";

/** Every model, in the order the README lists them (maxent is the default). */
export const MODELS: readonly ModelInfo[] = [MAXENT, RLHF, DEMONSTRATION];

/** The model names. */
export const MODEL_NAMES: readonly ModelName[] = MODELS.map((m) => m.name);
