/**
 * The sweep kernel's expm1 and log1p against V8's Math.expm1 and Math.log1p: within 1 ulp on every
 * branch (random arguments spread over the binary exponents of each branch, both signs, and the
 * branch boundaries with their neighbours), and exact where they hand over to Math.
 */
import { describe, expect, it } from "vitest";
import { Rng } from "../../src/index.js";
import { expm1Fast, log1pFast } from "../../src/inference/kernels/sweep-core.js";

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
/** Doubles mapped to integers in the order of the reals: adjacent doubles differ by 1. */
function ordinal(x: number): bigint {
  f64[0] = x;
  const b = i64[0]!;
  return b < 0n ? -(b & 0x7fffffffffffffffn) : b;
}
/** Distance in units in the last place. */
function ulps(a: number, b: number): number {
  const d = ordinal(a) - ordinal(b);
  return Number(d < 0n ? -d : d);
}
/** The double next to x towards +Infinity (dir 1) or -Infinity (dir -1). */
function nextAfter(x: number, dir: 1 | -1): number {
  f64[0] = x;
  if (x === 0) return dir * 5e-324;
  i64[0] = i64[0]! + (x > 0 === (dir > 0) ? 1n : -1n);
  return f64[0]!;
}

const FUNCTIONS = [
  { name: "expm1", fast: expm1Fast, reference: Math.expm1 },
  { name: "log1p", fast: log1pFast, reference: Math.log1p },
] as const;

/** Exponent ranges of the branches: plain x, second order, Taylor polynomial, Math. */
const BRANCHES: ReadonlyArray<readonly [number, number]> = [
  [-1074, -500],
  [-500, -27],
  [-27, -10],
  [-10, -1],
];

describe("expm1Fast and log1pFast stay within 1 ulp of Math.expm1 and Math.log1p", () => {
  for (const { name, fast, reference } of FUNCTIONS) {
    for (const [lo, hi] of BRANCHES) {
      it(`${name} on |x| in [2^${lo}, 2^${hi}): at most 1 ulp from Math.${name} over 100000 arguments of both signs`, () => {
        const rng = new Rng(lo * 7 + hi);
        let worst = 0;
        let at = 0;
        for (let t = 0; t < 100_000; t++) {
          const x = (rng.float() < 0.5 ? -1 : 1) * 2 ** (lo + (hi - lo) * rng.float()) * (1 + rng.float());
          if (Math.abs(x) >= 2 ** hi) continue;
          const u = ulps(fast(x), reference(x));
          if (u > worst) {
            worst = u;
            at = x;
          }
        }
        expect(worst, `worst at x = ${at}`).toBeLessThanOrEqual(1);
      });
    }

    it(`${name} at the branch boundaries 2^-500, 2^-27, 2^-10 and their neighbours: at most 1 ulp`, () => {
      for (const e of [-500, -27, -10]) {
        for (const sign of [1, -1] as const) {
          const b = sign * 2 ** e;
          for (const x of [b, nextAfter(b, 1), nextAfter(b, -1)]) {
            expect(ulps(fast(x), reference(x)), `x = ${x}`).toBeLessThanOrEqual(1);
          }
        }
      }
    });

    it(`${name} is exact at 0 and on subnormals, and equals Math.${name} on the Math branch`, () => {
      expect(Object.is(fast(0), 0)).toBe(true);
      for (const x of [5e-324, -5e-324, 2.2e-308, -1e-310]) expect(fast(x)).toBe(reference(x));
      for (const x of [-0.75, -0.5, -0.0009765625 * 1.5, 0.3, 2, -20]) {
        if (name === "log1p" && x <= -1) continue;
        expect(fast(x)).toBe(reference(x));
      }
    });
  }
});
