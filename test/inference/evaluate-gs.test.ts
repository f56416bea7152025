/**
 * The infinite-horizon diagnostics (evaluate.ts: Gauss-Seidel policy evaluation and in-place pushing
 * of the occupancy) against a dense linear solve written here: V^q = (I - gamma P_q)^-1 g and
 * d = (I - gamma P_q^T)^-1 p0, on random MDPs and random policies.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { randomMdp, uniformPrior } from "../../src/index.js";
import { evaluateInfinite } from "../../src/inference/evaluate.js";
import { fcParams } from "../support/arbitraries.js";

/** Solve A x = b by Gaussian elimination with partial pivoting (A dense, row-major n x n). */
function gauss(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((r, i) => [...r, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  return M.map((r, i) => r[n]! / r[i]!);
}

describe("policy evaluation and occupancy equal the dense linear solves", () => {
  it("ELBO = p0 . V^q and the occupancy within 1e-9 (relative) on random MDPs and policies, gamma in [0.5, 0.99]", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 100000 }),
        fc.double({ min: 0.5, max: 0.99, noNaN: true }),
        fc.double({ min: 0.2, max: 3, noNaN: true }),
        (n, m, seed, gamma, alpha) => {
          const mdp = randomMdp({ states: n, actions: m, successors: Math.min(3, n), seed, terminalProbability: 0.2 });
          let x = seed + 1;
          const rnd = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
          const q = new Float64Array(n * m);
          for (let s = 0; s < n; s++) {
            let t = 0;
            for (let a = 0; a < m; a++) t += (q[s * m + a] = 0.05 + rnd());
            for (let a = 0; a < m; a++) q[s * m + a]! /= t;
          }
          const prior = uniformPrior(n, m);
          const ev = evaluateInfinite(mdp, prior, alpha, gamma, q, { tol: 1e-12, maxIter: 100000 });
          // Dense: P_q(s, s') live transitions, g(s) = sum_a q (r(s,a)/alpha - log(q / pi0)).
          const P = Array.from({ length: n }, () => new Array<number>(n).fill(0));
          const g = new Array<number>(n).fill(0);
          for (let s = 0; s < n; s++) {
            for (let a = 0; a < m; a++) {
              const row = s * m + a;
              let r = 0;
              for (let k = mdp.rowStart[row]!; k < mdp.rowStart[row + 1]!; k++) {
                r += mdp.prob[k]! * mdp.reward[k]!;
                if (!mdp.done[k]) P[s]![mdp.next[k]!]! += q[row]! * mdp.prob[k]!;
              }
              g[s]! += q[row]! * (r / alpha - Math.log(q[row]! * m));
            }
          }
          const A = P.map((r, i) => r.map((p, j) => (i === j ? 1 : 0) - gamma * p));
          const V = gauss(A, g);
          const At = A.map((_, i) => A.map((r) => r[i]!));
          const d = gauss(At, Array.from(mdp.initial));
          let elbo = 0;
          for (let s = 0; s < n; s++) elbo += mdp.initial[s]! * V[s]!;
          const scale = Math.max(1, ...V.map(Math.abs));
          expect(ev.elbo).not.toBeNull();
          expect(Math.abs(ev.elbo! - elbo)).toBeLessThanOrEqual(1e-9 * scale);
          expect(ev.occupancy).not.toBeNull();
          for (let s = 0; s < n; s++) expect(Math.abs(ev.occupancy![s]! - d[s]!), `state ${s}`).toBeLessThanOrEqual(1e-9 * Math.max(1, d[s]!));
        },
      ),
      fcParams(60),
    );
  });
});
