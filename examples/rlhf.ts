/**
 * Example 4, RLHF as inference with the reference policy as the prior (alpha is RLHF's beta):
 * a one-prompt bandit (the closed form pi* = pi_ref exp(r/beta) / Z and DPO's implicit reward) and a
 * token-level model (deterministic, reward at the end: exact = variational, and the token policy
 * induces the sequence-level closed form).
 */
import { solve } from "../src/index.js";
import { banditClosedForm, banditModel, implicitReward, sequenceClosedForm, sequenceProbabilities, tokenModel } from "../models/index.js";
import { num, table, type ExampleOutput } from "./common.js";

export const title = "RLHF: the reference policy as the prior, the closed form, DPO's implicit reward";

export const RESPONSES = ["helpful", "terse", "evasive", "rude"] as const;
export const REWARDS = [2, 1, 0, -1] as const;
/** The reference (SFT) policy prefers the worse answers. */
export const REFERENCE = [0.1, 0.2, 0.3, 0.4] as const;
export const BETA = 1;

export interface RlhfExample extends ExampleOutput {
  readonly bandit: {
    readonly policy: readonly number[];
    readonly closedForm: readonly number[];
    readonly value: number;
    readonly logZ: number;
    /** beta log(pi* / pi_ref) per response. */
    readonly implicit: readonly number[];
    /** max over pairs |(implicit_y - implicit_y') - (r_y - r_y')|. */
    readonly dpoError: number;
    /** Per beta: E_pi*[r] and KL(pi* || pi_ref). */
    readonly sweep: readonly { readonly beta: number; readonly expectedReward: number; readonly kl: number; readonly pHelpful: number }[];
  };
  readonly token: {
    readonly sequences: number;
    readonly valueExact: number;
    readonly valueVariational: number;
    readonly closedFormValue: number;
    readonly logZ: number;
    readonly elbo: number;
    /** max over sequences |pi(y) from the token policy - closed form|. */
    readonly maxSequenceError: number;
    readonly top: readonly { readonly text: string; readonly reward: number; readonly reference: number; readonly optimal: number }[];
  };
}

export function run(): RlhfExample {
  // ---- the bandit: one prompt x, four responses y.
  const rewards = [Array.from(REWARDS)];
  const bandit = banditModel({ rewards, reference: [Array.from(REFERENCE)], responseNames: Array.from(RESPONSES) });
  const res = solve(bandit.mdp, { backup: "variational", alpha: BETA, horizon: 1, prior: bandit.prior });
  const exact = solve(bandit.mdp, { backup: "exact", alpha: BETA, horizon: 1, prior: bandit.prior });
  const closed = banditClosedForm(rewards, bandit.prior, BETA);
  const implicit = Array.from(implicitReward(res.policy, bandit.prior.probs, BETA));
  let dpoError = 0;
  for (let y = 0; y < 4; y++) for (let yp = 0; yp < 4; yp++) dpoError = Math.max(dpoError, Math.abs(implicit[y]! - implicit[yp]! - (REWARDS[y]! - REWARDS[yp]!)));
  const sweep = [0.1, 0.5, 1, 2, 10].map((beta) => {
    const p = solve(bandit.mdp, { backup: "variational", alpha: beta, horizon: 1, prior: bandit.prior }).policy;
    let er = 0;
    let kl = 0;
    for (let y = 0; y < 4; y++) {
      er += p[y]! * REWARDS[y]!;
      if (p[y]! > 0) kl += p[y]! * Math.log(p[y]! / REFERENCE[y]!);
    }
    return { beta, expectedReward: er, kl, pHelpful: p[0]! };
  });

  // ---- token level: sequences over {good, bad, <eos>} of at most 3 tokens, reward at the end.
  const vocabulary = ["good", "bad", "<eos>"];
  const R = (tokens: readonly number[]) => tokens.reduce((acc, t) => acc + (t === 0 ? 1 : t === 1 ? -1 : 0), 0) - 0.25 * tokens.length;
  // The reference prefers "bad" and ends early.
  const reference = (prefix: readonly number[]) => (prefix.length === 0 ? [0.3, 0.5, 0.2] : [0.2, 0.4, 0.4]);
  const model = tokenModel({ vocabulary, length: 3, endToken: "<eos>", reward: R, reference });
  const opts = { alpha: BETA, gamma: 1, horizon: model.horizon, prior: model.prior } as const;
  const tv = solve(model.mdp, { ...opts, backup: "variational" });
  const te = solve(model.mdp, { ...opts, backup: "exact" });
  const seqClosed = sequenceClosedForm(model, BETA);
  const induced = sequenceProbabilities(model, tv.policy);
  const refProbs = sequenceProbabilities(model, model.prior.probs);
  let maxSequenceError = 0;
  induced.forEach((p, i) => (maxSequenceError = Math.max(maxSequenceError, Math.abs(p - seqClosed.probabilities[i]!))));
  const order = model.sequences.map((_s, i) => i).sort((a, b) => seqClosed.probabilities[b]! - seqClosed.probabilities[a]!);
  const top = order.slice(0, 5).map((i) => ({ text: model.sequences[i]!.text, reward: model.sequences[i]!.reward, reference: refProbs[i]!, optimal: induced[i]! }));

  const lines = [
    `A prompt x and four responses y with rewards r(x, y); the reference policy pi_ref (the SFT model) is the prior`,
    `and beta = ${BETA} is the temperature. One step, every response ends the episode.`,
    "",
    ...table(
      ["response", "r(x,y)", "pi_ref(y|x)", "pi*(y|x) engine", "closed form", "beta log(pi*/pi_ref)"],
      RESPONSES.map((name, y) => [name, num(REWARDS[y]!, 1), num(REFERENCE[y]!, 2), num(res.policy[y]!, 6), num(closed.policy[y]!, 6), num(implicit[y]!, 6)]),
    ),
    `  V(x) = beta log Z(x) = ${num(res.V[0]!, 6)} (engine), ${num(closed.value[0]!, 6)} (closed form); exact message passing gives ${num(exact.V[0]!, 6)} (one deterministic step: exact = variational)`,
    "",
    "DPO's implicit reward: beta log(pi*(y|x)/pi_ref(y|x)) = r(x,y) - beta log Z(x), so differences between",
    `responses recover reward differences: e.g. helpful - rude = ${num(implicit[0]! - implicit[3]!, 6)} (r: ${REWARDS[0] - REWARDS[3]}).`,
    `  largest error over all pairs: ${dpoError.toExponential(2)}`,
    "",
    "beta trades reward against staying close to pi_ref:",
    ...table(
      ["beta", "E_pi*[r]", "KL(pi* || pi_ref)", "pi*(helpful)"],
      sweep.map((r) => [String(r.beta), num(r.expectedReward), num(r.kl), num(r.pHelpful)]),
    ),
    "",
    `Token level: sequences over {good, bad, <eos>} of at most 3 tokens (${model.sequences.length} of them), reward at the end`,
    "R(y) = #good - #bad - 0.25 length; pi_ref(token | prefix) prefers \"bad\". A deterministic MDP over prefixes.",
    `  V(start): variational ${num(tv.V[0]!, 6)}, exact ${num(te.V[0]!, 6)}, closed form beta log Z = ${num(seqClosed.value, 6)}`,
    `  log Z = ${num(tv.logZ!, 6)}, ELBO of the optimal policy = ${num(tv.elbo!, 6)}: deterministic dynamics and one start state, so exact = variational`,
    `  the token policy induces pi*(y) = pi_ref(y) exp(R(y)/beta) / Z: largest error over sequences ${maxSequenceError.toExponential(2)}`,
    ...table(
      ["sequence", "R(y)", "pi_ref(y)", "pi*(y)"],
      top.map((t) => [t.text, num(t.reward, 2), num(t.reference), num(t.optimal)]),
    ),
  ];
  return {
    lines,
    bandit: { policy: Array.from(res.policy), closedForm: Array.from(closed.policy), value: res.V[0]!, logZ: closed.logZ[0]!, implicit, dpoError, sweep },
    token: {
      sequences: model.sequences.length,
      valueExact: te.V[0]!,
      valueVariational: tv.V[0]!,
      closedFormValue: seqClosed.value,
      logZ: tv.logZ!,
      elbo: tv.elbo!,
      maxSequenceError,
      top,
    },
  };
}
