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
import type { ModelDescriptor } from "./descriptor.js";

export * from "./maxent.js";
export * from "./rlhf.js";
export * from "./demonstration.js";

export type { ModelBuild, ModelDescriptor, ModelFlag, ModelInputs } from "./descriptor.js";

/** A model described in words (every descriptor is one). */
export type ModelInfo = Pick<ModelDescriptor, "name" | "prior" | "objective" | "closedForm">;

/**
 * Every model, in the order the README lists them; the first is the default of `--model`. A new
 * model is one file exporting its descriptor and one line here.
 */
export const MODELS = [MAXENT, RLHF, DEMONSTRATION] as const satisfies readonly ModelDescriptor[];

/** The names of the models, as `cai solve --model` takes them. */
export type ModelName = (typeof MODELS)[number]["name"];

/** The model names. */
export const MODEL_NAMES: readonly ModelName[] = MODELS.map((m) => m.name);
