/**
 * The derivations say what the engine computes: every derived expression, expanded over a concrete
 * MDP and evaluated by mathjs at a scope holding its numbers (p, r, V', pi0, p0), reproduces the
 * numeric engine (`solve`) to 1e-12, in every mode, at every time step, state and action.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import {
  deriveWith,
  loadMathJs,
  runDerivation,
  solve,
  tablePrior,
  uniformPrior,
  type ActionPrior,
  type Derivation,
  type TabularMdp,
} from "../../src/index.js";
import { actionScope, evaluateAt, rowEntries, rowScope, type MathJs } from "../../src/derive/index.js";
import { arbMdp, fcParams } from "../support/arbitraries.js";
import { enumerate } from "../support/brute.js";
import { expectClose, rewardPerPairMdp, smallMdp, TABLE_PRIOR } from "./support.js";

let math: MathJs;
beforeAll(async () => {
  math = await loadMathJs();
});

const BACKUPS = ["exact", "variational", "hard"] as const;

/** The hard backup's J = E[sum_t r_t] under the greedy policies, by enumerating trajectories (and the size of its terms). */
function bruteReturn(mdp: TabularMdp, prior: ActionPrior, alpha: number, gamma: number, H: number, policies: Float64Array[]): { J: number; magnitude: number } {
  let J = 0;
  let magnitude = 0;
  for (const t of enumerate(mdp, prior, alpha, gamma, H, policies)) {
    J += t.dynamicsWeight * t.rewardNats * alpha;
    magnitude += t.dynamicsWeight * Math.abs(t.rewardNats * alpha);
  }
  return { J, magnitude };
}

/** A deterministic policy on an exact maximiser of Q over the prior's support (the first one). */
function exactArgmax(Q: Float64Array, prior: ActionPrior): Float64Array {
  const { nStates: n, nActions: m } = prior;
  const out = new Float64Array(n * m);
  for (let s = 0; s < n; s++) {
    let best = -1;
    for (let a = 0; a < m; a++) if (prior.probs[s * m + a]! > 0 && (best < 0 || Q[s * m + a]! > Q[s * m + best]!)) best = a;
    out[s * m + best] = 1;
  }
  return out;
}

function compareRun(d: Derivation, mdp: TabularMdp, prior: ActionPrior, alpha: number, gamma: number, H: number, tag: string): void {
  const run = runDerivation(math, d, mdp, prior.probs, alpha, gamma, H);
  const res = solve(mdp, { backup: d.backup, alpha, gamma, horizon: H, prior });
  const { nStates: n, nActions: m } = mdp;
  for (let t = 0; t < H; t++) {
    for (let s = 0; s < n; s++) {
      expectClose(run.V[t]![s]!, res.steps!.V[t]![s]!, `${tag} V_${t}(${s})`);
      for (let a = 0; a < m; a++) {
        expectClose(run.Q[t]![s * m + a]!, res.steps!.Q[t]![s * m + a]!, `${tag} Q_${t}(${s},${a})`);
        expectClose(run.policy[t]![s * m + a]!, res.steps!.policy[t]![s * m + a]!, `${tag} policy_${t}(${a}|${s})`);
      }
    }
  }
  if (d.backup === "exact") {
    expect(run.initialName).toBe("logZ");
    expectClose(run.initial, res.logZ!, `${tag} log Z`);
  } else if (d.backup === "variational") {
    expect(run.initialName).toBe("elbo");
    expectClose(run.initial, res.elbo!, `${tag} ELBO(q*)`);
  } else {
    expect(run.initialName).toBe("J");
    // The engine's policy shares actions tied within 1e-9 max(1, |V|), whose return can differ from V by that much;
    // J = E_p0[V_0] is the return of a policy that takes an exact maximiser.
    const brute = bruteReturn(mdp, prior, alpha, gamma, H, res.steps!.Q.map((Q) => exactArgmax(Q, prior)));
    expectClose(run.initial, brute.J, `${tag} J`, 1e-12, brute.magnitude);
  }
}

describe("derived expressions evaluated by mathjs reproduce solve (finite horizon)", () => {
  it("on a small stochastic MDP with terminal entries and a zero-probability entry: every mode, t, s, a, both priors, gamma 1 and 0.9", () => {
    const mdp = smallMdp();
    const priors = { uniform: uniformPrior(3, 3), table: tablePrior(TABLE_PRIOR, 3, 3) };
    for (const backup of BACKUPS) {
      const d = deriveWith(math, { backup });
      for (const [name, prior] of Object.entries(priors)) {
        for (const gamma of [1, 0.9]) {
          for (const alpha of [0.4, 1.7]) compareRun(d, mdp, prior, alpha, gamma, 3, `${backup}/${name}/gamma ${gamma}/alpha ${alpha}`);
        }
      }
    }
  });

  it("the unrolled derivation (horizon 3) schedules seven messages, t = 2..0 then p0, and gives the same numbers", () => {
    const mdp = smallMdp();
    for (const backup of BACKUPS) {
      const d = deriveWith(math, { backup, horizon: 3 });
      expect(d.steps.map((s) => `${s.schedule.kind}@${s.schedule.t}`)).toEqual(["dynamics@2", "prior@2", "dynamics@1", "prior@1", "dynamics@0", "prior@0", "initial@0"]);
      compareRun(d, mdp, tablePrior(TABLE_PRIOR, 3, 3), 0.8, 0.95, 3, `${backup}/unrolled`);
    }
  });

  it("on random MDPs (fast-check): every mode, random alpha, gamma and horizon", () => {
    const derivations = Object.fromEntries(BACKUPS.map((b) => [b, deriveWith(math, { backup: b })])) as Record<(typeof BACKUPS)[number], Derivation>;
    fc.assert(
      fc.property(
        arbMdp({ maxStates: 3, maxActions: 3, maxEntries: 3 }),
        fc.constantFrom(...BACKUPS),
        fc.double({ min: 0.3, max: 3, noNaN: true }),
        fc.oneof(fc.constant(1), fc.double({ min: 0.3, max: 0.99, noNaN: true })),
        fc.integer({ min: 1, max: 3 }),
        (mdp, backup, alpha, gamma, H) => {
          compareRun(derivations[backup], mdp, uniformPrior(mdp.nStates, mdp.nActions), alpha, gamma, H, `${backup}/random`);
        },
      ),
      fcParams(40),
    );
  });
});

describe("derived expressions at the engine's fixed point (infinite horizon)", () => {
  it("Q from the derived backup at the engine's V, and V and the policy from the derived prior rule at its Q, match solve to 1e-12", () => {
    const mdp = smallMdp();
    const prior = tablePrior(TABLE_PRIOR, 3, 3);
    const { nStates: n, nActions: m } = mdp;
    for (const backup of BACKUPS) {
      const d = deriveWith(math, { backup });
      const dyn = d.steps[0]!.output;
      const act = d.steps[1]!.output;
      const alpha = 0.7;
      const gamma = 0.8;
      // tol 0: run until the residual stalls at rounding level, so that Q is the backup of the returned V.
      const res = solve(mdp, { backup, alpha, gamma, prior, tol: 0 });
      expect(res.converged).toBe(true);
      for (let s = 0; s < n; s++) {
        for (let a = 0; a < m; a++) {
          const q = evaluateAt(math, dyn.result, { entries: rowEntries(mdp, s, a) }, rowScope(mdp, s, a, res.V, alpha, gamma));
          expectClose(q, res.Q[s * m + a]!, `${backup} fixed point Q(${s},${a})`, 1e-12);
        }
        const scope = actionScope(res.Q, prior.probs, s, m, alpha);
        expectClose(evaluateAt(math, act.result, { actions: m }, scope), res.V[s]!, `${backup} fixed point V(${s})`);
        for (let a = 0; a < m; a++) {
          const pol = evaluateAt(math, act.policy!, { actions: m }, { ...scope, Q: res.Q[s * m + a]!, pi0: prior.probs[s * m + a]!, V: res.V[s]! });
          expectClose(pol, res.policy[s * m + a]!, `${backup} fixed point policy(${a}|${s})`);
        }
      }
    }
  });
});

describe("every line of a derivation holds at the engine's numbers", () => {
  it("message, log, backup and policy lines of each step (no conditions) evaluate to exp(Q/alpha), Q/alpha, Q, exp(V/alpha), V/alpha, V and the policy", () => {
    const mdp = smallMdp();
    const prior = tablePrior(TABLE_PRIOR, 3, 3);
    const { nStates: n, nActions: m } = mdp;
    const alpha = 0.9;
    const gamma = 0.85;
    const H = 2;
    for (const backup of BACKUPS) {
      const d = deriveWith(math, { backup });
      const res = solve(mdp, { backup, alpha, gamma, horizon: H, prior });
      const Q0 = res.steps!.Q[0]!;
      const V0 = res.steps!.V[0]!;
      const P0 = res.steps!.policy[0]!;
      const V1 = res.steps!.V[1]!;
      let checked = 0;
      for (const step of d.steps) {
        for (const eq of step.output.equations) {
          if (eq.when !== undefined || eq.role === "incoming") continue;
          const lhs = (eq.lhs as unknown as { name: string }).name;
          if (step.schedule.kind === "dynamics") {
            for (let s = 0; s < n; s++) {
              for (let a = 0; a < m; a++) {
                const scope = rowScope(mdp, s, a, V1, alpha, gamma);
                for (let k = 0; k < rowEntries(mdp, s, a); k++) scope[`beta_n_e${k}`] = Math.exp(scope[`Vn_e${k}`]! / alpha);
                const q = Q0[s * m + a]!;
                const want = lhs === "beta_sa" ? Math.exp(q / alpha) : lhs === "log_beta_sa" ? q / alpha : q;
                expectClose(evaluateAt(math, eq.rhs, { entries: rowEntries(mdp, s, a) }, scope), want, `${backup} ${lhs} = ${eq.rhs.toString()} at (${s},${a})`);
                checked++;
              }
            }
          } else if (step.schedule.kind === "prior") {
            for (let s = 0; s < n; s++) {
              const scope = actionScope(Q0, prior.probs, s, m, alpha);
              for (let j = 0; j < m; j++) scope[`beta_sa_a${j}`] = Math.exp(Q0[s * m + j]! / alpha);
              for (let a = 0; a < m; a++) {
                const local = { ...scope, Q: Q0[s * m + a]!, pi0: prior.probs[s * m + a]!, V: V0[s]!, beta_sa: Math.exp(Q0[s * m + a]! / alpha), beta_s: Math.exp(V0[s]! / alpha) };
                const v = V0[s]!;
                const want = lhs === "beta_s" ? Math.exp(v / alpha) : lhs === "log_beta_s" ? v / alpha : lhs === "V" ? v : P0[s * m + a]!;
                expectClose(evaluateAt(math, eq.rhs, { actions: m }, local), want, `${backup} ${lhs} = ${eq.rhs.toString()} at (${s},${a})`);
                checked++;
              }
            }
          } else {
            const scope: Record<string, number> = { alpha };
            for (let s = 0; s < n; s++) {
              scope[`p0_s${s}`] = mdp.initial[s]!;
              scope[`V0_s${s}`] = V0[s]!;
              scope[`beta_0_s${s}`] = Math.exp(V0[s]! / alpha);
            }
            const pv = Array.from(V0).reduce((acc, v, s) => acc + mdp.initial[s]! * v, 0);
            const want = lhs === "Z" ? Math.exp(res.logZ!) : lhs === "logZ" ? res.logZ! : lhs === "elbo" ? res.elbo! : pv;
            expectClose(evaluateAt(math, eq.rhs, { states: n }, scope), want, `${backup} ${lhs} = ${eq.rhs.toString()}`);
            checked++;
          }
        }
      }
      expect(checked).toBeGreaterThan(0);
    }
  });
});

describe("the special forms hold under their conditions", () => {
  it("Q = r(s,a) + alpha log E[exp(V'/alpha)] (exact, gamma = 1), Q = r(s,a) + gamma E[V'] (variational, hard), and the backup in Q alone, at t < H - 1", () => {
    const { mdp, rsa } = rewardPerPairMdp();
    const prior = tablePrior(TABLE_PRIOR, 3, 3);
    const { nStates: n, nActions: m } = mdp;
    const alpha = 0.6;
    const H = 3;
    for (const backup of BACKUPS) {
      const d = deriveWith(math, { backup });
      const dyn = d.steps[0]!.output;
      for (const gamma of backup === "exact" ? [1] : [1, 0.9]) {
        const res = solve(mdp, { backup, alpha, gamma, horizon: H, prior });
        for (let t = 0; t < H; t++) {
          const Vnext = t + 1 < H ? res.steps!.V[t + 1]! : new Float64Array(n);
          for (let s = 0; s < n; s++) {
            for (let a = 0; a < m; a++) {
              const row = s * m + a;
              const scope: Record<string, number> = { ...rowScope(mdp, s, a, Vnext, alpha, gamma), rsa: rsa[row]! };
              const want = res.steps!.Q[t]![row]!;
              expectClose(evaluateAt(math, dyn.special!, { entries: rowEntries(mdp, s, a) }, scope), want, `${backup} special Q_${t}(${s},${a})`);
              if (t + 1 < H) {
                const Qn = res.steps!.Q[t + 1]!;
                const r0 = mdp.rowStart[row]!;
                for (let k = 0; k < rowEntries(mdp, s, a); k++) {
                  const sn = mdp.next[r0 + k]!;
                  for (let j = 0; j < m; j++) {
                    scope[`Qn_a${j}_e${k}`] = Qn[sn * m + j]!;
                    scope[`pi0n_a${j}_e${k}`] = prior.probs[sn * m + j]!;
                  }
                }
                expectClose(evaluateAt(math, d.combined.rhs, { entries: rowEntries(mdp, s, a), actions: m }, scope), want, `${backup} Q alone, Q_${t}(${s},${a})`);
              }
            }
          }
        }
      }
    }
  });
});
