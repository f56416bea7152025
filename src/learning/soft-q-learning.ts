/**
 * Tabular soft Q-learning on a simulator of a tabular MDP, with a seeded generator (xoshiro128**,
 * src/numeric/random.ts) so that a run is reproducible from its seed.
 *
 * One step samples a from the behaviour policy, one entry k of (s, a) with probability p_k, and moves
 * Q(s,a) towards a sampled target with learning rate eta:
 *   variational:  Q <- Q + eta (r + gamma (1 - done) V(s') - Q),   V(s') = alpha log sum_a' w exp(Q(s',a')/alpha)
 *   hard:         Q <- Q + eta (r + gamma (1 - done) max_{a' : pi0 > 0} Q(s',a') - Q)
 *   exact:        e^{Q/alpha} <- (1 - eta) e^{Q/alpha} + eta e^{r/alpha} [done ? 1 : gamma e^{V(s')/alpha} + 1 - gamma]
 *                 (Todorov's Z-learning, kept in log space)
 * Episodes start from the initial distribution and end on a done entry; discounting is the engine's
 * (the target's gamma, not a sampled death), and an episode longer than `maxEpisodeSteps` is cut
 * (truncated: its last target still bootstraps) so that the initial states keep being visited.
 */
import { ParameterError } from "../errors.js";
import { RULES, isBackup, unreachable, type Backup } from "../inference/rules/index.js";
import type { MdpArrays } from "../mdp/tabular.js";
import { reachableFromStart } from "../mdp/reachability.js";
import { logAddExp } from "../numeric/logspace.js";
import { Rng } from "../numeric/random.js";
import { resolveProblem, softValues, type SolverProblem } from "../solvers/common.js";

/** How actions are chosen while learning. */
/** The behaviour policies, listed once (`--behaviour` reads this list). */
export const BEHAVIOURS = ["soft", "epsilon-greedy", "uniform"] as const;
export type Behaviour = (typeof BEHAVIOURS)[number];

/** Defaults of {@link softQLearning}, stated once. */
export const SOFT_Q_LEARNING_DEFAULTS = {
  backup: "variational" as Backup,
  behaviour: "soft" as Behaviour,
  epsilon: 0.1,
  /** eta = 1 / n(s,a)^w with this w (Robbins-Monro needs w in (0.5, 1]). */
  learningRatePower: 0.8,
} as const;

export interface SoftQLearningOptions extends SolverProblem {
  /** Which fixed point to learn. @defaultValue "variational" */
  readonly backup?: Backup;
  /** Number of updates (one sampled transition each). */
  readonly steps: number;
  /** Seed of the generator (any safe integer). */
  readonly seed: number;
  /** @defaultValue "soft" (the current soft policy w exp((Q - V)/alpha)) */
  readonly behaviour?: Behaviour;
  /** Exploration of epsilon-greedy. @defaultValue 0.1 */
  readonly epsilon?: number;
  /** A constant learning rate in (0, 1]; when absent, eta = 1 / n(s,a)^learningRatePower. */
  readonly learningRate?: number;
  /** w in eta = 1 / n(s,a)^w, in (0, 1]. @defaultValue 0.8 */
  readonly learningRatePower?: number;
  /** Cut episodes after this many steps. @defaultValue max(100, ceil(10 / (1 - gamma))) for gamma < 1, 1000 for gamma = 1 */
  readonly maxEpisodeSteps?: number;
  /** Starting Q, flat n x m. @defaultValue zeros */
  readonly initialQ?: Float64Array;
  /** A fixed point Q* to measure max |Q - Q*| against (over the pairs episodes can visit). */
  readonly reference?: Float64Array;
  /** Steps between points of the error curve. @defaultValue steps / 20 */
  readonly recordEvery?: number;
  /** Called every `progressEvery` steps with the number of steps done. */
  readonly onProgress?: (step: number) => void;
  /** @defaultValue steps / 100 */
  readonly progressEvery?: number;
}

/** One point of the learning curve. */
export interface CurvePoint {
  readonly step: number;
  /** max |Q - Q*| over the pairs episodes can visit. */
  readonly maxAbsError: number;
}

export interface SoftQLearningResult {
  /** The learned Q, flat n x m. */
  readonly Q: Float64Array;
  /** Soft (or hard) values of the learned Q. */
  readonly V: Float64Array;
  /** The soft policy of the learned Q (greedy over the prior's support for the hard backup). */
  readonly policy: Float64Array;
  /** Updates per pair n(s,a), flat n x m. */
  readonly visits: Float64Array;
  /** 1 for the pairs episodes can visit: states reachable from p0 on live entries, actions with pi0 > 0. */
  readonly learnable: Uint8Array;
  /** The error curve (empty without a reference): step 0, every `recordEvery` steps, and the last step. */
  readonly curve: readonly CurvePoint[];
  /** Episodes begun (the last one may be unfinished). */
  readonly episodes: number;
  readonly steps: number;
}

/** Pairs an episode can visit: actions with pi0 > 0 in states reachable from p0 through live entries. */
export function learnablePairs(mdp: MdpArrays, probs: Float64Array): Uint8Array {
  const { nStates: n, nActions: m } = mdp;
  const seen = reachableFromStart(mdp, { support: probs });
  const out = new Uint8Array(n * m);
  for (let s = 0; s < n; s++) if (seen[s]) for (let a = 0; a < m; a++) out[s * m + a] = probs[s * m + a]! > 0 ? 1 : 0;
  return out;
}

/** max |Q - ref| over the marked pairs. */
export function maxAbsError(Q: Float64Array, ref: Float64Array, mask: Uint8Array): number {
  let e = 0;
  for (let i = 0; i < Q.length; i++) if (mask[i]) e = Math.max(e, Math.abs(Q[i]! - ref[i]!));
  return e;
}

/**
 * Tabular soft Q-learning (or Q-learning, or Z-learning) from sampled transitions.
 * @throws {@link ParameterError} naming the option for a bad step count, seed, rate or epsilon.
 */
export function softQLearning(mdp: MdpArrays, options: SoftQLearningOptions): SoftQLearningResult {
  const pr = resolveProblem(mdp, options);
  const { alpha, gamma, prior, logW } = pr;
  const { nStates: n, nActions: m, rowStart, next, prob, reward, done } = mdp;
  const backup = options.backup ?? SOFT_Q_LEARNING_DEFAULTS.backup;
  if (!isBackup(backup)) throw new ParameterError("backup", `"${String(backup)}" is not one of variational, hard, exact`);
  // What the family's rules are, read from its capabilities (never its name): the action rule's
  // closed form (a soft maximum or the max) and how the dynamics rule averages the next states.
  const family = RULES[backup];
  const actionKind = family.actions.kind;
  if (actionKind === null) throw new ParameterError("backup", `${backup}: its action rule (${family.actions.name}) has no closed form to learn from samples`);
  const hardMax = actionKind === "max" ? true : actionKind === "tempered" ? false : unreachable(actionKind);
  const average = family.nextStateAverage;
  const steps = options.steps;
  if (!Number.isSafeInteger(steps) || steps < 0) throw new ParameterError("steps", `must be an integer >= 0, got ${steps}`);
  const behaviour = options.behaviour ?? SOFT_Q_LEARNING_DEFAULTS.behaviour;
  if (!(BEHAVIOURS as readonly string[]).includes(behaviour)) {
    throw new ParameterError("behaviour", `"${String(behaviour)}" is not one of ${BEHAVIOURS.join(", ")}`);
  }
  const epsilon = options.epsilon ?? SOFT_Q_LEARNING_DEFAULTS.epsilon;
  if (!(epsilon >= 0 && epsilon <= 1)) throw new ParameterError("epsilon", `must be in [0, 1], got ${epsilon}`);
  const lr = options.learningRate;
  if (lr !== undefined && !(lr > 0 && lr <= 1)) throw new ParameterError("learningRate", `must be in (0, 1], got ${lr}`);
  const w = options.learningRatePower ?? SOFT_Q_LEARNING_DEFAULTS.learningRatePower;
  if (!(w > 0 && w <= 1)) throw new ParameterError("learningRatePower", `must be in (0, 1], got ${w}`);
  const cap = options.maxEpisodeSteps ?? (gamma < 1 ? Math.max(100, Math.ceil(10 / (1 - gamma))) : 1000);
  if (!Number.isSafeInteger(cap) || cap < 1) throw new ParameterError("maxEpisodeSteps", `must be an integer >= 1, got ${cap}`);
  const every = options.recordEvery ?? Math.max(1, Math.floor(steps / 20));
  if (!Number.isSafeInteger(every) || every < 1) throw new ParameterError("recordEvery", `must be an integer >= 1, got ${every}`);
  const progressEvery = options.progressEvery ?? Math.max(1, Math.floor(steps / 100));
  if (options.initialQ && options.initialQ.length !== n * m) throw new ParameterError("initialQ", `has ${options.initialQ.length} values for ${n} x ${m}`);
  if (options.reference && options.reference.length !== n * m) throw new ParameterError("reference", `has ${options.reference.length} values for ${n} x ${m}`);
  const rng = new Rng(options.seed);

  const Q = options.initialQ ? Float64Array.from(options.initialQ) : new Float64Array(n * m);
  const visits = new Float64Array(n * m);
  const probs = prior.probs;
  const learnable = learnablePairs(mdp, probs);
  const curve: CurvePoint[] = [];
  const ref = options.reference;
  if (ref) curve.push({ step: 0, maxAbsError: maxAbsError(Q, ref, learnable) });
  const scratch = new Float64Array(m);
  const inv = 1 / alpha;
  const logGamma = Math.log(gamma);
  const logDeath = gamma < 1 ? Math.log1p(-gamma) : -Infinity;
  // Allowed actions per state, for uniform draws.
  const allowed: number[][] = Array.from({ length: n }, (_, s) => {
    const out: number[] = [];
    for (let a = 0; a < m; a++) if (probs[s * m + a]! > 0) out.push(a);
    return out;
  });

  /** Soft value of s under the current Q (alpha log sum w exp(Q/alpha)), or the max for hard. */
  const value = (s: number): number => {
    const base = s * m;
    let mx = -Infinity;
    if (hardMax) {
      for (let a = 0; a < m; a++) if (probs[base + a]! > 0 && Q[base + a]! > mx) mx = Q[base + a]!;
      return mx;
    }
    for (let a = 0; a < m; a++) {
      const u = logW[base + a]! + Q[base + a]! * inv;
      if (u > mx) mx = u;
    }
    let sum = 0;
    for (let a = 0; a < m; a++) {
      const lw = logW[base + a]!;
      if (lw !== -Infinity) sum += Math.exp(lw + Q[base + a]! * inv - mx);
    }
    return alpha * (mx + Math.log(sum));
  };

  const chooseAction = (s: number): number => {
    const base = s * m;
    const list = allowed[s]!;
    if (behaviour === "uniform" || (behaviour === "epsilon-greedy" && rng.float() < epsilon)) return list[rng.int(list.length)]!;
    if (behaviour === "epsilon-greedy") {
      let best = list[0]!;
      for (const a of list) if (Q[base + a]! > Q[base + best]!) best = a;
      return best;
    }
    let mx = -Infinity;
    for (const a of list) if (Q[base + a]! > mx) mx = Q[base + a]!;
    for (let a = 0; a < m; a++) scratch[a] = probs[base + a]! > 0 ? probs[base + a]! * Math.exp((Q[base + a]! - mx) * inv) : 0;
    return rng.categorical(scratch, 0, m);
  };

  let s = rng.categorical(mdp.initial);
  let t = 0;
  let episodes = 1;
  for (let step = 1; step <= steps; step++) {
    const a = chooseAction(s);
    const row = s * m + a;
    const k = rng.categorical(prob, rowStart[row]!, rowStart[row + 1]!);
    const r = reward[k]!;
    const d = done[k] === 1;
    const s2 = next[k]!;
    const nsa = ++visits[row]!;
    const eta = lr ?? Math.pow(nsa, -w);
    if (average === "log-mean-exp") {
      // log target in nats: r/alpha + log(gamma e^{V'/alpha} + 1 - gamma), or r/alpha for a done entry.
      let u = r * inv;
      if (!d) {
        const lv = logGamma + value(s2) * inv;
        u += logAddExp(lv, logDeath);
      }
      const keep = eta < 1 ? Math.log1p(-eta) + Q[row]! * inv : -Infinity;
      const add = Math.log(eta) + u;
      Q[row] = alpha * logAddExp(keep, add);
    } else if (average === "mean") {
      const target = r + (d ? 0 : gamma * value(s2));
      Q[row]! += eta * (target - Q[row]!);
    } else unreachable(average);
    t++;
    if (d || t >= cap) {
      s = rng.categorical(mdp.initial);
      t = 0;
      episodes++;
    } else s = s2;
    if (ref && (step % every === 0 || step === steps)) curve.push({ step, maxAbsError: maxAbsError(Q, ref, learnable) });
    if (options.onProgress && (step % progressEvery === 0 || step === steps)) options.onProgress(step);
  }

  const V = new Float64Array(n);
  const policy = new Float64Array(n * m);
  if (hardMax) {
    for (let x = 0; x < n; x++) {
      V[x] = value(x);
      const list = allowed[x]!;
      let best = list[0]!;
      for (const a of list) if (Q[x * m + a]! > Q[x * m + best]!) best = a;
      policy[x * m + best] = 1;
    }
  } else softValues(Q, logW, n, m, alpha, V, policy);
  return { Q, V, policy, visits, learnable, curve, episodes, steps };
}
