/**
 * Example 6, discount as a death state: every live transition reaches an absorbing state of value 0
 * with probability 1 - gamma. Written out as an explicit MDP and solved with gamma = 1, it gives
 * gamma's values in variational mode. In exact mode the same operator can have no fixed point:
 * z = exp(V/alpha) solves a linear equation whose spectral radius can exceed 1 (exact inference is
 * optimistic about survival too), and the engine reports the growth per step instead of numbers.
 */
import { NoFixedPointError, TabularMdp, randomMdp, solve, type MdpArrays, type TransitionEntry } from "../src/index.js";
import { num, table, type ExampleOutput } from "./common.js";

export const title = "Discount as a death state: equal in variational mode, no fixed point in exact mode";

export const GAMMA = 0.9;

/**
 * The explicit death-state MDP: states 0..n-1 and death (= n, absorbing, value 0). A live entry
 * (p, s', r) becomes (gamma p, s', r) and ((1 - gamma) p, death, r, done); done entries stay.
 */
export function withDeathState(mdp: MdpArrays, gamma: number): TabularMdp {
  const { nStates: n, nActions: m } = mdp;
  const P: TransitionEntry[][][] = [];
  for (let s = 0; s < n; s++) {
    const rows: TransitionEntry[][] = [];
    for (let a = 0; a < m; a++) {
      const list: TransitionEntry[] = [];
      for (let k = mdp.rowStart[s * m + a]!; k < mdp.rowStart[s * m + a + 1]!; k++) {
        const e = { prob: mdp.prob[k]!, next: mdp.next[k]!, reward: mdp.reward[k]! };
        if (mdp.done[k]) list.push({ ...e, done: true });
        else list.push({ ...e, prob: gamma * e.prob, done: false }, { prob: (1 - gamma) * e.prob, next: n, reward: e.reward, done: true });
      }
      rows.push(list);
    }
    P.push(rows);
  }
  P.push(Array.from({ length: m }, () => [{ prob: 1, next: n, reward: 0, done: true }]));
  return TabularMdp.fromLists(P, { initial: [...Array.from(mdp.initial), 0] });
}

/** "stay": reward +1 and stay (alive with probability gamma); "quit": reward 0 and the episode ends. */
export function stayOrQuit(): TabularMdp {
  return TabularMdp.fromLists([[[{ prob: 1, next: 0, reward: 1, done: false }], [{ prob: 1, next: 0, reward: 0, done: true }]]], { actionNames: ["stay", "quit"], stateNames: ["s"] });
}

export interface DiscountExample extends ExampleOutput {
  readonly variational: { readonly maxDifference: number; readonly maxDifferenceFinite: number; readonly V: readonly number[] };
  readonly exactFinite: { readonly maxDifference: number };
  readonly noFixedPoint: {
    readonly growthPerStep: number;
    readonly spectralRadius: number;
    /** alpha log rho with rho = gamma exp(r/alpha) pi0(stay): the predicted growth. */
    readonly predictedGrowth: number;
    readonly deathStateGrowth: number;
    readonly variationalV: number;
    readonly finiteV: readonly { readonly horizon: number; readonly V: number }[];
    readonly message: string;
  };
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>, n: number): number {
  let d = 0;
  for (let i = 0; i < n; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

export function run(): DiscountExample {
  // ---- equivalence on a seeded random MDP with some terminal entries.
  const mdp = randomMdp({ states: 6, actions: 3, successors: 3, seed: 7, terminalProbability: 0.1 });
  const death = withDeathState(mdp, GAMMA);
  const n = mdp.nStates;
  const viGamma = solve(mdp, { backup: "variational", alpha: 0.5, gamma: GAMMA, tol: 1e-13 });
  const viDeath = solve(death, { backup: "variational", alpha: 0.5, gamma: 1, tol: 1e-13 });
  const maxDifference = maxDiff(viGamma.V, viDeath.V, n);
  const fiGamma = solve(mdp, { backup: "variational", alpha: 0.5, gamma: GAMMA, horizon: 8 });
  const fiDeath = solve(death, { backup: "variational", alpha: 0.5, gamma: 1, horizon: 8 });
  const maxDifferenceFinite = maxDiff(fiGamma.V, fiDeath.V, n);
  const exGamma = solve(mdp, { backup: "exact", alpha: 0.5, gamma: GAMMA, horizon: 8 });
  const exDeath = solve(death, { backup: "exact", alpha: 0.5, gamma: 1, horizon: 8 });
  const exactDifference = maxDiff(exGamma.V, exDeath.V, n);

  // ---- no fixed point: stay (+1) or quit, alpha = 1, gamma = 0.9, uniform prior.
  const loop = stayOrQuit();
  const alpha = 1;
  const caught = (f: () => unknown): NoFixedPointError => {
    try {
      f();
    } catch (e) {
      if (e instanceof NoFixedPointError) return e;
      throw e;
    }
    throw new Error("expected NoFixedPointError");
  };
  const err = caught(() => solve(loop, { backup: "exact", alpha, gamma: GAMMA }));
  const errDeath = caught(() => solve(withDeathState(loop, GAMMA), { backup: "exact", alpha, gamma: 1 }));
  const predictedGrowth = alpha * Math.log(0.5 * GAMMA * Math.exp(1 / alpha));
  const variationalV = solve(loop, { backup: "variational", alpha, gamma: GAMMA, strict: true }).V[0]!;
  const finiteV = [10, 20, 40, 80].map((horizon) => ({ horizon, V: solve(loop, { backup: "exact", alpha, gamma: GAMMA, horizon }).V[0]! }));

  const lines = [
    "Discount is a death state: after every live transition the episode ends with probability 1 - gamma (value 0).",
    "",
    `A seeded random MDP (6 states, 3 actions, 3 successors, 10% terminal entries, seed 7), alpha = 0.5, gamma = ${GAMMA},`,
    `against the same MDP with an explicit absorbing death state (${death.nStates} states) and gamma = 1:`,
    ...table(
      ["state", "V (gamma)", "V (death state)"],
      Array.from({ length: n }, (_, s) => [String(s), num(viGamma.V[s]!, 10), num(viDeath.V[s]!, 10)]),
    ),
    `  variational, infinite horizon: largest difference ${maxDifference.toExponential(2)} (both iterated to 1e-13)`,
    `  variational, horizon 8:        largest difference ${maxDifferenceFinite.toExponential(2)}`,
    `  exact, horizon 8:              largest difference ${exactDifference.toExponential(2)} (the engine's exact rule uses the same death branch)`,
    "",
    `No fixed point in exact mode: one state, "stay" gives +1 and stays alive with probability gamma, "quit" gives 0`,
    `and ends; uniform prior, alpha = ${alpha}, gamma = ${GAMMA}. With z = exp(V/alpha) the exact backup is linear,`,
    "  z = 1/2 e^(1/alpha) (gamma z + 1 - gamma) + 1/2,",
    `and its slope rho = gamma e^(1/alpha) / 2 = ${num(0.5 * GAMMA * Math.exp(1 / alpha), 6)} exceeds 1: no finite z solves it.`,
    "Exact inference is optimistic about survival too: conditioned on optimality, the posterior keeps staying alive.",
    `  the engine: NoFixedPointError, growth per step ${num(err.growthPerStep, 6)} (alpha log rho = ${num(predictedGrowth, 6)}), spectral radius ${num(err.spectralRadius, 6)}`,
    `  the same with the explicit death state and gamma = 1: growth per step ${num(errDeath.growthPerStep, 6)}`,
    "  finite horizons grow by that much per step:",
    ...table(
      ["horizon H", "V_0 exact", "(V_0(H) - V_0(H/2)) / (H/2)"],
      finiteV.map((f, i) => [String(f.horizon), num(f.V, 6), i === 0 ? "" : num((f.V - finiteV[i - 1]!.V) / (f.horizon - finiteV[i - 1]!.horizon), 6)]),
    ),
    `  the variational backup has a fixed point: V = ${num(variationalV, 6)} (it keeps the death probability 1 - gamma).`,
    `  cai solve reports it as: cai: error: ${err.message}`,
  ];
  return {
    lines,
    variational: { maxDifference, maxDifferenceFinite, V: Array.from(viGamma.V) },
    exactFinite: { maxDifference: exactDifference },
    noFixedPoint: { growthPerStep: err.growthPerStep, spectralRadius: err.spectralRadius, predictedGrowth, deathStateGrowth: errDeath.growthPerStep, variationalV, finiteV, message: err.message },
  };
}
