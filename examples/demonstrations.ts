/**
 * Example 5, demonstrations as the prior on FrozenLake 4x4 (slippery). The demonstrator plans for a
 * lake that is not slippery and reaches the goal rarely. pi_D(a|s) = (N(s,a) + lambda)/(N(s) + m lambda)
 * from its counts is the prior: as alpha grows the policy moves from the greedy optimum to pi_D.
 * With lambda = 0 the prior excludes every action the demonstrator never took: no alpha can recover
 * the optimum (the support problem).
 */
import { FROZEN_LAKE_ACTIONS, Rng, frozenLake, solve, uniformPrior, type ActionPrior, type TabularMdp } from "../src/index.js";
import { demonstrationPrior, describeRestriction } from "../models/index.js";
import { num, table, totalVariation, type ExampleOutput } from "./common.js";

export const title = "Demonstrations as the prior: between pi_D and greedy as alpha moves, and the support problem";

export const HORIZON = 100;
export const EPISODES = 40;
export const SEED = 1;
export const LAMBDA = 0.1;
export const ALPHAS = [1e-4, 3e-4, 1e-3, 3e-3, 0.01, 0.1, 1, 10] as const;

/** P(reaching the goal within the horizon) under time-indexed policies, by a forward pass from p0. */
export function successProbability(mdp: TabularMdp, policies: readonly Float64Array[]): number {
  const { nStates: n, nActions: m } = mdp;
  let d = Float64Array.from(mdp.initial);
  let p = 0;
  for (const pol of policies) {
    const nd = new Float64Array(n);
    for (let s = 0; s < n; s++) {
      if (d[s] === 0) continue;
      for (let a = 0; a < m; a++) {
        const row = s * m + a;
        const w = d[s]! * pol[row]!;
        if (w === 0) continue;
        for (let k = mdp.rowStart[row]!; k < mdp.rowStart[row + 1]!; k++) {
          const x = w * mdp.prob[k]!;
          if (mdp.reward[k]! > 0) p += x;
          if (!mdp.done[k]) nd[mdp.next[k]!]! += x;
        }
      }
    }
    d = nd;
  }
  return p;
}

/** The demonstrator: greedy for the lake without slipping (first of tied actions). */
export function demonstrator(): Int32Array {
  const dry = frozenLake({ isSlippery: false });
  const m = dry.nActions;
  const hard = solve(dry, { backup: "hard", gamma: 0.99, strict: true });
  const act = new Int32Array(dry.nStates);
  for (let s = 0; s < dry.nStates; s++) {
    let best = 0;
    for (let a = 1; a < m; a++) if (hard.Q[s * m + a]! > hard.Q[s * m + best]! + 1e-12) best = a;
    act[s] = best;
  }
  return act;
}

/** Counts N(s, a) from seeded rollouts of the demonstrator on the slippery lake. */
export function demonstrationCounts(lake: TabularMdp, act: Int32Array): { counts: Float64Array; successes: number } {
  const m = lake.nActions;
  const counts = new Float64Array(lake.nStates * m);
  const rng = new Rng(SEED);
  let successes = 0;
  for (let ep = 0; ep < EPISODES; ep++) {
    let s = 0;
    for (let t = 0; t < HORIZON; t++) {
      const a = act[s]!;
      counts[s * m + a]! += 1;
      const row = s * m + a;
      const k = rng.categorical(lake.prob, lake.rowStart[row]!, lake.rowStart[row + 1]!);
      if (lake.reward[k]! > 0) successes++;
      if (lake.done[k]) break;
      s = lake.next[k]!;
    }
  }
  return { counts, successes };
}

export interface DemoRow {
  readonly alpha: number | "hard";
  /** Mean total variation to pi_D over the demonstrated states (t = 0). */
  readonly toPrior: number;
  /** Mean total variation to the unrestricted greedy optimum over the demonstrated states. */
  readonly toGreedy: number;
  readonly success: number;
}

export interface DemonstrationsExample extends ExampleOutput {
  readonly demonstratorSuccesses: number;
  readonly optimum: number;
  readonly priorSuccess: number;
  readonly smoothed: readonly DemoRow[];
  readonly unsmoothed: readonly DemoRow[];
  readonly restrictedStates: number;
  readonly undemonstrated: readonly number[];
}

export function run(): DemonstrationsExample {
  const lake = frozenLake();
  const { nStates: n, nActions: m } = lake;
  const act = demonstrator();
  const { counts, successes } = demonstrationCounts(lake, act);
  const demonstrated: number[] = [];
  for (let s = 0; s < n; s++) if (counts.subarray(s * m, (s + 1) * m).some((c) => c > 0)) demonstrated.push(s);
  const full = solve(lake, { backup: "hard", horizon: HORIZON, prior: uniformPrior(n, m) });
  const greedy = full.policy;
  const optimum = successProbability(lake, full.steps!.policy);

  const sweep = (prior: ActionPrior): DemoRow[] => {
    const row = (alpha: number | "hard"): DemoRow => {
      const res = solve(lake, alpha === "hard" ? { backup: "hard", horizon: HORIZON, prior } : { backup: "variational", alpha, horizon: HORIZON, prior });
      let toPrior = 0;
      let toGreedy = 0;
      for (const s of demonstrated) {
        toPrior += totalVariation(res.policy, prior.probs, s * m, (s + 1) * m);
        toGreedy += totalVariation(res.policy, greedy, s * m, (s + 1) * m);
      }
      return { alpha, toPrior: toPrior / demonstrated.length, toGreedy: toGreedy / demonstrated.length, success: successProbability(lake, res.steps!.policy) };
    };
    return [row("hard"), ...ALPHAS.map(row)];
  };
  const smoothedPrior = demonstrationPrior(counts, n, m, LAMBDA);
  const rawPrior = demonstrationPrior(counts, n, m, 0);
  const priorSuccess = successProbability(lake, new Array<Float64Array>(HORIZON).fill(smoothedPrior.prior.probs));
  const smoothed = sweep(smoothedPrior.prior);
  const unsmoothed = sweep(rawPrior.prior);
  const head = ["alpha", "TV(pi, pi_D)", "TV(pi, greedy)", `P(goal in ${HORIZON})`];
  const fmt = (rows: readonly DemoRow[]) => rows.map((r) => [String(r.alpha), num(r.toPrior, 3), num(r.toGreedy, 3), num(r.success)]);
  const names = (s: number) => lake.stateName(s);
  const lines = [
    "FrozenLake 4x4, slippery (1/3 each way), reward 1 at the goal, horizon 100. The demonstrator plans for a dry",
    `lake: ${Array.from(act, (a) => FROZEN_LAKE_ACTIONS[a]![0]).join("")} (L/D/R/U per state). ${EPISODES} seeded episodes (seed ${SEED}) reach the goal ${successes} times.`,
    `pi_D(a|s) = (N(s,a) + lambda) / (N(s) + m lambda) from its ${counts.reduce((x, y) => x + y, 0)} (state, action) counts; states never visited: ${smoothedPrior.undemonstrated.map(names).join(" ")}`,
    "(the holes and the goal: entering them ends the episode).",
    `TV is the total variation distance at t = 0, averaged over the ${demonstrated.length} demonstrated states; greedy is the hard optimum`,
    `with a uniform prior, which reaches the goal with probability ${num(optimum)}; pi_D itself reaches it with ${num(priorSuccess)}.`,
    "",
    `lambda = ${LAMBDA}: every action stays in the support.`,
    ...table(head, fmt(smoothed)),
    "Small alpha: the reward dominates and the policy is greedy (it reaches the goal like the optimum).",
    "Large alpha: the KL to pi_D dominates and the policy imitates the demonstrator (and fails like it).",
    "",
    "lambda = 0: the prior excludes the actions the demonstrator never took.",
    ...table(head, fmt(unsmoothed)),
    `The support problem: ${describeRestriction(rawPrior.restricted, names, (a) => FROZEN_LAKE_ACTIONS[a]!, 3) ?? "no state is restricted"}.`,
    `At every alpha, even alpha -> 0, the policy stays on the demonstrated actions and reaches the goal with ${num(unsmoothed[0]!.success)}`,
    `instead of ${num(optimum)}. Any lambda > 0 restores the support.`,
  ];
  return {
    lines,
    demonstratorSuccesses: successes,
    optimum,
    priorSuccess,
    smoothed,
    unsmoothed,
    restrictedStates: rawPrior.restricted.length,
    undemonstrated: smoothedPrior.undemonstrated,
  };
}
