/**
 * Inverse RL from sampled demonstrations of a known reward: the KL from the true policy to the
 * learned one falls as the number of episodes grows.
 *
 *   KL(q*(tau) || q_hat(tau)) = sum_t sum_s D*_t(s) KL(pi*_t(.|s) || pi_hat_t(.|s))
 *
 * (the dynamics are shared, so the trajectory KL is the marginal-weighted sum of per-state KLs,
 * computed exactly with the forward marginals of pi*). MCE IRL, state-action features (the true reward
 * r(s, a) = E[r | s, a] is in the model), l2 = 1e-2, episodes sampled with fixed seeds.
 */
import { describe, expect, it } from "vitest";
import { cliffWalking, frozenLake, marginals, sampleTrajectories, solve, type MdpArrays } from "../../src/index.js";
import { inverseRl } from "../../src/learning/irl.js";
import { stateActionFeatures } from "../../src/learning/features.js";
import { irlDemonstrations } from "../../src/learning/demonstrations.js";

/** KL(q*(tau) || q_hat(tau)) for time-indexed policies over the horizon. */
function trajectoryKl(mdp: MdpArrays, truth: ReturnType<typeof solve>, learned: ReturnType<typeof solve>): number {
  const fw = marginals(mdp, truth);
  const m = mdp.nActions;
  let kl = 0;
  for (let t = 0; t < truth.horizon!; t++) {
    const p = truth.steps!.policy[t]!;
    const q = learned.steps!.policy[t]!;
    const D = fw.stateMarginals![t]!;
    for (let s = 0; s < mdp.nStates; s++) {
      if (D[s] === 0) continue;
      for (let a = 0; a < m; a++) {
        const pa = p[s * m + a]!;
        if (pa > 0) kl += D[s]! * pa * Math.log(pa / q[s * m + a]!);
      }
    }
  }
  return kl;
}

export function klTable(mdp: MdpArrays, H: number, alpha: number, episodes: readonly number[]): number[] {
  const truth = solve(mdp, { horizon: H, alpha });
  return episodes.map((N) => {
    const samples = sampleTrajectories(mdp, truth, { episodes: N, seed: 2026 + N });
    const demos = irlDemonstrations({ trajectories: samples.episodes.map((e) => ({ states: e.states, actions: e.actions })) }, mdp, { gamma: 1, horizon: H });
    const res = inverseRl(mdp, stateActionFeatures(mdp.nStates, mdp.nActions), demos, { horizon: H, alpha, l2: 1e-2, tol: 1e-6, maxIter: 2000 });
    expect(res.converged, `N = ${N}: ${res.stop} after ${res.iterations} iterations, feature gap ${res.featureGap}`).toBe(true);
    return trajectoryKl(mdp, truth, res.solution);
  });
}

describe("KL(true || learned) falls as the number of sampled episodes grows", () => {
  const episodes = [10, 100, 1000, 10000];

  it("FrozenLake 8x8 (slippery), horizon 40, alpha 0.2", () => {
    const kl = klTable(frozenLake({ map: "8x8" }), 40, 0.2, episodes);
    console.log(`FrozenLake 8x8: ${episodes.map((N, i) => `N=${N}: KL ${kl[i]!.toExponential(3)}`).join(", ")}`);
    for (let i = 1; i < kl.length; i++) expect(kl[i]!).toBeLessThan(kl[i - 1]!);
  });

  it("CliffWalking, horizon 30, alpha 1", () => {
    const kl = klTable(cliffWalking(), 30, 1, episodes);
    console.log(`CliffWalking: ${episodes.map((N, i) => `N=${N}: KL ${kl[i]!.toExponential(3)}`).join(", ")}`);
    for (let i = 1; i < kl.length; i++) expect(kl[i]!).toBeLessThan(kl[i - 1]!);
  });
});
