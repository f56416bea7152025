/**
 * checkQTable on tables that carry each known convention mismatch. Each table is built by solving the
 * variant problem with an independent solver (soft policy iteration, the exact linear solve) or, for
 * the discount placements, with conventions.ts (checked against closed forms in conventions.test.ts).
 */
import { describe, expect, it } from "vitest";
import { TabularMdp, entropyPrior, randomMdp, solve, uniformPrior } from "../../src/index.js";
import { checkQTable } from "../../src/diagnostics/check.js";
import { conventionQ } from "../../src/diagnostics/conventions.js";
import { exactLinearSolve } from "../../src/solvers/exact-linear.js";
import { softPolicyIteration } from "../../src/solvers/policy-iteration.js";

/** Without terminal transitions (the entropy offset is then one constant). */
const open = randomMdp({ states: 6, actions: 3, successors: 2, seed: 5 });
/** With terminal transitions (the offset depends on the state). */
const ending = randomMdp({ states: 6, actions: 3, successors: 2, seed: 9, terminalProbability: 0.3 });
const alpha = 0.5;
const gamma = 0.9;
const m = 3;

describe("checkQTable: a table that solves the same problem", () => {
  it("is within tolerance, has a Bellman residual at rounding level and tests no convention", () => {
    const theirs = softPolicyIteration(open, { alpha, gamma }).Q;
    const rep = checkQTable(open, theirs, { solve: { alpha, gamma }, tol: 1e-9 });
    expect(rep.withinTolerance).toBe(true);
    expect(rep.maxAbsDifference).toBeLessThan(1e-9);
    expect(rep.bellmanResidual!).toBeLessThan(1e-12);
    expect(rep.conventions).toEqual([]);
    expect(rep.explanation).toEqual([]);
  });

  it("with one perturbed entry: names that state and action first, and the residual bound covers the distance", () => {
    const theirs = softPolicyIteration(open, { alpha, gamma }).Q;
    theirs[4 * m + 2]! += 0.01;
    const rep = checkQTable(open, theirs, { solve: { alpha, gamma } });
    expect(rep.withinTolerance).toBe(false);
    expect(rep.largest[0]).toMatchObject({ state: 4, action: 2 });
    expect(rep.largest[0]!.difference).toBeCloseTo(0.01, 9);
    expect(rep.bellmanResidual!).toBeGreaterThan(0.001);
    expect(rep.distanceBound!).toBeGreaterThanOrEqual(rep.maxAbsDifference);
    expect(rep.explanation).toEqual([]);
  });
});

describe("checkQTable recognises each convention mismatch", () => {
  it("the entropy (SAC) form: Q higher by gamma alpha log(m)/(1 - gamma) without terminal transitions", () => {
    const theirs = softPolicyIteration(open, { alpha, gamma, prior: entropyPrior(6, m) }).Q;
    const rep = checkQTable(open, theirs, { solve: { alpha, gamma } });
    expect(rep.withinTolerance).toBe(false);
    expect(rep.explanation[0]).toBe("entropy-form");
    expect(rep.constantOffset!.value).toBeCloseTo((gamma * alpha * Math.log(m)) / (1 - gamma), 9);
    expect(rep.constantOffset!.perAlphaLogMOverOneMinusGamma).toBeCloseTo(gamma, 9);
  });

  it("the entropy form with terminal transitions, where the offset depends on the state", () => {
    const theirs = softPolicyIteration(ending, { alpha, gamma, entropy: true }).Q;
    const rep = checkQTable(ending, theirs, { solve: { alpha, gamma } });
    expect(rep.constantOffset).toBeNull();
    expect(rep.explanation).toEqual(["entropy-form"]);
  });

  it("the reverse: a KL-to-uniform table checked against --entropy", () => {
    const theirs = softPolicyIteration(ending, { alpha, gamma }).Q;
    const rep = checkQTable(ending, theirs, { solve: { alpha, gamma, entropy: true } });
    expect(rep.explanation).toEqual(["kl-form"]);
  });

  it("the entropy bonus of the current step counted in Q: offset alpha log(m)/(1 - gamma)", () => {
    const theirs = softPolicyIteration(open, { alpha, gamma, entropy: true }).Q.map((q) => q + alpha * Math.log(m));
    const rep = checkQTable(open, theirs, { solve: { alpha, gamma } });
    expect(rep.explanation).toEqual(["entropy-form-current-bonus"]);
    expect(rep.constantOffset!.perAlphaLogMOverOneMinusGamma).toBeCloseTo(1, 9);
  });

  it("the temperature given as its inverse (variational and exact)", () => {
    const theirs = softPolicyIteration(ending, { alpha: 1 / alpha, gamma }).Q;
    expect(checkQTable(ending, theirs, { solve: { alpha, gamma } }).explanation).toEqual(["inverse-temperature"]);
    const exact = exactLinearSolve(ending, { alpha: 4, gamma: 0.5 }).Q;
    expect(checkQTable(ending, exact, { solve: { backup: "exact", alpha: 0.25, gamma: 0.5 } }).explanation).toEqual(["inverse-temperature"]);
  });

  it("gamma inside the log-sum-exp over actions", () => {
    const theirs = conventionQ(ending, { alpha, gamma, backup: "variational", discount: "softmax" }).Q;
    expect(checkQTable(ending, theirs, { solve: { alpha, gamma } }).explanation).toEqual(["gamma-in-softmax"]);
  });

  it("exact backup: gamma on the value in the exponent, and gamma outside the log", () => {
    const o = { alpha: 1, gamma: 0.6 };
    for (const [discount, name] of [["exponent", "gamma-in-exponent"], ["outside", "gamma-outside-log"], ["softmax", "gamma-in-softmax"]] as const) {
      const theirs = conventionQ(ending, { ...o, backup: "exact", discount }).Q;
      const rep = checkQTable(ending, theirs, { solve: { ...o, backup: "exact" } });
      expect(rep.explanation, discount).toEqual([name]);
    }
  });

  it("a state-only reward r(s) = sum_a pi0(a|s) r(s, a)", () => {
    const rs = ending.stateRewards(); // uniform prior
    const reward = new Float64Array(ending.reward.length);
    for (let s = 0; s < 6; s++) for (let k = ending.rowStart[s * m]!; k < ending.rowStart[(s + 1) * m]!; k++) reward[k] = rs[s]!;
    const variant = TabularMdp.fromArrays({ ...ending.arrays(), reward });
    const theirs = softPolicyIteration(variant, { alpha, gamma }).Q;
    expect(checkQTable(ending, theirs, { solve: { alpha, gamma } }).explanation).toEqual(["state-only-reward"]);
  });

  it("another backup: the exact values checked as variational, and hard values checked as variational", () => {
    const exact = exactLinearSolve(ending, { alpha: 1, gamma: 0.5 }).Q;
    expect(checkQTable(ending, exact, { solve: { alpha: 1, gamma: 0.5 } }).explanation).toEqual(["backup-exact"]);
    const hard = solve(ending, { backup: "hard", gamma: 0.5, tol: 0 }).Q;
    expect(checkQTable(ending, hard, { solve: { alpha: 1, gamma: 0.5 } }).explanation).toEqual(["backup-hard"]);
  });

  it("a finite horizon: the entropy form adds alpha log(m) per remaining step after the first", () => {
    const H = 4;
    const theirs = solve(open, { alpha, horizon: H, prior: entropyPrior(6, m) }).Q;
    const rep = checkQTable(open, theirs, { solve: { alpha, horizon: H, prior: uniformPrior(6, m) } });
    expect(rep.bellmanResidual).toBeNull();
    expect(rep.explanation).toEqual(["entropy-form"]);
    expect(rep.constantOffset!.value).toBeCloseTo((H - 1) * alpha * Math.log(m), 9);
  });

  it("explains nothing when the table is simply wrong, and says why conventions that do not apply were skipped", () => {
    const theirs = softPolicyIteration(open, { alpha, gamma }).Q.map((q, i) => q + 0.05 * Math.sin(i));
    const rep = checkQTable(open, theirs, { solve: { alpha, gamma } });
    expect(rep.explanation).toEqual([]);
    expect(rep.conventions.find((c) => c.name === "gamma-in-exponent")!.skipped).toMatch(/exact backup/);
    expect(rep.conventions.find((c) => c.name === "state-only-reward")!.maxAbsDifference).toBeGreaterThan(0.01);
  });
});
