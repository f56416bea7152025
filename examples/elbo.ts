/**
 * Example 1, the bridge from the ELBO lesson. p(z) = N(0,1), p(x|z) = N(z,1), x = 1, q = N(0.3,1):
 * log p(x) = -1.516, ELBO = -1.709, and the gap is KL(q || p(z|x)) = 0.193. A reparameterisation
 * estimate of the ELBO's gradient (seeded) against its analytic value. Then the same identity in the
 * trajectory graph, in its one-step case: log Z - ELBO(q) = KL(q || p(a | O)).
 */
import {
  ELBO_LESSON_MODEL,
  Rng,
  TabularMdp,
  evaluateFinite,
  gaussianKl,
  linearGaussianElbo,
  linearGaussianElboGradient,
  linearGaussianEvidence,
  linearGaussianPosterior,
  reparameterisedElboGradient,
  solve,
  uniformPrior,
  type ElboGradient,
  type ElboGradientEstimate,
  type Gaussian1D,
} from "../src/index.js";
import { num, table, type ExampleOutput } from "./common.js";

export const title = "The ELBO lesson's bridge: log p(x) - ELBO(q) = KL(q || p(z | x))";

/** What the example computes. */
export interface ElboExample extends ExampleOutput {
  readonly x: number;
  readonly q: Gaussian1D;
  readonly logEvidence: number;
  readonly elbo: number;
  readonly gap: number;
  readonly posterior: Gaussian1D;
  readonly kl: number;
  readonly gradient: ElboGradient;
  readonly estimate: ElboGradientEstimate;
  readonly seed: number;
  /** The one-step control problem: log Z, the ELBO of the uniform policy, KL(q || posterior policy). */
  readonly control: { readonly rewards: readonly number[]; readonly alpha: number; readonly logZ: number; readonly elbo: number; readonly kl: number; readonly posterior: readonly number[] };
}

export const SEED = 1;
export const SAMPLES = 10_000;

export function run(): ElboExample {
  const x = 1;
  const q: Gaussian1D = { mean: 0.3, variance: 1 };
  const logEvidence = linearGaussianEvidence(ELBO_LESSON_MODEL, x);
  const elbo = linearGaussianElbo(ELBO_LESSON_MODEL, x, q);
  const posterior = linearGaussianPosterior(ELBO_LESSON_MODEL, x);
  const kl = gaussianKl(q, posterior);
  const gradient = linearGaussianElboGradient(ELBO_LESSON_MODEL, x, q);
  const estimate = reparameterisedElboGradient(ELBO_LESSON_MODEL, x, q, SAMPLES, new Rng(SEED));

  // One step of control: three actions ending the episode with rewards r(a); the prior is uniform.
  // z becomes the action, x the observation O = 1 with p(O = 1 | a) = exp(r(a)/alpha).
  const rewards = [1, 0, -1];
  const alpha = 1;
  const bandit = TabularMdp.fromLists([rewards.map((r) => [{ prob: 1, next: 0, reward: r, done: true }])], { actionNames: ["good", "neutral", "bad"] });
  const prior = uniformPrior(1, 3);
  const exact = solve(bandit, { backup: "exact", alpha, horizon: 1, prior });
  const uniform = Float64Array.from([1 / 3, 1 / 3, 1 / 3]);
  const controlElbo = evaluateFinite(bandit, prior, alpha, 1, [uniform]).elbo;
  const post = Array.from(exact.policy);
  const controlKl = post.reduce((acc, p, a) => acc + uniform[a]! * Math.log(uniform[a]! / p), 0);

  const lines = [
    "The model of the ELBO lesson: p(z) = N(0, 1), p(x | z) = N(z, 1), observed x = 1, and q(z) = N(0.3, 1).",
    "",
    `  log p(x)          = ${num(logEvidence, 3)}   (${logEvidence.toFixed(10)})  the evidence: p(x) = N(0, 2) at x = 1`,
    `  ELBO(q)           = ${num(elbo, 3)}   (${elbo.toFixed(10)})  E_q[log p(x|z)] + E_q[log p(z)] + H(q)`,
    `  log p(x) - ELBO   = ${num(logEvidence - elbo, 3)}   ( ${(logEvidence - elbo).toFixed(10)})`,
    `  KL(q || p(z|x))   = ${num(kl, 3)}   ( ${kl.toFixed(10)})  the posterior is p(z | x) = N(${posterior.mean}, ${posterior.variance})`,
    "",
    "The gap is exactly the KL divergence from q to the posterior: raising the ELBO over q is inference,",
    "and the ELBO equals log p(x) when q is the posterior.",
    "",
    `The ELBO's gradient with respect to q's mean m and standard deviation s (reparameterisation z = m + s eps,`,
    `${SAMPLES} draws, seed ${SEED}):`,
    ...table(
      ["", "dELBO/dm", "dELBO/ds"],
      [
        ["analytic", num(gradient.mean), num(gradient.std)],
        ["reparameterisation", num(estimate.mean), num(estimate.std)],
        ["standard error", num(estimate.meanStdError), num(estimate.stdStdError)],
        ["error / std. error", num((estimate.mean - gradient.mean) / estimate.meanStdError, 2), num((estimate.std - gradient.std) / estimate.stdStdError, 2)],
      ],
    ),
    "",
    "The same identity in the trajectory graph, one step long: the action a plays z, the observed optimality",
    `variable O = 1 plays x, with p(O = 1 | a) = exp(r(a)/alpha); rewards ${JSON.stringify(rewards)}, alpha = ${alpha}, uniform prior.`,
    `  log Z                      = ${num(exact.logZ!)}   (exact message passing)`,
    `  ELBO(uniform q)            = ${num(controlElbo)}`,
    `  log Z - ELBO               = ${num(exact.logZ! - controlElbo)}`,
    `  KL(q || p(a | O))          = ${num(controlKl)}   p(a | O) = ${post.map((p) => p.toFixed(4)).join(", ")}`,
    "Longer horizons give log Z - ELBO(q) = KL(q(tau) || p(tau | O)) over whole trajectories (see the other examples).",
  ];
  return {
    lines,
    x,
    q,
    logEvidence,
    elbo,
    gap: logEvidence - elbo,
    posterior,
    kl,
    gradient,
    estimate,
    seed: SEED,
    control: { rewards, alpha, logZ: exact.logZ!, elbo: controlElbo, kl: controlKl, posterior: post },
  };
}
