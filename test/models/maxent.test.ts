/**
 * models/maxent: the uniform prior (MaxEnt RL, the SAC entropy bonus).
 *
 * Objective (KL form):      max_pi E[ sum_t gamma^t (r_t - alpha KL(pi(.|s_t) || 1/m)) ]
 * Objective (entropy form): max_pi E[ sum_t gamma^t (r_t + alpha H(pi(.|s_t))) ]
 * Closed forms confirmed here against the engine:
 * - without terminal transitions: V_entropy = V_KL + alpha log(m) sum_{t<H} gamma^t, same policy
 *   (variational backup; exact backup only with gamma = 1);
 * - with terminal transitions the relation fails (the bonus stops when the episode ends), and
 *   0 <= V_entropy - V_KL <= alpha log(m) sum_t gamma^t instead;
 * - alpha -> 0 gives the hard Bellman optimum, with 0 <= V_hard - V_KL <= alpha log(m) sum_t gamma^t.
 * The hard optimum comes from plain value iteration in ./oracles.ts, the offsets from explicit sums.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ParameterError, TabularMdp, solve } from "../../src/index.js";
import { MAXENT, discountedSteps, entropyOffset, entropyOffsetHolds, hardGapBound, maxentPrior } from "../../models/index.js";
import { arbMdp, fcParams } from "../support/arbitraries.js";
import { rel } from "../support/numeric.js";
import { expectHardLimit, fixedPointTol, hardQ, rowMax, sumDiscounts } from "./oracles.js";

const arbSetting = fc.record({
  alpha: fc.double({ min: 0.1, max: 3, noNaN: true }),
  gamma: fc.double({ min: 0.3, max: 0.95, noNaN: true }),
  H: fc.oneof(fc.constant(null), fc.integer({ min: 1, max: 6 })),
});

/**
 * state 0: "stop" ends the episode (reward 0), "go" moves to state 1 (reward 0);
 * state 1: both actions end the episode (reward 0). Horizon 2, gamma 1, alpha 1, m = 2.
 * KL form: V(1) = 0, Q(0, .) = (0, 0), V(0) = 0, policy (1/2, 1/2).
 * Entropy form: V(1) = log 2, Q(0, .) = (0, log 2), V(0) = log(1 + 2) = log 3, policy (1/3, 2/3).
 * The claimed offset alpha log(m) * 2 = log 4 holds at neither state.
 */
const stopOrGo = TabularMdp.fromLists(
  [
    [[{ prob: 1, next: 0, reward: 0, done: true }], [{ prob: 1, next: 1, reward: 0, done: false }]],
    [[{ prob: 1, next: 1, reward: 0, done: true }], [{ prob: 1, next: 1, reward: 0, done: true }]],
  ],
  { initial: [1, 0], actionNames: ["stop", "go"] },
);

describe("the maxent prior", () => {
  it("is uniform 1/m with log mass 0 (KL form) or weight 1 per action (entropy form)", () => {
    const kl = maxentPrior(3, 4);
    const ent = maxentPrior(3, 4, "entropy");
    expect(kl.kind).toBe("uniform");
    expect(ent.kind).toBe("entropy");
    for (let i = 0; i < 12; i++) {
      expect(kl.probs[i]).toBe(0.25);
      expect(ent.probs[i]).toBe(0.25);
    }
    for (let s = 0; s < 3; s++) {
      expect(kl.logMass[s]).toBe(0);
      expect(ent.logMass[s]).toBeCloseTo(Math.log(4), 15);
    }
    expect(() => maxentPrior(2, 2, "sac" as never)).toThrow(ParameterError);
    expect(MAXENT.name).toBe("maxent");
  });

  it("discountedSteps is sum_{t<H} gamma^t and 1/(1 - gamma) for an infinite horizon, refusing gamma = 1 without one", () => {
    for (const gamma of [0.3, 0.9, 0.999999, 1]) {
      for (const H of [1, 2, 7, 100]) expect(rel(discountedSteps(gamma, H), sumDiscounts(gamma, H))).toBeLessThan(1e-12);
    }
    expect(discountedSteps(0.9)).toBeCloseTo(10, 12);
    expect(() => discountedSteps(1)).toThrow(ParameterError);
    expect(() => discountedSteps(0)).toThrow(ParameterError);
    expect(() => discountedSteps(0.5, 0)).toThrow(ParameterError);
    expect(() => entropyOffset(0, 2, 0.5)).toThrow(ParameterError);
  });
});

describe("entropy form = KL form + alpha log(m) sum_t gamma^t without terminal transitions", () => {
  it("holds at every state with the same policy (variational backup, finite and infinite horizon)", () => {
    fc.assert(
      fc.property(arbMdp({ terminal: false, maxStates: 4 }), arbSetting, (mdp, { alpha, gamma, H }) => {
        const horizon = H === null ? {} : { horizon: H };
        const kl = solve(mdp, { alpha, gamma, ...horizon, prior: maxentPrior(mdp.nStates, mdp.nActions, "kl") });
        const ent = solve(mdp, { alpha, gamma, ...horizon, prior: maxentPrior(mdp.nStates, mdp.nActions, "entropy") });
        const offset = alpha * Math.log(mdp.nActions) * sumDiscounts(gamma, H);
        expect(rel(entropyOffset(alpha, mdp.nActions, gamma, H), offset)).toBeLessThan(1e-12);
        expect(entropyOffsetHolds(mdp, "variational", gamma).holds).toBe(true);
        const tol = 2 * fixedPointTol(gamma, H);
        for (let s = 0; s < mdp.nStates; s++) {
          expect(rel(ent.V[s]! - kl.V[s]!, offset), `state ${s}`).toBeLessThan(tol);
          for (let a = 0; a < mdp.nActions; a++) expect(Math.abs(ent.policy[s * mdp.nActions + a]! - kl.policy[s * mdp.nActions + a]!)).toBeLessThan(1e-9);
        }
      }),
      fcParams(100),
    );
  });

  it("holds for the exact backup with gamma = 1, and fails with gamma < 1 because the death branch is a terminal transition", () => {
    fc.assert(
      fc.property(arbMdp({ terminal: false, maxStates: 3, minStates: 1 }), fc.double({ min: 0.2, max: 2, noNaN: true }), fc.integer({ min: 1, max: 4 }), (mdp, alpha, H) => {
        const m = mdp.nActions;
        const run = (gamma: number, form: "kl" | "entropy") => solve(mdp, { backup: "exact", alpha, gamma, horizon: H, prior: maxentPrior(mdp.nStates, m, form) });
        const offset = alpha * Math.log(m) * H;
        const kl = run(1, "kl");
        const ent = run(1, "entropy");
        expect(entropyOffsetHolds(mdp, "exact", 1).holds).toBe(true);
        for (let s = 0; s < mdp.nStates; s++) expect(rel(ent.V[s]! - kl.V[s]!, offset)).toBeLessThan(1e-9);
      }),
      fcParams(50),
    );
    // gamma = 0.5, one state, two actions, reward 0, horizon 2, alpha 1 (worked by hand):
    // KL: V_1 = 0; Q_0 = log(0.5 e^0 + 0.5) = 0; V_0 = 0.
    // entropy: V_1 = log 2; Q_0 = log(0.5 * 2 + 0.5) = log 1.5; V_0 = log(2 * 1.5) = log 3 = 1.0986,
    // not the offset log(2) (1 + 0.5) = 1.0397.
    const loop = TabularMdp.fromLists([[[{ prob: 1, next: 0, reward: 0, done: false }], [{ prob: 1, next: 0, reward: 0, done: false }]]]);
    const kl = solve(loop, { backup: "exact", alpha: 1, gamma: 0.5, horizon: 2 });
    const ent = solve(loop, { backup: "exact", alpha: 1, gamma: 0.5, horizon: 2, entropy: true });
    expect(kl.V[0]).toBeCloseTo(0, 14);
    expect(ent.V[0]).toBeCloseTo(Math.log(3), 14);
    expect(Math.abs(ent.V[0]! - kl.V[0]! - entropyOffset(1, 2, 0.5, 2))).toBeGreaterThan(0.058);
    const verdict = entropyOffsetHolds(loop, "exact", 0.5);
    expect(verdict.holds).toBe(false);
    expect(verdict.reason).toMatch(/death branch/);
  });
});

describe("where episodes can end, the relation fails", () => {
  it("on stop-or-go the entropy form values staying alive: V(0) = log 3 against 0, policy (1/3, 2/3) against (1/2, 1/2)", () => {
    const kl = solve(stopOrGo, { alpha: 1, horizon: 2 });
    const ent = solve(stopOrGo, { alpha: 1, horizon: 2, entropy: true });
    expect(kl.V[0]).toBeCloseTo(0, 14);
    expect(kl.V[1]).toBeCloseTo(0, 14);
    expect(ent.V[0]).toBeCloseTo(Math.log(3), 14);
    expect(ent.V[1]).toBeCloseTo(Math.log(2), 14);
    expect(Array.from(kl.policy.subarray(0, 2))).toEqual([0.5, 0.5]);
    expect(ent.policy[0]).toBeCloseTo(1 / 3, 14);
    expect(ent.policy[1]).toBeCloseTo(2 / 3, 14);
    // The claimed constant alpha log(m) (1 + 1) = log 4 is wrong at both states.
    const offset = entropyOffset(1, 2, 1, 2);
    expect(offset).toBeCloseTo(Math.log(4), 14);
    expect(Math.abs(ent.V[0]! - kl.V[0]! - offset)).toBeGreaterThan(0.28);
    expect(Math.abs(ent.V[1]! - kl.V[1]! - offset)).toBeGreaterThan(0.69);
    const verdict = entropyOffsetHolds(stopOrGo, "variational", 1);
    expect(verdict.holds).toBe(false);
    expect(verdict.reason).toMatch(/state 0, action 0 can end the episode/);
  });

  it("the difference stays between 0 and the offset: the bonus is paid only on the steps alive", () => {
    fc.assert(
      fc.property(arbMdp({ terminal: true, maxStates: 4 }), arbSetting, (mdp, { alpha, gamma, H }) => {
        const horizon = H === null ? {} : { horizon: H };
        const kl = solve(mdp, { alpha, gamma, ...horizon });
        const ent = solve(mdp, { alpha, gamma, ...horizon, entropy: true });
        const offset = entropyOffset(alpha, mdp.nActions, gamma, H);
        const slack = 2 * fixedPointTol(gamma, H) * Math.max(1, offset, ...Array.from(kl.V, Math.abs));
        for (let s = 0; s < mdp.nStates; s++) {
          const d = ent.V[s]! - kl.V[s]!;
          expect(d, `state ${s}`).toBeGreaterThanOrEqual(-slack);
          expect(d, `state ${s}`).toBeLessThanOrEqual(offset + slack);
        }
      }),
      fcParams(100),
    );
  });
});

describe("the alpha -> 0 limit is the hard Bellman optimum", () => {
  it("0 <= V_hard - V_KL <= alpha log(m) sum_t gamma^t on random MDPs with terminal transitions, and the hard backup equals value iteration", () => {
    fc.assert(
      fc.property(arbMdp({ maxStates: 4 }), arbSetting, (mdp, { alpha, gamma, H }) => {
        const horizon = H === null ? {} : { horizon: H };
        const Qstar = hardQ(mdp, gamma, H);
        const Vstar = rowMax(Qstar);
        const hard = solve(mdp, { backup: "hard", gamma, ...horizon });
        const kl = solve(mdp, { alpha, gamma, ...horizon, prior: maxentPrior(mdp.nStates, mdp.nActions) });
        const bound = alpha * Math.log(mdp.nActions) * sumDiscounts(gamma, H);
        expect(rel(hardGapBound(alpha, mdp.nActions, gamma, H), bound)).toBeLessThan(1e-12);
        expectHardLimit(Vstar, hard.V, kl.V, bound, fixedPointTol(gamma, H));
      }),
      fcParams(100),
    );
  });

  it("Q_KL -> Q_hard as alpha falls 1, 0.1, 0.01, 0.001 (the gap stays under the bound, which falls linearly)", () => {
    // Two states, two actions, gamma 0.9, no ties: a chain with a small reward now or a bigger one later.
    const mdp = TabularMdp.fromLists([
      [
        [{ prob: 1, next: 0, reward: 0.3, done: false }],
        [{ prob: 1, next: 1, reward: 0, done: false }],
      ],
      [
        [{ prob: 1, next: 1, reward: 1, done: false }],
        [
          { prob: 0.5, next: 0, reward: 0, done: false },
          { prob: 0.5, next: 1, reward: 0.5, done: false },
        ],
      ],
    ]);
    const gamma = 0.9;
    const Qstar = hardQ(mdp, gamma, null);
    // Closed form by hand: V*(1) = 1 / (1 - 0.9) = 10; Q*(0, go) = 0.9 * 10 = 9 > Q*(0, stay) = 0.3 + 0.9 V*(0) -> V*(0) = 9.
    expect(rowMax(Qstar)[1]).toBeCloseTo(10, 10);
    expect(rowMax(Qstar)[0]).toBeCloseTo(9, 10);
    let previous = Infinity;
    for (const alpha of [1, 0.1, 0.01, 0.001]) {
      const kl = solve(mdp, { alpha, gamma });
      let worst = 0;
      for (let s = 0; s < 2; s++) for (let a = 0; a < 2; a++) worst = Math.max(worst, Math.abs(Qstar[s]![a]! - kl.Q[s * 2 + a]!));
      expect(worst).toBeLessThanOrEqual(hardGapBound(alpha, 2, gamma) + 1e-9);
      expect(worst).toBeLessThan(previous);
      previous = worst;
    }
    expect(previous).toBeLessThan(0.001 * Math.log(2) * 10 + 1e-9);
  });
});
