/**
 * The ELBO lesson's linear-Gaussian model (src/numeric/gaussian.ts): closed forms against the
 * lesson's published digits, against numerical quadrature, and the identity
 * log p(x) - ELBO(q) = KL(q || p(z | x)); the reparameterisation gradient against the analytic one.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ELBO_LESSON_MODEL,
  ParameterError,
  Rng,
  fsum,
  gaussianKl,
  gaussianLogPdf,
  linearGaussianElbo,
  linearGaussianElboGradient,
  linearGaussianEvidence,
  linearGaussianLogJoint,
  linearGaussianPosterior,
  reparameterisedElboGradient,
  type Gaussian1D,
  type LinearGaussianModel,
} from "../../src/index.js";
import { fcParams } from "../support/arbitraries.js";

/** Trapezoid rule on [lo, hi] with n intervals (exponentially accurate for smooth, fast-decaying integrands), compensated sum. */
function integrate(f: (z: number) => number, lo: number, hi: number, n = 40_000): number {
  const h = (hi - lo) / n;
  const terms = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) terms[i] = f(lo + i * h) * (i === 0 || i === n ? 0.5 : 1);
  return h * fsum(terms);
}

/** log p(x), ELBO(q) and KL(q || p(z|x)) by quadrature, from the joint density alone. */
function byQuadrature(model: LinearGaussianModel, x: number, q: Gaussian1D): { logEvidence: number; elbo: number; kl: number } {
  const sq = Math.sqrt(q.variance);
  const lo = q.mean - 40 * Math.max(1, sq);
  const hi = q.mean + 40 * Math.max(1, sq);
  const joint = (z: number) => linearGaussianLogJoint(model, x, z);
  const logQ = (z: number) => gaussianLogPdf(z, q.mean, q.variance);
  const logEvidence = Math.log(integrate((z) => Math.exp(joint(z)), lo - 40, hi + 40, 80_000));
  const elbo = integrate((z) => Math.exp(logQ(z)) * (joint(z) - logQ(z)), lo, hi);
  const kl = integrate((z) => Math.exp(logQ(z)) * (logQ(z) - (joint(z) - logEvidence)), lo, hi);
  return { logEvidence, elbo, kl };
}

const LESSON_Q: Gaussian1D = { mean: 0.3, variance: 1 };

describe("the ELBO lesson's numbers", () => {
  it("p(z) = N(0,1), p(x|z) = N(z,1), x = 1, q = N(0.3,1): log p(x) = -1.516, ELBO = -1.709, KL(q || p(z|x)) = 0.193", () => {
    const logEvidence = linearGaussianEvidence(ELBO_LESSON_MODEL, 1);
    const elbo = linearGaussianElbo(ELBO_LESSON_MODEL, 1, LESSON_Q);
    const kl = gaussianKl(LESSON_Q, linearGaussianPosterior(ELBO_LESSON_MODEL, 1));
    expect(logEvidence.toFixed(3)).toBe("-1.516");
    expect(elbo.toFixed(3)).toBe("-1.709");
    expect(kl.toFixed(3)).toBe("0.193");
    // The same numbers written out: log N(1; 0, 2), and KL(N(0.3,1) || N(0.5,1/2)).
    expect(logEvidence).toBeCloseTo(-0.5 * Math.log(4 * Math.PI) - 0.25, 14);
    expect(kl).toBeCloseTo(0.5 * (Math.log(0.5) + (1 + 0.04) / 0.5 - 1), 14);
  });

  it("the posterior p(z | x = 1) is N(0.5, 0.5)", () => {
    const post = linearGaussianPosterior(ELBO_LESSON_MODEL, 1);
    expect(post.mean).toBeCloseTo(0.5, 15);
    expect(post.variance).toBeCloseTo(0.5, 15);
  });

  it("closed forms equal numerical quadrature of the joint density to 1e-10", () => {
    const quad = byQuadrature(ELBO_LESSON_MODEL, 1, LESSON_Q);
    expect(Math.abs(quad.logEvidence - linearGaussianEvidence(ELBO_LESSON_MODEL, 1))).toBeLessThan(1e-10);
    expect(Math.abs(quad.elbo - linearGaussianElbo(ELBO_LESSON_MODEL, 1, LESSON_Q))).toBeLessThan(1e-10);
    expect(Math.abs(quad.kl - gaussianKl(LESSON_Q, linearGaussianPosterior(ELBO_LESSON_MODEL, 1)))).toBeLessThan(1e-10);
  });
});

describe("log p(x) - ELBO(q) = KL(q || p(z | x)) for any linear-Gaussian model and Gaussian q", () => {
  const arbModel = fc.record({
    priorMean: fc.double({ min: -2, max: 2, noNaN: true }),
    priorVariance: fc.double({ min: 0.2, max: 3, noNaN: true }),
    slope: fc.double({ min: -2, max: 2, noNaN: true }),
    offset: fc.double({ min: -1, max: 1, noNaN: true }),
    noiseVariance: fc.double({ min: 0.2, max: 3, noNaN: true }),
  });
  const arbQ = fc.record({ mean: fc.double({ min: -2, max: 2, noNaN: true }), variance: fc.double({ min: 0.1, max: 3, noNaN: true }) });
  const arbX = fc.double({ min: -3, max: 3, noNaN: true });

  it("in closed form, to 1e-12", () => {
    fc.assert(
      fc.property(arbModel, arbQ, arbX, (model, q, x) => {
        const gap = linearGaussianEvidence(model, x) - linearGaussianElbo(model, x, q);
        const kl = gaussianKl(q, linearGaussianPosterior(model, x));
        expect(Math.abs(gap - kl)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(linearGaussianEvidence(model, x))));
        expect(kl).toBeGreaterThanOrEqual(0);
      }),
      fcParams(200),
    );
  });

  it("closed forms against quadrature, to 1e-9", () => {
    fc.assert(
      fc.property(arbModel, arbQ, arbX, (model, q, x) => {
        const quad = byQuadrature(model, x, q);
        expect(Math.abs(quad.logEvidence - linearGaussianEvidence(model, x))).toBeLessThan(1e-9);
        expect(Math.abs(quad.elbo - linearGaussianElbo(model, x, q))).toBeLessThan(1e-9);
        expect(Math.abs(quad.kl - gaussianKl(q, linearGaussianPosterior(model, x)))).toBeLessThan(1e-9);
      }),
      fcParams(20),
    );
  });

  it("the ELBO is maximal, and equal to log p(x), at q = p(z | x)", () => {
    fc.assert(
      fc.property(arbModel, arbX, (model, x) => {
        const post = linearGaussianPosterior(model, x);
        expect(Math.abs(linearGaussianElbo(model, x, post) - linearGaussianEvidence(model, x))).toBeLessThan(1e-12 * Math.max(1, Math.abs(linearGaussianEvidence(model, x))));
        const g = linearGaussianElboGradient(model, x, post);
        expect(Math.abs(g.mean)).toBeLessThan(1e-9);
        expect(Math.abs(g.std)).toBeLessThan(1e-9);
      }),
      fcParams(100),
    );
  });
});

describe("the ELBO's gradient", () => {
  it("the analytic gradient equals central finite differences of the closed-form ELBO", () => {
    const x = 1;
    const q = LESSON_Q;
    const g = linearGaussianElboGradient(ELBO_LESSON_MODEL, x, q);
    const h = 1e-5;
    const f = (m: number, s: number) => linearGaussianElbo(ELBO_LESSON_MODEL, x, { mean: m, variance: s * s });
    const dm = (f(q.mean + h, 1) - f(q.mean - h, 1)) / (2 * h);
    const ds = (f(q.mean, 1 + h) - f(q.mean, 1 - h)) / (2 * h);
    expect(Math.abs(g.mean - dm)).toBeLessThan(1e-8);
    expect(Math.abs(g.std - ds)).toBeLessThan(1e-8);
    // At the lesson's q: dELBO/dm = (1 - 0.3) - 0.3 = 0.4, dELBO/ds = -1 - 1 + 1 = -1.
    expect(g.mean).toBeCloseTo(0.4, 14);
    expect(g.std).toBeCloseTo(-1, 14);
  });

  it("the reparameterisation estimate's error is exactly what its draws predict (g is linear in z), and lies within 4 standard errors", () => {
    // g(z) = A - B z with A = x + 0 (here a = 1, b = 0, mu0 = 0), B = 2: mean estimate - truth = -B s mean(eps),
    // std estimate - truth = (A - B m) mean(eps) - B s (mean(eps^2) - 1).
    const x = 1;
    const q = LESSON_Q;
    const N = 10_000;
    const seed = 20240601;
    const est = reparameterisedElboGradient(ELBO_LESSON_MODEL, x, q, N, new Rng(seed));
    const truth = linearGaussianElboGradient(ELBO_LESSON_MODEL, x, q);
    const rng = new Rng(seed);
    const eps = Array.from({ length: N }, () => rng.normal());
    const e1 = fsum(eps) / N;
    const e2 = fsum(eps.map((e) => e * e)) / N;
    const A = 1;
    const B = 2;
    expect(Math.abs(est.mean - truth.mean - -B * 1 * e1)).toBeLessThan(1e-12);
    expect(Math.abs(est.std - truth.std - ((A - B * q.mean) * e1 - B * 1 * (e2 - 1)))).toBeLessThan(1e-12);
    expect(Math.abs(est.mean - truth.mean)).toBeLessThan(4 * est.meanStdError);
    expect(Math.abs(est.std - truth.std)).toBeLessThan(4 * est.stdStdError);
    expect(est.samples).toBe(N);
  });

  it("the same seed gives the same estimate", () => {
    const a = reparameterisedElboGradient(ELBO_LESSON_MODEL, 1, LESSON_Q, 500, new Rng(7));
    const b = reparameterisedElboGradient(ELBO_LESSON_MODEL, 1, LESSON_Q, 500, new Rng(7));
    expect(a).toEqual(b);
  });
});

describe("bad parameters are typed errors that name the field", () => {
  it("a variance <= 0, a non-finite x, too few samples", () => {
    expect(() => linearGaussianEvidence({ priorVariance: 0 }, 1)).toThrow(ParameterError);
    expect(() => linearGaussianEvidence({ priorVariance: 0 }, 1)).toThrow(/priorVariance/);
    expect(() => linearGaussianElbo(ELBO_LESSON_MODEL, 1, { mean: 0, variance: -1 })).toThrow(/q\.variance/);
    expect(() => linearGaussianEvidence(ELBO_LESSON_MODEL, Number.NaN)).toThrow(/x: must be a finite number/);
    expect(() => reparameterisedElboGradient(ELBO_LESSON_MODEL, 1, LESSON_Q, 1, new Rng(1))).toThrow(/samples/);
    expect(() => gaussianKl({ mean: 0, variance: 1 }, { mean: Infinity, variance: 1 })).toThrow(/p\.mean/);
  });
});
