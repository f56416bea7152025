/**
 * Imitation-bootstrapped RL: a prior built from demonstrations.
 *
 * Prior, from counts c(s, a) of demonstrated (state, action) pairs and smoothing lambda >= 0:
 *   pi_D(a|s) = (c(s,a) + lambda) / (c(s) + m lambda),   c(s) = sum_a c(s,a);
 *   a state never demonstrated with lambda = 0 (0/0) gets the uniform prior 1/m.
 * Objective:
 *   max_pi E_pi[ sum_t gamma^t ( r_t - alpha KL(pi(.|s_t) || pi_D(.|s_t)) ) ]
 *   V(s) = alpha log sum_a pi_D(a|s) exp(Q(s,a)/alpha),  pi(a|s) = pi_D(a|s) exp((Q(s,a) - V(s))/alpha).
 * Closed forms:
 * - zero reward: pi = pi_D and V = 0 (the prior is already optimal, KL 0);
 * - alpha -> infinity: pi -> pi_D (the KL term dominates);
 * - alpha -> 0: the greedy policy of the hard Bellman optimum restricted to the support of pi_D,
 *   Q(s,a) = E[r + gamma (1 - d) max_{a': pi_D(a'|s') > 0} Q(s',a')].
 *
 * The support problem: with lambda = 0 an action never demonstrated in a demonstrated state has
 * pi_D = 0, so no policy with finite KL can take it, at any alpha. KL-regularised RL from
 * demonstrations then cannot improve on the demonstrator there, however good the missing action is.
 * {@link DemonstrationPrior.restricted} lists those states; lambda > 0 removes the problem.
 */
import { ParameterError, PriorError, TIE_TOLERANCE, preview, tablePrior, type ActionPrior, type DerivedEquation, type Problem } from "../src/index.js";
import type { ModelDescriptor } from "./descriptor.js";

/** What the demonstration model is, in words. */
export const DEMONSTRATION = {
  name: "demonstration",
  prior: "pi_D(a|s) = (count(s,a) + lambda) / (count(s) + m lambda); uniform where count(s) = 0 and lambda = 0",
  objective: "max_pi E[ sum_t gamma^t (r_t - alpha KL(pi(.|s_t) || pi_D(.|s_t))) ]",
  closedForm: "zero reward: pi = pi_D, V = 0; alpha -> infinity: pi -> pi_D; alpha -> 0: greedy on the support of pi_D",
  help: "prior pi_D = (count(s,a) + lambda) / (count(s) + m lambda) from --demos",
  deriveHelp: "pi_D from counts; limits and the support problem",
  jsonHelp: "also pi_D and demo_counts (n x m) and restricted_states",
  flags: [
    {
      name: "demos",
      usage: "[--demos DEMOS.json]",
      help: [
        '  --demos FILE     with --model demonstration: {"demonstrations": [[s, a], ...], "smoothing": lambda}',
        '                   (or "trajectories": lists of [s, a] steps or {"states", "actions"}; or "counts": c[s][a];',
        "                   or a .npy of counts (n, m), or an .npz with counts, demonstrations (k, 2), smoothing)",
      ],
      otherModel: "holds the demonstrations of --model demonstration; give --model demonstration",
    },
  ],
  ownPrior: "use --demos",
  temperatureName: "alpha",
  entropyForm: false,
  build({ mdp, flag, readDocument }) {
    const path = flag("demos");
    if (path === undefined) throw new ParameterError("--demos", 'is required with --model demonstration: a file {"demonstrations": [[s, a], ...], "smoothing": lambda}');
    const demo = parseDemonstrations(readDocument(path), mdp.nStates, mdp.nActions, path === "-" ? "<stdin>" : path);
    const note = describeRestriction(demo.restricted, (s) => `state ${mdp.stateName(s)}`, (a) => mdp.actionName(a));
    const m = mdp.nActions;
    const rows = (flat: ArrayLike<number>) => Array.from({ length: flat.length / m }, (_, s) => Array.from({ length: m }, (_, a) => flat[s * m + a]!));
    return {
      prior: demo.prior,
      warnings: note ? [note] : [],
      json: { pi_D: rows(demo.prior.probs), demo_counts: rows(demo.counts), smoothing: demo.smoothing, restricted_states: demo.restricted.map((r) => ({ state: r.state, excluded: r.excluded })) },
    };
  },
  symbolic: {
    name: "demonstration",
    notation: { text: "pi_D(a|s)", tex: "\\pi_D(a \\mid s)", nextText: "pi_D(a'|s')", nextTex: "\\pi_D(a' \\mid s')" },
    section(k, c) {
      const Vg = c.prior.result;
      const policyG = c.prior.policy!;
      const def = k.tpl("(Nsa + lambda) / (Ns + m * lambda)");
      const defZero = k.simplify(k.substitute(def, "lambda", k.tpl("0")));
      const zeroQ = k.simplify(k.substitute(k.substitute(Vg, "Q", k.tpl("0")), "V", k.tpl("0")));
      const zeroPolicy = k.simplify(k.substitute(k.substitute(policyG, "Q", k.tpl("0")), "V", k.tpl("0")));
      const equations: DerivedEquation[] = [
        k.equation("prior", "prior0", def, "the demonstrations' counts, smoothed by lambda (a Dirichlet(lambda) posterior mean)"),
        k.equation("backup", "V", Vg, "the prior factor's rule with pi0 = pi_D"),
        k.equation("policy", "pol", policyG, "the prior factor's policy with pi0 = pi_D"),
      ];
      if (c.actionRule !== "max") {
        equations.push(
          k.equation("closed-form", "V", zeroQ, "zero reward: Q_t = 0 everywhere (by induction from V_H = 0)", "r = 0"),
          k.equation("closed-form", "V", k.simplify(k.priorSumsToOne(zeroQ)), "sum_a pi_D(a|s) = 1", "r = 0"),
          k.equation("closed-form", "pol", zeroPolicy, "zero reward: the policy is the demonstrations' pi_D", "r = 0"),
        );
      }
      equations.push(k.equation("limit", "pi0", defZero, "lambda = 0: undemonstrated actions get prior 0 and are masked whatever their value (the support problem); where N(s) = 0 the formula is 0/0 and the model falls back to the uniform 1/m", "lambda = 0"));
      return {
        title: "Demonstrations: pi_D(a|s) = (N(s,a) + lambda) / (N(s) + m lambda) as the prior",
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
    },
  },
} as const satisfies ModelDescriptor;

/** One demonstrated step: [state, action]. */
export type DemoStep = readonly [state: number, action: number];

/** A whole trajectory: a list of [s, a] steps, or state and action sequences. */
export type DemoTrajectory =
  | readonly DemoStep[]
  /** `states` has one entry per action, or one more (the final state, which has no action). */
  | { readonly states: readonly number[]; readonly actions: readonly number[] };

/** A state where the prior excludes some actions (pi_D = 0): no KL-regularised policy can take them. */
export interface RestrictedState {
  readonly state: number;
  /** The actions with pi_D(a|s) = 0. */
  readonly excluded: readonly number[];
}

/** The demonstration prior and what it was built from. */
export interface DemonstrationPrior {
  readonly prior: ActionPrior;
  /** c(s, a), flat n x m. */
  readonly counts: Float64Array;
  readonly smoothing: number;
  /** States whose support the prior restricts (only with lambda = 0), in state order. */
  readonly restricted: readonly RestrictedState[];
  /** States with c(s) = 0 (their prior is uniform when lambda = 0, and (lambda)/(m lambda) = 1/m otherwise). */
  readonly undemonstrated: readonly number[];
}

/**
 * c(s, a) from demonstrated [s, a] pairs, each counting 1.
 * @throws {@link PriorError} naming each pair that is not two integers in range.
 */
export function countPairs(pairs: unknown, nStates: number, nActions: number, path = "demonstrations"): Float64Array {
  const counts = new Float64Array(nStates * nActions);
  const problems: Problem[] = [];
  if (!Array.isArray(pairs)) throw new PriorError([{ code: "bad-demonstrations", path, message: `${path}: expected a list of [state, action] pairs` }]);
  pairs.forEach((pair, i) => addStep(pair, `${path}[${i}]`, counts, nStates, nActions, problems));
  if (problems.length > 0) throw new PriorError(problems);
  return counts;
}

/**
 * c(s, a) from whole trajectories (lists of [s, a] steps, or `{states, actions}` sequences).
 * @throws {@link PriorError} naming each bad trajectory or step.
 */
export function countTrajectories(trajectories: unknown, nStates: number, nActions: number, path = "trajectories"): Float64Array {
  const counts = new Float64Array(nStates * nActions);
  const problems: Problem[] = [];
  if (!Array.isArray(trajectories)) throw new PriorError([{ code: "bad-demonstrations", path, message: `${path}: expected a list of trajectories` }]);
  trajectories.forEach((traj: unknown, i) => {
    const where = `${path}[${i}]`;
    if (Array.isArray(traj)) {
      traj.forEach((step, t) => addStep(step, `${where}[${t}]`, counts, nStates, nActions, problems));
      return;
    }
    if (typeof traj === "object" && traj !== null && Array.isArray((traj as { states?: unknown }).states) && Array.isArray((traj as { actions?: unknown }).actions)) {
      const { states, actions } = traj as { states: unknown[]; actions: unknown[] };
      if (states.length !== actions.length && states.length !== actions.length + 1) {
        problems.push({ code: "bad-demonstrations", path: where, message: `${where}: ${states.length} states for ${actions.length} actions (expected one state per action, or one more for the final state)` });
        return;
      }
      actions.forEach((a, t) => addStep([states[t], a], `${where}.actions[${t}]`, counts, nStates, nActions, problems, `${where}.states[${t}]`));
      // The final state (if given) has no action but must still be a state.
      if (states.length === actions.length + 1) {
        const last = states[actions.length];
        if (!isIndex(last, nStates)) problems.push(indexProblem(`${where}.states[${actions.length}]`, "state", last, nStates));
      }
      return;
    }
    problems.push({ code: "bad-demonstrations", path: where, message: `${where}: expected a list of [state, action] steps or {"states": [...], "actions": [...]}` });
  });
  if (problems.length > 0) throw new PriorError(problems);
  return counts;
}

/**
 * Check a counts table c[s][a] (rows, or flat n x m): finite, >= 0 (fractional counts are weights).
 * @throws {@link PriorError} naming each bad entry.
 */
export function checkCounts(table: unknown, nStates: number, nActions: number, path = "counts"): Float64Array {
  const counts = new Float64Array(nStates * nActions);
  const problems: Problem[] = [];
  const flat = table instanceof Float64Array || (Array.isArray(table) && table.length > 0 && !Array.isArray(table[0]));
  if (flat) {
    const t = table as ArrayLike<unknown>;
    if (t.length !== counts.length) {
      throw new PriorError([{ code: "bad-counts", path, message: `${path}: has ${t.length} counts, expected ${counts.length} (${nStates} states x ${nActions} actions, flat) or ${nStates} rows` }]);
    }
    for (let i = 0; i < counts.length; i++) {
      const s = Math.floor(i / nActions);
      countEntry(t[i], `${path}[${i}]`, s, i - s * nActions, nActions, counts, problems);
    }
  } else if (Array.isArray(table) && table.length === nStates) {
    table.forEach((row: unknown, s) => {
      if (!Array.isArray(row) || row.length !== nActions) {
        problems.push({ code: "bad-counts", path: `${path}[${s}]`, state: s, message: `${path}: state ${s} has ${Array.isArray(row) ? row.length : "no list of"} counts, expected ${nActions} (one per action)` });
        return;
      }
      row.forEach((v: unknown, a) => countEntry(v, `${path}[${s}][${a}]`, s, a, nActions, counts, problems));
    });
  } else {
    throw new PriorError([{ code: "bad-counts", path, message: `${path}: expected ${nStates} rows of ${nActions} counts, got ${Array.isArray(table) ? `${table.length} rows` : typeof table}` }]);
  }
  if (problems.length > 0) throw new PriorError(problems);
  return counts;
}

/**
 * pi_D(a|s) = (c(s,a) + lambda) / (c(s) + m lambda); uniform where c(s) = 0 and lambda = 0.
 * @param smoothing - lambda >= 0. @defaultValue 0
 * @throws {@link PriorError} for negative or non-finite counts or smoothing, or a wrong size.
 */
export function demonstrationPrior(counts: ArrayLike<number>, nStates: number, nActions: number, smoothing = 0, source = "demonstrations"): DemonstrationPrior {
  if (typeof smoothing !== "number" || !Number.isFinite(smoothing) || smoothing < 0) {
    throw new PriorError([{ code: "bad-smoothing", path: "smoothing", message: `smoothing: must be a finite number >= 0, got ${String(smoothing)}` }]);
  }
  const c = checkCounts(counts instanceof Float64Array ? counts : Array.from(counts), nStates, nActions);
  const m = nActions;
  const probs = new Float64Array(nStates * m);
  const restricted: RestrictedState[] = [];
  const undemonstrated: number[] = [];
  const overflow: Problem[] = [];
  for (let s = 0; s < nStates; s++) {
    let total = 0;
    for (let a = 0; a < m; a++) total += c[s * m + a]!;
    if (total === 0) undemonstrated.push(s);
    if (total === 0 && smoothing === 0) {
      probs.fill(1 / m, s * m, (s + 1) * m);
      continue;
    }
    const denom = total + m * smoothing;
    if (!Number.isFinite(denom)) {
      // Counts near 1e308 add up beyond float64: say so, never "the probabilities sum to 0".
      overflow.push({ code: "bad-counts", path: `${source}: counts`, state: s, message: `${source}: state ${s}: the counts (and smoothing) add up to more than float64 holds (about 1.8e308); scale them down` });
      continue;
    }
    const excluded: number[] = [];
    for (let a = 0; a < m; a++) {
      const p = (c[s * m + a]! + smoothing) / denom;
      probs[s * m + a] = p;
      if (p === 0) excluded.push(a);
    }
    if (excluded.length > 0) restricted.push({ state: s, excluded });
  }
  if (overflow.length > 0) throw new PriorError(overflow);
  // tablePrior re-checks the rows (sum to 1 within 1e-9): a guard against rounding, never a renormalisation.
  return { prior: tablePrior(probs, nStates, m, `${source}: demonstration prior`), counts: c, smoothing, restricted, undemonstrated };
}

/**
 * Read a demonstrations document:
 *   {"demonstrations": [[s, a], ...], "trajectories": [...], "counts": [[...]], "smoothing": lambda}
 * At least one of demonstrations, trajectories, counts; their counts add up. `smoothing` defaults to 0;
 * "meta" is free-form; any other key is an error (a misspelt "smoothing" must not pass silently).
 * @param source - how errors name the document (e.g. the file name).
 * @throws {@link PriorError} listing every problem.
 */
export function parseDemonstrations(doc: unknown, nStates: number, nActions: number, source = "demonstrations"): DemonstrationPrior {
  const known = ["demonstrations", "trajectories", "counts", "smoothing", "meta"];
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new PriorError([{ code: "bad-demonstrations", path: source, message: `${source}: expected an object {"demonstrations": [[state, action], ...], "smoothing": lambda}` }]);
  }
  const o = doc as Record<string, unknown>;
  const problems: Problem[] = [];
  for (const key of Object.keys(o)) {
    if (!known.includes(key)) problems.push({ code: "unknown-key", path: `${source}: ${key}`, message: `${source}: unknown key "${key}" (expected ${known.join(", ")})` });
  }
  if (!("demonstrations" in o) && !("trajectories" in o) && !("counts" in o)) {
    problems.push({ code: "bad-demonstrations", path: source, message: `${source}: no "demonstrations", "trajectories" or "counts"` });
  }
  const total = new Float64Array(nStates * nActions);
  const add = (f: () => Float64Array): void => {
    try {
      const c = f();
      for (let i = 0; i < total.length; i++) total[i]! += c[i]!;
    } catch (e) {
      if (e instanceof PriorError) problems.push(...e.problems);
      else throw e;
    }
  };
  if ("demonstrations" in o) add(() => countPairs(o.demonstrations, nStates, nActions, `${source}: demonstrations`));
  if ("trajectories" in o) add(() => countTrajectories(o.trajectories, nStates, nActions, `${source}: trajectories`));
  if ("counts" in o) add(() => checkCounts(o.counts, nStates, nActions, `${source}: counts`));
  let smoothing = 0;
  if ("smoothing" in o) {
    const v = o.smoothing;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      problems.push({ code: "bad-smoothing", path: `${source}: smoothing`, message: `${source}: smoothing must be a finite number >= 0, got ${preview(v)}` });
    } else smoothing = v;
  }
  if (problems.length === 0) {
    for (let i = 0; i < total.length; i++) {
      if (!Number.isFinite(total[i]!)) {
        const st = Math.floor(i / nActions);
        problems.push({ code: "bad-counts", path: `${source}: counts`, state: st, action: i % nActions, message: `${source}: state ${st}, action ${i % nActions}: the counts add up to more than float64 holds (about 1.8e308); scale them down` });
        break;
      }
    }
  }
  if (problems.length > 0) throw new PriorError(problems);
  return demonstrationPrior(total, nStates, nActions, smoothing, source);
}

/**
 * The alpha -> 0 limit of the policy: at each state, pi_D restricted to the greedy actions
 * argmax_{a: pi_D(a|s) > 0} Q(s,a) and renormalised. Give Q the hard optimum on the support of pi_D.
 * Actions within TIE_TOLERANCE * max(1, |best|) of the best share in proportion to pi_D.
 * @param Q - flat n x m.
 */
export function greedyOnSupport(Q: ArrayLike<number>, prior: ActionPrior): Float64Array {
  const { nStates: n, nActions: m, probs } = prior;
  if (Q.length !== n * m) throw new PriorError([{ code: "bad-shape", path: "Q", message: `Q: has ${Q.length} entries, expected ${n * m} (${n} states x ${m} actions, flat)` }]);
  const out = new Float64Array(n * m);
  for (let s = 0; s < n; s++) {
    let best = -Infinity;
    for (let a = 0; a < m; a++) if (probs[s * m + a]! > 0 && Q[s * m + a]! > best) best = Q[s * m + a]!;
    const cut = best - TIE_TOLERANCE * Math.max(1, Math.abs(best));
    let z = 0;
    for (let a = 0; a < m; a++) {
      const p = probs[s * m + a]!;
      if (p > 0 && Q[s * m + a]! >= cut) {
        out[s * m + a] = p;
        z += p;
      }
    }
    for (let a = 0; a < m; a++) out[s * m + a] = out[s * m + a]! / z;
  }
  return out;
}

/** One line per restricted state, for warnings: "state 3 excludes actions 0, 2". */
export function describeRestriction(restricted: readonly RestrictedState[], name: (s: number) => string = String, action: (a: number) => string = String, limit = 5): string | null {
  if (restricted.length === 0) return null;
  const shown = restricted.slice(0, limit).map((r) => `${name(r.state)} (excludes ${r.excluded.map(action).join(", ")})`);
  const more = restricted.length > limit ? ` and ${restricted.length - limit} more` : "";
  return (
    `the demonstration prior excludes actions in ${restricted.length} state${restricted.length > 1 ? "s" : ""}: ${shown.join("; ")}${more}. ` +
    "No KL-regularised policy can take them at any alpha; smoothing > 0 keeps every action"
  );
}

function isIndex(v: unknown, n: number): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v < n;
}

function indexProblem(path: string, what: "state" | "action", v: unknown, n: number): Problem {
  const shown = typeof v === "number" ? String(v) : preview(v);
  return {
    code: `${what}-out-of-range`,
    path,
    message: `${path}: ${what} ${shown} is ${typeof v === "number" && Number.isInteger(v) ? "out of range" : "not an integer index"} (${what}s are 0..${n - 1})`,
  };
}

function addStep(step: unknown, path: string, counts: Float64Array, n: number, m: number, problems: Problem[], statePath?: string): void {
  if (!Array.isArray(step) || step.length !== 2) {
    problems.push({ code: "bad-demonstrations", path, message: `${path}: expected a [state, action] pair, got ${preview(step)}` });
    return;
  }
  const [s, a] = step as [unknown, unknown];
  let ok = true;
  if (!isIndex(s, n)) {
    problems.push(indexProblem(statePath ?? `${path}[0]`, "state", s, n));
    ok = false;
  }
  if (!isIndex(a, m)) {
    problems.push(indexProblem(statePath ? path : `${path}[1]`, "action", a, m));
    ok = false;
  }
  if (ok) counts[(s as number) * m + (a as number)]! += 1;
}

function countEntry(v: unknown, path: string, s: number, a: number, m: number, counts: Float64Array, problems: Problem[]): void {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    problems.push({ code: "bad-counts", path, state: s, action: a, message: `${path}: state ${s}, action ${a}: count ${typeof v === "number" ? String(v) : preview(v)} is not a finite number >= 0` });
    return;
  }
  counts[s * m + a] = v;
}
