/**
 * Runaway memory: arrays of H x n x m numbers and graphs of H slices are estimated before they are
 * allocated and refused beyond the limit with the parameter, the estimate and the limit named; a
 * finite horizon without its steps streams (two value slices, checkpoints for the ELBO) and gives
 * the same numbers bit for bit; threads are capped at the cores.
 */
import { availableParallelism } from "node:os";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ParameterError, TrajectoryGraph, frozenLake, frozenLakeOpen, solve } from "../../src/index.js";
import { GRAPH_MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES, finiteStepsBytes, formatBytes } from "../../src/limits.js";
import { streamingBytes } from "../../src/inference/streaming.js";
import { arbMdp, arbPriorKind, arbPriorSeed, fcParams, makePrior } from "../support/arbitraries.js";

const lake = frozenLake({ map: "8x8" });

describe("a finite horizon is estimated before it is allocated", () => {
  it("horizon 1e9 with every step kept is refused at once, naming the horizon, the estimate and the limit", () => {
    let caught: unknown;
    try {
      solve(lake, { horizon: 1e9 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ParameterError);
    const msg = (caught as Error).message;
    expect(msg).toMatch(/^horizon: Q_t, V_t and policy_t for a horizon of 1000000000 steps \(64 states x 4 actions\) would need about [\d.]+ TiB, above the limit of 2\.00 GiB/);
    expect(msg).toContain(formatBytes(finiteStepsBytes(1e9, 64, 4)));
  });

  it("the estimate is what the arrays take: H (2 n m + n) Float64 numbers", () => {
    const res = solve(lake, { horizon: 7, diagnostics: false });
    const bytes = res.steps!.Q.reduce((b, q) => b + q.byteLength, 0) + res.steps!.V.reduce((b, v) => b + v.byteLength, 0) + res.steps!.policy.reduce((b, p) => b + p.byteLength, 0);
    expect(bytes).toBe(finiteStepsBytes(7, 64, 4));
  });

  it("without the steps (keepSteps: false) a long horizon streams: the streaming estimate is far below the stored one, and a horizon of 2 x 10^4 runs", () => {
    expect(streamingBytes(1e9, 64, 4, true)).toBeLessThan(MEMORY_LIMIT_BYTES / 10);
    expect(finiteStepsBytes(1e9, 64, 4)).toBeGreaterThan(MEMORY_LIMIT_BYTES);
    const res = solve(frozenLake({ map: "4x4" }), { horizon: 20_000, alpha: 0.5, keepSteps: false });
    expect(res.steps).toBeNull();
    expect(res.logZ).not.toBeNull();
    expect(res.elbo).not.toBeNull();
    expect(res.elbo!).toBeLessThanOrEqual(res.logZ! + 1e-9);
  });

  it("streaming gives the same Q, V, policy, log Z, ELBO and occupancy bit for bit as the stored pass (random MDPs, priors, horizons 1..40)", () => {
    fc.assert(
      fc.property(
        arbMdp({ maxStates: 4, maxActions: 3 }),
        fc.constantFrom("exact" as const, "variational" as const, "hard" as const),
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.double({ min: 0.1, max: 5, noNaN: true }),
        arbPriorKind,
        arbPriorSeed,
        (mdp, backup, H, gamma, alpha, kind, seed) => {
          const prior = makePrior(kind, mdp, seed);
          const o = { backup, horizon: H, gamma, alpha, prior };
          const kept = solve(mdp, o);
          const streamed = solve(mdp, { ...o, keepSteps: false });
          expect(Array.from(streamed.Q)).toEqual(Array.from(kept.Q));
          expect(Array.from(streamed.V)).toEqual(Array.from(kept.V));
          expect(Array.from(streamed.policy)).toEqual(Array.from(kept.policy));
          expect(streamed.logZ).toBe(kept.logZ);
          expect(streamed.elbo).toBe(kept.elbo);
          expect(Array.from(streamed.occupancy!)).toEqual(Array.from(kept.occupancy!));
        },
      ),
      fcParams(80),
    );
  });
});

describe("graphs", () => {
  it("an unrolled graph beyond the heap budget is refused before a node is added, naming the horizon and the largest one allowed", () => {
    let caught: unknown;
    try {
      TrajectoryGraph.forMdp(lake, 1, 1e9);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(ParameterError);
    expect((caught as Error).message).toMatch(/^horizon: the factor graph unrolled over 1000000000 time slices would need about .* above the limit of 256 MiB; use a horizon of at most \d+/);
    expect(GRAPH_MEMORY_LIMIT_BYTES).toBe(256 * 1024 ** 2);
    expect(TrajectoryGraph.forMdp(lake, 1, 100).toJSON()).toBeTruthy();
  });
});

describe("threads", () => {
  it("a number of threads above the cores runs on the cores, with the same numbers", () => {
    const big = frozenLakeOpen(80); // 6400 states, above 2^16 entries: threads start
    const o = { alpha: 0.1, gamma: 0.9, tol: 0, maxIter: 20, diagnostics: false, schedule: "jacobi" as const }; // Jacobi: the same bits on any number of threads
    const many = solve(big, { ...o, threads: 1000 });
    expect(many.threads).toBeLessThanOrEqual(availableParallelism());
    const one = solve(big, { ...o, threads: 1 });
    expect(Array.from(many.V)).toEqual(Array.from(one.V));
  });
});
