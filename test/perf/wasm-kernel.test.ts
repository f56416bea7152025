/**
 * The WebAssembly sweep kernel (src/inference/kernels/wasm/sweep.ts, built to dist by `npm run build`)
 * against the plain rules and against the JavaScript kernel, its tested fallback, on random MDPs:
 * - the module is built and compiles here (a missing .wasm fails, it is not skipped);
 * - Jacobi after K sweeps within 1e-12 of the rules' own loops, every backup and prior the kernel
 *   takes (variational, hard; uniform, entropy, tables with masked actions), terminal entries;
 * - every schedule (Jacobi, Gauss-Seidel, prioritised) on 1, 2 and 3 threads: the same numbers as
 *   the JavaScript kernel within 1e-12;
 * - each entry layout (relative with one coefficient and done entries, relative with a palette,
 *   absolute, dense), rows of any length (the kernel reads row lengths: Uint8, Uint16);
 * - the exp-space kernel (the exact backup) against the exact rules' loops and the JavaScript
 *   kernel, on 1 to 3 threads and in every entry layout;
 * - CAI_KERNEL: auto takes WebAssembly from 4096 entries (value and exp space) and JavaScript
 *   below; js and wasm force a kernel; anything else is a typed error naming it.
 * No timings: speed is measured by `npm run bench`.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  NoFixedPointError,
  ParameterError,
  RULES,
  TabularMdp as TabularMdpClass,
  frozenLakeOpen,
  randomMdp,
  solve,
  uniformPrior,
  type ActionPrior,
  type MdpArrays,
  type SolveOptions,
  type TabularMdp,
} from "../../src/index.js";
import { compileDynamics } from "../../src/inference/kernels/plan.js";
import { openSweeper } from "../../src/inference/kernels/sweeper.js";
import { WASM_MIN_ENTRIES, kernelFor, wasmModule, wasmUnavailableReason } from "../../src/inference/kernels/wasm.js";
import { fcParams, seededPrior } from "../support/arbitraries.js";

type Backup = "variational" | "hard";

const saved = process.env.CAI_KERNEL;
afterEach(() => {
  if (saved === undefined) delete process.env.CAI_KERNEL;
  else process.env.CAI_KERNEL = saved;
});

/** solve under CAI_KERNEL = kernel. */
function solveWith(kernel: "js" | "wasm", mdp: MdpArrays, o: SolveOptions) {
  process.env.CAI_KERNEL = kernel;
  try {
    return solve(mdp, o);
  } finally {
    delete process.env.CAI_KERNEL;
  }
}

/** The rules' own loops: sweep 0 then K Jacobi sweeps. */
function plainJacobi(mdp: MdpArrays, backup: Backup | "exact", alpha: number, gamma: number, prior: ActionPrior, sweeps: number) {
  const rules = RULES[backup];
  const V = new Float64Array(mdp.nStates);
  const Q = new Float64Array(mdp.nStates * mdp.nActions);
  for (let k = 0; k <= sweeps; k++) {
    rules.dynamics.apply(mdp, V, alpha, gamma, Q);
    rules.actions.apply(Q, prior, alpha, V, null);
  }
  return { Q, V };
}

/** max_i |a_i - b_i| / max(1, |b_i|); Infinity on a length mismatch or a NaN. */
function relGap(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Infinity;
  let g = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!));
    if (!(d <= g)) g = Number.isNaN(d) ? Infinity : d;
  }
  return g;
}

/** The random MDP and prior of a case (randomMdp, seededPrior), and its sweeps. */
const mdpFields = {
  states: fc.integer({ min: 1, max: 40 }),
  actions: fc.integer({ min: 1, max: 4 }),
  successors: fc.integer({ min: 1, max: 5 }),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  terminal: fc.constantFrom(0, 0.2),
  priorKind: fc.constantFrom("uniform" as const, "entropy" as const, "table" as const),
  sweeps: fc.integer({ min: 1, max: 25 }),
};

/** The open ring of 70 000 states whose second successor is half the ring away: jumps beyond Int16 (the absolute layout), two coefficients, done entries. */
function farMdp(): TabularMdp {
  const n = 70_000;
  return TabularMdpClass.fromLists(
    Array.from({ length: n }, (_, s) =>
      [0.25, 0.75].map((p) => [
        { prob: p, next: (s + 1) % n, reward: (s + 1) % n === 0 ? 1 : 0, done: false },
        { prob: 1 - p, next: (s + n / 2) % n, reward: (s + n / 2) % n === 0 ? 1 : 0, done: s % 2 === 0 },
      ]),
    ),
  );
}

const arbCase = fc.record({
  ...mdpFields,
  alpha: fc.double({ min: 0.05, max: 3, noNaN: true }),
  gamma: fc.double({ min: 0.3, max: 0.95, noNaN: true }),
  backup: fc.constantFrom<Backup>("variational", "hard"),
});

describe("the WebAssembly kernel", () => {
  it("is built (npm run build) and compiles here", () => {
    expect(wasmModule(), wasmUnavailableReason()).not.toBeNull();
  });

  it("runs the sweeps when forced (the sweeper says which kernel it runs), and the JavaScript kernel when CAI_KERNEL=js", () => {
    const mdp = frozenLakeOpen(6);
    const o = { semiring: "tempered", alpha: 0.1, gamma: 0.9, schedule: "jacobi", threads: 1 } as const;
    for (const kernel of ["wasm", "js"] as const) {
      process.env.CAI_KERNEL = kernel;
      const sw = openSweeper(mdp, uniformPrior(mdp.nStates, 4), undefined, o);
      expect(sw.kernel).toBe(kernel);
      sw.sweep();
      sw.close();
    }
  });

  it("after K Jacobi sweeps equals the rules' own loops within 1e-12 on random MDPs (variational and hard, all priors, masked actions, terminal entries)", () => {
    fc.assert(
      fc.property(arbCase, (c) => {
        const mdp = randomMdp({ states: c.states, actions: c.actions, successors: Math.min(c.successors, c.states), seed: c.seed, terminalProbability: c.terminal });
        const prior = seededPrior(c.priorKind, mdp.nStates, mdp.nActions, c.seed);
        const res = solveWith("wasm", mdp, { schedule: "jacobi", backup: c.backup, alpha: c.alpha, gamma: c.gamma, prior, tol: 0, maxIter: c.sweeps, stallTest: false, diagnostics: false, threads: 1 });
        // tol 0 still stops early at an exact fixed point (residual 0: error bound 0).
        expect(res.iterations === c.sweeps || res.residual === 0).toBe(true);
        const plain = plainJacobi(mdp, c.backup, c.alpha, c.gamma, prior, res.iterations);
        expect(relGap(res.Q, plain.Q)).toBeLessThanOrEqual(1e-12);
        expect(relGap(res.V, plain.V)).toBeLessThanOrEqual(1e-12);
      }),
      fcParams(150),
    );
  });

  it("every schedule on 1, 2 and 3 threads gives the JavaScript kernel's numbers within 1e-12 (random MDPs, all backups and priors)", () => {
    fc.assert(
      fc.property(arbCase, fc.constantFrom(1, 2, 3), fc.constantFrom("jacobi" as const, "gauss-seidel" as const, "prioritised" as const), (c, threads, schedule) => {
        const mdp = randomMdp({ states: c.states, actions: c.actions, successors: Math.min(c.successors, c.states), seed: c.seed, terminalProbability: c.terminal });
        const prior = seededPrior(c.priorKind, mdp.nStates, mdp.nActions, c.seed);
        const o: SolveOptions = { schedule, backup: c.backup, alpha: c.alpha, gamma: c.gamma, prior, tol: 0, maxIter: c.sweeps, stallTest: false, diagnostics: false, threads };
        const wasm = solveWith("wasm", mdp, o);
        const js = solveWith("js", mdp, o);
        expect(wasm.iterations).toBe(js.iterations);
        expect(wasm.backups).toBe(js.backups);
        expect(relGap(wasm.Q, js.Q)).toBeLessThanOrEqual(1e-12);
        expect(relGap(wasm.V, js.V)).toBeLessThanOrEqual(1e-12);
        expect(relGap(wasm.policy, js.policy)).toBeLessThanOrEqual(1e-12);
      }),
      fcParams(60),
    );
  });

  it("returns Q and V that later solves do not touch (each solve has a memory of its own)", () => {
    const mdp = frozenLakeOpen(5);
    const o = { alpha: 0.1, gamma: 0.9, diagnostics: false, threads: 1 } as const;
    const first = solveWith("wasm", mdp, o);
    const Q = Float64Array.from(first.Q);
    const V = Float64Array.from(first.V);
    solveWith("wasm", mdp, { ...o, alpha: 0.5 });
    solveWith("wasm", frozenLakeOpen(7), o);
    expect(Array.from(first.Q)).toEqual(Array.from(Q));
    expect(Array.from(first.V)).toEqual(Array.from(V));
    expect(first.V.length).toBe(25);
  });
});

describe("the WebAssembly exp-space kernel (the exact backup)", () => {
  const arbExact = fc.record({
    ...mdpFields,
    alpha: fc.double({ min: 0.3, max: 3, noNaN: true }),
    gamma: fc.double({ min: 0.3, max: 0.9, noNaN: true }),
  });

  it("after K sweeps equals the exact rules' own loops within 1e-12, and the JavaScript kernel on 1, 2 and 3 threads (random MDPs, all priors, terminal entries)", () => {
    fc.assert(
      fc.property(arbExact, fc.constantFrom(1, 2, 3), (c, threads) => {
        const mdp = randomMdp({ states: c.states, actions: c.actions, successors: Math.min(c.successors, c.states), seed: c.seed, terminalProbability: c.terminal });
        const prior = seededPrior(c.priorKind, mdp.nStates, mdp.nActions, c.seed);
        const o: SolveOptions = { backup: "exact", alpha: c.alpha, gamma: c.gamma, prior, tol: 0, maxIter: c.sweeps, stallTest: false, diagnostics: false, threads };
        // Both kernels stop alike where the exact backup has no fixed point (rho >= 1).
        const run = (kernel: "js" | "wasm") => {
          try {
            return solveWith(kernel, mdp, o);
          } catch (e) {
            expect(e).toBeInstanceOf(NoFixedPointError);
            return (e as NoFixedPointError).spectralRadius;
          }
        };
        const wasm = run("wasm");
        const js = run("js");
        if (typeof wasm === "number" || typeof js === "number") {
          expect(typeof wasm).toBe("number");
          expect(typeof js).toBe("number");
          expect(Math.abs((wasm as number) - (js as number))).toBeLessThanOrEqual(1e-9 * (js as number));
          return;
        }
        expect(wasm.iterations).toBe(js.iterations);
        expect(relGap(wasm.Q, js.Q)).toBeLessThanOrEqual(1e-12);
        expect(relGap(wasm.V, js.V)).toBeLessThanOrEqual(1e-12);
        const plain = plainJacobi(mdp, "exact", c.alpha, c.gamma, prior, wasm.iterations);
        expect(relGap(wasm.Q, plain.Q)).toBeLessThanOrEqual(1e-12);
        expect(relGap(wasm.V, plain.V)).toBeLessThanOrEqual(1e-12);
      }),
      fcParams(60),
    );
  });

  it("in each entry layout (relative with one coefficient and done entries, palette, absolute, dense) equals the JavaScript kernel within 1e-12, converged", () => {
    // alpha >= 1, gamma <= 0.25, rewards in [-1, 1]: rho <= 0.25 e < 1; the lake (reward at the
    // goal only) at gamma 0.95 takes hundreds of sweeps.
    const cases: [TabularMdp, number, number][] = [
      [frozenLakeOpen(30), 0.5, 0.95],
      [randomMdp({ states: 60, actions: 3, successors: 3, seed: 5, terminalProbability: 0.2 }), 1, 0.25],
      [farMdp(), 1, 0.25],
      [randomMdp({ states: 20_000, actions: 4, successors: 3, seed: 11, terminalProbability: 0.1 }), 1.5, 0.25],
    ];
    const layouts = cases.map(([mdp, , gamma]) => {
      const c = compileDynamics(mdp, gamma, false, RULES.exact.dynamics.affine!, 0.5);
      return c.dense === 1 ? "dense" : c.relative === 1 ? (c.bits === 0 ? "relative" : "palette") : "absolute";
    });
    expect(layouts).toEqual(["relative", "palette", "absolute", "dense"]);
    for (const [mdp, alpha, gamma] of cases) {
      for (const threads of [1, 2]) {
        const o: SolveOptions = { backup: "exact", alpha, gamma, tol: 1e-11, diagnostics: false, threads };
        const wasm = solveWith("wasm", mdp, o);
        const js = solveWith("js", mdp, o);
        expect(wasm.converged).toBe(true);
        expect(wasm.iterations).toBe(js.iterations);
        expect(relGap(wasm.Q, js.Q)).toBeLessThanOrEqual(1e-12);
        expect(relGap(wasm.V, js.V)).toBeLessThanOrEqual(1e-12);
      }
    }
  });
});

describe("the WebAssembly kernel in each entry layout, against the rules (Jacobi) and the JavaScript kernel (every schedule), one and two threads", () => {
  /** The kernel on `mdp` (variational): Jacobi after `sweeps` within 1e-12 of the rules, and each schedule within 1e-12 of the JS kernel. */
  function check(mdp: TabularMdp, alpha: number, gamma: number, sweeps: number, prior = uniformPrior(mdp.nStates, mdp.nActions)): void {
    const plain = plainJacobi(mdp, "variational", alpha, gamma, prior, sweeps);
    for (const threads of [1, 2]) {
      const o = { alpha, gamma, prior, tol: 0, maxIter: sweeps, stallTest: false, diagnostics: false, threads } as const;
      const jacobi = solveWith("wasm", mdp, { ...o, schedule: "jacobi" });
      expect(relGap(jacobi.Q, plain.Q)).toBeLessThanOrEqual(1e-12);
      expect(relGap(jacobi.V, plain.V)).toBeLessThanOrEqual(1e-12);
      for (const schedule of ["gauss-seidel", "prioritised"] as const) {
        const w = solveWith("wasm", mdp, { ...o, schedule });
        const j = solveWith("js", mdp, { ...o, schedule });
        expect(relGap(w.Q, j.Q)).toBeLessThanOrEqual(1e-12);
        expect(relGap(w.V, j.V)).toBeLessThanOrEqual(1e-12);
      }
    }
  }

  it("relative, one coefficient, done entries marked (FrozenLake 30 x 30: the SIMD pairs of rows), uniform and table priors", () => {
    const mdp = frozenLakeOpen(30);
    const compiled = compileDynamics(mdp, 0.99, false);
    expect(compiled.relative).toBe(1);
    expect(compiled.bits).toBe(0);
    check(mdp, 0.1, 0.99, 60);
    check(mdp, 0.1, 0.99, 20, seededPrior("table", mdp.nStates, mdp.nActions, 7));
  });

  it("relative with a palette (several coefficients, done entries as coefficient 0)", () => {
    const mdp = randomMdp({ states: 60, actions: 3, successors: 3, seed: 5, terminalProbability: 0.2 });
    const compiled = compileDynamics(mdp, 0.9, false);
    expect(compiled.relative).toBe(1);
    expect(compiled.bits).toBeGreaterThan(0);
    check(mdp, 0.7, 0.9, 40);
  });

  it("absolute (jumps beyond the Int16 range, two coefficients)", () => {
    const mdp = farMdp();
    const compiled = compileDynamics(mdp, 0.9, false);
    expect(compiled.relative).toBe(0);
    expect(compiled.dense).toBe(0);
    check(mdp, 0.5, 0.9, 12);
  });

  it("rows of more than 255 entries (row lengths in a Uint16Array) beside short ones", () => {
    const mdp = randomMdp({ states: 400, actions: 2, successors: 300, seed: 3, terminalProbability: 0.1 });
    let longest = 0;
    for (let r = 0; r < 800; r++) longest = Math.max(longest, mdp.rowStart[r + 1]! - mdp.rowStart[r]!);
    expect(longest).toBeGreaterThan(255);
    check(mdp, 0.4, 0.9, 6);
  });

  it("dense (too many distinct coefficients and row constants for a palette)", () => {
    const mdp = randomMdp({ states: 20_000, actions: 4, successors: 3, seed: 11, terminalProbability: 0.1 });
    const compiled = compileDynamics(mdp, 0.9, false);
    expect(compiled.dense).toBe(1);
    check(mdp, 0.3, 0.9, 8);
  });
});

describe("CAI_KERNEL", () => {
  it("auto: WebAssembly for tables of at least 4096 entries (value and exp space alike), JavaScript below", () => {
    delete process.env.CAI_KERNEL;
    expect(kernelFor(WASM_MIN_ENTRIES)).toBe("wasm");
    expect(kernelFor(WASM_MIN_ENTRIES - 1)).toBe("js");
    process.env.CAI_KERNEL = "auto";
    expect(kernelFor(1e7)).toBe("wasm");
    process.env.CAI_KERNEL = "js";
    expect(kernelFor(1e7)).toBe("js");
    process.env.CAI_KERNEL = "wasm";
    expect(kernelFor(10)).toBe("wasm");
  });

  it("auto runs the exact backup on the WebAssembly kernel from 4096 entries (the sweeper says so)", () => {
    delete process.env.CAI_KERNEL;
    const big = frozenLakeOpen(40); // 1600 states x 4 actions x 3 entries
    const small = frozenLakeOpen(6);
    const o = { semiring: "tempered", alpha: 0.5, gamma: 0.9, schedule: "jacobi", threads: 1, form: RULES.exact.dynamics.affine! } as const;
    for (const [mdp, kernel] of [[big, "wasm"], [small, "js"]] as const) {
      const sw = openSweeper(mdp, uniformPrior(mdp.nStates, 4), undefined, o);
      expect(sw.kernel).toBe(kernel);
      sw.close();
    }
  });

  it("anything else is a ParameterError naming CAI_KERNEL (solve refuses to run)", () => {
    process.env.CAI_KERNEL = "simd";
    const mdp = frozenLakeOpen(4);
    expect(() => solve(mdp, { gamma: 0.9, diagnostics: false })).toThrow(ParameterError);
    expect(() => solve(mdp, { gamma: 0.9, diagnostics: false })).toThrow(/CAI_KERNEL: "simd" is not one of auto, js, wasm/);
  });
});
