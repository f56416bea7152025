/**
 * Structured variational rule for the dynamics factor (dynamics held fixed): the soft Bellman backup
 *   Q(s,a) = sum_k p_k (r_k + gamma (1 - done_k) V'(s'_k))
 * Jensen's inequality puts it below the exact rule's log E exp; the two part ways exactly here.
 */
import type { AffineForm, DynamicsRule } from "./types.js";

/** Q = sum_k p_k r_k + sum_k gamma p_k (1 - done_k) V(s'_k): the expectation, affine in V. */
export const expectationForm: AffineForm = {
  space: "value",
  coefficient: (p, _r, done, gamma) => (done ? 0 : gamma * p),
  constant: (p, r) => p * r,
};

export const variationalDynamics: DynamicsRule = {
  name: "expectation",
  equation: "Q(s,a) = E_{s'~P}[ r + gamma V(s') ]",
  // dQ / dV(s') = gamma p (1 - done): at most gamma in total.
  lipschitz: (gamma) => gamma,
  affine: expectationForm,
  apply(mdp, Vnext, _alpha, gamma, Q) {
    const { nStates: n, nActions: m, rowStart, next, prob, reward, done } = mdp;
    const rows = n * m;
    for (let row = 0; row < rows; row++) {
      let acc = 0;
      for (let k = rowStart[row]!; k < rowStart[row + 1]!; k++) {
        acc += prob[k]! * (reward[k]! + (done[k] ? 0 : gamma * Vnext[next[k]!]!));
      }
      Q[row] = acc;
    }
  },
};
