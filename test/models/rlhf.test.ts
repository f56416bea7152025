/**
 * models/rlhf: the reference-policy prior (KL-regularised RLHF).
 *
 * Objective (one step):  max_pi E_x[ E_{y~pi(.|x)} r(x,y) - beta KL(pi(.|x) || pi_ref(.|x)) ]
 * Closed form:           pi*(y|x) = pi_ref(y|x) exp(r(x,y)/beta) / Z(x),  V(x) = beta log Z(x),
 *                        DPO: r(x,y) - r(x,y') = beta log(pi*(y|x) / pi_ref(y|x)) - beta log(pi*(y'|x) / pi_ref(y'|x)).
 * Token level:           pi*(y) = pi_ref(y) exp(R(y)/beta) / Z over complete sequences y, with
 *                        exact = variational and log Z = ELBO (single start, deterministic, gamma 1).
 * The closed forms are computed here from the rewards and the reference (sequences enumerated by a
 * recursion of this file), and compared with the engine's results.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError, ParameterError, PriorError, solve, type TabularMdp } from "../../src/index.js";
import { RLHF, banditClosedForm, banditModel, implicitReward, sequenceClosedForm, sequenceProbabilities, tokenModel, type TokenModel } from "../../models/index.js";
import { fcParams } from "../support/arbitraries.js";
import { normalise, rel } from "../support/numeric.js";
import { lse } from "./oracles.js";

/** pi*(y|x) and log Z(x) for one context, from r and pi_ref, by the formula. */
function closedForm(r: readonly number[], ref: readonly number[], beta: number): { pi: number[]; logZ: number } {
  const u = r.map((ry, y) => (ref[y]! > 0 ? Math.log(ref[y]!) + ry / beta : -Infinity));
  const logZ = lse(u);
  return { pi: u.map((v) => (v === -Infinity ? 0 : Math.exp(v - logZ))), logZ };
}

const arbBandit = fc
  .record({ n: fc.integer({ min: 1, max: 4 }), m: fc.integer({ min: 1, max: 5 }) })
  .chain(({ n, m }) =>
    fc.record({
      rewards: fc.array(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: m, maxLength: m }), { minLength: n, maxLength: n }),
      // Reference weights; a weight below 0.2 masks the response (the first response always stays).
      weights: fc.array(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: m, maxLength: m }), { minLength: n, maxLength: n }),
      contexts: fc.array(fc.double({ min: 0.05, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
      beta: fc.double({ min: 0.05, max: 5, noNaN: true }),
    }),
  )
  .map(({ rewards, weights, contexts, beta }) => ({
    rewards,
    reference: weights.map((row) => normalise(row.map((w, y) => (y > 0 && w < 0.2 ? 0 : 0.1 + w)))),
    contexts: normalise(contexts),
    beta,
  }));

describe("one-step contextual bandit", () => {
  const rewards = [
    [1, 0, -1],
    [0.5, 2, 0],
  ];
  const reference = [
    [0.5, 0.25, 0.25],
    [0.2, 0.2, 0.6],
  ];

  it("the engine's policy and value equal pi_ref exp(r/beta)/Z and beta log Z(x) on a worked instance", () => {
    // Context 0, beta 0.5: weights 0.5 e^2, 0.25, 0.25 e^-2; Z = 3.978362..., V = 0.5 log Z = 0.690435...
    const model = banditModel({ rewards, reference });
    const beta = 0.5;
    const Z0 = 0.5 * Math.exp(2) + 0.25 + 0.25 * Math.exp(-2);
    expect(Z0).toBeCloseTo(3.978362, 6);
    expect(0.5 * Math.log(Z0)).toBeCloseTo(0.690435, 6);
    for (const backup of ["variational", "exact"] as const) {
      const res = solve(model.mdp, { backup, alpha: beta, horizon: model.horizon, prior: model.prior });
      expect(res.V[0]).toBeCloseTo(0.5 * Math.log(Z0), 13);
      expect(res.policy[0]).toBeCloseTo((0.5 * Math.exp(2)) / Z0, 13);
      for (let x = 0; x < 2; x++) {
        const cf = closedForm(rewards[x]!, reference[x]!, beta);
        expect(rel(res.V[x]!, beta * cf.logZ)).toBeLessThan(1e-12);
        for (let y = 0; y < 3; y++) expect(Math.abs(res.policy[x * 3 + y]! - cf.pi[y]!)).toBeLessThan(1e-12);
      }
    }
    expect(RLHF.name).toBe("rlhf");
  });

  it("engine = closed form on random bandits with random references (masked responses included), and the model's closed form agrees", () => {
    fc.assert(
      fc.property(arbBandit, ({ rewards, reference, contexts, beta }) => {
        const model = banditModel({ rewards, reference, contexts });
        const m = model.nResponses;
        const res = solve(model.mdp, { alpha: beta, horizon: 1, prior: model.prior });
        const exact = solve(model.mdp, { backup: "exact", alpha: beta, horizon: 1, prior: model.prior });
        const stated = banditClosedForm(rewards, model.prior, beta);
        let elbo = 0;
        for (let x = 0; x < rewards.length; x++) {
          const cf = closedForm(rewards[x]!, reference[x]!, beta);
          elbo += contexts[x]! * cf.logZ;
          expect(rel(res.V[x]!, beta * cf.logZ), `context ${x}`).toBeLessThan(1e-9);
          expect(rel(exact.V[x]!, beta * cf.logZ), `context ${x}`).toBeLessThan(1e-9);
          expect(rel(stated.value[x]!, beta * cf.logZ)).toBeLessThan(1e-12);
          expect(rel(stated.logZ[x]!, cf.logZ)).toBeLessThan(1e-12);
          for (let y = 0; y < m; y++) {
            expect(Math.abs(res.policy[x * m + y]! - cf.pi[y]!), `context ${x}, response ${y}`).toBeLessThan(1e-9);
            expect(Math.abs(stated.policy[x * m + y]! - cf.pi[y]!)).toBeLessThan(1e-12);
          }
        }
        // The optimum's ELBO is E_x log Z(x); log Z of the whole problem is log E_x Z(x) (Jensen: >=).
        expect(rel(res.elbo!, elbo)).toBeLessThan(1e-9);
        expect(rel(res.logZ!, lse(contexts.map((p, x) => Math.log(p) + closedForm(rewards[x]!, reference[x]!, beta).logZ)))).toBeLessThan(1e-9);
      }),
      fcParams(200),
    );
  });

  it("DPO identity: the implicit reward beta log(pi*/pi_ref) recovers every reward difference within a context", () => {
    fc.assert(
      fc.property(arbBandit, ({ rewards, reference, beta }) => {
        const model = banditModel({ rewards, reference });
        const m = model.nResponses;
        const res = solve(model.mdp, { alpha: beta, horizon: 1, prior: model.prior });
        const implicit = implicitReward(res.policy, model.prior.probs, beta);
        const scale = Math.max(1, ...rewards.flat().map(Math.abs));
        for (let x = 0; x < rewards.length; x++) {
          const logZ = closedForm(rewards[x]!, reference[x]!, beta).logZ;
          for (let y = 0; y < m; y++) {
            if (reference[x]![y] === 0) {
              expect(implicit[x * m + y]).toBe(-Infinity);
              continue;
            }
            // implicit = r(x,y) - beta log Z(x), so differences between responses are reward differences.
            expect(Math.abs(implicit[x * m + y]! - (rewards[x]![y]! - beta * logZ))).toBeLessThan(1e-8 * scale);
            for (let y2 = 0; y2 < m; y2++) {
              if (reference[x]![y2] === 0) continue;
              const lhs = rewards[x]![y]! - rewards[x]![y2]!;
              const rhs = implicit[x * m + y]! - implicit[x * m + y2]!;
              expect(Math.abs(lhs - rhs), `context ${x}, responses ${y}, ${y2}`).toBeLessThan(1e-8 * scale);
            }
          }
        }
      }),
      fcParams(200),
    );
  });

  it("implicitReward takes rows too, and refuses mismatched shapes and pi > 0 where pi_ref = 0", () => {
    const nested = implicitReward([[0.5, 0.5]], [[0.25, 0.75]], 2);
    expect(nested[0]![0]).toBeCloseTo(2 * Math.log(2), 14);
    expect(nested[0]![1]).toBeCloseTo(2 * Math.log(2 / 3), 14);
    expect(() => implicitReward([0.5, 0.5], [1, 0], 1)).toThrow(PriorError);
    expect(() => implicitReward([0.5, 0.5], [1], 1)).toThrow(PriorError);
    expect(() => implicitReward([[0.5, 0.5]], [[1]], 1)).toThrow(PriorError);
    expect(() => implicitReward([0.5, 0.5], [0.5, 0.5], 0)).toThrow(ParameterError);
  });

  it("refuses ragged or non-finite rewards and a reference that is not a distribution, naming the context", () => {
    const e1 = thrown(() => banditModel({ rewards: [[1, 2], [3]] }));
    expect(e1.problems[0]!.message).toMatch(/context 1 has 1 rewards, expected 2/);
    const e2 = thrown(() => banditModel({ rewards: [[1, Number.NaN]] }));
    expect(e2.problems[0]!.message).toMatch(/context 0, response 1/);
    const e3 = thrown(() => banditModel({ rewards: [[1, 2]], reference: [[0.5, 0.6]] }));
    expect(e3).toBeInstanceOf(PriorError);
    expect(e3.problems[0]!.message).toMatch(/reference policy: state 0: the probabilities sum to 1.1/);
  });
});

// ---------------------------------------------------------------- token level

interface Seq {
  tokens: number[];
  logRef: number;
}

/** Every complete sequence with log pi_ref(y), by recursion over tokens (independent of the builder). */
function enumerateSequences(V: number, L: number, end: number | null, ref: (prefix: readonly number[]) => readonly number[]): Seq[] {
  const out: Seq[] = [];
  const walk = (prefix: number[], logRef: number): void => {
    const p = ref(prefix);
    for (let a = 0; a < V; a++) {
      const tokens = [...prefix, a];
      const lr = logRef + (p[a]! > 0 ? Math.log(p[a]!) : -Infinity);
      if (a === end || tokens.length === L) out.push({ tokens, logRef: lr });
      else walk(tokens, lr);
    }
  };
  walk([], 0);
  return out;
}

/** The distribution a token-level policy induces over complete sequences, by walking the MDP's entries. */
function induced(mdp: TabularMdp, policy: Float64Array): Map<string, number> {
  const m = mdp.nActions;
  const out = new Map<string, number>();
  const walk = (s: number, tokens: number[], p: number): void => {
    for (let a = 0; a < m; a++) {
      const [e] = mdp.entries(s, a);
      const q = p * policy[s * m + a]!;
      if (e!.done) out.set([...tokens, a].join(","), q);
      else walk(e!.next, [...tokens, a], q);
    }
  };
  walk(0, [], 1);
  return out;
}

/** Check the engine against the sequence-level closed form on one token model. */
function checkTokenModel(model: TokenModel, ref: (prefix: readonly number[]) => readonly number[], R: (tokens: readonly number[]) => number, beta: number): void {
  const V = model.vocabulary.length;
  const seqs = enumerateSequences(V, model.length, model.endToken, ref);
  expect(model.sequences.length).toBe(seqs.length);
  const u = seqs.map((s) => s.logRef + R(s.tokens) / beta);
  const logZ = lse(u);
  const target = new Map(seqs.map((s, i) => [s.tokens.join(","), u[i] === -Infinity ? 0 : Math.exp(u[i]! - logZ)]));
  const opts = { alpha: beta, gamma: 1, horizon: model.horizon, prior: model.prior };
  const vi = solve(model.mdp, { ...opts, backup: "variational" });
  const ex = solve(model.mdp, { ...opts, backup: "exact" });
  // exact = variational (deterministic dynamics, gamma 1), V(start) = beta log Z, log Z = ELBO.
  for (let s = 0; s < model.mdp.nStates; s++) {
    expect(rel(ex.V[s]!, vi.V[s]!), `state ${s}`).toBeLessThan(1e-9);
    for (let a = 0; a < V; a++) expect(Math.abs(ex.policy[s * V + a]! - vi.policy[s * V + a]!)).toBeLessThan(1e-9);
  }
  expect(rel(vi.V[0]!, beta * logZ)).toBeLessThan(1e-9);
  expect(rel(vi.logZ!, logZ)).toBeLessThan(1e-9);
  expect(rel(vi.elbo!, logZ)).toBeLessThan(1e-9);
  expect(rel(ex.elbo!, ex.logZ!)).toBeLessThan(1e-9);
  // The token-level policy induces pi_ref(y) exp(R(y)/beta) / Z.
  for (const [key, p] of induced(model.mdp, vi.policy)) expect(Math.abs(p - target.get(key)!), `sequence ${key}`).toBeLessThan(1e-9);
  // The model's own statement of the closed form and of the induced distribution agree.
  const stated = sequenceClosedForm(model, beta);
  expect(rel(stated.logZ, logZ)).toBeLessThan(1e-12);
  const fromPolicy = sequenceProbabilities(model, vi.policy);
  model.sequences.forEach((seq, i) => {
    const want = target.get(seq.tokens.join(","))!;
    expect(Math.abs(stated.probabilities[i]! - want)).toBeLessThan(1e-12);
    expect(Math.abs(fromPolicy[i]! - want)).toBeLessThan(1e-9);
    expect(seq.reward).toBe(R(seq.tokens));
  });
}

describe("token-level sequence model", () => {
  it("with an end token: the token policy induces pi_ref(y) exp(R(y)/beta) / Z, exact = variational, log Z = ELBO", () => {
    const vocabulary = ["good", "bad", "<eos>"];
    const reward = { "good <eos>": 1, "good good <eos>": 2, "bad <eos>": -1, "good good good": 0.5, "<eos>": -0.5 };
    // The reference prefers to stop after one token, and is uniform at the start.
    const ref = (prefix: readonly number[]): number[] => (prefix.length === 0 ? [1 / 3, 1 / 3, 1 / 3] : [0.2, 0.3, 0.5]);
    const model = tokenModel({ vocabulary, length: 3, endToken: "<eos>", reward, reference: ref });
    // Prefix states: start; good, bad; good good, good bad, bad good, bad bad; then <complete>.
    expect(model.mdp.nStates).toBe(8);
    expect(model.mdp.stateNames?.[3]).toBe("good good");
    expect(model.sequences.length).toBe(1 + 2 + 4 + 8);
    const R = (tokens: readonly number[]): number => (reward as Record<string, number>)[tokens.map((t) => vocabulary[t]).join(" ")] ?? 0;
    for (const beta of [0.3, 1, 4]) checkTokenModel(model, ref, R, beta);
  });

  it("with a fixed length (no end token): every sequence has L tokens, V^L of them", () => {
    const R = (tokens: readonly number[]): number => tokens.reduce((acc, t, i) => acc + (t === 1 ? 1 : -0.5) * (i + 1), 0);
    const model = tokenModel({ vocabulary: 2, length: 4, reward: R });
    expect(model.sequences.length).toBe(16);
    expect(model.mdp.nStates).toBe(1 + 2 + 4 + 8 + 1);
    checkTokenModel(model, () => [0.5, 0.5], R, 0.7);
  });

  it("holds on random vocabularies, lengths, rewards and per-token references", () => {
    const arb = fc.record({
      V: fc.integer({ min: 1, max: 3 }),
      L: fc.integer({ min: 1, max: 3 }),
      withEnd: fc.boolean(),
      beta: fc.double({ min: 0.1, max: 4, noNaN: true }),
      rewardSeed: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 7, maxLength: 7 }),
      refSeed: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }),
    });
    fc.assert(
      fc.property(arb, ({ V, L, withEnd, beta, rewardSeed, refSeed }) => {
        const hash = (tokens: readonly number[]): number => tokens.reduce((h, t) => h * 31 + t + 1, 7);
        const R = (tokens: readonly number[]): number => rewardSeed[hash(tokens) % rewardSeed.length]!;
        // A reference that depends on the prefix, masking some tokens (never the first).
        const ref = (prefix: readonly number[]): number[] =>
          normalise(Array.from({ length: V }, (_, a) => {
            const w = refSeed[(hash(prefix) + a) % refSeed.length]!;
            return a > 0 && w < 0.15 ? 0 : 0.1 + w;
          }));
        const model = tokenModel({ vocabulary: V, length: L, ...(withEnd ? { endToken: V - 1 } : {}), reward: R, reference: ref });
        checkTokenModel(model, ref, R, beta);
      }),
      fcParams(150),
    );
  });

  it("refuses reward-table keys that are not complete sequences, non-finite rewards, bad vocabularies and too many states", () => {
    const e = thrown(() => tokenModel({ vocabulary: ["a", "<eos>"], length: 2, endToken: "<eos>", reward: { "a a a": 1, "a <eos>": 1, b: 2 } }));
    expect(e.problems.map((p) => p.path)).toEqual(['reward["a a a"]', 'reward["b"]']);
    expect(e.problems[0]!.message).toMatch(/"a a a" is not a complete sequence/);
    const f = thrown(() => tokenModel({ vocabulary: 2, length: 1, reward: () => Number.POSITIVE_INFINITY }));
    expect(f.problems).toHaveLength(2);
    expect(f.problems[0]!.message).toMatch(/reward of the sequence "0": Infinity is not a finite number/);
    expect(() => tokenModel({ vocabulary: ["a", "a"], length: 1, reward: {} })).toThrow(/token "a" appears twice/);
    expect(() => tokenModel({ vocabulary: ["a b"], length: 1, reward: {} })).toThrow(ParameterError);
    expect(() => tokenModel({ vocabulary: 2, length: 0, reward: {} })).toThrow(ParameterError);
    expect(() => tokenModel({ vocabulary: 2, length: 2, endToken: "x", reward: {} })).toThrow(/"x" is not a token/);
    expect(() => tokenModel({ vocabulary: 10, length: 7, reward: {} })).toThrow(/1111111 prefix states, more than the limit 1000000/);
    const g = thrown(() => tokenModel({ vocabulary: 2, length: 2, reward: {}, reference: () => [0.5, 0.4] }));
    expect(g).toBeInstanceOf(PriorError);
    expect(g.problems[0]!.message).toMatch(/reference policy: state 0: the probabilities sum to 0.9/);
  });
});

function thrown(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error("expected an InputError");
}
