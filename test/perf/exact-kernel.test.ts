/**
 * The exact backup on the fused kernels (exp space: z = exp(V/alpha), shifted every sweep) against
 * the exact rules' own log-space loops, on random MDPs:
 * - after K Jacobi sweeps, on one thread and on two (the kernel: the rules' loops run on one), Q and
 *   V within 1e-12, with every prior kind;
 * - on 2 and 3 threads the same numbers bit for bit as on one;
 * - at the fixed point, within 1e-12;
 * - tables outside the kernel's range (rewards spanning hundreds of alpha) and runs whose values
 *   leave it part-way (a chain earning 25 per step at alpha 0.1) give the rules' numbers too;
 * - the growth test: runs stopped by max-iter report "not converged" without a long power
 *   iteration, and a run with no fixed point is stopped with the growth rate the power iteration
 *   of growth.ts finds.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  NoFixedPointError,
  RULES,
  TabularMdp,
  frozenLakeOpen,
  randomMdp,
  solve,
  uniformPrior,
  type ActionPrior,
  type MdpArrays,
} from "../../src/index.js";
import { fcParams, seededPrior } from "../support/arbitraries.js";

/** The exact rules applied to whole arrays: sweep 0 then K sweeps, from V = 0. */
function plainExact(mdp: MdpArrays, alpha: number, gamma: number, prior: ActionPrior, sweeps: number) {
  const V = new Float64Array(mdp.nStates);
  const Q = new Float64Array(mdp.nStates * mdp.nActions);
  for (let k = 0; k <= sweeps; k++) {
    RULES.exact.dynamics.apply(mdp, V, alpha, gamma, Q);
    RULES.exact.actions.apply(Q, prior, alpha, V, null);
  }
  return { Q, V };
}

/** max_i |a_i - b_i| / max(1, |b_i|). */
function relGap(a: Float64Array, b: Float64Array): number {
  let g = 0;
  for (let i = 0; i < b.length; i++) g = Math.max(g, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return g;
}

const arbCase = fc.record({
  states: fc.integer({ min: 1, max: 40 }),
  actions: fc.integer({ min: 1, max: 4 }),
  successors: fc.integer({ min: 1, max: 5 }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  terminal: fc.constantFrom(0, 0.2, 0.6),
  alpha: fc.double({ min: 0.05, max: 3, noNaN: true }),
  gamma: fc.double({ min: 0.2, max: 0.95, noNaN: true }),
  priorKind: fc.constantFrom("uniform" as const, "entropy" as const, "table" as const),
  sweeps: fc.integer({ min: 1, max: 25 }),
});
type Case = typeof arbCase extends fc.Arbitrary<infer T> ? T : never;

function build(c: Case) {
  const mdp = randomMdp({ states: c.states, actions: c.actions, successors: Math.min(c.successors, c.states), seed: c.seed, terminalProbability: c.terminal });
  return { mdp, prior: seededPrior(c.priorKind, mdp.nStates, mdp.nActions, c.seed) };
}

describe("the exact backup on the fused kernels equals the exact rules' loops", () => {
  it("after K sweeps, on one thread and on two (the kernel's): Q and V within 1e-12, or both say there is no fixed point", () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const { mdp, prior } = build(c);
        for (const threads of [1, 2]) {
          let res;
          try {
            res = solve(mdp, { backup: "exact", alpha: c.alpha, gamma: c.gamma, prior, tol: 0, maxIter: c.sweeps, diagnostics: false, threads });
          } catch (e) {
            // Stopped as having no fixed point: the rules' own iteration grows by the reported
            // alpha log rho per sweep (averaged over sweeps 600..1000, so periodic chains settle too).
            expect(e).toBeInstanceOf(NoFixedPointError);
            const growth = (e as NoFixedPointError).growthPerStep;
            expect(growth).toBeGreaterThanOrEqual(0);
            const early = plainExact(mdp, c.alpha, c.gamma, prior, 600).V;
            const late = plainExact(mdp, c.alpha, c.gamma, prior, 1000).V;
            let perSweep = -Infinity;
            for (let s = 0; s < mdp.nStates; s++) perSweep = Math.max(perSweep, (late[s]! - early[s]!) / 400);
            expect(Math.abs(perSweep - growth)).toBeLessThanOrEqual(1e-3 * Math.max(1, growth));
            continue;
          }
          // With two threads requested, the kernel ran (the rules' loops run on one thread only).
          expect(res.threads).toBe(Math.min(threads, mdp.nStates));
          // tol 0 still stops early where the residual stalls at rounding level.
          expect(res.iterations === c.sweeps || res.stopReason !== "max-iterations").toBe(true);
          const plain = plainExact(mdp, c.alpha, c.gamma, prior, res.iterations);
          expect(relGap(res.Q, plain.Q)).toBeLessThanOrEqual(1e-12);
          expect(relGap(res.V, plain.V)).toBeLessThanOrEqual(1e-12);
        }
      }),
      fcParams(50),
    );
  });

  it("on 2 and 3 threads: the same numbers bit for bit as on one thread", () => {
    fc.assert(
      fc.property(arbCase, fc.constantFrom(2, 3), (c, threads) => {
        const { mdp, prior } = build(c);
        // alpha >= 1, gamma <= 0.3, rewards in [-1, 1]: rho <= 0.3 e m.
        const o = { backup: "exact", alpha: Math.max(c.alpha, 1), gamma: Math.min(c.gamma, 0.3), prior, tol: 0, maxIter: c.sweeps, diagnostics: false } as const;
        const run = (t: number) => {
          try {
            return solve(mdp, { ...o, threads: t });
          } catch (e) {
            return (e as NoFixedPointError).spectralRadius; // the entropy form's weights sum to m: rho can reach 1
          }
        };
        const one = run(1);
        const many = run(threads);
        if (typeof one === "number" || typeof many === "number") {
          expect(many).toBe(one);
          return;
        }
        expect(Array.from(many.Q)).toEqual(Array.from(one.Q));
        expect(Array.from(many.V)).toEqual(Array.from(one.V));
        expect(many.residual).toBe(one.residual);
      }),
      fcParams(30),
    );
  });

  it("at the fixed point (alpha >= 1, gamma <= 0.25, rewards in [-1, 1], priors summing to 1: rho <= 0.25 e): within 1e-12 of the rules' loops run to rounding", () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const { mdp, prior } = build({ ...c, priorKind: c.priorKind === "entropy" ? "uniform" : c.priorKind });
        // rho <= gamma e^{1/alpha} <= 0.68: rounding is amplified at most 1 / (1 - 0.68) times at the fixed point.
        const gamma = Math.min(c.gamma, 0.25);
        const alpha = Math.max(c.alpha, 1);
        const res = solve(mdp, { backup: "exact", alpha, gamma, prior, tol: 1e-14, diagnostics: false, threads: 2 });
        expect(res.converged).toBe(true);
        const plain = plainExact(mdp, alpha, gamma, prior, res.iterations + 60);
        expect(relGap(res.V, plain.V)).toBeLessThanOrEqual(1e-12);
        expect(relGap(res.Q, plain.Q)).toBeLessThanOrEqual(1e-12);
      }),
      fcParams(40),
    );
  });

  it("a table outside the kernel's range (rewards 0 and 60 at alpha 0.1: exp(600)) gives the rules' numbers", () => {
    const mdp = TabularMdp.fromLists([
      [[{ prob: 1, next: 0, reward: 60, done: true }], [{ prob: 0.5, next: 1, reward: 0, done: false }, { prob: 0.5, next: 0, reward: 0, done: false }]],
      [[{ prob: 1, next: 1, reward: 0, done: true }], [{ prob: 1, next: 0, reward: 0, done: false }]],
    ]);
    const prior = uniformPrior(2, 2);
    const res = solve(mdp, { backup: "exact", alpha: 0.1, gamma: 0.9, tol: 0, maxIter: 30, diagnostics: false, threads: 2 });
    const plain = plainExact(mdp, 0.1, 0.9, prior, 30);
    expect(Number.isFinite(res.V[0]!)).toBe(true);
    expect(relGap(res.V, plain.V)).toBeLessThanOrEqual(1e-12);
    expect(relGap(res.Q, plain.Q)).toBeLessThanOrEqual(1e-12);
  });

  it("values that leave the kernel's range part-way (a chain earning 25 a step at alpha 0.1) continue on the rules' loops with the same numbers", () => {
    const K = 6;
    const P = Array.from({ length: K }, (_, s) => [[s + 1 < K ? { prob: 1, next: s + 1, reward: 25, done: false } : { prob: 1, next: s, reward: 25, done: true }]]);
    const mdp = TabularMdp.fromLists(P);
    const prior = uniformPrior(K, 1);
    for (const maxIter of [3, 20]) {
      const res = solve(mdp, { backup: "exact", alpha: 0.1, gamma: 0.9, tol: 0, maxIter, diagnostics: false, threads: 2 });
      const plain = plainExact(mdp, 0.1, 0.9, prior, res.iterations);
      expect(relGap(res.V, plain.V)).toBeLessThanOrEqual(1e-12);
      expect(relGap(res.Q, plain.Q)).toBeLessThanOrEqual(1e-12);
    }
    // The fixed point in closed form: V(s) = sum over the steps left of (25 + alpha log gamma), the last step done.
    const res = solve(mdp, { backup: "exact", alpha: 0.1, gamma: 0.9, diagnostics: false });
    for (let s = 0; s < K; s++) {
      const steps = K - s;
      const v = 25 * steps + 0.1 * Math.log(0.9) * (steps - 1) + 0.1 * Math.log1p(((1 - 0.9) / 0.9) * Math.exp(-(25 * (steps - 1) + 0.1 * Math.log(0.9) * (steps - 2)) / 0.1) * 0);
      expect(Math.abs(res.V[s]! - v) / v, `state ${s}`).toBeLessThan(1e-12);
    }
  });
});

describe("the exact backup's growth test costs a few sweeps", () => {
  it("the open 30 x 30 lake stopped after 50 sweeps reports not converged (a fixed point exists, proven by the last sweep's bound), with no error", () => {
    const res = solve(frozenLakeOpen(30), { backup: "exact", alpha: 0.1, gamma: 0.99, maxIter: 50, diagnostics: false });
    expect(res.converged).toBe(false);
    expect(res.stopReason).toBe("max-iterations");
    expect(res.warnings.some((w) => w.startsWith("not converged"))).toBe(true);
  });

  it("a loop earning 1 a step at gamma e > 1 is stopped with the growth rate alpha log(gamma e^{1/alpha}) on the kernel as on the loops", () => {
    const loop = TabularMdp.fromLists([[[{ prob: 0.5, next: 0, reward: 1, done: false }, { prob: 0.5, next: 1, reward: 0, done: false }]], [[{ prob: 1, next: 1, reward: 0, done: true }]]]);
    // M = gamma [[0.5 e^{1/alpha}, 0.5], [0, 0]] (state 1 only ends): rho = 0.5 gamma e^{1/alpha}.
    for (const threads of [1, 2]) {
      try {
        solve(loop, { backup: "exact", alpha: 0.5, gamma: 0.9, threads });
        expect.unreachable("expected NoFixedPointError");
      } catch (e) {
        expect(e).toBeInstanceOf(NoFixedPointError);
        const rho = 0.5 * 0.9 * Math.exp(2);
        expect(Math.abs((e as NoFixedPointError).spectralRadius - rho)).toBeLessThan(1e-9 * rho);
      }
    }
  });
});
