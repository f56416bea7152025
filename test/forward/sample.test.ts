/**
 * Sampling: empirical frequencies converge to the forward marginals.
 *
 *   f_t(s) = #{episodes with s_t = s (alive)} / N  ->  D_t(s)      (q(tau) or p(tau | O))
 *
 * The bound is derived from the sample size, not tuned: Bernstein's inequality for a mean of N
 * Bernoulli(p) draws gives |f - p| <= sqrt(2 p (1 - p) L / N) + 2 L / (3 N) with probability at
 * least 1 - 2 exp(-L) per cell; L = log(2 K / delta) with K cells makes the union fail with
 * probability at most delta = 1e-9 per MDP. Seeds are fixed, so the run is reproducible.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Rng, demonstrationsDocument, marginals, sampleTrajectories, solve, type Marginals, type Samples } from "../../src/index.js";
import { parseDemonstrations } from "../../models/index.js";
import { arbMdp } from "../support/arbitraries.js";
import { gamble, smallStochastic } from "../support/fixtures.js";

const DELTA = 1e-9;

/** Cells (t, s) and (t, s, a) where the empirical frequency is outside the Bernstein bound. */
function violations(samples: Samples, fw: Marginals, N: number): string[] {
  const H = fw.horizon!;
  const n = fw.nStates;
  const m = fw.nActions;
  const fs = Array.from({ length: H + 1 }, () => new Float64Array(n));
  const fsa = Array.from({ length: H }, () => new Float64Array(n * m));
  for (const e of samples.episodes) {
    e.actions.forEach((a, t) => fsa[t]![e.states[t]! * m + a]! += 1 / N);
    e.states.forEach((s, t) => (fs[t]![s]! += 1 / N));
  }
  const K = (H + 1) * n + H * n * m;
  const L = Math.log((2 * K) / DELTA);
  const bound = (p: number) => Math.sqrt((2 * p * (1 - p) * L) / N) + (2 * L) / (3 * N);
  const bad: string[] = [];
  for (let t = 0; t <= H; t++) for (let s = 0; s < n; s++) {
    const p = fw.stateMarginals![t]![s]!;
    if (Math.abs(fs[t]![s]! - p) > bound(p)) bad.push(`D_${t}(${s}): sampled ${fs[t]![s]} vs ${p}`);
  }
  for (let t = 0; t < H; t++) for (let i = 0; i < n * m; i++) {
    const p = fw.stateActionMarginals![t]![i]!;
    if (Math.abs(fsa[t]![i]! - p) > bound(p)) bad.push(`D_${t}(${Math.floor(i / m)}, ${i % m}): sampled ${fsa[t]![i]} vs ${p}`);
  }
  return bad;
}

describe("sampled frequencies converge to the marginals (Bernstein bound from N, failure probability 1e-9)", () => {
  it("q(tau) on random MDPs, every backup's policy", () => {
    const N = 20_000;
    fc.assert(
      fc.property(arbMdp(), fc.constantFrom("variational", "exact", "hard" as const), fc.double({ min: 0.5, max: 1, noNaN: true }), fc.integer({ min: 1, max: 4 }), (mdp, backup, gamma, H) => {
        const res = solve(mdp, { backup, gamma, horizon: H });
        const samples = sampleTrajectories(mdp, res, { episodes: N, seed: 7 });
        expect(violations(samples, marginals(mdp, res), N)).toEqual([]);
      }),
      { numRuns: 15, seed: 15 },
    );
  });

  it("p(tau | O) with the death branch (gamma = 0.8): the posterior's alive marginals", () => {
    const N = 40_000;
    const res = solve(smallStochastic, { backup: "exact", gamma: 0.8, horizon: 5, alpha: 0.7 });
    const samples = sampleTrajectories(smallStochastic, res, { episodes: N, seed: 3, from: "posterior" });
    expect(samples.episodes.some((e) => e.end === "death")).toBe(true);
    expect(violations(samples, marginals(smallStochastic, res, { from: "posterior" }), N)).toEqual([]);
  });

  it("the optimism lesson in samples: the posterior's gamble pays +10 far more often than the world's 10%", () => {
    const N = 20_000;
    const res = solve(gamble, { backup: "exact", horizon: 1, alpha: 2 });
    const post = sampleTrajectories(gamble, res, { episodes: N, seed: 1, from: "posterior" });
    const world = sampleTrajectories(gamble, res, { episodes: N, seed: 1 });
    const winRate = (s: Samples) => {
      const g = s.episodes.filter((e) => e.actions[0] === 1);
      return g.filter((e) => e.rewards[0] === 10).length / g.length;
    };
    // Posterior: 0.1 e^5 / (0.1 e^5 + 0.9 e^-1.5) = 0.9479...; the world's: 0.1 (bounds: 5 sigma of each sample).
    const pPost = (0.1 * Math.exp(5)) / (0.1 * Math.exp(5) + 0.9 * Math.exp(-1.5));
    expect(Math.abs(winRate(post) - pPost)).toBeLessThan(5 * Math.sqrt((pPost * (1 - pPost)) / (N * 0.5)));
    expect(Math.abs(winRate(world) - 0.1)).toBeLessThan(5 * Math.sqrt(0.09 / (N * 0.1)));
  });
});

describe("sampling is seeded and writes the demonstrations format", () => {
  it("the same seed gives the same episodes, another seed other ones; an Rng continues its stream", () => {
    const res = solve(smallStochastic, { gamma: 0.9, horizon: 6 });
    const a = sampleTrajectories(smallStochastic, res, { episodes: 50, seed: 11 });
    const b = sampleTrajectories(smallStochastic, res, { episodes: 50, seed: 11 });
    const c = sampleTrajectories(smallStochastic, res, { episodes: 50, seed: 12 });
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    const rng = new Rng(11);
    expect(sampleTrajectories(smallStochastic, res, { episodes: 50, rng })).toEqual(a);
  });

  it("episodes end at done entries (no state after them) or at the horizon (the state reached listed last); the document reads back as the same counts", () => {
    const res = solve(smallStochastic, { gamma: 0.9, horizon: 6 });
    const samples = sampleTrajectories(smallStochastic, res, { episodes: 300, seed: 5 });
    for (const e of samples.episodes) {
      if (e.end === "done") expect(e.states).toHaveLength(e.actions.length);
      else {
        expect(e.end).toBe("horizon");
        expect(e.actions).toHaveLength(6);
        expect(e.states).toHaveLength(7);
      }
    }
    expect(samples.episodes.some((e) => e.end === "done")).toBe(true);
    const doc = JSON.parse(JSON.stringify(demonstrationsDocument(samples, { seed: 5 })));
    const demo = parseDemonstrations(doc, 3, 2);
    const counts = new Float64Array(6);
    for (const e of samples.episodes) e.actions.forEach((a, t) => (counts[e.states[t]! * 2 + a]! += 1));
    expect(Array.from(demo.counts)).toEqual(Array.from(counts));
    expect(doc.meta.episodes).toBe(300);
  });

  it("refuses a posterior of the variational backup, an infinite horizon without maxSteps, and maxSteps beyond the horizon", () => {
    const fin = solve(smallStochastic, { gamma: 0.9, horizon: 3 });
    const inf = solve(smallStochastic, { gamma: 0.9 });
    expect(() => sampleTrajectories(smallStochastic, fin, { episodes: 1, from: "posterior" })).toThrow(/exact backup/);
    expect(() => sampleTrajectories(smallStochastic, inf, { episodes: 1 })).toThrow(/maxSteps/);
    expect(() => sampleTrajectories(smallStochastic, fin, { episodes: 1, maxSteps: 4 })).toThrow(/horizon/);
    expect(() => sampleTrajectories(smallStochastic, fin, { episodes: 0 })).toThrow(/episodes/);
    expect(sampleTrajectories(smallStochastic, inf, { episodes: 4, maxSteps: 30, seed: 1 }).episodes).toHaveLength(4);
  });
});
