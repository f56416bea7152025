/**
 * KL-regularised RLHF: the reference policy pi_ref is the action prior, beta is the temperature alpha.
 *
 * Objective (one step, contexts x ~ p(x), responses y):
 *   max_pi E_x E_{y ~ pi(.|x)}[ r(x, y) ] - beta KL(pi(.|x) || pi_ref(.|x))
 * Closed form:
 *   pi*(y|x) = pi_ref(y|x) exp(r(x,y)/beta) / Z(x),   Z(x) = sum_y pi_ref(y|x) exp(r(x,y)/beta),
 *   V(x) = beta log Z(x)  (the optimal value of the objective at x),
 * and the DPO identity (the reward is recovered from the policy up to a per-context constant):
 *   r(x,y) - r(x,y') = beta log(pi*(y|x)/pi_ref(y|x)) - beta log(pi*(y'|x)/pi_ref(y'|x)).
 * As an MDP: contexts are start states, responses are actions, each response is one `done` entry
 * with reward r(x, y); horizon 1. Exact and variational message passing agree there (deterministic).
 *
 * Token level (states are prefixes, actions are tokens, deterministic, reward R(y) on complete
 * sequences only): with gamma = 1 and horizon = the maximum length, the token-level policy induces
 *   pi*(y) = pi_ref(y) exp(R(y)/beta) / Z,   pi_ref(y) = prod_t pi_ref(y_t | y_<t),
 * log Z = log sum_y pi_ref(y) exp(R(y)/beta), and exact = variational, log Z = ELBO (a single start
 * state and deterministic dynamics make the variational family contain the posterior).
 */
import {
  PriorError,
  ParameterError,
  TabularMdp,
  sequenceMdp,
  tablePrior,
  uniformPrior,
  type ActionPrior,
  type Problem,
  type SequenceMdp,
  type SequenceMdpSpec,
  type TransitionEntry,
  type DerivedEquation,
} from "../src/index.js";
import type { ModelDescriptor } from "./descriptor.js";

/** What the rlhf model is, in words. */
export const RLHF = {
  name: "rlhf",
  prior: "reference policy pi_ref(a|s); the temperature alpha is beta",
  objective: "max_pi E[ sum_t r_t ] - beta KL(pi || pi_ref)  (one step: E_x[ E_pi r(x,y) - beta KL(pi(.|x) || pi_ref(.|x)) ])",
  closedForm:
    "pi*(y|x) = pi_ref(y|x) exp(r(x,y)/beta) / Z(x), V(x) = beta log Z(x); DPO: r(x,y) - r(x,y') = beta log(pi*/pi_ref)(y|x) - beta log(pi*/pi_ref)(y'|x); token level: pi*(y) = pi_ref(y) exp(R(y)/beta) / Z",
  help: "prior = the reference policy of --reference, temperature --beta",
  deriveHelp: "reference policy; the closed form and DPO's implicit reward",
  flags: [
    {
      name: "reference",
      usage: "[--reference REF.json]",
      help: ['  --reference FILE with --model rlhf: the reference policy {"prior": pi_ref[s][a]} (or .npy (n, m), .npz "prior")'],
      otherModel: "is the reference policy of --model rlhf; give --model rlhf",
    },
    {
      name: "beta",
      usage: "[--beta B]",
      help: ["  --beta B         the KL weight of RLHF: another name for --alpha (giving both with different values is an error)"],
      temperature: true,
    },
  ],
  ownPrior: "use --reference",
  temperatureName: "beta",
  entropyForm: false,
  build({ flag, readPolicyTable }) {
    const path = flag("reference");
    if (path === undefined) throw new ParameterError("--reference", 'is required with --model rlhf: a file {"prior": pi_ref[s][a]}');
    return { prior: readPolicyTable(path, "prior", "reference policy"), warnings: [] };
  },
  symbolic: {
    name: "rlhf",
    notation: { text: "pi_ref(a|s)", tex: "\\pi_{\\mathrm{ref}}(a \\mid s)", nextText: "pi_ref(a'|s')", nextTex: "\\pi_{\\mathrm{ref}}(a' \\mid s')" },
    section(k, c) {
      const Vg = c.prior.result;
      const policyG = c.prior.policy!;
      const def = new k.math.SymbolNode("piref");
      // The one-step problem (a bandit): prompt x = s, response y = a, every entry done with reward r(x,y).
      const Vx = k.tpl("alpha * log(Sa(pi0 * exp(Q / alpha)))");
      const oneStep = k.stripParens(
        k.simplify(k.pointMass(k.substitute(k.substitute(c.dynamics.result, "Vn", k.tpl("0")), "r", new k.math.SymbolNode("x_r"))), k.LOG_RULES),
      );
      const pistar = k.simplify(k.tpl("x_piref * exp(x_r / alpha) / x_Z"));
      const implicit = k.tpl("x_V + alpha * log(x_pistar / x_piref)");
      const implicitP = k.tpl("x_V + alpha * log(x_pistarp / x_pirefp)");
      const dpo = k.stripParens(k.simplify(k.tpl("h_A - h_B", { h_A: implicit, h_B: implicitP })));
      const bandit = "H = 1, every entry done";
      const equations: DerivedEquation[] = [
        k.equation("prior", "prior0", def, "the reference policy (the SFT model); alpha is RLHF's beta, the KL weight"),
        k.equation("backup", "V", Vg, "the prior factor's rule with pi0 = pi_ref"),
        k.equation("policy", "pol", policyG, "the prior factor's policy with pi0 = pi_ref"),
        k.equation("closed-form", "x_Q", oneStep, "one step (a bandit: prompt x = s, response y = a): the dynamics rule with V' = 0 and a single outcome (E[.] of a point mass)", bandit),
        k.equation("closed-form", "x_Z", k.tpl("Sy(x_piref * exp(x_r / alpha))"), "beta(x), the prior factor's message: the partition function", bandit),
        k.equation("closed-form", "x_V", k.tpl("alpha * log(x_Z)"), "V(x) = alpha log beta(x)", bandit),
        k.equation("closed-form", "x_pistar", pistar, "pi*(y|x) = pi_ref(y|x) exp((r(x,y) - V(x))/alpha): the closed form of KL-regularised RLHF", bandit),
        k.equation("closed-form", "x_r", implicit, "solve the policy for the reward: take the log of both sides", bandit),
        k.equation("closed-form", "x_ry", dpo, "DPO's implicit reward: V(x) = alpha log Z(x) cancels in the difference of two responses to one prompt", bandit),
      ];
      return {
        title: "RLHF: the reference policy pi_ref(a|s) as the prior, alpha = beta (the KL weight)",
        priorDefinition: def,
        V: Vx,
        policy: policyG,
        equations,
        notes: [
          "Token level: a deterministic MDP whose state is the prompt and the tokens so far, reward at the end, gamma = 1. Deterministic dynamics make E[.] a point mass, so log E[exp(x)] = E[x]: exact = variational, and V_0(x) = alpha log sum_y pi_ref(y|x) exp(r(x,y)/alpha) over whole sequences y, pi_ref(y|x) = prod_t pi_ref(y_t | x, y_<t): the sequence-level closed form.",
          c.actionRule === "max"
            ? "With the hard backup (alpha -> 0) the policy is greedy on pi_ref's support and log(pi*/pi_ref) is infinite off the best response: DPO's implicit reward needs alpha > 0."
            : "The implicit reward alpha log(pi*(y|x)/pi_ref(y|x)) recovers r(x,y) up to the prompt's alpha log Z(x), which differences cancel.",
        ],
      };
    },
  },
} as const satisfies ModelDescriptor;

/** A reference policy table: rows pi_ref[s][a] (lists, objects keyed "0".."k-1") or flat n x m. */
export type ReferenceTable = unknown;

/**
 * The rlhf prior: the reference policy as the action prior (rows must sum to 1 within 1e-9, zeros
 * mask responses). Errors name it "reference policy".
 * @throws {@link PriorError} listing every problem.
 */
export function referencePrior(reference: ReferenceTable, nStates: number, nActions: number): ActionPrior {
  return tablePrior(reference, nStates, nActions, "reference policy");
}

// ---------------------------------------------------------------- one-step contextual bandit

/** A one-step contextual bandit for RLHF. */
export interface BanditSpec {
  /** r(x, y): one row per context, one reward per response. */
  readonly rewards: readonly (readonly number[])[];
  /** pi_ref(y | x), same shape; @defaultValue uniform */
  readonly reference?: ReferenceTable;
  /** p(x), the initial distribution; @defaultValue uniform */
  readonly contexts?: readonly number[];
  readonly contextNames?: readonly string[];
  readonly responseNames?: readonly string[];
}

/** The bandit as an MDP with its prior; solve it with `horizon: 1` and `alpha: beta`. */
export interface BanditModel {
  readonly mdp: TabularMdp;
  readonly prior: ActionPrior;
  readonly horizon: 1;
  readonly nContexts: number;
  readonly nResponses: number;
}

/**
 * Build the bandit MDP: context x is state x, response y is action y, whose single entry is
 * (1, x, r(x, y), done). Solve with horizon 1.
 * @throws {@link PriorError} for a bad reference table, `MdpValidationError` for a bad reward table.
 */
export function banditModel(spec: BanditSpec): BanditModel {
  const { rewards } = spec;
  const problems: Problem[] = [];
  if (!Array.isArray(rewards) || rewards.length === 0) throw new ParameterError("rewards", "expected a non-empty list of rows r[x][y], one per context");
  const m = Array.isArray(rewards[0]) ? rewards[0].length : 0;
  rewards.forEach((row, x) => {
    if (!Array.isArray(row) || row.length !== m || m === 0) {
      problems.push({ code: "bad-rewards", path: `rewards[${x}]`, state: x, message: `rewards: context ${x} has ${Array.isArray(row) ? row.length : "no list of"} rewards, expected ${m || "at least 1"} (one per response)` });
      return;
    }
    row.forEach((r, y) => {
      if (typeof r !== "number" || !Number.isFinite(r)) problems.push({ code: "bad-reward", path: `rewards[${x}][${y}]`, state: x, action: y, message: `rewards: context ${x}, response ${y}: ${String(r)} is not a finite number` });
    });
  });
  if (problems.length > 0) throw new PriorError(problems);
  const n = rewards.length;
  const lists: TransitionEntry[][][] = rewards.map((row, x) => row.map((r: number) => [{ prob: 1, next: x, reward: r, done: true }]));
  const mdp = TabularMdp.fromLists(lists, {
    ...(spec.contexts ? { initial: spec.contexts } : {}),
    ...(spec.contextNames ? { stateNames: spec.contextNames } : {}),
    ...(spec.responseNames ? { actionNames: spec.responseNames } : {}),
    meta: { name: "one-step contextual bandit (RLHF)" },
  });
  const prior = spec.reference === undefined ? uniformPrior(n, m) : referencePrior(spec.reference, n, m);
  return { mdp, prior, horizon: 1, nContexts: n, nResponses: m };
}

/** The bandit's closed form. */
export interface BanditClosedForm {
  /** pi*(y|x), flat n x m. */
  readonly policy: Float64Array;
  /** log Z(x) = log sum_y pi_ref(y|x) exp(r(x,y)/beta), per context (nats). */
  readonly logZ: Float64Array;
  /** V(x) = beta log Z(x) (reward units). */
  readonly value: Float64Array;
}

/**
 * pi*(y|x) = pi_ref(y|x) exp(r(x,y)/beta) / Z(x) and V(x) = beta log Z(x), in log space (responses
 * with pi_ref = 0 are masks).
 * @param reference - pi_ref as an {@link ActionPrior} (e.g. `banditModel(...).prior`).
 */
export function banditClosedForm(rewards: readonly (readonly number[])[], reference: ActionPrior, beta: number): BanditClosedForm {
  checkBeta(beta);
  const n = rewards.length;
  const m = reference.nActions;
  const policy = new Float64Array(n * m);
  const logZ = new Float64Array(n);
  const value = new Float64Array(n);
  const u = new Float64Array(m);
  for (let x = 0; x < n; x++) {
    let mx = -Infinity;
    for (let y = 0; y < m; y++) {
      const p = reference.probs[x * m + y]!;
      u[y] = p > 0 ? Math.log(p) + rewards[x]![y]! / beta : -Infinity;
      if (u[y]! > mx) mx = u[y]!;
    }
    let z = 0;
    for (let y = 0; y < m; y++) z += u[y]! === -Infinity ? 0 : Math.exp(u[y]! - mx);
    const lz = mx + Math.log(z);
    for (let y = 0; y < m; y++) policy[x * m + y] = u[y]! === -Infinity ? 0 : Math.exp(u[y]! - lz);
    logZ[x] = lz;
    value[x] = beta * lz;
  }
  return { policy, logZ, value };
}

/**
 * The DPO implicit reward beta log(pi(y|x) / pi_ref(y|x)), elementwise. For pi = pi* it equals
 * r(x, y) - beta log Z(x), so differences between responses of one context recover reward
 * differences. Entries with pi_ref = 0 (masked responses) are -Infinity.
 * @param pi - a policy, flat n x m or rows; @param piRef - the reference, same shape.
 * @throws {@link PriorError} when the shapes differ, an entry is not a probability, or pi > 0
 *   where pi_ref = 0 (pi is not absolutely continuous with respect to pi_ref).
 */
export function implicitReward(pi: ArrayLike<number>, piRef: ArrayLike<number>, beta: number): Float64Array;
export function implicitReward(pi: readonly (readonly number[])[], piRef: readonly (readonly number[])[], beta: number): number[][];
export function implicitReward(pi: ArrayLike<number> | readonly (readonly number[])[], piRef: ArrayLike<number> | readonly (readonly number[])[], beta: number): Float64Array | number[][] {
  checkBeta(beta);
  const nested = Array.isArray(pi) && pi.length > 0 && Array.isArray(pi[0]);
  if (nested) {
    const p = pi as readonly (readonly number[])[];
    const q = piRef as readonly (readonly number[])[];
    if (!Array.isArray(q) || q.length !== p.length) throw shapeError(p.length, Array.isArray(q) ? q.length : 0);
    return p.map((row, x) => {
      const ref = q[x];
      if (!Array.isArray(ref) || ref.length !== row.length) throw new PriorError([{ code: "bad-shape", path: `piRef[${x}]`, state: x, message: `implicitReward: row ${x} of pi has ${row.length} entries, pi_ref has ${Array.isArray(ref) ? ref.length : "none"}` }]);
      return Array.from(implicitRow(row, ref, beta, x));
    });
  }
  const p = pi as ArrayLike<number>;
  const q = piRef as ArrayLike<number>;
  if (q.length !== p.length) throw shapeError(p.length, q.length);
  return implicitRow(p, q, beta, null);
}

function implicitRow(p: ArrayLike<number>, q: ArrayLike<number>, beta: number, row: number | null): Float64Array {
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    const a = p[i]!;
    const b = q[i]!;
    const where = row === null ? `entry ${i}` : `context ${row}, response ${i}`;
    if (!(a >= 0 && a <= 1) || !(b >= 0 && b <= 1)) throw new PriorError([{ code: "bad-prior", path: `${row === null ? "" : `[${row}]`}[${i}]`, message: `implicitReward: ${where}: pi = ${a}, pi_ref = ${b} are not both probabilities` }]);
    if (b === 0) {
      if (a > 0) throw new PriorError([{ code: "not-absolutely-continuous", path: `[${i}]`, message: `implicitReward: ${where}: pi = ${a} > 0 where pi_ref = 0 (the KL to pi_ref is infinite)` }]);
      out[i] = -Infinity;
    } else out[i] = a > 0 ? beta * (Math.log(a) - Math.log(b)) : -Infinity;
  }
  return out;
}

function shapeError(a: number, b: number): PriorError {
  return new PriorError([{ code: "bad-shape", path: "piRef", message: `implicitReward: pi has ${a} entries (or rows), pi_ref has ${b}` }]);
}

function checkBeta(beta: number): void {
  if (!(Number.isFinite(beta) && beta > 0)) throw new ParameterError("beta", `must be a finite number > 0, got ${beta}`);
}

// ---------------------------------------------------------------- token-level sequence model

/** A token-level RLHF model: a sequence MDP plus a per-token reference policy. */
export interface TokenModelSpec extends SequenceMdpSpec {
  /**
   * pi_ref(token | prefix): m probabilities summing to 1 for each prefix (token indices);
   * @defaultValue uniform over the tokens
   */
  readonly reference?: (prefix: readonly number[]) => ArrayLike<number>;
}

/** The token-level model: solve `mdp` with `prior`, `horizon`, gamma 1 and alpha = beta. */
export interface TokenModel extends SequenceMdp {
  readonly prior: ActionPrior;
  /** The maximum length: the horizon that covers every sequence. */
  readonly horizon: number;
}

/**
 * Build the token-level MDP (see {@link sequenceMdp}) and the per-token reference prior. The absorbing
 * `<complete>` state gets the uniform row (it is never entered alive).
 * @throws {@link PriorError} for reference rows that are not distributions (naming the prefix state).
 */
export function tokenModel(spec: TokenModelSpec): TokenModel {
  const seq = sequenceMdp(spec);
  const n = seq.mdp.nStates;
  const m = seq.vocabulary.length;
  const probs = new Float64Array(n * m).fill(1 / m);
  if (spec.reference) {
    const problems: Problem[] = [];
    for (let s = 0; s < seq.completeState; s++) {
      const row = spec.reference(seq.prefixes[s]!);
      if (!row || row.length !== m) {
        problems.push({ code: "bad-prior", path: `reference policy[${s}]`, state: s, message: `reference policy: prefix "${seq.mdp.stateName(s)}" (state ${s}) has ${row ? row.length : "no"} probabilities, expected ${m} (one per token)` });
        continue;
      }
      for (let a = 0; a < m; a++) probs[s * m + a] = row[a]!;
    }
    if (problems.length > 0) throw new PriorError(problems);
  }
  return { ...seq, prior: referencePrior(probs, n, m), horizon: seq.length };
}

/**
 * log of the probability of each complete sequence (in `model.sequences` order) under a token-level
 * policy (flat n x m): sum_t log policy(y_t | y_<t); -Infinity where a token has probability 0.
 */
export function sequenceLogProbabilities(model: SequenceMdp, tokenPolicy: ArrayLike<number>): Float64Array {
  const m = model.vocabulary.length;
  if (tokenPolicy.length !== model.mdp.nStates * m) {
    throw new PriorError([{ code: "bad-shape", path: "policy", message: `policy: has ${tokenPolicy.length} entries, expected ${model.mdp.nStates * m} (${model.mdp.nStates} states x ${m} tokens, flat)` }]);
  }
  return Float64Array.from(model.sequences, (seq) => {
    let lp = 0;
    for (let i = 0; i < seq.tokens.length; i++) {
      const p = tokenPolicy[seq.states[i]! * m + seq.tokens[i]!]!;
      lp += p > 0 ? Math.log(p) : -Infinity;
    }
    return lp;
  });
}

/**
 * The probability of each complete sequence (in `model.sequences` order) under a token-level policy
 * (flat n x m): prod_t policy(y_t | y_<t). With the reference prior's probabilities it is pi_ref(y).
 */
export function sequenceProbabilities(model: SequenceMdp, tokenPolicy: ArrayLike<number>): Float64Array {
  return sequenceLogProbabilities(model, tokenPolicy).map(Math.exp);
}

/** The sequence-level closed form of the token-level model. */
export interface SequenceClosedForm {
  /** pi*(y) = pi_ref(y) exp(R(y)/beta) / Z, in `model.sequences` order. */
  readonly probabilities: Float64Array;
  /** log Z = log sum_y pi_ref(y) exp(R(y)/beta) (nats). */
  readonly logZ: number;
  /** beta log Z: the optimal value of E[R] - beta KL(pi || pi_ref) at the start. */
  readonly value: number;
}

/** pi*(y) = pi_ref(y) exp(R(y)/beta) / Z over the complete sequences, in log space. */
export function sequenceClosedForm(model: TokenModel, beta: number): SequenceClosedForm {
  checkBeta(beta);
  const logRef = sequenceLogProbabilities(model, model.prior.probs);
  const u = Float64Array.from(model.sequences, (seq, i) => logRef[i]! + seq.reward / beta);
  let mx = -Infinity;
  for (const v of u) if (v > mx) mx = v;
  let z = 0;
  for (const v of u) if (v !== -Infinity) z += Math.exp(v - mx);
  const logZ = mx + Math.log(z);
  return { probabilities: u.map((v) => (v === -Infinity ? 0 : Math.exp(v - logZ))), logZ, value: beta * logZ };
}
