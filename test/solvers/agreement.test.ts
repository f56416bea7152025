/**
 * Properties against an oracle: message passing (the engine's fixed-point iteration), policy
 * iteration with exact evaluation (linear solves) and the linear solve of the exponentiated exact
 * backup reach the same fixed points on random MDPs, in every mode where each applies:
 * - variational: soft policy iteration;
 * - hard: Howard's policy iteration;
 * - exact with rho(M) < 1: the linear solve of (I - M) z = b; with rho(M) > 1 the engine reports no
 *   fixed point.
 * The engine runs with tol 0 (to its stall at rounding level), so its own error is far below 1e-9.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NoFixedPointError, TabularMdp, solve, trappedStates, uniformPrior } from "../../src/index.js";
import { exactGrowth, exactLinearSolve } from "../../src/solvers/exact-linear.js";
import { hardPolicyIteration, softPolicyIteration } from "../../src/solvers/policy-iteration.js";
import { arbMdp, arbPriorKind, arbPriorSeed, fcParams, makePrior } from "../support/arbitraries.js";

const alphaArb = fc.double({ min: 0.2, max: 3, noNaN: true });
const gammaArb = fc.double({ min: 0.3, max: 0.97, noNaN: true });
const priorArb = fc.record({ kind: arbPriorKind, seed: arbPriorSeed });

/** max over (s, a) of |x - y| / max(1, |y|), and where it is. */
function worst(x: Float64Array, y: Float64Array): { err: number; at: number } {
  let err = 0;
  let at = -1;
  for (let i = 0; i < x.length; i++) {
    const e = Math.abs(x[i]! - y[i]!) / Math.max(1, Math.abs(y[i]!));
    if (e > err) {
      err = e;
      at = i;
    }
  }
  return { err, at };
}

function expectAgree(mine: Float64Array, engine: Float64Array, m: number, what: string): void {
  const { err, at } = worst(mine, engine);
  expect(err, `${what}: state ${Math.floor(at / m)}, action ${at % m}: ${mine[at]} vs engine ${engine[at]}`).toBeLessThan(1e-9);
}

describe("soft policy iteration reaches the variational fixed point of message passing", () => {
  it("Q, V and the policy agree to 1e-9 on random MDPs with gamma < 1, for uniform, entropy and table priors", () => {
    fc.assert(
      fc.property(arbMdp(), alphaArb, gammaArb, priorArb, (mdp, alpha, gamma, p) => {
        const prior = makePrior(p.kind, mdp, p.seed);
        const engine = solve(mdp, { backup: "variational", alpha, gamma, prior, tol: 0 });
        const pi = softPolicyIteration(mdp, { alpha, gamma, prior });
        expect(pi.converged).toBe(true);
        expectAgree(pi.Q, engine.Q, mdp.nActions, "Q");
        expectAgree(pi.V, engine.V, 1, "V");
        expectAgree(pi.policy, engine.policy, mdp.nActions, "policy");
      }),
      fcParams(200),
    );
  });

  it("agrees with gamma = 1 where every episode ends under the prior's support", () => {
    fc.assert(
      fc.property(arbMdp(), alphaArb, priorArb, (mdp, alpha, p) => {
        const prior = makePrior(p.kind, mdp, p.seed);
        fc.pre(trappedStates(mdp, prior).length === 0);
        const engine = solve(mdp, { backup: "variational", alpha, gamma: 1, prior, tol: 0 });
        const pi = softPolicyIteration(mdp, { alpha, gamma: 1, prior });
        expectAgree(pi.Q, engine.Q, mdp.nActions, "Q");
      }),
      fcParams(100),
    );
  });

  it("converges in a handful of evaluations (Newton's method): at most 12 on random MDPs", () => {
    fc.assert(
      fc.property(arbMdp({ maxStates: 5, maxActions: 4 }), alphaArb, gammaArb, (mdp, alpha, gamma) => {
        expect(softPolicyIteration(mdp, { alpha, gamma }).iterations).toBeLessThanOrEqual(12);
      }),
      fcParams(100),
    );
  });
});

describe("policy iteration on the max backup reaches the hard fixed point of message passing", () => {
  it("Q and V agree to 1e-9 on random MDPs with gamma < 1, with masking priors", () => {
    fc.assert(
      fc.property(arbMdp(), gammaArb, priorArb, (mdp, gamma, p) => {
        const prior = makePrior(p.kind === "entropy" ? "uniform" : p.kind, mdp, p.seed);
        const engine = solve(mdp, { backup: "hard", gamma, prior, tol: 0 });
        const pi = hardPolicyIteration(mdp, { gamma, prior });
        expect(pi.converged).toBe(true);
        expectAgree(pi.Q, engine.Q, mdp.nActions, "Q");
        expectAgree(pi.V, engine.V, 1, "V");
      }),
      fcParams(200),
    );
  });

  it("agrees with gamma = 1 where every policy on the prior's support ends its episodes (start: an attractor policy)", () => {
    fc.assert(
      fc.property(arbMdp(), priorArb, (mdp, p) => {
        const prior = makePrior(p.kind === "entropy" ? "uniform" : p.kind, mdp, p.seed);
        fc.pre(trappedStates(mdp, prior).length === 0);
        const engine = solve(mdp, { backup: "hard", gamma: 1, prior, tol: 0 });
        expectAgree(hardPolicyIteration(mdp, { gamma: 1, prior }).Q, engine.Q, mdp.nActions, "Q");
      }),
      fcParams(100),
    );
  });
});

describe("the linear solve of the exact backup in z = exp(V/alpha)", () => {
  it("agrees with exact message passing to 1e-9 where rho(M) < 1, for uniform, entropy and table priors", () => {
    fc.assert(
      fc.property(arbMdp(), alphaArb, gammaArb, priorArb, (mdp, alpha, gamma, p) => {
        const prior = makePrior(p.kind, mdp, p.seed);
        const rho = exactGrowth(mdp, { alpha, gamma, prior }).spectralRadius;
        // Near rho = 1 message passing converges too slowly to reach rounding level within its cap.
        fc.pre(rho < 0.98);
        const engine = solve(mdp, { backup: "exact", alpha, gamma, prior, tol: 0 });
        const lin = exactLinearSolve(mdp, { alpha, gamma, prior });
        expectAgree(lin.Q, engine.Q, mdp.nActions, "Q");
        expectAgree(lin.V, engine.V, 1, "V");
        expectAgree(lin.policy, engine.policy, mdp.nActions, "policy");
        // The Collatz-Wielandt bound at the solution sits between rho and 1.
        expect(lin.radiusBound).toBeLessThanOrEqual(1);
        expect(lin.radiusBound).toBeGreaterThanOrEqual(rho * (1 - 1e-9));
      }),
      fcParams(200),
    );
  });

  it("has no positive solution where rho(M) > 1, and there the engine reports no fixed point too", () => {
    fc.assert(
      fc.property(arbMdp({ terminal: false }), fc.double({ min: 0.2, max: 1, noNaN: true }), fc.double({ min: 0.8, max: 0.99, noNaN: true }), (mdp, alpha, gamma) => {
        fc.pre(exactGrowth(mdp, { alpha, gamma }).spectralRadius > 1.02);
        expect(() => exactLinearSolve(mdp, { alpha, gamma })).toThrow(NoFixedPointError);
        expect(() => solve(mdp, { backup: "exact", alpha, gamma })).toThrow(NoFixedPointError);
      }),
      fcParams(100),
    );
  });

  it("agrees with gamma = 1 where every episode ends and rho(M) < 1", () => {
    fc.assert(
      fc.property(arbMdp({ rewardRange: 1 }), alphaArb, (mdp, alpha) => {
        fc.pre(trappedStates(mdp, uniformPrior(mdp.nStates, mdp.nActions)).length === 0);
        fc.pre(exactGrowth(mdp, { alpha, gamma: 1 }).spectralRadius < 0.98);
        const engine = solve(mdp, { backup: "exact", alpha, gamma: 1, tol: 0 });
        expectAgree(exactLinearSolve(mdp, { alpha, gamma: 1 }).Q, engine.Q, mdp.nActions, "Q");
      }),
      fcParams(100),
    );
  });

  it("stays accurate where exp(V/alpha) leaves the double range: reward -100 per step for 10 steps at alpha = 0.1", () => {
    // A chain 0 -> 1 -> ... -> 9 -> end, reward -100 per step, alpha 0.1: V(0)/alpha = -10000, z = e^-10000 underflows.
    const n = 10;
    const P = Array.from({ length: n }, (_, s) => [[{ prob: 1, next: Math.min(s + 1, n - 1), reward: -100, done: s === n - 1 }]]);
    const mdp = TabularMdp.fromLists(P);
    const lin = exactLinearSolve(mdp, { alpha: 0.1, gamma: 1 });
    for (let s = 0; s < n; s++) expect(lin.V[s]).toBeCloseTo(-100 * (n - s), 9);
    expect(lin.solves).toBeGreaterThan(1);
  });
});

