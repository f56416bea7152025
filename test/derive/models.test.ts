/**
 * The model part of a derivation says what the models and the engine compute: V and the policy
 * with the uniform prior put in (maxent), pi_D from counts and its zero-reward and lambda = 0 forms
 * (demonstration), and RLHF's one-step closed form and DPO identity, each evaluated by mathjs and
 * compared with solve and with models/.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { deriveWith, loadMathJs, solve, TabularMdp, uniformPrior, type DerivedEquation } from "../../src/index.js";
import { actionScope, evaluateAt, type MathJs } from "../../src/derive/index.js";
import { DEMONSTRATION, MAXENT, RLHF, banditClosedForm, banditModel, demonstrationPrior, implicitReward } from "../../models/index.js";
import { expectClose, smallMdp } from "./support.js";

let math: MathJs;
beforeAll(async () => {
  math = await loadMathJs();
});

const BACKUPS = ["exact", "variational", "hard"] as const;
const lhsName = (e: DerivedEquation) => (e.lhs as unknown as { name: string }).name;
const find = (eqs: readonly DerivedEquation[], lhs: string, role?: string) => {
  const found = eqs.filter((e) => lhsName(e) === lhs && (role === undefined || e.role === role));
  expect(found.length, `an equation for ${lhs}`).toBeGreaterThan(0);
  return found;
};

describe("maxent: pi0 = 1/m put into V and the policy", () => {
  it("V_t(s) = alpha (log sum_a exp(Q/alpha) - log m) and q = exp((Q - V)/alpha)/m (hard: max and ties) match solve with the uniform prior", () => {
    const mdp = smallMdp();
    const { nStates: n, nActions: m } = mdp;
    for (const backup of BACKUPS) {
      const section = deriveWith(math, { backup, model: MAXENT.symbolic }).modelSection!;
      expect(evaluateAt(math, section.priorDefinition, {}, { m })).toBe(1 / m);
      for (const alpha of [0.3, 2]) {
        const res = solve(mdp, { backup, alpha, gamma: 0.9, horizon: 3, prior: uniformPrior(n, m) });
        for (let s = 0; s < n; s++) {
          const scope = { ...actionScope(res.Q, new Float64Array(n * m), s, m, alpha), m };
          expectClose(evaluateAt(math, section.V, { actions: m }, scope), res.V[s]!, `${backup} maxent V(${s})`);
          for (let a = 0; a < m; a++) {
            expectClose(evaluateAt(math, section.policy, { actions: m }, { ...scope, Q: res.Q[s * m + a]!, V: res.V[s]! }), res.policy[s * m + a]!, `${backup} maxent q(${a}|${s})`);
          }
        }
      }
    }
  });
});

describe("demonstration: pi_D from counts", () => {
  const counts = [
    [3, 0, 1],
    [0, 0, 0],
    [2, 2, 5],
  ];

  it("the derived pi_D(a|s) = (N(s,a) + lambda)/(N(s) + m lambda) equals models/demonstration's prior (lambda > 0, and lambda = 0 where N(s) > 0)", () => {
    const section = deriveWith(math, { model: DEMONSTRATION.symbolic }).modelSection!;
    const limit = find(section.equations, "pi0", "limit")[0]!;
    for (const lambda of [0.5, 0]) {
      const model = demonstrationPrior(counts.flat(), 3, 3, lambda);
      for (let s = 0; s < 3; s++) {
        const Ns = counts[s]!.reduce((x, y) => x + y, 0);
        if (Ns === 0 && lambda === 0) {
          // 0/0: the derivation says so; the model uses the uniform prior there.
          expect(Number.isNaN(evaluateAt(math, section.priorDefinition, {}, { Nsa: 0, Ns: 0, lambda: 0, m: 3 }))).toBe(true);
          expect(Array.from(model.prior.probs.subarray(s * 3, s * 3 + 3))).toEqual([1 / 3, 1 / 3, 1 / 3]);
          continue;
        }
        for (let a = 0; a < 3; a++) {
          const scope = { Nsa: counts[s]![a]!, Ns, lambda, m: 3 };
          expectClose(evaluateAt(math, section.priorDefinition, {}, scope), model.prior.probs[s * 3 + a]!, `pi_D(${a}|${s}), lambda ${lambda}`);
          if (lambda === 0) expectClose(evaluateAt(math, limit.rhs, {}, scope), model.prior.probs[s * 3 + a]!, `lambda = 0 form, pi_D(${a}|${s})`);
        }
      }
    }
  });

  it("V and the policy with pi_D match solve; with zero reward the derived V = 0 and q = pi_D, as solve finds", () => {
    const mdp = smallMdp();
    const prior = demonstrationPrior(counts.flat(), 3, 3, 0.5).prior;
    const zero = TabularMdp.fromArrays({ ...mdp.arrays(), reward: new Float64Array(mdp.nnz) });
    for (const backup of BACKUPS) {
      const section = deriveWith(math, { backup, model: DEMONSTRATION.symbolic }).modelSection!;
      const res = solve(mdp, { backup, alpha: 0.8, gamma: 0.9, horizon: 3, prior });
      for (let s = 0; s < 3; s++) {
        const scope = actionScope(res.Q, prior.probs, s, 3, 0.8);
        expectClose(evaluateAt(math, section.V, { actions: 3 }, scope), res.V[s]!, `${backup} demonstration V(${s})`);
        for (let a = 0; a < 3; a++) {
          const local = { ...scope, Q: res.Q[s * 3 + a]!, pi0: prior.probs[s * 3 + a]!, V: res.V[s]! };
          expectClose(evaluateAt(math, section.policy, { actions: 3 }, local), res.policy[s * 3 + a]!, `${backup} demonstration q(${a}|${s})`);
        }
      }
      if (backup === "hard") continue;
      const z = solve(zero, { backup, alpha: 0.8, gamma: 0.9, horizon: 3, prior });
      const zeroV = find(section.equations, "V", "closed-form");
      const zeroPolicy = find(section.equations, "pol", "closed-form")[0]!;
      expect(evaluateAt(math, zeroV[zeroV.length - 1]!.rhs, {}, { alpha: 0.8 })).toBe(0);
      for (let s = 0; s < 3; s++) {
        expectClose(z.V[s]!, 0, `${backup} zero reward V(${s})`);
        for (let a = 0; a < 3; a++) {
          const derived = evaluateAt(math, zeroPolicy.rhs, {}, { pi0: prior.probs[s * 3 + a]! });
          expectClose(derived, z.policy[s * 3 + a]!, `${backup} zero reward q(${a}|${s})`);
        }
      }
    }
  });
});

describe("rlhf: the one-step closed form and DPO's implicit reward", () => {
  const rewards = [
    [1.0, -0.5, 0.25],
    [0.3, 0.9, -1.2],
  ];
  const reference = [
    [0.5, 0.3, 0.2],
    [0.1, 0.6, 0.3],
  ];
  const beta = 0.7;

  it("Q(x,y) = r(x,y), Z(x), V(x) = beta log Z(x), pi*(y|x) and r(x,y) = V(x) + beta log(pi*/pi_ref) match solve on the bandit and models/rlhf's closed form", () => {
    const bandit = banditModel({ rewards, reference });
    const closed = banditClosedForm(rewards, bandit.prior, beta);
    for (const backup of ["exact", "variational"] as const) {
      const section = deriveWith(math, { backup, model: RLHF.symbolic }).modelSection!;
      const res = solve(bandit.mdp, { backup, alpha: beta, horizon: 1, prior: bandit.prior });
      const eq = (lhs: string) => find(section.equations, lhs, "closed-form")[0]!.rhs;
      for (let x = 0; x < 2; x++) {
        const scope: Record<string, number> = { alpha: beta, gamma: 0.9 };
        for (let y = 0; y < 3; y++) {
          scope[`x_r_a${y}`] = rewards[x]![y]!;
          scope[`x_piref_a${y}`] = reference[x]![y]!;
        }
        const Z = evaluateAt(math, eq("x_Z"), { actions: 3 }, scope);
        const V = evaluateAt(math, eq("x_V"), {}, { alpha: beta, x_Z: Z });
        expectClose(V, res.V[x]!, `${backup} V(x=${x})`);
        expectClose(V, closed.value[x]!, `${backup} V(x=${x}) vs models/rlhf`);
        for (let y = 0; y < 3; y++) {
          const r = rewards[x]![y]!;
          expectClose(evaluateAt(math, eq("x_Q"), {}, { alpha: beta, gamma: 0.9, x_r: r }), res.Q[x * 3 + y]!, `${backup} Q(x=${x},y=${y})`);
          const pistar = evaluateAt(math, eq("x_pistar"), {}, { alpha: beta, x_r: r, x_piref: reference[x]![y]!, x_Z: Z });
          expectClose(pistar, res.policy[x * 3 + y]!, `${backup} pi*(y=${y}|x=${x})`);
          expectClose(pistar, closed.policy[x * 3 + y]!, `${backup} pi*(y=${y}|x=${x}) vs models/rlhf`);
          const implicit = evaluateAt(math, eq("x_r"), {}, { alpha: beta, x_V: res.V[x]!, x_pistar: res.policy[x * 3 + y]!, x_piref: reference[x]![y]! });
          expectClose(implicit, r, `${backup} r(x=${x},y=${y}) from the policy`);
        }
      }
    }
  });

  it("the DPO line recovers reward differences from the solved policy, as models/rlhf's implicitReward does", () => {
    const bandit = banditModel({ rewards, reference });
    const section = deriveWith(math, { backup: "variational", model: RLHF.symbolic }).modelSection!;
    const dpo = find(section.equations, "x_ry", "closed-form")[0]!.rhs;
    const res = solve(bandit.mdp, { backup: "variational", alpha: beta, horizon: 1, prior: bandit.prior });
    const implicit = implicitReward(res.policy, bandit.prior.probs, beta);
    for (let x = 0; x < 2; x++) {
      for (let y = 0; y < 3; y++) {
        for (let yp = 0; yp < 3; yp++) {
          const scope = {
            alpha: beta,
            x_pistar: res.policy[x * 3 + y]!,
            x_piref: reference[x]![y]!,
            x_pistarp: res.policy[x * 3 + yp]!,
            x_pirefp: reference[x]![yp]!,
          };
          const d = evaluateAt(math, dpo, {}, scope);
          expectClose(d, rewards[x]![y]! - rewards[x]![yp]!, `DPO r(x=${x},y=${y}) - r(x=${x},y'=${yp})`);
          expectClose(d, implicit[x * 3 + y]! - implicit[x * 3 + yp]!, `DPO vs models/rlhf implicitReward at x=${x}`);
        }
      }
    }
  });
});
