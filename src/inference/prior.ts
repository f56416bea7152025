/**
 * The action prior pi0(a | s) of the trajectory graph.
 *
 * A prior is held as normalised probabilities `probs` (rows sum to 1; 0 masks the action) and a
 * per-state log mass `logMass`: the prior factor's weight is w(a|s) = exp(logMass[s]) * probs[s,a].
 * - KL form (default): uniform probs 1/m, logMass 0, so V(s) = alpha log sum_a (1/m) exp(Q/alpha)
 *   and an absorbing zero-reward state has V = 0.
 * - Entropy (MaxEnt / SAC) form: w = 1 for every action, i.e. probs 1/m and logMass log(m), so
 *   V(s) = alpha log sum_a exp(Q/alpha) (the unnormalised soft maximum).
 * - Any table pi0[s][a] whose rows sum to 1 within 1e-9.
 */
import { PriorError, type Problem } from "../errors.js";
import { preview } from "../preview.js";
import { fsum } from "../numeric/logspace.js";
import { PROBABILITY_SUM_TOLERANCE, formatSum } from "../mdp/tabular.js";

/** An action prior over n states and m actions. */
export interface ActionPrior {
  readonly kind: "uniform" | "entropy" | "table";
  readonly nStates: number;
  readonly nActions: number;
  /** Normalised pi0(a|s), flat n x m (row = s * m + a); 0 masks the action. */
  readonly probs: Float64Array;
  /** log of the prior factor's total mass per state: 0 for a normalised prior, log m for the entropy form. */
  readonly logMass: Float64Array;
}

/** The uniform prior 1/m (the KL-to-uniform form of MaxEnt RL). */
export function uniformPrior(nStates: number, nActions: number): ActionPrior {
  return constantPrior("uniform", nStates, nActions, 0);
}

/** The unnormalised entropy form: weight 1 per action, V = alpha log sum_a exp(Q/alpha). */
export function entropyPrior(nStates: number, nActions: number): ActionPrior {
  return constantPrior("entropy", nStates, nActions, Math.log(nActions));
}

/**
 * A prior with the same pi0 = 1/m and log mass in every state. Its `probs` and `logMass` tables are
 * built on first read (a million states by four actions is 40 MB the engine's kernels never read:
 * they take the two numbers from {@link priorConstants}).
 */
function constantPrior(kind: "uniform" | "entropy", nStates: number, nActions: number, logMass0: number): ActionPrior {
  let probs: Float64Array | undefined;
  let logMass: Float64Array | undefined;
  return {
    kind,
    nStates,
    nActions,
    get probs() {
      return (probs ??= new Float64Array(nStates * nActions).fill(1 / nActions));
    },
    get logMass() {
      return (logMass ??= new Float64Array(nStates).fill(logMass0));
    },
  };
}

/**
 * For the uniform and entropy priors, the numbers every state shares: pi0(a|s) = `prob` = 1/m and
 * the log mass (0, or log m for the entropy form), exactly the values of their tables; null for a table.
 */
export function priorConstants(prior: ActionPrior): { readonly prob: number; readonly logMass: number } | null {
  if (prior.kind === "uniform") return { prob: 1 / prior.nActions, logMass: 0 };
  if (prior.kind === "entropy") return { prob: 1 / prior.nActions, logMass: Math.log(prior.nActions) };
  return null;
}

/**
 * A prior from a table pi0[s][a] (nested lists, objects keyed "0".."k-1", or a flat n x m array).
 * Rows must be finite, non-negative and sum to 1 within 1e-9; never renormalised silently.
 * @param what - how errors name the table, e.g. "prior" or "reference policy".
 * @throws {@link PriorError} listing every problem.
 */
export function tablePrior(table: unknown, nStates: number, nActions: number, what = "prior", sumTolerance = PROBABILITY_SUM_TOLERANCE): ActionPrior {
  const problems: Problem[] = [];
  const probs = new Float64Array(nStates * nActions);
  // One validation for the flat and the nested forms: every entry must be a number (strings, null,
  // lists are reported with what was found, never coerced), then the rows are checked.
  const take = (s: number, a: number, v: unknown) => {
    if (typeof v === "number") probs[s * nActions + a] = v;
    else {
      probs[s * nActions + a] = 0;
      problems.push({ code: "bad-prior", path: `${what}[${s}][${a}]`, state: s, action: a, message: `${what}: state ${s}, action ${a}: ${preview(v)}${typeof v === "string" ? " (a string)" : ""} is not a number` });
    }
  };
  // Flat: n x m entries, not all of them rows (a list of rows is the nested form).
  if (table instanceof Float64Array || (Array.isArray(table) && table.length === nStates * nActions && !table.every((v) => typeof v === "object" && v !== null))) {
    const flat = table as ArrayLike<unknown>;
    for (let i = 0; i < probs.length; i++) take(Math.floor(i / nActions), i % nActions, flat[i]);
    if (problems.length > 0) throw new PriorError(problems);
  } else {
    const rows = indexed(table);
    if (!rows) throw new PriorError([{ code: "bad-prior", path: what, message: `${what}: expected ${nStates} rows of ${nActions} probabilities (lists or objects keyed "0".."k-1"), got ${preview(table)}` }]);
    if (rows.length !== nStates) {
      throw new PriorError([{ code: "bad-prior", path: what, message: `${what}: has ${rows.length} rows but the MDP has ${nStates} states` }]);
    }
    for (let s = 0; s < nStates; s++) {
      const row = indexed(rows[s]);
      if (!row || row.length !== nActions) {
        problems.push({ code: "bad-prior", path: `${what}[${s}]`, state: s, message: `${what}: state ${s} has ${row ? row.length : "no list of"} probabilities, expected ${nActions} (one per action)` });
        continue;
      }
      for (let a = 0; a < nActions; a++) take(s, a, row[a]);
    }
    if (problems.length > 0) throw new PriorError(problems);
  }
  problems.push(...validatePriorRows(probs, nStates, nActions, what, sumTolerance));
  if (problems.length > 0) throw new PriorError(problems);
  return { kind: "table", nStates, nActions, probs, logMass: new Float64Array(nStates) };
}

/** Checks rows of a flat n x m policy table: finite, >= 0, summing to 1 within 1e-9. */
export function validatePriorRows(probs: ArrayLike<number>, nStates: number, nActions: number, what: string, sumTolerance = PROBABILITY_SUM_TOLERANCE): Problem[] {
  const problems: Problem[] = [];
  for (let s = 0; s < nStates; s++) {
    let ok = true;
    for (let a = 0; a < nActions; a++) {
      const v = probs[s * nActions + a]!;
      if (!Number.isFinite(v) || v < 0) {
        ok = false;
        problems.push({ code: "bad-prior", path: `${what}[${s}][${a}]`, state: s, action: a, message: `${what}: state ${s}, action ${a}: ${String(v)} is not a probability` });
      }
    }
    if (!ok) continue;
    const sum = fsum(probs, s * nActions, (s + 1) * nActions);
    if (Math.abs(sum - 1) > sumTolerance) {
      problems.push({ code: "prior-not-normalised", path: `${what}[${s}]`, state: s, message: `${what}: state ${s}: the probabilities sum to ${formatSum(sum)} (expected 1 within ${sumTolerance})` });
    }
  }
  return problems;
}

/** Checks that a prior fits an MDP of n states and m actions. */
export function checkPriorShape(prior: ActionPrior, nStates: number, nActions: number): void {
  if (prior.nStates !== nStates || prior.nActions !== nActions) {
    throw new PriorError([{ code: "bad-prior", path: "prior", message: `prior: is ${prior.nStates} x ${prior.nActions} but the MDP has ${nStates} states and ${nActions} actions` }]);
  }
}

/** log w(a|s) = logMass[s] + log probs[s,a], flat n x m; -Infinity where the action is masked. */
export function logWeights(prior: ActionPrior): Float64Array {
  const { nStates: n, nActions: m } = prior;
  const out = new Float64Array(n * m);
  for (let s = 0; s < n; s++) {
    for (let a = 0; a < m; a++) {
      const p = prior.probs[s * m + a]!;
      out[s * m + a] = p > 0 ? prior.logMass[s]! + Math.log(p) : -Infinity;
    }
  }
  return out;
}

function indexed(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (typeof v === "object" && v !== null && !(v instanceof Float64Array)) {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o);
    const out: unknown[] = new Array(keys.length);
    for (const key of keys) {
      const i = Number(key);
      if (!/^(0|[1-9][0-9]*)$/.test(key) || i >= keys.length) return undefined;
      out[i] = o[key];
    }
    return out;
  }
  return undefined;
}
