/**
 * The environments: Gymnasium's toy_text FrozenLake, CliffWalking and Taxi, built entry for entry
 * as Gymnasium builds `env.P`; the open N x N FrozenLake of the benchmarks; seeded random MDPs;
 * and the grid helper that picture code reads.
 */
export {
  frozenLake,
  frozenLakeOpen,
  FROZEN_LAKE_MAPS,
  FROZEN_LAKE_ACTIONS,
  type FrozenLakeOptions,
  type FrozenLakeOpenOptions,
  type FrozenLakeMapName,
} from "./frozen-lake.js";
export { cliffWalking, CLIFF_WALKING_ACTIONS, CLIFF_WALKING_MAP, type CliffWalkingOptions } from "./cliff-walking.js";
export { taxi, taxiEncode, taxiDecode, TAXI_ACTIONS, TAXI_LAYOUT, TAXI_DEPOTS, type TaxiState } from "./taxi.js";
export { randomMdp, type RandomMdpOptions } from "./random-mdp.js";
export { gridShape, STATE_NAME_LIMIT, type GridShape, type CellKind } from "./grid.js";
