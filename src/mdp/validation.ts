/**
 * The rules a tabular MDP must satisfy, checked once at the boundary (loaders, the TabularMdp
 * constructors): problems are returned as data, in table order, with messages built only for the
 * problems found.
 */
import type { Problem } from "../errors.js";
import { fsum } from "../numeric/logspace.js";
import type { MdpArrays, MdpLabels } from "./tabular.js";

/** Tolerance for a probability vector summing to 1. Never renormalised silently. */
export const PROBABILITY_SUM_TOLERANCE = 1e-9;

/** Options of {@link validateMdpArrays}, for loaders that have already reported some problems. */
export interface ValidateOptions {
  /**
   * Rows (s * nActions + a) whose sum check is skipped, with 1 where a loader has already reported
   * that a probability of the row is not a number (the sum would only repeat that problem).
   */
  readonly skipSumRows?: Uint8Array;
  /** Skip the initial distribution (a loader has already reported it). */
  readonly skipInitial?: boolean;
  /**
   * Tolerance on |sum - 1| of each row and of the initial distribution. @defaultValue
   * {@link PROBABILITY_SUM_TOLERANCE} (1e-9); the numpy readers widen it to float32 rounding for float32 tables.
   */
  readonly sumTolerance?: number;
}

/**
 * Every rule a tabular MDP must satisfy; returns the problems found (empty when valid), in table
 * order. Messages are built only for problems found, so a valid table costs one pass over the arrays.
 */
export function validateMdpArrays(x: MdpArrays, labels: MdpLabels = {}, options: ValidateOptions = {}): Problem[] {
  const problems: Problem[] = [];
  const { nStates: n, nActions: m } = x;
  if (!Number.isInteger(n) || n < 1) {
    problems.push({ code: "no-states", path: "P", message: `the MDP needs at least one state (got ${n})` });
    return problems;
  }
  if (!Number.isInteger(m) || m < 1) {
    problems.push({ code: "no-actions", path: "P[0]", message: `the MDP needs at least one action (got ${m})` });
    return problems;
  }
  if (x.rowStart.length !== n * m + 1) {
    problems.push({ code: "bad-layout", path: "rowStart", message: `rowStart has length ${x.rowStart.length}, expected ${n * m + 1}` });
    return problems;
  }
  const nnz = x.rowStart[n * m]!;
  if (x.rowStart[0] !== 0 || x.next.length !== nnz || x.prob.length !== nnz || x.reward.length !== nnz || x.done.length !== nnz) {
    problems.push({
      code: "bad-layout",
      path: "rowStart",
      message: `CSR arrays disagree: rowStart runs from ${x.rowStart[0]} to ${nnz}; next, prob, reward, done have ${x.next.length}, ${x.prob.length}, ${x.reward.length}, ${x.done.length} entries`,
    });
    return problems;
  }
  const { rowStart, prob, next, reward } = x;
  const skip = options.skipSumRows;
  const sumTol = options.sumTolerance ?? PROBABILITY_SUM_TOLERANCE;
  for (let row = 0; row < n * m; row++) {
    const k0 = rowStart[row]!;
    const k1 = rowStart[row + 1]!;
    if (k1 < k0 || k1 > nnz) {
      const s = Math.floor(row / m);
      const a = row - s * m;
      problems.push({ code: "bad-layout", path: `rowStart[${row + 1}]`, state: s, action: a, message: `state ${s}, action ${a}: rowStart[${row + 1}] = ${k1} is outside ${k0}..${nnz}` });
      return problems;
    }
    if (k1 === k0) {
      const s = Math.floor(row / m);
      const a = row - s * m;
      problems.push({ code: "empty-transitions", path: `P[${s}][${a}]`, state: s, action: a, message: `state ${s}, action ${a}: the transition list is empty` });
      continue;
    }
    let badProb = false;
    for (let k = k0; k < k1; k++) {
      const p = prob[k]!;
      const t = next[k]!;
      const r = reward[k]!;
      // One comparison chain per entry on the valid path; messages only when something is wrong.
      if (p >= 0 && p !== Infinity && t >= 0 && t < n && r - r === 0) continue;
      const s = Math.floor(row / m);
      const a = row - s * m;
      const e = k - k0;
      if (!(p >= 0 && p !== Infinity)) {
        badProb = true;
        problems.push({
          code: "bad-probability",
          path: `P[${s}][${a}][${e}][0]`,
          state: s,
          action: a,
          entry: e,
          message: `state ${s}, action ${a}, entry ${e}: probability ${p} is ${Number.isFinite(p) ? "negative" : "not finite"}`,
        });
      }
      if (!(t >= 0 && t < n)) problems.push(nextStateProblem(s, a, e, t, n));
      if (r - r !== 0) {
        problems.push({
          code: "bad-reward",
          path: `P[${s}][${a}][${e}][2]`,
          state: s,
          action: a,
          entry: e,
          message: `state ${s}, action ${a}, entry ${e}: reward ${r} is not finite`,
        });
      }
    }
    if (badProb || (skip !== undefined && skip[row] === 1)) continue;
    const sum = fsum(prob, k0, k1);
    if (Math.abs(sum - 1) > sumTol) {
      const s = Math.floor(row / m);
      const a = row - s * m;
      problems.push({
        code: "not-stochastic",
        path: `P[${s}][${a}]`,
        state: s,
        action: a,
        message: `state ${s}, action ${a}: the probabilities sum to ${formatSum(sum)} (expected 1 within ${+sumTol.toPrecision(2)})`,
      });
    }
  }
  if (!options.skipInitial) problems.push(...validateDistribution(x.initial, n, "initial", "initial distribution", "bad-initial", sumTol));
  if (labels.stateNames && labels.stateNames.length !== n) {
    problems.push({ code: "bad-names", path: "stateNames", message: `stateNames has ${labels.stateNames.length} names for ${n} states` });
  }
  if (labels.actionNames && labels.actionNames.length !== m) {
    problems.push({ code: "bad-names", path: "actionNames", message: `actionNames has ${labels.actionNames.length} names for ${m} actions` });
  }
  return problems;
}

/** The problem for a next state that is not a state index (out of range, or not an integer). */
export function nextStateProblem(s: number, a: number, e: number, t: unknown, n: number): Problem {
  const integer = typeof t === "number" && Number.isInteger(t);
  return {
    code: "next-state-out-of-range",
    path: `P[${s}][${a}][${e}][1]`,
    state: s,
    action: a,
    entry: e,
    message: integer
      ? `state ${s}, action ${a}, entry ${e}: next state ${t} is out of range (states are 0..${n - 1})`
      : `state ${s}, action ${a}, entry ${e}: next state ${describeValue(t)} is not an integer state index (states are 0..${n - 1})`,
  };
}

/**
 * Every state needs the same number of actions. The reference count is the one most states have
 * (ties: the count of the earliest state), so one odd state yields one problem, not n - 1.
 * @param counts - number of actions of each state; `undefined` for a state already reported.
 */
export function raggedActionProblems(counts: readonly (number | undefined)[]): { nActions: number; problems: Problem[] } {
  const freq = new Map<number, number>();
  for (const c of counts) if (c !== undefined) freq.set(c, (freq.get(c) ?? 0) + 1);
  let m = 0;
  let best = 0;
  for (const [c, f] of freq) {
    if (f > best) {
      best = f;
      m = c;
    }
  }
  const problems: Problem[] = [];
  if (freq.size <= 1) return { nActions: m, problems };
  const known = counts.filter((c) => c !== undefined).length;
  counts.forEach((c, s) => {
    if (c === undefined || c === m) return;
    problems.push({
      code: "ragged-actions",
      path: `P[${s}]`,
      state: s,
      message: `state ${s} has ${c} action${c === 1 ? "" : "s"}, but ${best} of ${known} states have ${m} (every state needs the same number of actions)`,
    });
  });
  return { nActions: m, problems };
}


/**
 * Problems in table order: those inside P by (state, action, entry, field), row-level ones (sum,
 * empty list) after the row's entries; problems outside P (initial, names, meta) last. Stable.
 */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  const key = (p: Problem): [number, number, number, number] => {
    if (p.state === undefined || p.path === undefined || !p.path.startsWith("P[")) return [Infinity, 0, 0, 0];
    const field = p.entry === undefined ? 0 : Number(/\[(\d)\]$/.exec(p.path)?.[1] ?? 0);
    return [p.state, p.action ?? -1, p.entry ?? Infinity, field];
  };
  const keyed = problems.map((p, i) => ({ p, i, k: key(p) }));
  keyed.sort((x, y) => {
    for (let j = 0; j < 4; j++) {
      const d = x.k[j]! - y.k[j]!;
      if (d !== 0 && !Number.isNaN(d)) return d;
    }
    return x.i - y.i;
  });
  return keyed.map((x) => x.p);
}

/** A short description of a value read from a document, for messages. */
export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (v === undefined) return "missing";
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "..." : v);
  return String(v);
}

/** Checks a probability vector of length `n`: finite, non-negative, summing to 1 within 1e-9. */
export function validateDistribution(p: ArrayLike<number>, n: number, path: string, what: string, code: string, tolerance = PROBABILITY_SUM_TOLERANCE): Problem[] {
  if (p.length !== n) return [{ code, path, message: `${what}: has ${p.length} entries, expected ${n}` }];
  const problems: Problem[] = [];
  for (let i = 0; i < n; i++) {
    const v = p[i]!;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      problems.push({ code, path: `${path}[${i}]`, state: i, message: `${what}: entry ${i} is ${String(v)} (must be a finite number >= 0)` });
    }
  }
  if (problems.length === 0) {
    const sum = fsum(p);
    if (Math.abs(sum - 1) > tolerance) {
      problems.push({ code, path, message: `${what}: sums to ${formatSum(sum)} (expected 1 within ${+tolerance.toPrecision(2)})` });
    }
  }
  return problems;
}

/** A sum shown with enough digits to see why it failed (0.97, or 1.0000000012). */
export function formatSum(x: number): string {
  const short = Number(x.toPrecision(6));
  return short !== 1 ? String(short) : String(Number(x.toPrecision(12)));
}
