/**
 * models/demonstration: the demonstration prior (imitation-bootstrapped RL).
 *
 * Prior:      pi_D(a|s) = (c(s,a) + lambda) / (c(s) + m lambda); uniform where c(s) = 0 and lambda = 0.
 * Objective:  max_pi E[ sum_t gamma^t (r_t - alpha KL(pi(.|s_t) || pi_D(.|s_t))) ]
 * Closed forms confirmed here against the engine:
 * - zero reward: policy = pi_D and V = 0 (every backup, finite and infinite horizon);
 * - alpha -> infinity: policy -> pi_D, with |pi - pi_D| <= exp(2 R_max / ((1 - gamma) alpha)) - 1;
 * - alpha -> 0: the greedy policy of the hard optimum on the support of pi_D, with
 *   0 <= V_supp - V_KL <= alpha max_s log(1 / pi_D(a*(s)|s)) / (1 - gamma).
 * pi_D is computed here from the pairs by the formula; the support-restricted hard optimum by the
 * value iteration of ./oracles.ts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PriorError, TabularMdp, solve, type Problem } from "../../src/index.js";
import {
  DEMONSTRATION,
  checkCounts,
  countPairs,
  countTrajectories,
  demonstrationPrior,
  describeRestriction,
  greedyOnSupport,
  parseDemonstrations,
} from "../../models/index.js";
import { arbMdp, fcParams } from "../support/arbitraries.js";
import { rel } from "../support/numeric.js";
import { expectHardLimit, fixedPointTol, hardQ, rowMax } from "./oracles.js";

/** pi_D by the formula, from the pairs. */
function formula(pairs: readonly (readonly [number, number])[], n: number, m: number, lambda: number): number[][] {
  const c = Array.from({ length: n }, () => new Array<number>(m).fill(0));
  for (const [s, a] of pairs) c[s]![a]! += 1;
  return c.map((row) => {
    const total = row.reduce((x, y) => x + y, 0);
    if (total === 0 && lambda === 0) return row.map(() => 1 / m);
    return row.map((x) => (x + lambda) / (total + m * lambda));
  });
}

/** Random demonstration sets: sizes, pairs in range, lambda 0 half of the time. */
const arbDemos = (n: number, m: number) =>
  fc.record({
    pairs: fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: m - 1 })), { maxLength: 12 }),
    lambda: fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 3, noNaN: true })),
  });

/** A random MDP together with a random demonstration set for it. */
const arbMdpWithDemos = (shape: Parameters<typeof arbMdp>[0] = {}) => arbMdp(shape).chain((mdp) => fc.record({ mdp: fc.constant(mdp), demos: arbDemos(mdp.nStates, mdp.nActions) }));

/** The same MDP with every reward set to 0. */
function zeroReward(mdp: TabularMdp): TabularMdp {
  return TabularMdp.fromArrays({ ...mdp.arrays(), reward: new Float64Array(mdp.reward.length) });
}

function problems(f: () => unknown): readonly Problem[] {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(PriorError);
    return (e as PriorError).problems;
  }
  throw new Error("expected a PriorError");
}

describe("pi_D = (count(s,a) + lambda) / (count(s) + m lambda)", () => {
  const pairs = [
    [0, 1],
    [0, 1],
    [0, 2],
    [1, 0],
  ] as const;

  it("on a worked instance: lambda = 0 restricts the support and leaves the undemonstrated state uniform", () => {
    const d = demonstrationPrior(countPairs(pairs, 3, 3), 3, 3, 0);
    const p = Array.from(d.prior.probs);
    expect(p.slice(0, 3)).toEqual([0, 2 / 3, 1 / 3]);
    expect(p.slice(3, 6)).toEqual([1, 0, 0]);
    expect(p.slice(6, 9)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    expect(Array.from(d.counts)).toEqual([0, 2, 1, 1, 0, 0, 0, 0, 0]);
    expect(d.restricted).toEqual([
      { state: 0, excluded: [0] },
      { state: 1, excluded: [1, 2] },
    ]);
    expect(d.undemonstrated).toEqual([2]);
    expect(describeRestriction(d.restricted)).toMatch(/excludes actions in 2 states: 0 \(excludes 0\); 1 \(excludes 1, 2\)/);
    expect(DEMONSTRATION.name).toBe("demonstration");
  });

  it("on a worked instance: lambda = 0.5 keeps every action ((0.5, 2.5, 1.5) / 4.5 and (1.5, 0.5, 0.5) / 2.5)", () => {
    const d = demonstrationPrior(countPairs(pairs, 3, 3), 3, 3, 0.5);
    const want = [1 / 9, 5 / 9, 3 / 9, 0.6, 0.2, 0.2, 1 / 3, 1 / 3, 1 / 3];
    want.forEach((w, i) => expect(d.prior.probs[i]).toBeCloseTo(w, 15));
    expect(d.restricted).toEqual([]);
    expect(describeRestriction(d.restricted)).toBeNull();
  });

  it("whole trajectories, as [s, a] steps or as state and action sequences, count like the same pairs", () => {
    const fromTrajectories = countTrajectories(
      [
        [
          [0, 1],
          [0, 1],
        ],
        { states: [0, 1, 2], actions: [2, 0] },
      ],
      3,
      3,
    );
    expect(Array.from(fromTrajectories)).toEqual(Array.from(countPairs(pairs, 3, 3)));
    const doc = parseDemonstrations({ trajectories: [{ states: [0, 1], actions: [2, 0] }], demonstrations: [[0, 1], [0, 1]], smoothing: 0 }, 3, 3);
    expect(Array.from(doc.counts)).toEqual(Array.from(countPairs(pairs, 3, 3)));
  });

  it("equals the formula on random demonstration sets; rows sum to 1; restricted exactly where lambda = 0 leaves out a demonstrated state's action", () => {
    fc.assert(
      fc.property(
        fc.record({ n: fc.integer({ min: 1, max: 5 }), m: fc.integer({ min: 1, max: 4 }) }).chain(({ n, m }) => fc.record({ n: fc.constant(n), m: fc.constant(m), demos: arbDemos(n, m) })),
        ({ n, m, demos }) => {
          const d = demonstrationPrior(countPairs(demos.pairs, n, m), n, m, demos.lambda);
          const want = formula(demos.pairs, n, m, demos.lambda);
          const restricted: number[] = [];
          for (let s = 0; s < n; s++) {
            let sum = 0;
            for (let a = 0; a < m; a++) {
              expect(Math.abs(d.prior.probs[s * m + a]! - want[s]![a]!), `state ${s}, action ${a}`).toBeLessThan(1e-15);
              sum += d.prior.probs[s * m + a]!;
            }
            expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
            if (want[s]!.some((p) => p === 0)) restricted.push(s);
          }
          expect(d.restricted.map((r) => r.state)).toEqual(restricted);
          if (demos.lambda > 0) expect(d.restricted).toEqual([]);
        },
      ),
      fcParams(200),
    );
  });
});

describe("closed forms", () => {
  it("zero reward: the policy is pi_D and V = 0, in every backup, finite and infinite horizon", () => {
    fc.assert(
      fc.property(arbMdpWithDemos({ maxStates: 4 }), fc.double({ min: 0.05, max: 5, noNaN: true }), fc.double({ min: 0.3, max: 0.95, noNaN: true }), ({ mdp, demos }, alpha, gamma) => {
        const flat = zeroReward(mdp);
        const { prior } = demonstrationPrior(countPairs(demos.pairs, mdp.nStates, mdp.nActions), mdp.nStates, mdp.nActions, demos.lambda);
        for (const backup of ["variational", "exact"] as const) {
          for (const horizon of [{ horizon: 3 }, {}]) {
            const res = solve(flat, { backup, alpha, gamma, ...horizon, prior });
            for (let i = 0; i < prior.probs.length; i++) expect(Math.abs(res.policy[i]! - prior.probs[i]!)).toBeLessThan(1e-12);
            for (let s = 0; s < mdp.nStates; s++) expect(Math.abs(res.V[s]!)).toBeLessThan(1e-12);
          }
        }
      }),
      fcParams(100),
    );
  });

  it("alpha -> infinity: |pi - pi_D| <= exp(2 R_max / ((1 - gamma) alpha)) - 1, shrinking as alpha grows", () => {
    fc.assert(
      fc.property(arbMdpWithDemos({ maxStates: 4 }), fc.double({ min: 0.3, max: 0.9, noNaN: true }), ({ mdp, demos }, gamma) => {
        const { prior } = demonstrationPrior(countPairs(demos.pairs, mdp.nStates, mdp.nActions), mdp.nStates, mdp.nActions, demos.lambda);
        const rMax = Math.max(...Array.from(mdp.reward, Math.abs));
        const worst: number[] = [];
        for (const alpha of [1e2, 1e4, 1e6]) {
          const res = solve(mdp, { alpha, gamma, prior });
          const bound = Math.expm1((2 * rMax) / ((1 - gamma) * alpha));
          let w = 0;
          for (let i = 0; i < prior.probs.length; i++) {
            const d = Math.abs(res.policy[i]! - prior.probs[i]!);
            expect(d).toBeLessThanOrEqual(bound * prior.probs[i]! + 1e-12);
            w = Math.max(w, d);
          }
          worst.push(w);
        }
        // The deviation is first order in 1/alpha: 10^4 times larger alpha, about 10^4 times smaller deviation.
        expect(worst[2]!).toBeLessThanOrEqual(worst[0]! * 1e-3 + 1e-12);
      }),
      fcParams(50),
    );
  });

  it("alpha -> 0: the hard backup is the optimum on the support of pi_D, and 0 <= V_supp - V_KL <= alpha max_s log(1/pi_D(a*|s)) / (1 - gamma)", () => {
    fc.assert(
      fc.property(arbMdpWithDemos({ maxStates: 4 }), fc.double({ min: 0.3, max: 0.9, noNaN: true }), fc.double({ min: 0.001, max: 1, noNaN: true }), ({ mdp, demos }, gamma, alpha) => {
        const m = mdp.nActions;
        const { prior } = demonstrationPrior(countPairs(demos.pairs, mdp.nStates, m), mdp.nStates, m, demos.lambda);
        const onSupport = (s: number, a: number): boolean => prior.probs[s * m + a]! > 0;
        const Q = hardQ(mdp, gamma, null, onSupport);
        const Vsupp = rowMax(Q, onSupport);
        const hard = solve(mdp, { backup: "hard", gamma, prior });
        const soft = solve(mdp, { alpha, gamma, prior });
        // The KL of the greedy policy to pi_D is log(1/pi_D(a*|s)) per step: take the best greedy action.
        let worstLog = 0;
        for (let s = 0; s < mdp.nStates; s++) {
          let best = 0;
          for (let a = 0; a < m; a++) if (onSupport(s, a) && Q[s]![a]! >= Vsupp[s]! - 1e-12) best = Math.max(best, prior.probs[s * m + a]!);
          worstLog = Math.max(worstLog, -Math.log(best));
        }
        const bound = (alpha * worstLog) / (1 - gamma);
        expectHardLimit(Vsupp, hard.V, soft.V, bound, fixedPointTol(gamma, null));
      }),
      fcParams(100),
    );
  });

  it("alpha -> 0: the policy tends to pi_D on the greedy actions of the support (greedyOnSupport), and the hard backup is that limit", () => {
    // Two states, three actions, gamma 0.8. pi_D (lambda = 0): state 0 demonstrated actions 0 and 1
    // (counts 1, 3), state 1 never demonstrated (uniform). Action 2 at state 0 would be best (reward 5) but is excluded.
    const mdp = TabularMdp.fromLists([
      [
        [{ prob: 1, next: 1, reward: 1, done: false }],
        [{ prob: 1, next: 0, reward: 0.5, done: false }],
        [{ prob: 1, next: 1, reward: 5, done: false }],
      ],
      [
        [{ prob: 1, next: 0, reward: 0, done: false }],
        [{ prob: 1, next: 1, reward: 0.2, done: false }],
        [{ prob: 1, next: 0, reward: 0, done: false }],
      ],
    ]);
    const d = parseDemonstrations({ demonstrations: [[0, 0], [0, 1], [0, 1], [0, 1]] }, 2, 3);
    const onSupport = (s: number, a: number): boolean => d.prior.probs[s * 3 + a]! > 0;
    const Q = hardQ(mdp, 0.8, null, onSupport);
    // By hand on the support: V(1) = max(0.8 V(0), 0.2 + 0.8 V(1)); V(0) = max(1 + 0.8 V(1), 0.5 + 0.8 V(0)).
    // With actions 0 at state 0 and 0 (or 2) at state 1: V(0) = 1 / (1 - 0.64) = 2.777..., V(1) = 0.8 V(0) = 2.222...
    expect(rowMax(Q, onSupport)[0]).toBeCloseTo(1 / 0.36, 10);
    const limit = greedyOnSupport(Q.flat(), d.prior);
    // State 0: action 0 alone; state 1: actions 0 and 2 tie (both lead to state 0), shared by the uniform prior.
    expect(Array.from(limit)).toEqual([1, 0, 0, 0.5, 0, 0.5]);
    const hard = solve(mdp, { backup: "hard", gamma: 0.8, prior: d.prior });
    for (let i = 0; i < 6; i++) expect(Math.abs(hard.policy[i]! - limit[i]!)).toBeLessThan(1e-12);
    let previous = Infinity;
    for (const alpha of [0.01, 0.003, 0.001]) {
      const soft = solve(mdp, { alpha, gamma: 0.8, prior: d.prior });
      const worst = Math.max(...Array.from(limit, (p, i) => Math.abs(p - soft.policy[i]!)));
      expect(worst).toBeLessThan(previous);
      previous = worst;
    }
    expect(previous).toBeLessThan(1e-6);
  });

  it("the support problem: an action never demonstrated (lambda = 0) is never taken, at any alpha; lambda > 0 lets small alpha find it", () => {
    // One decision, rewards 0, 1, 10; the demonstrator took action 0 twice and action 1 once.
    const bandit = TabularMdp.fromLists([[0, 1, 10].map((r) => [{ prob: 1, next: 0, reward: r, done: true }])]);
    const d0 = parseDemonstrations({ demonstrations: [[0, 0], [0, 0], [0, 1]] }, 1, 3);
    expect(d0.restricted).toEqual([{ state: 0, excluded: [2] }]);
    for (const alpha of [0.01, 1, 100]) {
      const res = solve(bandit, { alpha, horizon: 1, prior: d0.prior });
      expect(res.policy[2]).toBe(0);
      // Closed form on the support: pi ∝ pi_D exp(r/alpha) over actions 0, 1; V = alpha log(2/3 + e^(1/alpha)/3).
      const z = (2 / 3) * Math.exp(-1 / alpha) + 1 / 3;
      expect(res.policy[1]).toBeCloseTo(1 / 3 / z, 12);
      expect(rel(res.V[0]!, 1 + alpha * Math.log(z))).toBeLessThan(1e-12);
    }
    expect(solve(bandit, { backup: "hard", horizon: 1, prior: d0.prior }).V[0]).toBe(1);
    const d1 = parseDemonstrations({ demonstrations: [[0, 0], [0, 0], [0, 1]], smoothing: 0.1 }, 1, 3);
    expect(d1.restricted).toEqual([]);
    const res = solve(bandit, { alpha: 0.01, horizon: 1, prior: d1.prior });
    expect(res.policy[2]).toBeGreaterThan(1 - 1e-12);
    expect(solve(bandit, { backup: "hard", horizon: 1, prior: d1.prior }).V[0]).toBe(10);
  });
});

describe("bad demonstrations are PriorErrors that name the place", () => {
  it("pairs of the wrong shape, states and actions out of range or not integers", () => {
    const ps = problems(() => countPairs([[0, 1], [5, 0], [0, -1], [1.5, 0], [0], "x"], 3, 2));
    expect(ps.map((p) => p.path)).toEqual(["demonstrations[1][0]", "demonstrations[2][1]", "demonstrations[3][0]", "demonstrations[4]", "demonstrations[5]"]);
    expect(ps[0]!.message).toBe("demonstrations[1][0]: state 5 is out of range (states are 0..2)");
    expect(ps[1]!.message).toBe("demonstrations[2][1]: action -1 is out of range (actions are 0..1)");
    expect(ps[2]!.message).toBe("demonstrations[3][0]: state 1.5 is not an integer index (states are 0..2)");
    expect(ps[3]!.message).toBe("demonstrations[4]: expected a [state, action] pair, got [0]");
    expect(problems(() => countPairs({ 0: [0, 0] }, 3, 2))[0]!.message).toMatch(/expected a list of \[state, action\] pairs/);
  });

  it("trajectories: steps out of range, sequences of mismatched lengths, a final state out of range", () => {
    const ps = problems(() => countTrajectories([[[0, 0], [0, 7]], { states: [0], actions: [0, 1] }, { states: [0, 9], actions: [1] }, 3], 2, 2));
    expect(ps.map((p) => p.message)).toEqual([
      "trajectories[0][1][1]: action 7 is out of range (actions are 0..1)",
      "trajectories[1]: 1 states for 2 actions (expected one state per action, or one more for the final state)",
      "trajectories[2].states[1]: state 9 is out of range (states are 0..1)",
      'trajectories[3]: expected a list of [state, action] steps or {"states": [...], "actions": [...]}',
    ]);
  });

  it("counts: negative, not finite, rows of the wrong length; smoothing negative", () => {
    const ps = problems(() => checkCounts([[1, -2], [0, Number.NaN], [1]], 3, 2));
    expect(ps.map((p) => p.message)).toEqual([
      "counts[0][1]: state 0, action 1: count -2 is not a finite number >= 0",
      "counts[1][1]: state 1, action 1: count NaN is not a finite number >= 0",
      "counts: state 2 has 1 counts, expected 2 (one per action)",
    ]);
    expect(problems(() => checkCounts([[1, 2]], 3, 2))[0]!.message).toMatch(/expected 3 rows of 2 counts, got 1 rows/);
    expect(problems(() => checkCounts([1, 2, 3], 2, 2))[0]!.message).toMatch(/has 3 counts, expected 4/);
    expect(problems(() => demonstrationPrior([1, 1], 1, 2, -0.5))[0]!.message).toBe("smoothing: must be a finite number >= 0, got -0.5");
    // Fractional counts are weights; the prior uses them as they are.
    expect(Array.from(demonstrationPrior([0.5, 1.5], 1, 2).prior.probs)).toEqual([0.25, 0.75]);
  });

  it("a document: not an object, no demonstrations, an unknown key, bad smoothing; problems from every part together", () => {
    expect(problems(() => parseDemonstrations([[0, 0]], 2, 2, "d.json"))[0]!.message).toMatch(/^d.json: expected an object/);
    const ps = problems(() => parseDemonstrations({ smothing: 1 }, 2, 2, "d.json"));
    expect(ps.map((p) => p.message)).toEqual([
      'd.json: unknown key "smothing" (expected demonstrations, trajectories, counts, smoothing, meta)',
      'd.json: no "demonstrations", "trajectories" or "counts"',
    ]);
    const all = problems(() => parseDemonstrations({ demonstrations: [[2, 0]], counts: [[0, -1], [0, 0]], smoothing: -1 }, 2, 2, "d.json"));
    expect(all.map((p) => p.message)).toEqual([
      "d.json: demonstrations[0][0]: state 2 is out of range (states are 0..1)",
      "d.json: counts[0][1]: state 0, action 1: count -1 is not a finite number >= 0",
      "d.json: smoothing must be a finite number >= 0, got -1",
    ]);
    const ok = parseDemonstrations({ counts: [[1, 3], [0, 0]], meta: { source: "hand" } }, 2, 2);
    expect(Array.from(ok.prior.probs)).toEqual([0.25, 0.75, 0.5, 0.5]);
  });
});
