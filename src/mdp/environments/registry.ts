/**
 * Every environment `cai env` builds, in the order its help lists them: one line each. A new
 * environment is one file (its builder and its {@link EnvironmentDescriptor}) and one line here.
 */
import type { EnvironmentDescriptor } from "./descriptor.js";
import { FROZEN_LAKE_ENV, FROZEN_LAKE_OPEN_ENV } from "./frozen-lake.js";
import { CLIFF_WALKING_ENV } from "./cliff-walking.js";
import { TAXI_ENV } from "./taxi.js";
import { RANDOM_MDP_ENV } from "./random-mdp.js";

export const ENVIRONMENTS: readonly EnvironmentDescriptor[] = [FROZEN_LAKE_ENV, FROZEN_LAKE_OPEN_ENV, CLIFF_WALKING_ENV, TAXI_ENV, RANDOM_MDP_ENV];

/** The environment names. */
export const ENVIRONMENT_NAMES: readonly string[] = ENVIRONMENTS.map((e) => e.name);
