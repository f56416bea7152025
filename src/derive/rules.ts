/**
 * The message rules of the trajectory factor graph, run on symbolic values: the same rule families
 * as src/inference/rules (looked up by the numeric rule's name), but each rule takes the incoming
 * message as a mathjs tree and returns the outgoing message, its logarithm and the backup it
 * simplifies to, one identity at a time.
 *
 *   dynamics "log-expect-exp"  beta_t(s,a) = sum_{s'} P exp(r/alpha) beta_t+1(s')       (sum-product)
 *   dynamics "expectation"     beta_t(s,a) = exp(sum_{s'} P log(exp(r/alpha) beta_t+1))  (structured VMP)
 *   prior "tempered"           beta_t(s) = sum_a pi0(a|s) beta_t(s,a)
 *   prior "max"                V_t(s) = max over the prior's support of Q_t(s,a)         (alpha -> 0)
 *   initial                    Z = sum_s p0(s) beta_0(s)  (exact), E_p0[log beta_0] (variational)
 */
import { RULES, type Backup, type DynamicsRule, type SemiringKind } from "../inference/rules/index.js";
import { LOG_RULES, pullOutOfExpectation, pushIntoExpectation, simplifyBodies, simplifyWith, stripParens, substitute, sumToExpectation, tpl } from "./algebra.js";
import type { Expr, MathJs } from "./mathjs.js";

/** What a line of a derivation is. */
export type EquationRole = "incoming" | "message" | "log" | "backup" | "special" | "policy" | "combined" | "prior" | "closed-form" | "limit";

/** One line of a derivation: lhs = rhs, the identity that gives it, and when it holds. */
export interface DerivedEquation {
  readonly role: EquationRole;
  readonly lhs: Expr;
  readonly rhs: Expr;
  /** The rule or identity that gives this line from the one before, in words. */
  readonly by: string;
  /** Conditions under which the line holds (absent: always), in words. */
  readonly when?: string;
}

/** What a symbolic rule returns: its lines and the evaluable results. */
export interface RuleOutput {
  readonly equations: readonly DerivedEquation[];
  /** The general result: Q (dynamics), V (prior), log Z / ELBO / J (initial). */
  readonly result: Expr;
  /** The result's name: the symbol on its left-hand side. */
  readonly resultName: string;
  /** Prior factor only: the policy pi_t(a|s). */
  readonly policy?: Expr;
  /** Dynamics factor only: the special form when r = r(s,a) (and gamma = 1 for the exact rule). */
  readonly special?: Expr;
}

const sym = (math: MathJs, name: string): Expr => new math.SymbolNode(name);
const eq = (math: MathJs, role: EquationRole, lhs: string, rhs: Expr, by: string, when?: string): DerivedEquation => ({
  role,
  lhs: sym(math, lhs),
  rhs: stripParens(rhs),
  by,
  ...(when !== undefined ? { when } : {}),
});

const INCOMING_BY =
  "the message from s' on the dynamics factor's \"next\" interface; with gamma < 1 the live branch (probability gamma) " +
  "carries it and the death branch (probability 1 - gamma) carries beta = 1, i.e. value 0; a done entry's successor has V = 0";

/** Symbolic dynamics rules, by the numeric rule's name. */
export const SYMBOLIC_DYNAMICS: Readonly<Record<"log-expect-exp" | "expectation", (math: MathJs) => RuleOutput>> = {
  "log-expect-exp"(math) {
    const incoming = tpl(math, "exp(Vn / alpha)");
    const message = tpl(math, "Sn(p * exp(r / alpha) * (gamma * beta_n + (1 - gamma) * 1))");
    const withDeath = tpl(math, "Sn(p * exp(r / alpha) * (gamma * h_B + (1 - gamma)))", { h_B: incoming });
    const log = tpl(math, "log(h_M)", { h_M: withDeath });
    const Q = stripParens(sumToExpectation(math, tpl(math, "alpha * h_L", { h_L: log })));
    // gamma = 1 and r = r(s,a): exp(r/alpha) leaves the expectation, log of a product, log exp.
    let special = simplifyWith(math, substitute(math, Q, "gamma", tpl(math, "1")));
    special = pullOutOfExpectation(math, substitute(math, special, "r", sym(math, "rsa")));
    special = simplifyWith(math, special, LOG_RULES);
    return {
      equations: [
        eq(math, "incoming", "beta_n", incoming, INCOMING_BY),
        eq(
          math,
          "message",
          "beta_sa",
          message,
          "sum-product: sum over s' and over the live (gamma) / death (1 - gamma, beta = 1) branch of the factor P(s'|s,a) exp(r(s,a,s')/alpha) (dynamics x optimality) times the incoming message",
        ),
        eq(math, "message", "beta_sa", withDeath, "the incoming message"),
        eq(math, "log", "log_beta_sa", log, "take the logarithm"),
        eq(math, "backup", "Q", Q, "Q_t(s,a) = alpha log beta_t(s,a); sum_{s'} P(s'|s,a) x = E[x]"),
        eq(math, "special", "Q", special, "exp(r/alpha) leaves E[.]; log(x y) = log x + log y; log exp x = x", "gamma = 1 and r = r(s,a) does not depend on s'"),
      ],
      result: Q,
      resultName: "Q",
      special,
    };
  },

  expectation(math) {
    const incoming = tpl(math, "exp(Vn / alpha)");
    const message = tpl(math, "exp(Sn(p * (log(exp(r / alpha)) + gamma * log(beta_n) + (1 - gamma) * log(1))))");
    const withIncoming = substitute(math, message, "beta_n", incoming);
    const logRaw = tpl(math, "Sn(p * (log(exp(r / alpha)) + gamma * log(h_B) + (1 - gamma) * log(1)))", { h_B: incoming });
    const log = simplifyBodies(math, logRaw, LOG_RULES);
    // alpha log beta: the sum over s' becomes E[.], alpha enters it, and the body simplifies.
    let Q = pushIntoExpectation(math, sumToExpectation(math, tpl(math, "alpha * h_L", { h_L: logRaw })));
    Q = stripParens(simplifyBodies(math, Q, LOG_RULES));
    const special = simplifyWith(math, pullOutOfExpectation(math, substitute(math, Q, "r", sym(math, "rsa"))));
    return {
      equations: [
        eq(math, "incoming", "beta_n", incoming, INCOMING_BY),
        eq(
          math,
          "message",
          "beta_sa",
          message,
          "structured variational rule (q keeps the dynamics P): exp of the expected log of the factor exp(r/alpha) times the incoming message, over s' ~ P and the live/death branch",
        ),
        eq(math, "message", "beta_sa", withIncoming, "the incoming message"),
        eq(math, "log", "log_beta_sa", log, "take the logarithm; log exp x = x, log 1 = 0"),
        eq(math, "backup", "Q", Q, "Q_t(s,a) = alpha log beta_t(s,a); sum_{s'} P(s'|s,a) x = E[x]; alpha enters E[.]"),
        eq(math, "special", "Q", special, "linearity of E[.]", "r = r(s,a) does not depend on s'"),
      ],
      result: Q,
      resultName: "Q",
      special,
    };
  },
};

/** Symbolic action-prior rules, by the closed form the numeric semiring computes (its kind). */
export const SYMBOLIC_PRIOR: Readonly<Record<SemiringKind, (math: MathJs, backup: Backup) => RuleOutput>> = {
  tempered(math, backup) {
    const message = tpl(math, "Sa(pi0 * beta_sa)");
    const withQ = tpl(math, "Sa(pi0 * exp(Q / alpha))");
    const log = tpl(math, "log(h_M)", { h_M: withQ });
    const V = stripParens(tpl(math, "alpha * h_L", { h_L: log }));
    const policyRatio = tpl(math, "pi0 * beta_sa / beta_s");
    const policy = stripParens(simplifyWith(math, tpl(math, "pi0 * exp(Q / alpha) / exp(V / alpha)"), LOG_RULES));
    const rule =
      !RULES[backup].exactMessages
        ? "the action prior's rule in the structured family (q(a|s) is free, so it is the sum-product rule): "
        : "sum-product: ";
    return {
      equations: [
        eq(math, "message", "beta_s", message, `${rule}sum over a of the prior factor times the message from the dynamics factor`),
        eq(math, "message", "beta_s", withQ, "beta_t(s,a) = exp(Q_t(s,a)/alpha)"),
        eq(math, "log", "log_beta_s", log, "take the logarithm"),
        eq(math, "backup", "V", V, "V_t(s) = alpha log beta_t(s)"),
        eq(math, "policy", "pol", policyRatio, RULES[backup].exactMessages ? "the posterior p(a_t | s_t, O_t:H): prior times incoming message, normalised" : "the optimal q(a_t | s_t): prior times incoming message, normalised"),
        eq(math, "policy", "pol", policy, "exp(x) / exp(y) = exp(x - y)"),
      ],
      result: V,
      resultName: "V",
      policy,
    };
  },

  max(math) {
    const V = tpl(math, "Maxa(Q, pi0)");
    const policy = stripParens(tpl(math, "pi0 * Tie(Q, V) / Sa(pi0 * Tie(Q, V))"));
    return {
      equations: [
        eq(math, "backup", "V", V, "max-product: alpha log sum_a pi0 exp(Q/alpha) -> max over the prior's support as alpha -> 0"),
        eq(math, "policy", "pol", policy, "the greedy policy; tied actions (within 1e-9 max(1, |V|)) share in proportion to the prior"),
      ],
      result: V,
      resultName: "V",
      policy,
    };
  },
};

/** Symbolic rule of the initial factor p0(s_0), per backup. */
export function symbolicInitial(math: MathJs, backup: Backup): RuleOutput {
  // Exact messages close with log Z; a soft (tempered) family's with the ELBO of its q; the max with the return.
  const family = RULES[backup];
  if (family.exactMessages) {
    const Z = tpl(math, "Ss(p0 * beta_0)");
    const logZ = tpl(math, "log(Ss(p0 * exp(V0 / alpha)))");
    return {
      equations: [
        eq(math, "message", "Z", Z, "sum-product: the evidence p(O_0:H = 1), the sum over s_0 of p0 times the incoming message"),
        eq(math, "backup", "logZ", logZ, "beta_0(s) = exp(V_0(s)/alpha); take the logarithm"),
      ],
      result: stripParens(logZ),
      resultName: "logZ",
    };
  }
  if (family.actions.kind === "tempered") {
    const elbo = tpl(math, "Ss(p0 * log(beta_0))");
    const value = simplifyWith(math, tpl(math, "Ss(p0 * log(exp(V0 / alpha)))"), LOG_RULES);
    return {
      equations: [
        eq(math, "message", "elbo", elbo, "structured variational: the expected log message under p0, the ELBO of the optimal q (log Z - ELBO = KL(q(tau) || p(tau | O)))"),
        eq(math, "backup", "elbo", simplifyBodies(math, value, LOG_RULES), "log exp x = x"),
      ],
      result: stripParens(simplifyBodies(math, value, LOG_RULES)),
      resultName: "elbo",
    };
  }
  const J = tpl(math, "Ss(p0 * V0)");
  return {
    equations: [eq(math, "backup", "J", J, "max-product: the expected return of the greedy policy from p0")],
    result: J,
    resultName: "J",
  };
}

/**
 * V_t+1(s') written through Q_t+1(s', a') by the prior rule of the family, for the backup in Q alone.
 */
export function nextValueThroughQ(math: MathJs, semiring: SemiringKind): Expr {
  return semiring === "max" ? tpl(math, "Maxn(Qn, pi0n)") : tpl(math, "alpha * log(Sn2(pi0n * exp(Qn / alpha)))");
}

/** The symbolic version of a numeric dynamics rule (the registered rules have one). */
export function symbolicDynamics(rule: DynamicsRule): (math: MathJs) => RuleOutput {
  const f = (SYMBOLIC_DYNAMICS as Readonly<Record<string, (math: MathJs) => RuleOutput>>)[rule.name];
  if (!f) throw new TypeError(`no symbolic version of the dynamics rule ${rule.name}`);
  return f;
}

/** The closed form of a numeric action rule (the registered rules state theirs). */
export function semiringKindOf(rule: { readonly name: string; readonly kind: SemiringKind | null }): SemiringKind {
  if (rule.kind === null) throw new TypeError(`no symbolic version of the action rule ${rule.name}`);
  return rule.kind;
}
