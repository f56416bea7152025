/**
 * Hostile numbers at the edges of float64: temperatures near 1e-300 and 1e300, rewards near 1e308,
 * values / alpha beyond 1e300, tiny growth on a cycle. For finite inputs a run either returns finite
 * numbers that agree with an independent computation, or fails up front with a ParameterError that
 * names the limit and quotes the user's value, never a derived Infinity or NaN.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NoFixedPointError, ParameterError, TabularMdp, frozenLake, solve, type SolveOptions } from "../../src/index.js";
import { NUMERIC_LIMITS, checkTemperature } from "../../src/limits.js";
import { arbMdp, fcParams } from "../support/arbitraries.js";
import { entry } from "../support/fixtures.js";

/** A log-uniform double in [10^lo, 10^hi]. */
const logUniform = (lo: number, hi: number) => fc.double({ min: lo, max: hi, noNaN: true }).map((e) => 10 ** e);

/** The same MDP with every reward multiplied by `scale`. */
function scaled(mdp: TabularMdp, scale: number): TabularMdp {
  const lists = Array.from({ length: mdp.nStates }, (_, s) =>
    Array.from({ length: mdp.nActions }, (_, a) => mdp.entries(s, a).map((e) => ({ ...e, reward: e.reward * scale }))),
  );
  return TabularMdp.fromLists(lists, { initial: Array.from(mdp.initial) });
}

/** Every number of a result is finite (policy rows sum to 1). */
function expectFinite(res: ReturnType<typeof solve>): void {
  for (const x of res.Q) expect(Number.isFinite(x) || x === -Infinity).toBe(true);
  for (const x of res.V) expect(Number.isFinite(x)).toBe(true);
  for (let s = 0; s < res.nStates; s++) {
    let sum = 0;
    for (let a = 0; a < res.nActions; a++) {
      const p = res.policy[s * res.nActions + a]!;
      expect(Number.isFinite(p) && p >= 0).toBe(true);
      sum += p;
    }
    expect(Math.abs(sum - 1)).toBeLessThanOrEqual(1e-12);
  }
  if (res.elbo !== null) expect(Number.isFinite(res.elbo)).toBe(true);
  if (res.logZ !== null) expect(Number.isFinite(res.logZ)).toBe(true);
}

/** A message made for a user: no Infinity, no NaN it did not get. */
function expectCleanMessage(e: unknown): void {
  expect(e).toBeInstanceOf(ParameterError);
  expect((e as Error).message).not.toMatch(/Infinity|NaN|undefined/);
}

const lake = frozenLake({ map: "4x4" });

describe("the supported range of alpha is [1e-300, 1e300]", () => {
  it("alpha below 1e-300 (down to the smallest subnormal) is refused for the soft backups, quoting the value and naming the hard backup", () => {
    fc.assert(
      fc.property(logUniform(-323.3, -300.01), fc.constantFrom("exact" as const, "variational" as const), fc.boolean(), (alpha, backup, finite) => {
        const o: SolveOptions = finite ? { backup, alpha, horizon: 5 } : { backup, alpha, gamma: 0.9 };
        let caught: unknown;
        try {
          solve(lake, o);
        } catch (e) {
          caught = e;
        }
        expectCleanMessage(caught);
        expect((caught as Error).message).toContain(`alpha: ${alpha} is below 1e-300`);
        expect((caught as Error).message).toContain("hard backup");
      }),
      fcParams(50),
    );
  });

  it("alpha above 1e300 is refused with the user's value", () => {
    expect(() => solve(lake, { alpha: 1e301, gamma: 0.9 })).toThrow(/alpha: 1e\+301 is above 1e300/);
    expect(() => checkTemperature(Number.MAX_VALUE)).toThrow(/1\.7976931348623157e\+308 is above 1e300/);
  });

  it("the hard backup runs at any alpha > 0 and then reports no log Z and no ELBO, saying why", () => {
    const res = solve(lake, { backup: "hard", alpha: 1e-320, horizon: 4 });
    expectFinite(res);
    expect(res.logZ).toBeNull();
    expect(res.elbo).toBeNull();
    expect(res.warnings.join(" ")).toMatch(/log Z and the ELBO are not computed/);
    const ok = solve(lake, { backup: "hard", alpha: 1, horizon: 4 });
    expect(Array.from(res.V)).toEqual(Array.from(ok.V));
  });

  it("stated limits are the numbers the README and --help quote", () => {
    expect(NUMERIC_LIMITS).toEqual({ alphaMin: 1e-300, alphaMax: 1e300, scaleMax: 1e300 });
  });
});

describe("rewards and values / alpha: either finite and right, or a ParameterError up front", () => {
  it("on random MDPs with rewards scaled from 1e-300 to 1e300 and alpha across its range, every number is finite and V is bracketed by the hard backup", () => {
    fc.assert(
      fc.property(
        arbMdp({ maxStates: 3, maxActions: 3 }),
        logUniform(-300, 300),
        logUniform(-300, 300),
        fc.constantFrom("exact" as const, "variational" as const),
        fc.integer({ min: 1, max: 6 }),
        (base, rScale, alpha, backup, H) => {
          const mdp = scaled(base, rScale);
          let res: ReturnType<typeof solve>;
          try {
            res = solve(mdp, { backup, alpha, horizon: H });
          } catch (e) {
            expectCleanMessage(e);
            expect((e as Error).message).toMatch(/beyond the supported 1e300/);
            return;
          }
          expectFinite(res);
          // Independent bracket: the KL-soft value lies between the prior's average return and the
          // best return (hard backup), and the exact one at or above the variational one (Jensen).
          const hard = solve(mdp, { backup: "hard", alpha, horizon: H });
          // Rounding is relative to the reward scale (rewards up to 2 x rScale, H steps), and r/alpha
          // below the smallest normal double (2.2e-308) is lost: an absolute alpha x 2.2e-308 per step.
          const tol = (x: number) => 1e-9 * Math.abs(x) + 1e-12 * rScale * H + 4 * alpha * 2.3e-308 * H;
          for (let s = 0; s < mdp.nStates; s++) {
            if (backup === "variational") expect(res.V[s]!).toBeLessThanOrEqual(hard.V[s]! + tol(hard.V[s]!));
          }
          if (backup === "exact") {
            const va = solve(mdp, { backup: "variational", alpha, horizon: H });
            for (let s = 0; s < mdp.nStates; s++) expect(res.V[s]!).toBeGreaterThanOrEqual(va.V[s]! - tol(va.V[s]!));
          }
        },
      ),
      fcParams(150),
    );
  });

  it("rewards near 1e308 are refused, naming the rewards and the steps, never printing Infinity", () => {
    const big = TabularMdp.fromLists([[[entry(1, 0, 1e308, true)], [entry(1, 0, -1.5e308)]]]);
    for (const o of [{ gamma: 0.9 }, { horizon: 3 }, { gamma: 0.9, backup: "hard" as const }]) {
      let caught: unknown;
      try {
        solve(big, o);
      } catch (e) {
        caught = e;
      }
      expectCleanMessage(caught);
      expect((caught as Error).message).toMatch(/the largest \|reward\|, 1\.5e\+308/);
    }
  });

  it("values / alpha beyond 1e300 are refused for the soft backups with alpha quoted, and the message says r/alpha overflows", () => {
    const mdp = TabularMdp.fromLists([[[entry(1, 0, 1e10)]]]);
    let caught: unknown;
    try {
      solve(mdp, { alpha: 1e-295, gamma: 0.5 });
    } catch (e) {
      caught = e;
    }
    expectCleanMessage(caught);
    expect((caught as Error).message).toMatch(/alpha: 1e-295 is too small for these rewards.*r\/alpha overflows/);
  });
});

describe("the exact backup at large alpha approaches the variational values and converges", () => {
  const gamma = 0.9;
  for (const alpha of [1e5, 1e10, 1e20, 1e100, 1e300]) {
    it(`alpha = ${alpha}: within 1e-9 + 1 / alpha of the variational V, converged by tolerance in about as many sweeps`, () => {
      // Both Jacobi (the exact backup's schedule), each answer within tol = 1e-10 of its fixed point.
      const va = solve(lake, { gamma, alpha, schedule: "jacobi" });
      const ex = solve(lake, { backup: "exact", gamma, alpha });
      expect(ex.converged).toBe(true);
      expect(ex.iterations).toBeGreaterThan(10);
      let worst = 0;
      for (let s = 0; s < lake.nStates; s++) {
        expect(ex.V[s]!).toBeGreaterThanOrEqual(va.V[s]! - 2e-10); // Jensen, up to the two tolerances
        worst = Math.max(worst, ex.V[s]! - va.V[s]!);
      }
      // Jensen's gap shrinks as 1/alpha (rewards in [0, 1]: the variance term is below 1/alpha).
      expect(worst).toBeLessThanOrEqual(1e-9 + 1 / alpha);
      expect(Math.abs(ex.iterations - va.iterations)).toBeLessThanOrEqual(2);
    });
  }

  it("at alpha in [1e3, 1e300] on random MDPs (gamma 0.8), exact V - variational V lies in [0, 1e-9 + 500 / alpha]", () => {
    fc.assert(
      fc.property(arbMdp({ maxStates: 3, maxActions: 3 }), logUniform(3, 300), (mdp, alpha) => {
        const ex = solve(mdp, { backup: "exact", gamma: 0.8, alpha });
        const v = solve(mdp, { backup: "variational", gamma: 0.8, alpha });
        expect(ex.converged).toBe(true);
        for (let s = 0; s < mdp.nStates; s++) {
          const d = ex.V[s]! - v.V[s]!;
          expect(d).toBeGreaterThanOrEqual(-1e-9);
          // Jensen's gap per step is about Var[r + gamma V'] / (2 alpha) <= Vmax^2 / alpha, Vmax = 2 / (1 - gamma) = 10,
          // over 1 / (1 - gamma) = 5 steps: at most 500 / alpha.
          expect(d).toBeLessThanOrEqual(1e-9 + 500 / alpha);
        }
      }),
      fcParams(60),
    );
  });
});

describe("the existence of a fixed point in exact mode is decided by the spectral radius, not the residual", () => {
  /** Two states that pass to each other forever, reward c per step, no termination. */
  const cycle = (c: number) => TabularMdp.fromLists([[[entry(1, 1, c)]], [[entry(1, 0, c)]]]);

  it("reward 1e-11 per step with gamma = 1 has no fixed point: growth 1e-11 per step, rho = 1 + 1e-11", () => {
    let caught: unknown;
    try {
      solve(cycle(1e-11), { backup: "exact", gamma: 1 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(NoFixedPointError);
    const e = caught as NoFixedPointError;
    expect(Math.abs(e.growthPerStep - 1e-11)).toBeLessThanOrEqual(1e-14);
    expect(e.message).toMatch(/spectral radius 1 \+ 1\.0000\de-11/);
    expect(e.message).toMatch(/grows by 1\.0000\de-11 per step/);
  });

  it("any positive reward c in [1e-12, 10] on the cycle (any alpha in [0.1, 10]): no fixed point, growth c per step", () => {
    fc.assert(
      fc.property(logUniform(-12, 1), logUniform(-1, 1), (c, alpha) => {
        let caught: unknown;
        try {
          solve(cycle(c), { backup: "exact", gamma: 1, alpha });
        } catch (e) {
          caught = e;
        }
        expect(caught).toBeInstanceOf(NoFixedPointError);
        expect(Math.abs((caught as NoFixedPointError).growthPerStep - c)).toBeLessThanOrEqual(1e-6 * c + 1e-14);
      }),
      fcParams(40),
    );
  });

  it("reward 0 on the cycle: rho = 1 with nothing to grow, V = 0 is a fixed point", () => {
    const res = solve(cycle(0), { backup: "exact", gamma: 1 });
    expect(res.converged).toBe(true);
    expect(Array.from(res.V)).toEqual([0, 0]);
  });

  it("negative rewards on the cycle: rho < 1, the fixed point V = c / (1 - ...) found: V = -Infinity is not returned, the run reports V finite", () => {
    // With gamma = 0.5 and reward -1 per step: V = -1 + alpha log(0.5 exp(V/alpha) + 0.5), solved by bisection.
    const res = solve(cycle(-1), { backup: "exact", gamma: 0.5 });
    const f = (v: number) => -1 + Math.log(0.5 * Math.exp(v) + 0.5) - v;
    let lo = -10;
    let hi = 0;
    for (let i = 0; i < 200; i++) {
      const mid = (lo + hi) / 2;
      if (f(mid) > 0) lo = mid;
      else hi = mid;
    }
    expect(Math.abs(res.V[0]! - lo)).toBeLessThanOrEqual(1e-9);
  });
});
