/**
 * Which states can avoid termination forever. A state is "trapped" when some policy on the prior's
 * support keeps it, with probability 1, among states that are themselves trapped, on live (not done)
 * entries: the end components that avoid termination. With gamma = 1 and no horizon, every
 * trajectory ends exactly when no state is trapped.
 */
import type { MdpArrays } from "../mdp/tabular.js";
import type { ActionPrior } from "./prior.js";

/** States from which some policy never ends the episode (sorted). Empty when every trajectory ends. */
export function trappedStates(mdp: MdpArrays, prior: ActionPrior): number[] {
  const { nStates: n, nActions: m, rowStart, next, prob, done } = mdp;
  const inSet = new Uint8Array(n).fill(1);
  let changed = true;
  while (changed) {
    changed = false;
    for (let s = 0; s < n; s++) {
      if (!inSet[s]) continue;
      let keeps = false;
      for (let a = 0; a < m && !keeps; a++) {
        const row = s * m + a;
        if (!(prior.probs[row]! > 0)) continue;
        let ok = true;
        for (let k = rowStart[row]!; k < rowStart[row + 1]! && ok; k++) {
          if (prob[k]! > 0 && (done[k] || !inSet[next[k]!])) ok = false;
        }
        keeps = ok;
      }
      if (!keeps) {
        inSet[s] = 0;
        changed = true;
      }
    }
  }
  const out: number[] = [];
  for (let s = 0; s < n; s++) if (inSet[s]) out.push(s);
  return out;
}
