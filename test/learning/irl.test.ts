/**
 * Inverse RL: MCE IRL (variational backup) and MaxEnt IRL (exact backup), reward r = theta . phi(s, a).
 *
 *   L(theta) = (theta . mu_D - p0 . V_0(theta)) / alpha - (l2/2) |theta|^2,   grad L = (mu_D - E[phi]) / alpha - l2 theta
 *
 * Checked: the gradient against central finite differences of L (1e-6 relative), every backup, random
 * MDPs and features (fast-check); at the optimum the gradient vanishes and L is a maximum; the closed
 * form: with one-hot (s, a) features and the exact occupancy counts of a soft-optimal pi*, the learned
 * policy is pi* (1e-8) and the learned reward is the true one up to potential shaping
 *   r'(s, a) = r(s, a) + Phi(s) - gamma E[(1 - done) Phi(s')],  Phi = V' - V*,
 * the transformations that leave the soft policy unchanged (the remainder is alpha log(pi'/pi*), the
 * policy's error, to 1e-9); MaxEnt = MCE on deterministic dynamics
 * with gamma = 1, and they differ where the ice slides.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { frozenLake, marginals, solve, type MdpArrays } from "../../src/index.js";
import { irlObjective, inverseRl, withReward, type IrlBackup } from "../../src/learning/irl.js";
import { stateActionFeatures, stateFeatures, tableFeatures } from "../../src/learning/features.js";
import type { IrlDemonstrations } from "../../src/learning/demonstrations.js";
import { arbMdp, fcParams } from "../support/arbitraries.js";

const countsDemo = (counts: Float64Array): IrlDemonstrations => ({ episodes: 1, counts, trajectories: null, warnings: [] });

const arbProblem = fc.record({
  k: fc.integer({ min: 1, max: 3 }),
  phiSeed: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 36, maxLength: 36 }),
  countSeed: fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { minLength: 9, maxLength: 9 }),
  thetaSeed: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }),
  alpha: fc.double({ min: 0.3, max: 2, noNaN: true }),
  gamma: fc.oneof(fc.constant(1), fc.double({ min: 0.3, max: 0.95, noNaN: true })),
  H: fc.integer({ min: 1, max: 4 }),
  l2: fc.constantFrom(0, 0.1),
  backup: fc.constantFrom<IrlBackup>("variational", "exact"),
  infinite: fc.boolean(),
});

describe("the gradient of L equals finite differences (1e-6 relative)", () => {
  it("random MDPs, random feature tables, both backups, finite and infinite horizons", () => {
    fc.assert(
      fc.property(arbMdp({ maxStates: 3 }), arbProblem, (mdp, p) => {
        const { nStates: n, nActions: m } = mdp;
        const phi = Float64Array.from({ length: n * m * p.k }, (_, i) => p.phiSeed[i % p.phiSeed.length]!);
        const features = tableFeatures(phi, n, m, p.k);
        const demos = countsDemo(Float64Array.from({ length: n * m }, (_, i) => p.countSeed[i % 9]!));
        const theta = Float64Array.from(p.thetaSeed.slice(0, p.k));
        // Infinite exact horizon: a small discount keeps the exact operator a contraction (|r| <= 3 here).
        const gamma = p.infinite ? (p.backup === "exact" ? 0.02 : Math.min(p.gamma, 0.9)) : p.gamma;
        const options = { backup: p.backup, alpha: p.alpha, gamma, l2: p.l2, ...(p.infinite ? {} : { horizon: p.H }) };
        const ev = irlObjective(mdp, features, demos, theta, options);
        const h = 1e-5;
        for (let i = 0; i < p.k; i++) {
          const up = Float64Array.from(theta);
          const down = Float64Array.from(theta);
          up[i]! += h;
          down[i]! -= h;
          const fd = (irlObjective(mdp, features, demos, up, options).objective - irlObjective(mdp, features, demos, down, options).objective) / (2 * h);
          expect(Math.abs(fd - ev.gradient[i]!), `feature ${i}: fd ${fd} vs ${ev.gradient[i]}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
        }
      }),
      fcParams(60),
    );
  });
});

describe("at the optimum the feature counts match and L is a maximum", () => {
  it("random problems with l2 = 0.1 (a unique maximiser): max |grad| <= tol, and L falls in every coordinate direction", () => {
    fc.assert(
      fc.property(arbMdp({ maxStates: 3 }), arbProblem, (mdp, p) => {
        const { nStates: n, nActions: m } = mdp;
        const phi = Float64Array.from({ length: n * m * p.k }, (_, i) => p.phiSeed[i % p.phiSeed.length]!);
        const features = tableFeatures(phi, n, m, p.k);
        const demos = countsDemo(Float64Array.from({ length: n * m }, (_, i) => p.countSeed[i % 9]!));
        const options = { backup: p.backup, alpha: p.alpha, gamma: p.gamma, horizon: p.H, l2: 0.1, tol: 1e-9 };
        const res = inverseRl(mdp, features, demos, options);
        expect(res.converged).toBe(true);
        const ev = irlObjective(mdp, features, demos, res.theta, options);
        for (let i = 0; i < p.k; i++) {
          expect(Math.abs(ev.gradient[i]!)).toBeLessThanOrEqual(1e-9);
          // The gradient is (mu_D - E[phi]) / alpha - l2 theta: the feature gap equals alpha l2 |theta|.
          expect(Math.abs(res.demoFeatures[i]! - res.expectedFeatures[i]! - p.alpha * 0.1 * res.theta[i]!)).toBeLessThan(1e-8);
          for (const step of [1e-3, -1e-3]) {
            const t = Float64Array.from(res.theta);
            t[i]! += step;
            expect(irlObjective(mdp, features, demos, t, options).objective).toBeLessThanOrEqual(res.objective + 1e-12);
          }
        }
      }),
      fcParams(40),
    );
  });

  it("unregularised, demonstrations realisable by the model: the feature gap falls below the tolerance", () => {
    fc.assert(
      fc.property(arbMdp({ maxStates: 3, terminal: false }), arbProblem, (mdp, p) => {
        const { nStates: n, nActions: m } = mdp;
        const phi = Float64Array.from({ length: n * m * p.k }, (_, i) => p.phiSeed[i % p.phiSeed.length]!);
        const features = tableFeatures(phi, n, m, p.k);
        const truth = Float64Array.from(p.thetaSeed.slice(0, p.k));
        const options = { backup: p.backup, alpha: p.alpha, gamma: p.gamma, horizon: p.H, tol: 1e-10 };
        // Demonstration counts = what the model expects at theta_true (the exact posterior's for MaxEnt).
        const reward = new Float64Array(n * m);
        features.reward(truth, reward);
        const world = withReward(mdp, reward);
        const sol = solve(world, { backup: p.backup, alpha: p.alpha, gamma: p.gamma, horizon: p.H });
        const occ = marginals(world, sol, p.backup === "exact" ? { from: "posterior", start: "p0" } : {}).stateActionOccupancy;
        const res = inverseRl(mdp, features, countsDemo(occ), options);
        expect(res.converged).toBe(true);
        expect(res.featureGap).toBeLessThanOrEqual(1e-10 * p.alpha);
      }),
      fcParams(40),
    );
  });
});

/** Phi(s) - gamma E[(1 - done) Phi(s')] per (s, a). */
function shaping(mdp: MdpArrays, Phi: Float64Array, gamma: number): Float64Array {
  const out = new Float64Array(mdp.nStates * mdp.nActions);
  for (let row = 0; row < out.length; row++) {
    const s = Math.floor(row / mdp.nActions);
    let e = 0;
    for (let k = mdp.rowStart[row]!; k < mdp.rowStart[row + 1]!; k++) if (!mdp.done[k]) e += mdp.prob[k]! * Phi[mdp.next[k]!]!;
    out[row] = Phi[s]! - gamma * e;
  }
  return out;
}

describe("closed form: state-action features recover a soft-optimal policy exactly", () => {
  it("from the exact occupancy counts of pi* (p0 with full support, gamma 0.9): policy to 1e-8, reward up to shaping by Phi = V' - V*", () => {
    fc.assert(
      fc.property(arbMdp({ minStates: 2, maxStates: 4 }), fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 12, maxLength: 12 }), fc.double({ min: 0.5, max: 2, noNaN: true }), (mdp0, rs, alpha) => {
        const { nStates: n, nActions: m } = mdp0;
        const rTrue = Float64Array.from({ length: n * m }, (_, i) => rs[i]!);
        const mdp = withReward({ ...mdp0, initial: new Float64Array(n).fill(1 / n) }, rTrue);
        const gamma = 0.9;
        const star = solve(mdp, { alpha, gamma, tol: 1e-14 });
        const occ = marginals(mdp, star).stateActionOccupancy;
        const res = inverseRl(mdp, stateActionFeatures(n, m), countsDemo(occ), { alpha, gamma, tol: 1e-13, solveTol: 1e-14 });
        let policyErr = 0;
        for (let i = 0; i < n * m; i++) policyErr = Math.max(policyErr, Math.abs(res.solution.policy[i]! - star.policy[i]!));
        expect(policyErr).toBeLessThan(1e-8);
        const Phi = Float64Array.from(res.solution.V, (v, s) => v - star.V[s]!);
        const shift = shaping(mdp, Phi, gamma);
        // r' - r = Phi(s) - gamma E[(1 - done) Phi(s')] + alpha log(pi'/pi*) exactly (both are soft fixed points);
        // the last term is the policy's error (within 1e-8 above), so the reward is the true one up to shaping.
        for (let i = 0; i < n * m; i++) {
          const rest = alpha * Math.log(res.solution.policy[i]! / star.policy[i]!);
          expect(Math.abs(rest)).toBeLessThan((alpha * 1e-8) / star.policy[i]! + 1e-12);
          expect(Math.abs(res.reward[i]! - rTrue[i]! - shift[i]! - rest), `(s, a) = ${Math.floor(i / m)}, ${i % m}`).toBeLessThan(1e-9 * Math.max(1, Math.abs(rTrue[i]!), Math.abs(res.reward[i]!)));
        }
      }),
      fcParams(25),
    );
  });
});

describe("MaxEnt (exact) and MCE (variational) IRL", () => {
  const demosOf = (mdp: MdpArrays, H: number) => {
    // The counts of a fixed, non-optimal policy: every state's first action with probability 0.7.
    const res = solve(mdp, { horizon: H, alpha: 1 });
    const m = mdp.nActions;
    const pol = res.steps!.policy.map((p) => p.map((_, i) => (i % m === 0 ? 0.7 : 0.3 / (m - 1))));
    const fw = marginals(mdp, { ...res, steps: { ...res.steps!, policy: pol } });
    return countsDemo(fw.stateActionOccupancy);
  };

  it("agree on deterministic dynamics with gamma = 1 (FrozenLake 4x4 without slipping)", () => {
    const mdp = frozenLake({ map: "4x4", isSlippery: false });
    const demos = demosOf(mdp, 8);
    const opts = { horizon: 8, l2: 0.01, tol: 1e-10 };
    const mce = inverseRl(mdp, stateFeatures(16, 4), demos, { ...opts, backup: "variational" });
    const maxent = inverseRl(mdp, stateFeatures(16, 4), demos, { ...opts, backup: "exact" });
    for (let i = 0; i < 16; i++) expect(Math.abs(mce.theta[i]! - maxent.theta[i]!)).toBeLessThan(1e-7);
    expect(Math.abs(mce.objective - maxent.objective)).toBeLessThan(1e-10);
  });

  it("differ where the ice slides (FrozenLake 4x4 slippery): the 2008 objective believes the agent steers the slide", () => {
    const mdp = frozenLake({ map: "4x4" });
    const demos = demosOf(mdp, 8);
    const opts = { horizon: 8, l2: 0.01, tol: 1e-8 };
    const mce = inverseRl(mdp, stateFeatures(16, 4), demos, { ...opts, backup: "variational" });
    const maxent = inverseRl(mdp, stateFeatures(16, 4), demos, { ...opts, backup: "exact" });
    let diff = 0;
    for (let i = 0; i < 16; i++) diff = Math.max(diff, Math.abs(mce.theta[i]! - maxent.theta[i]!));
    expect(diff).toBeGreaterThan(1e-2);
    expect(mce.converged && maxent.converged).toBe(true);
  });
});
