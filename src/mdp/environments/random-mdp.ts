/**
 * Seeded sparse random MDPs: every (s, a) lists `successors` distinct next states (ascending),
 * with probabilities drawn from a flat Dirichlet (normalised exponentials), a reward per entry
 * uniform in [rewardMin, rewardMax), and `done` with probability `terminalProbability` per entry.
 * The same options give the same table on every run and platform (see {@link Rng}).
 *
 * Draw order, fixed so that tables stay comparable: for s, for a: the successor set (Floyd's
 * sampling, then sorted), then per entry one uniform each for weight, reward and done. The done
 * draw is taken even when terminalProbability is 0, so changing it changes only the done flags.
 */
import { checkOptionKeys } from "../../options.js";
import { ParameterError } from "../../errors.js";
import { Rng } from "../../numeric/random.js";
import { TabularMdp, indexArray } from "../tabular.js";
import { checkTableSize } from "../../limits.js";
import type { EnvironmentDescriptor } from "./descriptor.js";

/** Options of {@link randomMdp}. */
export interface RandomMdpOptions {
  /** Number of states (>= 1). */
  readonly states: number;
  /** Number of actions (>= 1). */
  readonly actions: number;
  /** Distinct next states per (s, a), 1..states. */
  readonly successors: number;
  /** Seed of the generator (a safe integer). @defaultValue 0 */
  readonly seed?: number;
  /** Rewards are uniform in [min, max). @defaultValue [-1, 1] */
  readonly rewardRange?: readonly [min: number, max: number];
  /** Probability that an entry ends the episode. @defaultValue 0 */
  readonly terminalProbability?: number;
}

/**
 * A seeded sparse random MDP as a validated {@link TabularMdp}, p0 uniform.
 * @throws {@link ParameterError} naming the field for sizes that are not positive integers,
 *   successors > states, a table too large for 32-bit indices, a bad reward range or probability.
 */
export function randomMdp(options: RandomMdpOptions): TabularMdp {
  checkOptionKeys(
    options,
    Object.keys({ states: 1, actions: 1, successors: 1, seed: 1, rewardRange: 1, terminalProbability: 1 } satisfies Record<keyof RandomMdpOptions, 1>),
    "randomMdp",
  );
  const { states, actions, successors, seed = 0, rewardRange = [-1, 1], terminalProbability = 0 } = options;
  for (const [field, v] of [["states", states], ["actions", actions], ["successors", successors]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new ParameterError(field, `expected an integer >= 1, got ${v}`);
  }
  if (successors > states) throw new ParameterError("successors", `${successors} distinct next states asked for, but there are only ${states} states`);
  if (states * actions + 1 > 0x7fffffff || states * actions * successors > 0x7fffffff) {
    throw new ParameterError("states", `${states} states x ${actions} actions x ${successors} successors = ${states * actions * successors} entries, more than 32-bit indices allow (2147483647)`);
  }
  if (!Number.isSafeInteger(seed)) throw new ParameterError("seed", `expected a safe integer, got ${seed}`);
  const [rMin, rMax] = rewardRange;
  if (rewardRange.length !== 2 || !Number.isFinite(rMin) || !Number.isFinite(rMax) || rMin > rMax) {
    throw new ParameterError("rewardRange", `expected finite [min, max] with min <= max, got ${JSON.stringify(rewardRange)}`);
  }
  if (typeof terminalProbability !== "number" || !(terminalProbability >= 0 && terminalProbability <= 1)) {
    throw new ParameterError("terminalProbability", `expected a probability in [0, 1], got ${terminalProbability}`);
  }
  const rng = new Rng(seed);
  const n = states;
  const m = actions;
  const K = successors;
  const rows = n * m;
  const nnz = rows * K;
  const rowStart = indexArray(rows + 1);
  const next = indexArray(nnz);
  const prob = new Float64Array(nnz);
  const reward = new Float64Array(nnz);
  const done = new Uint8Array(nnz);
  const chosen = new Int32Array(K);
  const member = K > 32 ? new Set<number>() : undefined;
  const span = rMax - rMin;
  let k = 0;
  for (let row = 0; row < rows; row++) {
    rowStart[row] = k;
    // Floyd's algorithm: K distinct values from 0..n-1 in O(K) draws.
    member?.clear();
    let c = 0;
    for (let j = n - K; j < n; j++) {
      const t = rng.int(j + 1);
      let seen = false;
      if (member) seen = member.has(t);
      else for (let i = 0; i < c; i++) if (chosen[i] === t) { seen = true; break; }
      const v = seen ? j : t;
      chosen[c++] = v;
      member?.add(v);
    }
    chosen.sort();
    let total = 0;
    for (let i = 0; i < K; i++) {
      const w = -Math.log1p(-rng.float()); // exponential(1): normalised, a flat Dirichlet
      // (rMax - rMin overflows for bounds near +-1e308: then interpolate without the span.)
      const u = rng.float();
      const r = Number.isFinite(span) ? rMin + span * u : rMin * (1 - u) + rMax * u;
      const d = rng.float() < terminalProbability ? 1 : 0;
      next[k + i] = chosen[i]!;
      prob[k + i] = w;
      reward[k + i] = r;
      done[k + i] = d;
      total += w;
    }
    for (let i = 0; i < K; i++) prob[k + i] = total > 0 ? prob[k + i]! / total : 1 / K;
    k += K;
  }
  rowStart[rows] = k;
  const initial = new Float64Array(n).fill(1 / n);
  return TabularMdp.fromArrays(
    { nStates: n, nActions: m, rowStart, next, prob, reward, done, initial },
    { meta: { name: "RandomMdp", states: n, actions: m, successors: K, seed, rewardRange: [rMin, rMax], terminalProbability, generator: "xoshiro128** seeded by splitmix32" } },
  );
}

// cai env face: from here on, this environment's descriptor for `cai env` (issue 12: name, flags, help, build); its text may name flags.

/** `cai env random`. */
export const RANDOM_MDP_ENV: EnvironmentDescriptor = {
  name: "random",
  help: [
    "  random            seeded sparse random MDP (same options, same table), p0 uniform",
    "    --states N        number of states (required)",
    "    --actions M       number of actions (default 4)",
    "    --successors K    distinct next states per (s, a) (default min(8, N))",
    "    --seed S          integer seed (default 0)",
    "    --reward-min A, --reward-max B   rewards uniform in [A, B) (default -1, 1); write negatives as --reward-min=-2",
    "    --terminal-probability Q         probability that an entry ends the episode (default 0)",
  ],
  flags: ["states", "actions", "successors", "seed", "reward-min", "reward-max", "terminal-probability"].map((name) => ({ name, type: "string" as const })),
  build(inputs) {
    const states = inputs.number("states", { integer: true, min: 1 });
    if (states === undefined) return inputs.fail("random needs --states N");
    const actions = inputs.number("actions", { integer: true, min: 1 }) ?? 4;
    const successors = inputs.number("successors", { integer: true, min: 1, max: states }) ?? Math.min(8, states);
    checkTableSize(states * actions, states * actions * successors, "--states", `a random MDP of ${states} states x ${actions} actions x ${successors} successors`);
    const seed = inputs.number("seed", { integer: true }) ?? 0;
    const rewardMin = inputs.number("reward-min") ?? -1;
    const rewardMax = inputs.number("reward-max", { min: rewardMin }) ?? Math.max(1, rewardMin);
    const terminalProbability = inputs.number("terminal-probability", { min: 0, max: 1 }) ?? 0;
    return randomMdp({ states, actions, successors, seed, rewardRange: [rewardMin, rewardMax], terminalProbability });
  },
};
