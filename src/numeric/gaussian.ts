/**
 * The ELBO lesson's one-dimensional linear-Gaussian model, in closed form: the bridge to control as
 * inference (log p(x) - ELBO(q) = KL(q(z) || p(z | x)) is the one-step case of
 * log Z - ELBO(q) = KL(q(tau) || p(tau | O))).
 *
 *   p(z) = N(mu0, s0^2),  p(x | z) = N(a z + b, sx^2)
 *   p(x) = N(a mu0 + b, a^2 s0^2 + sx^2)
 *   p(z | x) = N(m*, v*),  1/v* = 1/s0^2 + a^2/sx^2,  m* = v* (mu0/s0^2 + a (x - b)/sx^2)
 *   ELBO(q = N(m, s^2)) = E_q[log p(x|z)] + E_q[log p(z)] + H(q)
 *     = -1/2 log(2 pi sx^2) - ((x - a m - b)^2 + a^2 s^2) / (2 sx^2)
 *       -1/2 log(2 pi s0^2) - ((m - mu0)^2 + s^2) / (2 s0^2) + 1/2 log(2 pi e s^2)
 *
 * With p(z) = N(0,1), p(x|z) = N(z,1), x = 1, q = N(0.3, 1): log p(x) = -1.516, ELBO = -1.709,
 * KL = 0.193.
 */
import { ParameterError } from "../errors.js";
import type { Rng } from "./random.js";

const LOG_2PI = Math.log(2 * Math.PI);

/** A one-dimensional Gaussian N(mean, variance). */
export interface Gaussian1D {
  readonly mean: number;
  /** > 0 */
  readonly variance: number;
}

/** p(z) = N(priorMean, priorVariance), p(x | z) = N(slope z + offset, noiseVariance). */
export interface LinearGaussianModel {
  /** @defaultValue 0 */
  readonly priorMean?: number;
  /** @defaultValue 1 */
  readonly priorVariance?: number;
  /** @defaultValue 1 */
  readonly slope?: number;
  /** @defaultValue 0 */
  readonly offset?: number;
  /** @defaultValue 1 */
  readonly noiseVariance?: number;
}

/** The ELBO lesson's model: p(z) = N(0, 1), p(x | z) = N(z, 1). */
export const ELBO_LESSON_MODEL: Required<LinearGaussianModel> = { priorMean: 0, priorVariance: 1, slope: 1, offset: 0, noiseVariance: 1 };

function resolve(m: LinearGaussianModel): Required<LinearGaussianModel> {
  const r = { ...ELBO_LESSON_MODEL, ...m };
  for (const k of ["priorMean", "slope", "offset"] as const) if (!Number.isFinite(r[k])) throw new ParameterError(k, `must be a finite number, got ${r[k]}`);
  for (const k of ["priorVariance", "noiseVariance"] as const) if (!(Number.isFinite(r[k]) && r[k] > 0)) throw new ParameterError(k, `must be a finite number > 0, got ${r[k]}`);
  return r;
}

function checkGaussian(q: Gaussian1D, what: string): void {
  if (!Number.isFinite(q.mean)) throw new ParameterError(`${what}.mean`, `must be a finite number, got ${q.mean}`);
  if (!(Number.isFinite(q.variance) && q.variance > 0)) throw new ParameterError(`${what}.variance`, `must be a finite number > 0, got ${q.variance}`);
}

function checkFinite(x: number, what: string): void {
  if (!Number.isFinite(x)) throw new ParameterError(what, `must be a finite number, got ${x}`);
}

/** log N(x; mean, variance). */
export function gaussianLogPdf(x: number, mean: number, variance: number): number {
  const d = x - mean;
  return -0.5 * (LOG_2PI + Math.log(variance) + (d * d) / variance);
}

/** KL(q || p) between one-dimensional Gaussians: log(sp/sq) + (sq^2 + (mq - mp)^2) / (2 sp^2) - 1/2 (never negative). */
export function gaussianKl(q: Gaussian1D, p: Gaussian1D): number {
  checkGaussian(q, "q");
  checkGaussian(p, "p");
  const d = q.mean - p.mean;
  // 1/2 (u - log(1 + u) + d^2/sp^2) with u = sq^2/sp^2 - 1: u - log1p(u) >= 0 survives rounding, so KL >= 0 when q ~ p.
  const u = q.variance / p.variance - 1;
  return 0.5 * (u - Math.log1p(u) + (d * d) / p.variance);
}

/** log p(x) = log N(x; a mu0 + b, a^2 s0^2 + sx^2), the evidence. */
export function linearGaussianEvidence(model: LinearGaussianModel, x: number): number {
  const r = resolve(model);
  checkFinite(x, "x");
  return gaussianLogPdf(x, r.slope * r.priorMean + r.offset, r.slope * r.slope * r.priorVariance + r.noiseVariance);
}

/** The exact posterior p(z | x). */
export function linearGaussianPosterior(model: LinearGaussianModel, x: number): Gaussian1D {
  const r = resolve(model);
  checkFinite(x, "x");
  const precision = 1 / r.priorVariance + (r.slope * r.slope) / r.noiseVariance;
  const variance = 1 / precision;
  return { mean: variance * (r.priorMean / r.priorVariance + (r.slope * (x - r.offset)) / r.noiseVariance), variance };
}

/** log p(x, z) = log p(z) + log p(x | z). */
export function linearGaussianLogJoint(model: LinearGaussianModel, x: number, z: number): number {
  const r = resolve(model);
  return gaussianLogPdf(z, r.priorMean, r.priorVariance) + gaussianLogPdf(x, r.slope * z + r.offset, r.noiseVariance);
}

/** ELBO(q) = E_q[log p(x, z)] + H(q), in closed form. */
export function linearGaussianElbo(model: LinearGaussianModel, x: number, q: Gaussian1D): number {
  const r = resolve(model);
  checkFinite(x, "x");
  checkGaussian(q, "q");
  const resid = x - r.slope * q.mean - r.offset;
  const lik = -0.5 * (LOG_2PI + Math.log(r.noiseVariance)) - (resid * resid + r.slope * r.slope * q.variance) / (2 * r.noiseVariance);
  const dm = q.mean - r.priorMean;
  const prior = -0.5 * (LOG_2PI + Math.log(r.priorVariance)) - (dm * dm + q.variance) / (2 * r.priorVariance);
  const entropy = 0.5 * (LOG_2PI + 1 + Math.log(q.variance));
  return lik + prior + entropy;
}

/** The gradient of the ELBO with respect to q's mean m and standard deviation s. */
export interface ElboGradient {
  readonly mean: number;
  readonly std: number;
}

/**
 * The analytic gradient: dELBO/dm = a (x - a m - b)/sx^2 - (m - mu0)/s0^2,
 * dELBO/ds = -a^2 s/sx^2 - s/s0^2 + 1/s.
 */
export function linearGaussianElboGradient(model: LinearGaussianModel, x: number, q: Gaussian1D): ElboGradient {
  const r = resolve(model);
  checkFinite(x, "x");
  checkGaussian(q, "q");
  const s = Math.sqrt(q.variance);
  return {
    mean: (r.slope * (x - r.slope * q.mean - r.offset)) / r.noiseVariance - (q.mean - r.priorMean) / r.priorVariance,
    std: -(r.slope * r.slope * s) / r.noiseVariance - s / r.priorVariance + 1 / s,
  };
}

/** A Monte Carlo gradient estimate with its standard errors. */
export interface ElboGradientEstimate extends ElboGradient {
  readonly meanStdError: number;
  readonly stdStdError: number;
  readonly samples: number;
}

/**
 * The reparameterisation ("pathwise") estimate of the ELBO's gradient: z = m + s eps, eps ~ N(0,1),
 * g(z) = d/dz log p(x, z); dELBO/dm ~ mean of g(z), dELBO/ds ~ mean of g(z) eps + 1/s (the entropy's
 * gradient, exact). Seeded through `rng`; standard errors from the sample variance.
 * @throws {@link ParameterError} when samples is not an integer >= 2.
 */
export function reparameterisedElboGradient(model: LinearGaussianModel, x: number, q: Gaussian1D, samples: number, rng: Rng): ElboGradientEstimate {
  const r = resolve(model);
  checkFinite(x, "x");
  checkGaussian(q, "q");
  if (!Number.isInteger(samples) || samples < 2) throw new ParameterError("samples", `must be an integer >= 2, got ${samples}`);
  const s = Math.sqrt(q.variance);
  let sm = 0;
  let sm2 = 0;
  let ss = 0;
  let ss2 = 0;
  for (let i = 0; i < samples; i++) {
    const eps = rng.normal();
    const z = q.mean + s * eps;
    const g = (r.slope * (x - r.slope * z - r.offset)) / r.noiseVariance - (z - r.priorMean) / r.priorVariance;
    const gs = g * eps;
    sm += g;
    sm2 += g * g;
    ss += gs;
    ss2 += gs * gs;
  }
  const mm = sm / samples;
  const ms = ss / samples;
  const se = (sum2: number, mean: number) => Math.sqrt(Math.max(0, (sum2 / samples - mean * mean) * (samples / (samples - 1))) / samples);
  return { mean: mm, std: ms + 1 / s, meanStdError: se(sm2, mm), stdStdError: se(ss2, ms), samples };
}
