import type { TabularMdp } from "./tabular.js";

/** A summary of an MDP, as `cai inspect` prints it. */
export interface MdpSummary {
  readonly name: string;
  readonly states: number;
  readonly actions: number;
  readonly entries: number;
  readonly zeroProbabilityEntries: number;
  readonly terminalEntries: number;
  /** States every one of whose entries is a terminal self-loop with reward 0 (absorbing). */
  readonly absorbingStates: number;
  readonly rewardMin: number;
  readonly rewardMax: number;
  readonly deterministic: boolean;
  readonly maxSuccessors: number;
  readonly initialSupport: number;
}

/** Sizes, nonzeros, terminal entries, reward range and whether the dynamics are deterministic. */
export function summarizeMdp(mdp: TabularMdp): MdpSummary {
  const { nStates: n, nActions: m, rowStart, prob, reward, done, next } = mdp;
  let zero = 0;
  let term = 0;
  let rmin = Infinity;
  let rmax = -Infinity;
  let deterministic = true;
  let maxSucc = 0;
  for (let row = 0; row < n * m; row++) {
    let positive = 0;
    for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
      if (prob[k] === 0) zero++;
      else positive++;
      if (done[k]) term++;
      if (reward[k]! < rmin) rmin = reward[k]!;
      if (reward[k]! > rmax) rmax = reward[k]!;
    }
    if (positive > 1) deterministic = false;
    if (positive > maxSucc) maxSucc = positive;
  }
  let absorbing = 0;
  for (let s = 0; s < n; s++) {
    let all = true;
    for (let k = rowStart[s * m]!; k < rowStart[(s + 1) * m]! && all; k++) {
      if (prob[k]! > 0 && !(done[k] && reward[k] === 0) && !(next[k] === s && reward[k] === 0)) all = false;
    }
    if (all) absorbing++;
  }
  let support = 0;
  for (let s = 0; s < n; s++) if (mdp.initial[s]! > 0) support++;
  return {
    name: typeof mdp.meta.name === "string" ? mdp.meta.name : "(unnamed)",
    states: n,
    actions: m,
    entries: mdp.nnz,
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
