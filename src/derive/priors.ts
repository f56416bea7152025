/**
 * The three priors of the lesson, symbolically: what pi0(a|s) is in each model, and what V and the
 * policy become when it is put into the prior factor's rule.
 *
 *   maxent         pi0(a|s) = 1/m                                   (KL to uniform; MaxEnt RL)
 *   rlhf           pi0(a|s) = pi_ref(a|s), alpha = beta             (KL-regularised RLHF, DPO)
 *   demonstration  pi_D(a|s) = (N(s,a) + lambda) / (N(s) + m lambda) (imitation as a prior)
 *
 * Like models/, this states priors and closed forms and holds no solver code; it does not import
 * models/ (the engine never does): the numbers behind these symbols come from the caller.
 */
import type { Backup } from "../inference/rules/index.js";
import { LOG_RULES, pointMass, priorSumsToOne, pullFactorsOutOfSum, simplifyBodies, simplifyWith, stripParens, substitute, tpl } from "./algebra.js";
import type { Expr, MathJs } from "./mathjs.js";
import { PRIOR_NOTATION, type PriorNotation } from "./notation.js";
import type { DerivedEquation, EquationRole, RuleOutput } from "./rules.js";

/** The models `cai derive --model` knows. */
export const DERIVE_MODELS = ["maxent", "rlhf", "demonstration"] as const;
export type DeriveModel = (typeof DERIVE_MODELS)[number];

/** The model part of a derivation. */
export interface ModelSection {
  readonly model: DeriveModel;
  /** One line: the model and its prior, in words. */
  readonly title: string;
  readonly notation: PriorNotation;
  /** pi0(a|s) in the model's own parameters (`m`; `piref`; `Nsa`, `Ns`, `lambda`, `m`): evaluable. */
  readonly priorDefinition: Expr;
  /** V_t(s) with the model's prior put in (evaluable with the same parameters). */
  readonly V: Expr;
  /** The policy pi_t(a|s) with the model's prior put in (evaluable). */
  readonly policy: Expr;
  readonly equations: readonly DerivedEquation[];
  /** Statements in words (limits, support, equivalences) that go with the equations. */
  readonly notes: readonly string[];
}

const line = (math: MathJs, role: EquationRole, lhs: string, rhs: Expr, by: string, when?: string): DerivedEquation => ({
  role,
  lhs: new math.SymbolNode(lhs),
  rhs: stripParens(rhs),
  by,
  ...(when !== undefined ? { when } : {}),
});

/** The model section for a model, given the prior factor's symbolic output for the backup. */
export function modelSection(math: MathJs, model: DeriveModel, backup: Backup, dynamics: RuleOutput, prior: RuleOutput): ModelSection {
  const Vg = prior.result;
  const policyG = prior.policy!;
  if (model === "maxent") {
    const def = tpl(math, "1 / m");
    const put = (x: Expr) => stripParens(simplifyWith(math, simplifyBodies(math, pullFactorsOutOfSum(math, substitute(math, x, "pi0", def), "Sa")), LOG_RULES));
    const V = backup === "hard" ? tpl(math, "Maxa(Q, 1)") : put(Vg);
    const policy = backup === "hard" ? stripParens(tpl(math, "Tie(Q, V) / Sa(Tie(Q, V))")) : put(policyG);
    return {
      model,
      title: "MaxEnt RL: the uniform prior pi0(a|s) = 1/m (KL to uniform)",
      notation: PRIOR_NOTATION.maxent,
      priorDefinition: def,
      V,
      policy,
      equations: [
        line(math, "prior", "prior0", def, "uniform over the m actions"),
        line(math, "backup", "V", V, backup === "hard" ? "every action is in the support" : "put pi0 = 1/m into V_t(s); 1/m leaves the sum; log(x / m) = log x - log m"),
        line(math, "policy", "pol", policy, "put pi0 = 1/m into the policy"),
      ],
      notes: [
        "The entropy (MaxEnt / SAC) form weighs every action by 1 instead of 1/m: V_ent = alpha log sum_a exp(Q/alpha), alpha log m more per live step.",
        "Without terminal transitions the two differ by alpha log(m) sum_t gamma^t; where episodes can end the offset depends on the state and the policies differ.",
        "alpha -> 0 gives the hard backup, with 0 <= V_hard - V_KL <= alpha log(m) / (1 - gamma).",
      ],
    };
  }
  if (model === "rlhf") {
    const def = new math.SymbolNode("piref");
    // The one-step problem (a bandit): prompt x = s, response y = a, every entry done with reward r(x,y).
    const Vx = tpl(math, "alpha * log(Sa(pi0 * exp(Q / alpha)))");
    const oneStep = stripParens(
      simplifyWith(math, pointMass(math, substitute(math, substitute(math, dynamics.result, "Vn", tpl(math, "0")), "r", new math.SymbolNode("x_r"))), LOG_RULES),
    );
    const pistar = simplifyWith(math, tpl(math, "x_piref * exp(x_r / alpha) / x_Z"));
    const implicit = tpl(math, "x_V + alpha * log(x_pistar / x_piref)");
    const implicitP = tpl(math, "x_V + alpha * log(x_pistarp / x_pirefp)");
    const dpo = stripParens(simplifyWith(math, tpl(math, "h_A - h_B", { h_A: implicit, h_B: implicitP })));
    const bandit = "H = 1, every entry done";
    const equations: DerivedEquation[] = [
      line(math, "prior", "prior0", def, "the reference policy (the SFT model); alpha is RLHF's beta, the KL weight"),
      line(math, "backup", "V", Vg, "the prior factor's rule with pi0 = pi_ref"),
      line(math, "policy", "pol", policyG, "the prior factor's policy with pi0 = pi_ref"),
      line(math, "closed-form", "x_Q", oneStep, "one step (a bandit: prompt x = s, response y = a): the dynamics rule with V' = 0 and a single outcome (E[.] of a point mass)", bandit),
      line(math, "closed-form", "x_Z", tpl(math, "Sy(x_piref * exp(x_r / alpha))"), "beta(x), the prior factor's message: the partition function", bandit),
      line(math, "closed-form", "x_V", tpl(math, "alpha * log(x_Z)"), "V(x) = alpha log beta(x)", bandit),
      line(math, "closed-form", "x_pistar", pistar, "pi*(y|x) = pi_ref(y|x) exp((r(x,y) - V(x))/alpha): the closed form of KL-regularised RLHF", bandit),
      line(math, "closed-form", "x_r", implicit, "solve the policy for the reward: take the log of both sides", bandit),
      line(math, "closed-form", "x_ry", dpo, "DPO's implicit reward: V(x) = alpha log Z(x) cancels in the difference of two responses to one prompt", bandit),
    ];
    return {
      model,
      title: "RLHF: the reference policy pi_ref(a|s) as the prior, alpha = beta (the KL weight)",
      notation: PRIOR_NOTATION.rlhf,
      priorDefinition: def,
      V: Vx,
      policy: policyG,
      equations,
      notes: [
        "Token level: a deterministic MDP whose state is the prompt and the tokens so far, reward at the end, gamma = 1. Deterministic dynamics make E[.] a point mass, so log E[exp(x)] = E[x]: exact = variational, and V_0(x) = alpha log sum_y pi_ref(y|x) exp(r(x,y)/alpha) over whole sequences y, pi_ref(y|x) = prod_t pi_ref(y_t | x, y_<t): the sequence-level closed form.",
        backup === "hard"
          ? "With the hard backup (alpha -> 0) the policy is greedy on pi_ref's support and log(pi*/pi_ref) is infinite off the best response: DPO's implicit reward needs alpha > 0."
          : "The implicit reward alpha log(pi*(y|x)/pi_ref(y|x)) recovers r(x,y) up to the prompt's alpha log Z(x), which differences cancel.",
      ],
    };
  }
  // demonstration
  const def = tpl(math, "(Nsa + lambda) / (Ns + m * lambda)");
  const defZero = simplifyWith(math, substitute(math, def, "lambda", tpl(math, "0")));
  const zeroQ = simplifyWith(math, substitute(math, substitute(math, Vg, "Q", tpl(math, "0")), "V", tpl(math, "0")));
  const zeroPolicy = simplifyWith(math, substitute(math, substitute(math, policyG, "Q", tpl(math, "0")), "V", tpl(math, "0")));
  const equations: DerivedEquation[] = [
    line(math, "prior", "prior0", def, "the demonstrations' counts, smoothed by lambda (a Dirichlet(lambda) posterior mean)"),
    line(math, "backup", "V", Vg, "the prior factor's rule with pi0 = pi_D"),
    line(math, "policy", "pol", policyG, "the prior factor's policy with pi0 = pi_D"),
  ];
  if (backup !== "hard") {
    equations.push(
      line(math, "closed-form", "V", zeroQ, "zero reward: Q_t = 0 everywhere (by induction from V_H = 0)", "r = 0"),
      line(math, "closed-form", "V", simplifyWith(math, priorSumsToOne(math, zeroQ)), "sum_a pi_D(a|s) = 1", "r = 0"),
      line(math, "closed-form", "pol", zeroPolicy, "zero reward: the policy is the demonstrations' pi_D", "r = 0"),
    );
  }
  equations.push(line(math, "limit", "pi0", defZero, "lambda = 0: undemonstrated actions get prior 0 and are masked whatever their value (the support problem); where N(s) = 0 the formula is 0/0 and the model falls back to the uniform 1/m", "lambda = 0"));
  return {
    model,
    title: "Demonstrations: pi_D(a|s) = (N(s,a) + lambda) / (N(s) + m lambda) as the prior",
    notation: PRIOR_NOTATION.demonstration,
    priorDefinition: def,
    V: Vg,
    policy: policyG,
    equations,
    notes: [
      "alpha -> infinity: exp((Q - V)/alpha) -> 1, so the policy -> pi_D (imitation).",
      "alpha -> 0: the policy is greedy on the support of pi_D (reinforcement learning restricted to what was demonstrated).",
      "lambda = 0: actions nobody demonstrated are impossible under the prior, however good, at every alpha; states nobody visited have no counts (0/0; the uniform 1/m is used there). lambda > 0 keeps every action in the support.",
    ],
  };
}
