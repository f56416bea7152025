/**
 * A result computes its diagnostics on first read: on an infinite horizon the ELBO, the occupancy
 * and the warnings they may add (infinite.ts infiniteDiagnostics), on a finite one log Z, the ELBO
 * and the occupancy (finite.ts, stored steps and streaming). A solve whose caller never reads them
 * does not run them, a read runs them once, and what is read equals the evaluation run directly
 * (evaluate.ts, on the returned policies, the same options) and, for log Z, an independent pass.
 */
import { describe, expect, it, vi } from "vitest";

vi.mock("../../src/inference/evaluate.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/inference/evaluate.js")>();
  return { ...real, evaluateInfinite: vi.fn(real.evaluateInfinite), evaluateFinite: vi.fn(real.evaluateFinite) };
});

const { evaluateInfinite, evaluateFinite } = await import("../../src/inference/evaluate.js");
const { frozenLakeOpen, randomMdp, solve, uniformPrior } = await import("../../src/index.js");
const calls = evaluateInfinite as unknown as ReturnType<typeof vi.fn>;
const finiteCalls = evaluateFinite as unknown as ReturnType<typeof vi.fn>;

describe("an infinite-horizon result computes its diagnostics on first read", () => {
  it("solve does not run them; the first read of elbo, occupancy or warnings runs them once; later reads give the same values", () => {
    const mdp = frozenLakeOpen(10);
    for (const first of ["elbo", "occupancy", "warnings"] as const) {
      calls.mockClear();
      const res = solve(mdp, { alpha: 0.2, gamma: 0.95 });
      void res.V;
      void res.policy;
      expect(calls).not.toHaveBeenCalled();
      for (const key of ["elbo", "occupancy", "warnings"]) expect(typeof Object.getOwnPropertyDescriptor(res, key)?.get).toBe("function");
      void res[first];
      expect(calls).toHaveBeenCalledTimes(1);
      const occupancy = res.occupancy;
      expect(res.occupancy).toBe(occupancy);
      expect(res.warnings).toBe(res.warnings);
      expect(res.elbo).toBe(res.elbo);
      expect(calls).toHaveBeenCalledTimes(1);
    }
  });

  it("what is read equals the policy evaluation run directly on the returned policy (ELBO to the bit, occupancy to the bit)", () => {
    const mdp = randomMdp({ states: 30, actions: 3, successors: 4, seed: 8, terminalProbability: 0.1 });
    const res = solve(mdp, { alpha: 0.5, gamma: 0.9, tol: 1e-11 });
    const direct = evaluateInfinite(mdp, uniformPrior(30, 3), 0.5, 0.9, res.policy, { tol: 1e-11, maxIter: 100_000, start: res.V });
    expect(res.elbo).toBe(direct.elbo);
    expect(Array.from(res.occupancy!)).toEqual(Array.from(direct.occupancy!));
    // ELBO = p0 . V / alpha at the fixed point (the soft-optimal policy's value is V): an independent check.
    let pv = 0;
    for (let s = 0; s < 30; s++) pv += mdp.initial[s]! * res.V[s]!;
    expect(Math.abs(res.elbo! - pv / 0.5)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(pv / 0.5)));
  });

  it("enumerable like the other fields: a spread or JSON.stringify sees them; diagnostics: false gives null fields and runs nothing", () => {
    const mdp = frozenLakeOpen(6);
    const res = solve(mdp, { alpha: 0.3, gamma: 0.9 });
    const copy = { ...res };
    expect(copy.occupancy).toBe(res.occupancy);
    expect(JSON.parse(JSON.stringify({ elbo: res.elbo, keys: Object.keys(res) })).keys).toEqual(expect.arrayContaining(["elbo", "occupancy", "warnings", "policy"]));
    calls.mockClear();
    const off = solve(mdp, { alpha: 0.3, gamma: 0.9, diagnostics: false });
    expect(off.elbo).toBeNull();
    expect(off.occupancy).toBeNull();
    expect(off.warnings).toEqual([]);
    expect(calls).not.toHaveBeenCalled();
  });

  it("warnings keep their order: the solve's own, then the diagnostics', then 'not converged'", () => {
    const mdp = frozenLakeOpen(8);
    // Three sweeps: not converged, and the policy evaluation (capped at maxIter sweeps) runs out too.
    const res = solve(mdp, { alpha: 0.1, gamma: 0.99, maxIter: 3 });
    const w = res.warnings;
    expect(w.length).toBeGreaterThanOrEqual(2);
    expect(w[w.length - 1]).toMatch(/^not converged: residual .* after 3 sweeps/);
    expect(w[w.length - 2]).toMatch(/the ELBO of the returned policy was not computed: evaluating the policy ran out of sweeps \(3\)/);
    expect(res.elbo).toBeNull();
  });
});

describe("a finite-horizon result computes log Z, the ELBO and the occupancy on first read", () => {
  const mdp = randomMdp({ states: 12, actions: 3, successors: 3, seed: 21, terminalProbability: 0.2 });
  const H = 30;

  it("stored steps: solve does not run the forward pass; a read runs it once; the values are those of evaluateFinite on the returned policies", () => {
    finiteCalls.mockClear();
    const res = solve(mdp, { backup: "variational", alpha: 0.4, gamma: 0.95, horizon: H });
    void res.V;
    expect(finiteCalls).not.toHaveBeenCalled();
    for (const key of ["logZ", "elbo", "occupancy"]) expect(typeof Object.getOwnPropertyDescriptor(res, key)?.get).toBe("function");
    const elbo = res.elbo;
    expect(finiteCalls).toHaveBeenCalledTimes(1);
    expect(res.logZ).toBe(res.logZ);
    expect(res.occupancy).toBe(res.occupancy);
    expect(finiteCalls).toHaveBeenCalledTimes(1);
    const direct = evaluateFinite(mdp, uniformPrior(12, 3), 0.4, 0.95, res.steps!.policy);
    expect(elbo).toBe(direct.elbo);
    expect(Array.from(res.occupancy!)).toEqual(Array.from(direct.occupancy));
    // log Z of a variational run comes from an exact backward pass of its own: the exact backup's V_0.
    const exact = solve(mdp, { backup: "exact", alpha: 0.4, gamma: 0.95, horizon: H, diagnostics: false });
    let mx = -Infinity;
    for (let s = 0; s < 12; s++) if (mdp.initial[s]! > 0) mx = Math.max(mx, exact.V[s]! / 0.4);
    let sum = 0;
    for (let s = 0; s < 12; s++) if (mdp.initial[s]! > 0) sum += mdp.initial[s]! * Math.exp(exact.V[s]! / 0.4 - mx);
    expect(Math.abs(res.logZ! - (mx + Math.log(sum)))).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(res.logZ!)));
  });

  it("streaming (keepSteps: false): the same numbers as the stored steps, computed on first read", () => {
    finiteCalls.mockClear();
    const o = { backup: "exact", alpha: 0.7, gamma: 0.9, horizon: H } as const;
    const streamed = solve(mdp, { ...o, keepSteps: false });
    expect(streamed.steps).toBeNull();
    expect(finiteCalls).not.toHaveBeenCalled();
    const stored = solve(mdp, o);
    expect(streamed.elbo).toBe(stored.elbo);
    expect(streamed.logZ).toBe(stored.logZ);
    expect(Array.from(streamed.occupancy!)).toEqual(Array.from(stored.occupancy!));
    expect(finiteCalls).toHaveBeenCalledTimes(2);
    const off = solve(mdp, { ...o, keepSteps: false, diagnostics: false });
    expect([off.logZ, off.elbo, off.occupancy]).toEqual([null, null, null]);
    expect(finiteCalls).toHaveBeenCalledTimes(2);
  });
});
