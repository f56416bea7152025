/**
 * Rule families are values with capabilities: the engine picks the fused kernel, the growth check
 * and the evidence from the family's fields, never from its name. A family the kernel cannot run
 * (its dynamics rule declares no affine space) takes the plain rule loop, with the right numbers.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BACKUPS,
  EXACT,
  HARD,
  ParameterError,
  RULES,
  TabularMdp,
  VARIATIONAL,
  kernelFits,
  softPolicyIteration,
  solve,
  type DynamicsRule,
  type RuleFamily,
} from "../../src/index.js";
import { arbMdp, fcParams } from "../support/arbitraries.js";

/** The soft Bellman expectation written entry by entry as r + gamma V' weighted by p, declaring no affine space. */
function countingRule(): DynamicsRule & { calls: number } {
  const rule = {
    name: "expectation-by-entry",
    equation: "Q(s,a) = sum_k p_k (r_k + gamma (1 - done_k) V(s'_k))",
    affine: null,
    lipschitz: (gamma: number) => gamma,
    calls: 0,
    apply(mdp, Vnext, _alpha, gamma, Q) {
      rule.calls++;
      const { nStates: n, nActions: m, rowStart, next, prob, reward, done } = mdp;
      for (let row = 0; row < n * m; row++) {
        let acc = 0;
        for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) acc += prob[k]! * reward[k]! + (done[k] ? 0 : prob[k]! * gamma * Vnext[next[k]!]!);
        Q[row] = acc;
      }
    },
  } satisfies DynamicsRule & { calls: number };
  return rule;
}

/** A family the fused kernel cannot run: no kernel, no growth check. */
function dummyFamily(rule: DynamicsRule): RuleFamily {
  return { ...VARIATIONAL, dynamics: rule, kernel: null };
}

describe("rule families as values", () => {
  it("every registered family's declared kernel fits its rules, and the list of backups is the registry's", () => {
    expect([...BACKUPS]).toEqual(Object.keys(RULES));
    for (const b of BACKUPS) {
      const f = RULES[b];
      expect(f.backup).toBe(b);
      if (f.kernel !== null) expect(kernelFits(f.kernel, f)).toBe(true);
    }
    // The exact rule is affine in z = exp(V/alpha), not in V: only the exp-space kernel runs it.
    expect(kernelFits("affine-value", EXACT)).toBe(false);
    expect(kernelFits("affine-exp", EXACT)).toBe(true);
    expect(kernelFits("affine-exp", HARD)).toBe(false);
    expect(EXACT.mayHaveNoFixedPoint && !VARIATIONAL.mayHaveNoFixedPoint && !HARD.mayHaveNoFixedPoint).toBe(true);
  });

  it("a family the kernel cannot run takes the plain rule loop and reaches soft policy iteration's fixed point (1e-8)", () => {
    fc.assert(
      fc.property(arbMdp({ maxStates: 4 }), fc.double({ min: 0.2, max: 3, noNaN: true }), fc.double({ min: 0.3, max: 0.9, noNaN: true }), (mdp, alpha, gamma) => {
        const rule = countingRule();
        const res = solve(mdp, { rules: dummyFamily(rule), alpha, gamma, threads: 4 });
        expect(res.converged).toBe(true);
        // The plain path: one call of the family's own rule per sweep (sweep 0 included), one thread.
        expect(rule.calls).toBe(res.iterations + 1);
        expect(res.threads).toBe(1);
        expect(res.backups).toBe((res.iterations + 1) * mdp.nStates);
        const ref = softPolicyIteration(mdp, { alpha, gamma });
        const scale = Math.max(1, ...Array.from(ref.Q, Math.abs));
        for (let i = 0; i < ref.Q.length; i++) expect(Math.abs(res.Q[i]! - ref.Q[i]!)).toBeLessThanOrEqual(1e-8 * scale);
        for (let s = 0; s < mdp.nStates; s++) expect(Math.abs(res.V[s]! - ref.V[s]!)).toBeLessThanOrEqual(1e-8 * scale);
        // And the fused kernel on the registered family agrees with it.
        const fused = solve(mdp, { backup: "variational", alpha, gamma });
        for (let i = 0; i < ref.Q.length; i++) expect(Math.abs(res.Q[i]! - fused.Q[i]!)).toBeLessThanOrEqual(1e-9 * scale);
      }),
      fcParams(60),
    );
  });

  it("a finite horizon runs the family's rules too (H calls), with the registered family's numbers to 1e-12", () => {
    fc.assert(
      fc.property(arbMdp({ maxStates: 3 }), fc.integer({ min: 1, max: 6 }), (mdp, H) => {
        const rule = countingRule();
        const res = solve(mdp, { rules: dummyFamily(rule), horizon: H, diagnostics: false });
        expect(rule.calls).toBe(H);
        const ref = solve(mdp, { backup: "variational", horizon: H, diagnostics: false });
        for (let i = 0; i < ref.Q.length; i++) expect(Math.abs(res.Q[i]! - ref.Q[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(ref.Q[i]!)));
      }),
      fcParams(60),
    );
  });

  it("a family that declares a kernel its rules do not fit is refused, never run on the wrong loop", () => {
    const mdp = solveFixture();
    const wrong: RuleFamily = { ...VARIATIONAL, dynamics: countingRule(), kernel: "affine-value" };
    expect(() => solve(mdp, { rules: wrong, gamma: 0.9 })).toThrow(TypeError);
  });

  it("in-place schedules need a fused kernel: a family without one is told it sweeps Jacobi", () => {
    const e = (() => {
      try {
        solve(solveFixture(), { rules: dummyFamily(countingRule()), gamma: 0.9, schedule: "gauss-seidel" });
      } catch (err) {
        return err;
      }
      return null;
    })();
    expect(e).toBeInstanceOf(ParameterError);
    expect((e as ParameterError).message).toContain("schedule");
  });
});

/** Two states, two actions: a reward for staying in state 0, an end from state 1. */
function solveFixture(): TabularMdp {
  return TabularMdp.fromLists([
    [[{ prob: 1, next: 0, reward: 0.5, done: false }], [{ prob: 1, next: 1, reward: 0, done: false }]],
    [[{ prob: 1, next: 1, reward: 1, done: true }], [{ prob: 0.5, next: 0, reward: -1, done: false }, { prob: 0.5, next: 1, reward: 0, done: false }]],
  ]);
}
