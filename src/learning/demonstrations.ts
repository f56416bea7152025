/**
 * Demonstrations for inverse RL: the per-episode discounted state-action counts
 *
 *   mu_D(s, a) = (1/N) sum_episodes sum_t gamma^t [s_t = s, a_t = a]
 *
 * (the empirical counterpart of the state-action occupancy of inference/forward.ts), from whole
 * trajectories of any lengths (each counted exactly as long as it is: no padding), or from counts
 * with the number of episodes they were counted over. A trajectory whose step leads through a `done`
 * entry ends there: the steps after it count nothing (with a warning). A step that no entry of the
 * MDP allows is an error naming the trajectory and the step.
 */
import { PriorError, type Problem } from "../errors.js";
import { preview } from "../preview.js";
import type { MdpArrays } from "../mdp/tabular.js";

export interface IrlDemonstrations {
  /** N, the number of episodes. */
  readonly episodes: number;
  /** mu_D(s, a), flat n x m, per episode, discounted by gamma^t. */
  readonly counts: Float64Array;
  /** The demonstrated steps (for the log-likelihood); null when the input was counts. */
  readonly trajectories: ReadonlyArray<{ readonly states: readonly number[]; readonly actions: readonly number[] }> | null;
  readonly warnings: readonly string[];
}

const isIndex = (v: unknown, n: number): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0 && v < n;

/** Does some entry of (s, a) lead to s'? "live", "done" (only through entries that end the episode) or "none". */
function transitionKind(mdp: MdpArrays, s: number, a: number, s2: number): "live" | "done" | "none" {
  const row = s * mdp.nActions + a;
  let sawDone = false;
  for (let k = mdp.rowStart[row]!; k < mdp.rowStart[row + 1]!; k++) {
    if (mdp.next[k] !== s2 || !(mdp.prob[k]! > 0)) continue;
    if (!mdp.done[k]) return "live";
    sawDone = true;
  }
  return sawDone ? "done" : "none";
}

/**
 * Read an IRL demonstrations document: `{"trajectories": [...]}` (lists of [s, a] steps, or
 * `{"states", "actions"}` with one state per action or one more), or `{"counts": c[s][a], "episodes": N}`
 * / `{"demonstrations": [[s, a], ...], "episodes": N}` (counts already weighted as the discount asks).
 * "smoothing" (of --model demonstration) and "meta" are allowed and ignored.
 * @throws {@link PriorError} listing the problems (at most 20), each naming its place.
 */
export function irlDemonstrations(doc: unknown, mdp: MdpArrays, setting: { gamma: number; horizon: number | null }, source = "demonstrations"): IrlDemonstrations {
  const { nStates: n, nActions: m } = mdp;
  const problems: Problem[] = [];
  const problem = (path: string, message: string, extra: Partial<Problem> = {}) => {
    if (problems.length < 20) problems.push({ code: "bad-demonstrations", path: `${source}: ${path}`, message: `${source}: ${path}: ${message}`, ...extra });
  };
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) {
    throw new PriorError([{ code: "bad-demonstrations", path: source, message: `${source}: expected an object {"trajectories": [...]} or {"counts": c[s][a], "episodes": N}` }]);
  }
  const o = doc as Record<string, unknown>;
  const known = ["trajectories", "demonstrations", "counts", "episodes", "smoothing", "meta"];
  for (const key of Object.keys(o)) if (!known.includes(key)) problem(key, `unknown key (expected ${known.join(", ")})`);
  const hasTraj = "trajectories" in o;
  const hasCounts = "counts" in o || "demonstrations" in o;
  if (!hasTraj && !hasCounts) problem("(document)", 'no "trajectories", "counts" or "demonstrations"');
  if (hasTraj && hasCounts) problem("(document)", 'give either "trajectories" or counts ("counts" / "demonstrations" with "episodes"), not both: their episodes cannot be matched');
  if (hasTraj && "episodes" in o) problem("episodes", "is for counts; with trajectories the number of episodes is the number of trajectories");
  if (problems.length > 0) throw new PriorError(problems);

  const counts = new Float64Array(n * m);
  const warnings: string[] = [];
  const { gamma, horizon } = setting;
  if (hasTraj) {
    const list = o.trajectories;
    if (!Array.isArray(list) || list.length === 0) throw new PriorError([{ code: "bad-demonstrations", path: `${source}: trajectories`, message: `${source}: trajectories: expected a non-empty list of trajectories` }]);
    const trajectories: Array<{ states: number[]; actions: number[] }> = [];
    let truncated = 0;
    list.forEach((traj: unknown, i) => {
      const where = `trajectories[${i}]`;
      let states: unknown[];
      let actions: unknown[];
      if (Array.isArray(traj)) {
        states = [];
        actions = [];
        for (let t = 0; t < traj.length; t++) {
          const step = traj[t] as unknown;
          if (!Array.isArray(step) || step.length !== 2) {
            problem(`${where}[${t}]`, "expected a step [state, action]");
            return;
          }
          states.push(step[0]);
          actions.push(step[1]);
        }
      } else if (typeof traj === "object" && traj !== null && Array.isArray((traj as { states?: unknown }).states) && Array.isArray((traj as { actions?: unknown }).actions)) {
        ({ states, actions } = traj as { states: unknown[]; actions: unknown[] });
        if (states.length !== actions.length && states.length !== actions.length + 1) {
          problem(where, `${states.length} states for ${actions.length} actions (expected one state per action, or one more for the final state)`);
          return;
        }
      } else {
        problem(where, 'expected a list of [state, action] steps or {"states": [...], "actions": [...]}');
        return;
      }
      let ok = true;
      states.forEach((s, t) => {
        if (!isIndex(s, n)) {
          problem(`${where} step ${t}`, `state ${preview(s)} is not an integer in 0..${n - 1}`);
          ok = false;
        }
      });
      actions.forEach((a, t) => {
        if (!isIndex(a, m)) {
          problem(`${where} step ${t}`, `action ${preview(a)} is not an integer in 0..${m - 1}`);
          ok = false;
        }
      });
      if (!ok) return;
      const S = states as number[];
      const A = actions as number[];
      let T = A.length;
      for (let t = 0; t + 1 < S.length && t < A.length; t++) {
        const kind = transitionKind(mdp, S[t]!, A[t]!, S[t + 1]!);
        if (kind === "none") {
          problem(`${where} step ${t}`, `state ${S[t + 1]} cannot follow state ${S[t]} and action ${A[t]} (no transition entry with probability > 0)`);
          return;
        }
        if (kind === "done") {
          T = t + 1;
          truncated++;
          break;
        }
      }
      if (horizon !== null && T > horizon) {
        problem(where, `has ${T} steps, more than the horizon ${horizon}`);
        return;
      }
      let w = 1;
      for (let t = 0; t < T; t++) {
        counts[S[t]! * m + A[t]!]! += w;
        w *= gamma;
      }
      trajectories.push({ states: S.slice(0, Math.min(S.length, T + 1)), actions: A.slice(0, T) });
    });
    if (problems.length > 0) throw new PriorError(problems);
    if (truncated > 0) warnings.push(`${truncated} trajectories continue after a done entry; the steps after it count nothing`);
    const N = list.length;
    for (let i = 0; i < counts.length; i++) counts[i] = counts[i]! / N;
    return { episodes: N, counts, trajectories, warnings };
  }

  const N = o.episodes;
  if (typeof N !== "number" || !Number.isFinite(N) || N <= 0) {
    throw new PriorError([{ code: "bad-demonstrations", path: `${source}: episodes`, message: `${source}: episodes: counts need "episodes": the number of episodes they were counted over (> 0), got ${preview(N)}` }]);
  }
  if ("counts" in o) {
    const c = o.counts;
    if (!Array.isArray(c) || c.length !== n) problem("counts", `expected ${n} rows of ${m} counts`);
    else c.forEach((row: unknown, s) => {
      if (!Array.isArray(row) || row.length !== m) problem(`counts[${s}]`, `expected ${m} counts (one per action)`, { state: s });
      else row.forEach((v: unknown, a) => {
        if (typeof v !== "number" || !Number.isFinite(v) || v < 0) problem(`counts[${s}][${a}]`, `${preview(v)} is not a finite number >= 0`, { state: s, action: a });
        else counts[s * m + a]! += v;
      });
    });
  }
  if ("demonstrations" in o) {
    const pairs = o.demonstrations;
    if (!Array.isArray(pairs)) problem("demonstrations", "expected a list of [state, action] pairs");
    else pairs.forEach((p: unknown, i) => {
      if (!Array.isArray(p) || p.length !== 2 || !isIndex(p[0], n) || !isIndex(p[1], m)) problem(`demonstrations[${i}]`, `expected [state in 0..${n - 1}, action in 0..${m - 1}], got ${preview(p)}`);
      else counts[(p[0] as number) * m + (p[1] as number)]! += 1;
    });
  }
  if (problems.length > 0) throw new PriorError(problems);
  for (let i = 0; i < counts.length; i++) counts[i] = counts[i]! / N;
  return { episodes: N, counts, trajectories: null, warnings };
}
