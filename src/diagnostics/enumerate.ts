/**
 * Brute force over trajectories: the oracle for the message passing (the property tests' and
 * `cai demo`'s). Every trajectory of length at most H is enumerated explicitly, with the death branch
 * (probability 1 - gamma after each live transition) and done entries as explicit ends. Written
 * independently of the engine: it reads the MDP's entries and the prior's weights, nothing else.
 */
import type { TabularMdp } from "../mdp/tabular.js";
import type { ActionPrior } from "../inference/prior.js";

export interface Trajectory {
  /** p0(s0) prod pi-or-q(a|s) p_k (and gamma or 1 - gamma for live branches). */
  readonly dynamicsWeight: number;
  /** sum_t r_t / alpha collected. */
  readonly rewardNats: number;
  /** sum_t log w(a_t|s_t) (prior factor weights). */
  readonly logPrior: number;
  /** sum_t log q(a_t|s_t) for the policy used in the enumeration (0 for the prior enumeration). */
  readonly logPolicy: number;
  readonly a0: number;
  readonly s0: number;
}

/**
 * Enumerate every trajectory over the horizon. Actions are drawn from `policies[t]` when given
 * (probabilities, flat n x m), else every action with prior weight > 0 is listed with weight 1
 * in `dynamicsWeight` (so the prior weight sits in logPrior).
 */
export function enumerate(mdp: TabularMdp, prior: ActionPrior, alpha: number, gamma: number, H: number, policies?: readonly Float64Array[]): Trajectory[] {
  const out: Trajectory[] = [];
  const m = mdp.nActions;
  const walk = (t: number, s: number, w: number, rn: number, lp: number, lq: number, a0: number, s0: number): void => {
    if (t === H) {
      out.push({ dynamicsWeight: w, rewardNats: rn, logPrior: lp, logPolicy: lq, a0, s0 });
      return;
    }
    for (let a = 0; a < m; a++) {
      const pw = prior.probs[s * m + a]!;
      const qa = policies ? policies[t]![s * m + a]! : 1;
      if (policies ? qa === 0 : pw === 0) continue;
      const lpa = lp + (pw > 0 ? Math.log(pw) + prior.logMass[s]! : -Infinity);
      const lqa = lq + (policies ? Math.log(qa) : 0);
      const first = t === 0 ? a : a0;
      for (const e of mdp.entries(s, a)) {
        if (e.prob === 0) continue;
        const w2 = w * qa * e.prob;
        const rn2 = rn + e.reward / alpha;
        if (e.done) {
          out.push({ dynamicsWeight: w2, rewardNats: rn2, logPrior: lpa, logPolicy: lqa, a0: first, s0 });
          continue;
        }
        if (gamma < 1) out.push({ dynamicsWeight: w2 * (1 - gamma), rewardNats: rn2, logPrior: lpa, logPolicy: lqa, a0: first, s0 });
        walk(t + 1, e.next, w2 * gamma, rn2, lpa, lqa, first, s0);
      }
    }
  };
  for (let s = 0; s < mdp.nStates; s++) if (mdp.initial[s]! > 0) walk(0, s, mdp.initial[s]!, 0, 0, 0, -1, s);
  return out;
}

/** log Z = log sum_tau p0 prod w P exp(r/alpha): the evidence p(O_0:H-1 = 1). */
export function bruteLogZ(mdp: TabularMdp, prior: ActionPrior, alpha: number, gamma: number, H: number): number {
  const ts = enumerate(mdp, prior, alpha, gamma, H);
  const logs = ts.map((t) => Math.log(t.dynamicsWeight) + t.logPrior + t.rewardNats);
  const mx = Math.max(...logs);
  return mx + Math.log(logs.reduce((acc, l) => acc + Math.exp(l - mx), 0));
}

/** p(a_0 = a | O) by enumeration. */
export function bruteActionMarginal(mdp: TabularMdp, prior: ActionPrior, alpha: number, gamma: number, H: number): number[] {
  const ts = enumerate(mdp, prior, alpha, gamma, H);
  const logs = ts.map((t) => Math.log(t.dynamicsWeight) + t.logPrior + t.rewardNats);
  const mx = Math.max(...logs);
  const marg = new Array<number>(mdp.nActions).fill(0);
  let z = 0;
  ts.forEach((t, i) => {
    const w = Math.exp(logs[i]! - mx);
    marg[t.a0]! += w;
    z += w;
  });
  return marg.map((x) => x / z);
}

/** ELBO(q) = E_q[sum r/alpha - log(q/w)] and KL(q(tau) || p(tau | O)), by enumeration under q. */
export function bruteElboKl(mdp: TabularMdp, prior: ActionPrior, alpha: number, gamma: number, H: number, q: readonly Float64Array[]): { elbo: number; kl: number } {
  const logZ = bruteLogZ(mdp, prior, alpha, gamma, H);
  let elbo = 0;
  let kl = 0;
  for (const t of enumerate(mdp, prior, alpha, gamma, H, q)) {
    // q(tau) = dynamicsWeight (it includes q); p(tau | O) = dynamicsWeight / q-part * w-part * e^{r/alpha} / Z.
    const logQ = Math.log(t.dynamicsWeight);
    const logPost = logQ - t.logPolicy + t.logPrior + t.rewardNats - logZ;
    elbo += t.dynamicsWeight * (t.rewardNats + t.logPrior - t.logPolicy);
    kl += t.dynamicsWeight * (logQ - logPost);
  }
  return { elbo, kl };
}
