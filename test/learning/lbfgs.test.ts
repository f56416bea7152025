/**
 * L-BFGS with a strong Wolfe line search: minimisers of functions whose minimum is known in closed
 * form (a convex quadratic: x* = A^-1 b; Rosenbrock: x* = (1, 1); a log-sum-exp with a linear term:
 * softmax(x*) = p), and the Wolfe steps never increase f.
 */
import { describe, expect, it } from "vitest";
import { lbfgs } from "../../src/learning/lbfgs.js";

describe("lbfgs reaches known minimisers", () => {
  it("a convex quadratic 1/2 x'Ax - b'x: x* = A^-1 b (A diagonal with condition number 100)", () => {
    const n = 50;
    const diag = Float64Array.from({ length: n }, (_, i) => 10 ** ((2 * i) / (n - 1)));
    const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const res = lbfgs((x, g) => {
      let f = 0;
      for (let i = 0; i < n; i++) {
        g[i] = diag[i]! * x[i]! - b[i]!;
        f += 0.5 * diag[i]! * x[i]! * x[i]! - b[i]! * x[i]!;
      }
      return f;
    }, new Float64Array(n), { gtol: 1e-12 });
    expect(res.converged).toBe(true);
    for (let i = 0; i < n; i++) expect(Math.abs(res.x[i]! - b[i]! / diag[i]!)).toBeLessThan(1e-12 * 100);
  });

  it("Rosenbrock from (-1.2, 1): x* = (1, 1), f decreasing at every iteration", () => {
    const fs: number[] = [];
    const res = lbfgs(
      (x, g) => {
        const [a, b] = [x[0]!, x[1]!];
        g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
        g[1] = 200 * (b - a * a);
        return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
      },
      Float64Array.of(-1.2, 1),
      { gtol: 1e-10, onIteration: (_i, f) => void fs.push(f) },
    );
    expect(res.converged).toBe(true);
    expect(Math.abs(res.x[0]! - 1)).toBeLessThan(1e-8);
    expect(Math.abs(res.x[1]! - 1)).toBeLessThan(1e-8);
    for (let i = 1; i < fs.length; i++) expect(fs[i]!).toBeLessThanOrEqual(fs[i - 1]!);
  });

  it("log sum exp(x) - p . x (a flat direction along 1): softmax(x*) = p", () => {
    const p = [0.1, 0.2, 0.3, 0.4];
    const res = lbfgs((x, g) => {
      const mx = Math.max(...x);
      const e = Array.from(x, (v) => Math.exp(v - mx));
      const z = e.reduce((a, b) => a + b, 0);
      let f = mx + Math.log(z);
      for (let i = 0; i < 4; i++) {
        g[i] = e[i]! / z - p[i]!;
        f -= p[i]! * x[i]!;
      }
      return f;
    }, new Float64Array(4), { gtol: 1e-13 });
    expect(res.converged).toBe(true);
    const mx = Math.max(...res.x);
    const e = Array.from(res.x, (v) => Math.exp(v - mx));
    const z = e.reduce((a, b) => a + b, 0);
    for (let i = 0; i < 4; i++) expect(Math.abs(e[i]! / z - p[i]!)).toBeLessThan(1e-12);
  });

  it("a point outside the domain (f = +Infinity) shortens the step: -log(x) + x from x = 0.01 reaches x* = 1", () => {
    const res = lbfgs((x, g) => {
      const v = x[0]!;
      if (!(v > 0)) return Infinity;
      g[0] = -1 / v + 1;
      return -Math.log(v) + v;
    }, Float64Array.of(0.01), { gtol: 1e-12 });
    expect(res.converged).toBe(true);
    expect(Math.abs(res.x[0]! - 1)).toBeLessThan(1e-12);
  });
});
