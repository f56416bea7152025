/**
 * Sampling trajectories from the two distributions of inference/forward.ts, seeded (numeric/random.ts).
 *
 * - "policy": s_0 ~ p0, a_t ~ q_t(.|s_t), entry ~ P(.|s_t, a_t): the returned policy in the world's
 *   dynamics. The discount is not sampled (no death): it is how demonstrations are counted, so the
 *   empirical frequency of (t, s) estimates the undiscounted marginal D_t(s).
 * - "posterior" (exact backup): s_0 ~ p(s_0 | O) (or p0), a_t ~ p(a|s, O), entry ~ p(entry | s, a, O)
 *   (its death branch included: with gamma < 1 an episode can end in the death state, as the
 *   posterior's marginals count it). The dynamics are not the world's: optimism, seen in samples.
 *
 * An episode ends at a `done` entry (its next state is not recorded: nothing happens after it), in
 * the death state, or after `maxSteps` actions (the horizon H for a finite horizon), when the state
 * reached is recorded as the last of `states` (one more state than actions).
 */
import { ParameterError } from "../errors.js";
import type { MdpArrays } from "../mdp/tabular.js";
import { Rng } from "../numeric/random.js";
import { posteriorEntries, TRAJECTORY_SOURCES, type TrajectorySource } from "./forward.js";
import { posteriorInitial } from "./posterior.js";
import type { SolveResult } from "./solve.js";
import { RULES } from "./rules/index.js";

export interface SampleOptions {
  /** Number of episodes, >= 1. */
  readonly episodes: number;
  /** Seed of the generator (any safe integer); or pass `rng`. @defaultValue 0 */
  readonly seed?: number;
  /** A generator to draw from (continues its stream); overrides `seed`. */
  readonly rng?: Rng;
  /** @defaultValue "policy" */
  readonly from?: TrajectorySource;
  /** With `from: "posterior"`: s_0 from p(s_0 | O) ("posterior", default) or from p0 ("p0"). */
  readonly start?: "posterior" | "p0";
  /** At most this many actions per episode; @defaultValue the horizon H (required for an infinite horizon). */
  readonly maxSteps?: number;
}

/** How an episode ended. */
export type EpisodeEnd = "done" | "death" | "horizon" | "max-steps";

export interface SampledEpisode {
  /** s_0..s_T (one more than the actions when the episode was cut by the horizon or maxSteps). */
  readonly states: number[];
  readonly actions: number[];
  /** r_t of the entry taken at each step. */
  readonly rewards: number[];
  readonly end: EpisodeEnd;
}

export interface Samples {
  readonly from: TrajectorySource;
  readonly maxSteps: number;
  readonly episodes: SampledEpisode[];
}

/**
 * Sample episodes from q(tau) or from the exact posterior p(tau | O) of a solved problem.
 * @throws {@link ParameterError} for bad options (episodes, maxSteps, a posterior of a non-exact backup).
 */
export function sampleTrajectories(mdp: MdpArrays, result: SolveResult, options: SampleOptions): Samples {
  const from = options.from ?? "policy";
  if (!TRAJECTORY_SOURCES.includes(from)) throw new ParameterError("from", `"${String(from)}" is not one of ${TRAJECTORY_SOURCES.join(", ")}`);
  if (from === "posterior" && !RULES[result.backup].exactMessages) {
    throw new ParameterError("from", `the exact posterior p(tau | O) belongs to the exact backup; this result is ${result.backup}`);
  }
  if (result.nStates !== mdp.nStates || result.nActions !== mdp.nActions) {
    throw new ParameterError("result", `is for ${result.nStates} states x ${result.nActions} actions, the MDP has ${mdp.nStates} x ${mdp.nActions}`);
  }
  const { episodes } = options;
  if (!Number.isSafeInteger(episodes) || episodes < 1) throw new ParameterError("episodes", `must be an integer >= 1, got ${episodes}`);
  const H = result.horizon;
  const maxSteps = options.maxSteps ?? H;
  if (maxSteps === null) throw new ParameterError("maxSteps", "is required with an infinite horizon (episodes that never reach a done entry must stop somewhere)");
  if (!Number.isSafeInteger(maxSteps) || maxSteps < 1) throw new ParameterError("maxSteps", `must be an integer >= 1, got ${maxSteps}`);
  if (H !== null && maxSteps > H) throw new ParameterError("maxSteps", `is ${maxSteps}, longer than the horizon ${H} (the policy has no steps beyond it)`);
  const rng = options.rng ?? new Rng(options.seed ?? 0);
  const { nStates: n, nActions: m, rowStart, next, reward, done } = mdp;
  const posterior = from === "posterior";
  const E = mdp.prob.length;

  // Per time step (finite) or once (infinite): the policy, and the entry weights (taken) with the
  // probability of going on (live / taken). The posterior's tables are built on first use of a step.
  const policyAt = (t: number): Float64Array => (H !== null ? result.steps!.policy[t]! : result.policy);
  const tables = new Map<number, { live: Float64Array; taken: Float64Array }>();
  const zeros = new Float64Array(n);
  const entriesAt = (t: number): { live: Float64Array; taken: Float64Array } => {
    if (!posterior) return { live: mdp.prob, taken: mdp.prob };
    const key = H !== null ? t : 0;
    let e = tables.get(key);
    if (!e) {
      e = { live: new Float64Array(E), taken: new Float64Array(E) };
      const Vnext = H !== null ? (t + 1 < H ? result.steps!.V[t + 1]! : zeros) : result.V;
      posteriorEntries(mdp, Vnext, result.alpha, result.gamma, e.live, e.taken, new Float64Array(n * m));
      tables.set(key, e);
    }
    return e;
  };
  const start = posterior && (options.start ?? "posterior") === "posterior" ? posteriorInitial(mdp, result.V, result.alpha) : mdp.initial;

  const out: SampledEpisode[] = [];
  for (let i = 0; i < episodes; i++) {
    let s = rng.categorical(start);
    const states = [s];
    const actions: number[] = [];
    const rewards: number[] = [];
    let end: EpisodeEnd = H !== null && maxSteps === H ? "horizon" : "max-steps";
    for (let t = 0; t < maxSteps; t++) {
      const a = rng.categorical(policyAt(t), s * m, (s + 1) * m) - s * m;
      const row = s * m + a;
      const { live, taken } = entriesAt(t);
      const k = rng.categorical(taken, rowStart[row]!, rowStart[row + 1]!);
      actions.push(a);
      rewards.push(reward[k]!);
      if (done[k]) {
        end = "done";
        break;
      }
      if (posterior && live[k]! < taken[k]! && rng.float() * taken[k]! >= live[k]!) {
        end = "death";
        break;
      }
      s = next[k]!;
      states.push(s);
    }
    out.push({ states, actions, rewards, end });
  }
  return { from, maxSteps, episodes: out };
}

/**
 * The demonstrations document of sampled episodes, as `--demos` reads it:
 * `{"trajectories": [{"states": [...], "actions": [...]}, ...], "meta": {...}}`.
 */
export function demonstrationsDocument(samples: Samples, meta: Record<string, unknown> = {}): { trajectories: Array<{ states: number[]; actions: number[] }>; meta: Record<string, unknown> } {
  const ends: Record<string, number> = {};
  for (const e of samples.episodes) ends[e.end] = (ends[e.end] ?? 0) + 1;
  return {
    trajectories: samples.episodes.map((e) => ({ states: e.states, actions: e.actions })),
    meta: { ...meta, from: samples.from, episodes: samples.episodes.length, max_steps: samples.maxSteps, ends, mean_return: samples.episodes.reduce((acc, e) => acc + e.rewards.reduce((a, b) => a + b, 0), 0) / samples.episodes.length },
  };
}
