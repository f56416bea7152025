/**
 * Expected rewards, stated once: r(s, a) = sum_k p_k r_k over the entries of row (s, a).
 */
import type { MdpArrays } from "./tabular.js";

/** r(s, a) = sum_k p_k r_k for one row s * m + a. */
export function expectedReward(mdp: MdpArrays, row: number): number {
  const { rowStart, prob, reward } = mdp;
  let acc = 0;
  for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) acc += prob[k]! * reward[k]!;
  return acc;
}

/** r(s, a) = sum_k p_k r_k, flat n x m. */
export function expectedRewards(mdp: MdpArrays): Float64Array {
  const out = new Float64Array(mdp.nStates * mdp.nActions);
  for (let row = 0; row < out.length; row++) out[row] = expectedReward(mdp, row);
  return out;
}
