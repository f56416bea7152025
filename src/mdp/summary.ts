import type { TabularMdp } from "./tabular.js";

/** A summary of an MDP, as `cai inspect` prints it. */
export interface MdpSummary {
  /** `meta.name` when it is a string, else "(unnamed)". */
  readonly name: string;
  readonly states: number;
  readonly actions: number;
  /** Transition entries, all of them (the CSR nonzeros, p = 0 entries included). */
  readonly entries: number;
  /** Entries with probability > 0. */
  readonly nonzeroEntries: number;
  /** Entries with probability exactly 0 (kept as written; they never happen). */
  readonly zeroProbabilityEntries: number;
  /** Entries with `done` set (the episode ends after them), p = 0 entries included. */
  readonly terminalEntries: number;
  /**
   * States where nothing more can happen: every entry with p > 0 has reward 0 and either ends the
   * episode or stays in the state.
   */
  readonly absorbingStates: number;
  /** Smallest reward over the entries with p > 0 (the transitions that can happen). */
  readonly rewardMin: number;
  /** Largest reward over the entries with p > 0. */
  readonly rewardMax: number;
  /**
   * True when every (s, a) has a single outcome: all its entries with p > 0 agree on the next
   * state, the reward and `done` (repeated entries of one outcome, as FrozenLake lists them at a
   * wall, still count as deterministic).
   */
  readonly deterministic: boolean;
  /** The largest number of distinct next states with p > 0 of any (s, a). */
  readonly maxSuccessors: number;
  /** Number of states with p0(s) > 0. */
  readonly initialSupport: number;
}

/** Sizes, nonzeros, terminal entries, reward range and whether the dynamics are deterministic. One pass, O(nnz). */
export function summarizeMdp(mdp: TabularMdp): MdpSummary {
  const { nStates: n, nActions: m, rowStart, prob, reward, done, next } = mdp;
  let zero = 0;
  let term = 0;
  let rmin = Infinity;
  let rmax = -Infinity;
  let deterministic = true;
  let maxSucc = 0;
  // seen[t] = row + 1 when next state t has been counted for that row: distinct successors in O(nnz).
  const seen = new Int32Array(n);
  for (let row = 0; row < n * m; row++) {
    let distinct = 0;
    let first = -1;
    for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
      if (done[k]) term++;
      const p = prob[k]!;
      if (p === 0) {
        zero++;
        continue;
      }
      const r = reward[k]!;
      if (r < rmin) rmin = r;
      if (r > rmax) rmax = r;
      const t = next[k]!;
      if (seen[t] !== row + 1) {
        seen[t] = row + 1;
        distinct++;
      }
      if (first < 0) first = k;
      else if (next[first] !== t || reward[first] !== r || done[first] !== done[k]) deterministic = false;
    }
    if (distinct > maxSucc) maxSucc = distinct;
  }
  let absorbing = 0;
  for (let s = 0; s < n; s++) {
    let all = true;
    for (let k = rowStart[s * m]!; k < rowStart[(s + 1) * m]! && all; k++) {
      if (prob[k]! > 0 && !(reward[k] === 0 && (done[k] || next[k] === s))) all = false;
    }
    if (all) absorbing++;
  }
  let support = 0;
  for (let s = 0; s < n; s++) if (mdp.initial[s]! > 0) support++;
  const nnz = mdp.nnz;
  return {
    name: typeof mdp.meta.name === "string" ? mdp.meta.name : "(unnamed)",
    states: n,
    actions: m,
    entries: nnz,
    nonzeroEntries: nnz - zero,
    zeroProbabilityEntries: zero,
    terminalEntries: term,
    absorbingStates: absorbing,
    rewardMin: rmin,
    rewardMax: rmax,
    deterministic,
    maxSuccessors: maxSucc,
    initialSupport: support,
  };
}
