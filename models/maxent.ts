/**
 * MaxEnt RL (the entropy bonus of soft Q-learning and SAC): the uniform action prior.
 *
 * Objective, KL-to-uniform form (the default):
 *   max_pi E_pi[ sum_t gamma^t ( r_t - alpha KL(pi(.|s_t) || U) ) ],   U(a|s) = 1/m,
 *   V(s) = alpha log sum_a (1/m) exp(Q(s,a)/alpha),  pi(a|s) = exp((Q(s,a) - V(s))/alpha) / m.
 * Objective, unnormalised entropy form (`--entropy`, the SAC bonus):
 *   max_pi E_pi[ sum_t gamma^t ( r_t + alpha H(pi(.|s_t)) ) ],   V(s) = alpha log sum_a exp(Q(s,a)/alpha).
 * Since H(pi) = log m - KL(pi || U), the two differ by alpha log(m) per step the episode is alive.
 *
 * Closed forms:
 * - Without terminal transitions every trajectory is alive for all H steps, so
 *     V_entropy = V_KL + alpha log(m) sum_{t<H} gamma^t   (alpha log(m) / (1 - gamma) for H = infinity)
 *   at every state, and the policies coincide (a constant offset cancels in the softmax).
 *   This needs the variational (soft Bellman) backup; the exact backup keeps it only for gamma = 1,
 *   because its death branch (probability 1 - gamma, value 0) is itself a terminal transition.
 * - It fails where episodes can end: a `done` entry stops the bonus, so the offset added to Q(s,a)
 *   is gamma c (1 - P(done | s, a)), which differs between actions and states. The entropy form
 *   then pays alpha log(m) per extra step alive and prefers to prolong episodes, the KL form does not:
 *   the values differ by a state-dependent amount and the policies differ.
 * - alpha -> 0 gives the hard Bellman optimum Q*(s,a) = E[r + gamma (1 - d) max_a' Q*(s',a')], and
 *     0 <= V_hard - V_KL <= alpha log(m) sum_{t<H} gamma^t  (<= alpha log(m) / (1 - gamma)),
 *   because the KL term is >= 0 and is at most log m per step for the greedy policy.
 */
import { ParameterError, entropyPrior, uniformPrior, type ActionPrior, type Backup, type Expr, type MdpArrays } from "../src/index.js";
import type { ModelDescriptor } from "./descriptor.js";

/** What the maxent model is, in words (for help texts, derivations and reports). */
export const MAXENT = {
  name: "maxent",
  prior: "uniform pi0(a|s) = 1/m (or weight 1 per action in the entropy form)",
  objective: "max_pi E[ sum_t gamma^t (r_t - alpha KL(pi(.|s_t) || 1/m)) ]  (entropy form: r_t + alpha H(pi(.|s_t)))",
  closedForm:
    "without terminal transitions V_entropy = V_KL + alpha log(m) sum_{t<H} gamma^t; alpha -> 0 gives hard Q, 0 <= V_hard - V_KL <= alpha log(m) / (1 - gamma)",
  help: "default: uniform prior, KL form; --entropy for the SAC form",
  deriveHelp: "uniform prior 1/m, default",
  flags: [],
  ownPrior: "uniform",
  temperatureName: "alpha",
  entropyForm: true,
  // The engine's default prior: uniform, or weight 1 per action with --entropy.
  build: () => ({ warnings: [] }),
  symbolic: {
    name: "maxent",
    notation: { text: "pi0(a|s)", tex: "\\pi_0(a \\mid s)", nextText: "pi0(a'|s')", nextTex: "\\pi_0(a' \\mid s')" },
    section(k, c) {
      const Vg = c.prior.result;
      const policyG = c.prior.policy!;
      const def = k.tpl("1 / m");
      const put = (x: Expr) => k.stripParens(k.simplify(k.simplifyBodies(k.pullFactorsOutOfSum(k.substitute(x, "pi0", def), "Sa")), k.LOG_RULES));
      const V = c.actionRule === "max" ? k.tpl("Maxa(Q, 1)") : put(Vg);
      const policy = c.actionRule === "max" ? k.stripParens(k.tpl("Tie(Q, V) / Sa(Tie(Q, V))")) : put(policyG);
      return {
        title: "MaxEnt RL: the uniform prior pi0(a|s) = 1/m (KL to uniform)",
        priorDefinition: def,
        V,
        policy,
        equations: [
          k.equation("prior", "prior0", def, "uniform over the m actions"),
          k.equation("backup", "V", V, c.actionRule === "max" ? "every action is in the support" : "put pi0 = 1/m into V_t(s); 1/m leaves the sum; log(x / m) = log x - log m"),
          k.equation("policy", "pol", policy, "put pi0 = 1/m into the policy"),
        ],
        notes: [
          "The entropy (MaxEnt / SAC) form weighs every action by 1 instead of 1/m: V_ent = alpha log sum_a exp(Q/alpha), alpha log m more per live step.",
          "Without terminal transitions the two differ by alpha log(m) sum_t gamma^t; where episodes can end the offset depends on the state and the policies differ.",
          "alpha -> 0 gives the hard backup, with 0 <= V_hard - V_KL <= alpha log(m) / (1 - gamma).",
        ],
      };
    },
  },
} as const satisfies ModelDescriptor;

/** The two forms of the MaxEnt objective. */
export type MaxentForm = "kl" | "entropy";

/**
 * The prior of the maxent model.
 * @param form - "kl" (uniform 1/m, KL-to-uniform) or "entropy" (weight 1 per action). @defaultValue "kl"
 */
export function maxentPrior(nStates: number, nActions: number, form: MaxentForm = "kl"): ActionPrior {
  if (form !== "kl" && form !== "entropy") throw new ParameterError("form", `"${String(form)}" is not one of kl, entropy`);
  return form === "kl" ? uniformPrior(nStates, nActions) : entropyPrior(nStates, nActions);
}

/**
 * sum_{t<H} gamma^t: the discounted number of steps of a trajectory that never ends; 1/(1 - gamma)
 * for an infinite horizon.
 * @throws {@link ParameterError} for gamma = 1 without a horizon (the sum diverges) or bad values.
 */
export function discountedSteps(gamma: number, horizon: number | null = null): number {
  if (!(gamma > 0 && gamma <= 1)) throw new ParameterError("gamma", `must be in (0, 1], got ${gamma}`);
  if (horizon === null) {
    if (gamma === 1) throw new ParameterError("gamma", "the sum of gamma^t diverges for gamma = 1 without a horizon");
    return 1 / (1 - gamma);
  }
  if (!Number.isInteger(horizon) || horizon < 1) throw new ParameterError("horizon", `must be an integer >= 1, got ${horizon}`);
  // (1 - gamma^H) / (1 - gamma), written with expm1/log1p so that gamma near 1 stays accurate.
  return gamma === 1 ? horizon : -Math.expm1(horizon * Math.log(gamma)) / -Math.expm1(Math.log(gamma));
}

/**
 * The constant V_entropy(s) - V_KL(s) = alpha log(m) sum_{t<H} gamma^t, valid where
 * {@link entropyOffsetHolds} says so.
 */
export function entropyOffset(alpha: number, nActions: number, gamma: number, horizon: number | null = null): number {
  checkAlpha(alpha);
  return alpha * Math.log(nActions) * discountedSteps(gamma, horizon);
}

/**
 * The bound 0 <= V_hard(s) - V_KL(s) <= alpha log(m) sum_{t<H} gamma^t of the variational (KL form)
 * values against the hard Bellman optimum; it holds with or without terminal transitions.
 */
export function hardGapBound(alpha: number, nActions: number, gamma: number, horizon: number | null = null): number {
  checkAlpha(alpha);
  return alpha * Math.log(nActions) * discountedSteps(gamma, horizon);
}

/**
 * Whether V_entropy = V_KL + {@link entropyOffset} holds at every state for this MDP and backup,
 * and if not, why. A sufficient condition: no entry with `done` and probability > 0, the variational
 * backup (or the exact backup with gamma = 1).
 */
export function entropyOffsetHolds(mdp: MdpArrays, backup: Backup, gamma: number): { holds: boolean; reason: string | null } {
  if (backup === "hard") {
    return { holds: false, reason: "the hard backup ignores the prior's weights (only its support counts): both forms give the same values, offset 0" };
  }
  for (let k = 0; k < mdp.done.length; k++) {
    if (mdp.done[k] && mdp.prob[k]! > 0) {
      let row = 0;
      while (mdp.rowStart[row + 1]! <= k) row++;
      const s = Math.floor(row / mdp.nActions);
      const a = row - s * mdp.nActions;
      return {
        holds: false,
        reason:
          `state ${s}, action ${a} can end the episode: the entropy form earns alpha log(m) only while the episode is alive, ` +
          "so its offset depends on the probability of ending and the policies differ",
      };
    }
  }
  if (backup === "exact" && gamma < 1) {
    return {
      holds: false,
      reason: "the exact backup with gamma < 1 has a death branch (probability 1 - gamma, value 0), which is a terminal transition: the offset does not factor out of log E exp",
    };
  }
  return { holds: true, reason: null };
}

function checkAlpha(alpha: number): void {
  if (!(Number.isFinite(alpha) && alpha > 0)) throw new ParameterError("alpha", `must be a finite number > 0, got ${alpha}`);
}
