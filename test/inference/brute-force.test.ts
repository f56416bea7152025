/**
 * Properties against an oracle: message passing against brute-force enumeration of every
 * trajectory (log Z, exact posterior action marginals at t = 0, ELBO of arbitrary policies, and
 * log Z - ELBO(q) = KL(q(tau) || p(tau | O))).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { posteriorInitial, solve } from "../../src/index.js";
import { arbMdp, arbPolicies, arbPriorKind, arbPriorSeed, fcParams, makePrior } from "../support/arbitraries.js";
import { bruteActionMarginal, bruteElboKl, bruteLogZ } from "../support/brute.js";
import { rel } from "../support/numeric.js";
import { evaluateFinite } from "../../src/index.js";

const arbSetting = fc.record({
  alpha: fc.double({ min: 0.2, max: 3, noNaN: true }),
  gamma: fc.oneof(fc.constant(1), fc.double({ min: 0.3, max: 0.99, noNaN: true })),
  H: fc.integer({ min: 1, max: 3 }),
  priorKind: arbPriorKind,
  priorSeed: arbPriorSeed,
});

describe("message passing equals brute-force enumeration over trajectories", () => {
  it("log Z from the exact backward pass equals the sum over every trajectory", () => {
    fc.assert(
      fc.property(arbMdp(), arbSetting, (mdp, st) => {
        const prior = makePrior(st.priorKind, mdp, st.priorSeed);
        const res = solve(mdp, { backup: "exact", alpha: st.alpha, gamma: st.gamma, horizon: st.H, prior });
        expect(res.logZ).not.toBeNull();
        expect(rel(res.logZ!, bruteLogZ(mdp, prior, st.alpha, st.gamma, st.H))).toBeLessThan(1e-9);
      }),
      fcParams(200),
    );
  });

  it("log Z reported by the variational and hard backups is the same exact evidence", () => {
    fc.assert(
      fc.property(arbMdp(), arbSetting, (mdp, st) => {
        const prior = makePrior(st.priorKind, mdp, st.priorSeed);
        const brute = bruteLogZ(mdp, prior, st.alpha, st.gamma, st.H);
        for (const backup of ["variational", "hard"] as const) {
          const res = solve(mdp, { backup, alpha: st.alpha, gamma: st.gamma, horizon: st.H, prior });
          expect(rel(res.logZ!, brute)).toBeLessThan(1e-9);
        }
      }),
      fcParams(50),
    );
  });

  it("the exact posterior action marginal at t = 0 equals the enumerated p(a_0 | O)", () => {
    fc.assert(
      fc.property(arbMdp(), arbSetting, (mdp, st) => {
        const prior = makePrior(st.priorKind, mdp, st.priorSeed);
        const res = solve(mdp, { backup: "exact", alpha: st.alpha, gamma: st.gamma, horizon: st.H, prior });
        const ps0 = posteriorInitial(mdp, res.V, st.alpha);
        const m = mdp.nActions;
        const brute = bruteActionMarginal(mdp, prior, st.alpha, st.gamma, st.H);
        for (let a = 0; a < m; a++) {
          let marg = 0;
          for (let s = 0; s < mdp.nStates; s++) marg += ps0[s]! * res.policy[s * m + a]!;
          expect(Math.abs(marg - brute[a]!)).toBeLessThan(1e-9);
        }
      }),
      fcParams(200),
    );
  });

  it("ELBO(q) of arbitrary time-indexed policies equals enumeration, and log Z - ELBO(q) = KL(q(tau) || p(tau | O))", () => {
    fc.assert(
      fc.property(
        arbMdp(),
        arbSetting.chain((st) => fc.record({ st: fc.constant(st), q: arbPolicies(3, 3, st.H) })),
        (mdp, { st, q }) => {
          const prior = makePrior(st.priorKind, mdp, st.priorSeed);
          const { nStates: n, nActions: m } = mdp;
          // Cut the 3 x 3 random tables down to this MDP, renormalise, and respect the prior's masks.
          const qs = q.map((tab) => {
            const out = new Float64Array(n * m);
            for (let s = 0; s < n; s++) {
              let z = 0;
              for (let a = 0; a < m; a++) {
                const v = prior.probs[s * m + a]! > 0 ? tab[s * 3 + a]! : 0;
                out[s * m + a] = v;
                z += v;
              }
              for (let a = 0; a < m; a++) out[s * m + a] = out[s * m + a]! / z;
            }
            return out;
          });
          const engine = evaluateFinite(mdp, prior, st.alpha, st.gamma, qs);
          const brute = bruteElboKl(mdp, prior, st.alpha, st.gamma, st.H, qs);
          const logZ = solve(mdp, { backup: "exact", alpha: st.alpha, gamma: st.gamma, horizon: st.H, prior }).logZ!;
          expect(rel(engine.elbo, brute.elbo)).toBeLessThan(1e-9);
          expect(brute.kl).toBeGreaterThanOrEqual(-1e-12);
          expect(Math.abs(logZ - engine.elbo - brute.kl)).toBeLessThan(1e-9 * Math.max(1, Math.abs(logZ)));
        },
      ),
      fcParams(200),
    );
  });

  it("the engine's ELBO of its own variational policy equals enumeration and sits below log Z", () => {
    fc.assert(
      fc.property(arbMdp(), arbSetting, (mdp, st) => {
        const prior = makePrior(st.priorKind, mdp, st.priorSeed);
        const res = solve(mdp, { backup: "variational", alpha: st.alpha, gamma: st.gamma, horizon: st.H, prior });
        const brute = bruteElboKl(mdp, prior, st.alpha, st.gamma, st.H, res.steps!.policy);
        expect(rel(res.elbo!, brute.elbo)).toBeLessThan(1e-9);
        // The variational optimum's ELBO is the initial factor's variational message: sum_s p0 V_0 / alpha.
        let initialMessage = 0;
        for (let s = 0; s < mdp.nStates; s++) initialMessage += mdp.initial[s]! * res.V[s]! / st.alpha;
        expect(rel(res.elbo!, initialMessage)).toBeLessThan(1e-9);
        expect(res.elbo!).toBeLessThanOrEqual(res.logZ! + 1e-9);
      }),
      fcParams(200),
    );
  });
});
