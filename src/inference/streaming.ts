/**
 * A finite horizon without its time-indexed arrays: the backward pass keeps two value slices, and
 * the forward pass that evaluates the returned policy (ELBO, occupancy) recomputes the policies
 * segment by segment from checkpoints of V_t stored every K = ceil(sqrt(H)) steps. Memory is
 * O(sqrt(H) n m) instead of O(H n m), for twice the backward work; the numbers are the same bit for
 * bit as those of the stored pass (the same operations in the same order).
 */
import type { MdpArrays } from "../mdp/tabular.js";
import { evaluateFinite } from "./evaluate.js";
import type { ActionPrior } from "./prior.js";
import type { RuleFamily } from "./rules/index.js";

/** Bytes {@link solveFiniteStreaming} allocates (Float64 arrays), for the memory check. */
export function streamingBytes(horizon: number, nStates: number, nActions: number, diagnostics: boolean): number {
  const nm = nStates * nActions;
  if (!diagnostics) return (3 * nm + 3 * nStates) * 8;
  const K = Math.ceil(Math.sqrt(horizon));
  return (Math.ceil(horizon / K) * nStates + K * nm + 3 * nm + 4 * nStates) * 8;
}

/** Q_0, V_0 and policy_0 of a horizon of H steps, and (with diagnostics) the policy's ELBO and occupancy. */
export function solveFiniteStreaming(
  mdp: MdpArrays,
  rules: RuleFamily,
  prior: ActionPrior,
  alpha: number,
  gamma: number,
  H: number,
  diagnostics: boolean,
): { Q: Float64Array; V: Float64Array; policy: Float64Array; evaluate: (() => { elbo: number; occupancy: Float64Array }) | null } {
  const n = mdp.nStates;
  const m = mdp.nActions;
  const K = Math.ceil(Math.sqrt(H));
  const checkpoints = new Map<number, Float64Array>(); // t -> V_t for t = K, 2K, ... < H
  const Q = new Float64Array(n * m);
  const policy = new Float64Array(n * m);
  let Vnext = new Float64Array(n); // V_H = 0
  let V = new Float64Array(n);
  for (let t = H - 1; t >= 0; t--) {
    rules.dynamics.apply(mdp, Vnext, alpha, gamma, Q);
    rules.actions.apply(Q, prior, alpha, V, t === 0 ? policy : null);
    if (diagnostics && t > 0 && t % K === 0) checkpoints.set(t, Float64Array.from(V));
    [Vnext, V] = [V, Vnext];
  }
  const V0 = Vnext;
  if (!diagnostics) return { Q, V: V0, policy, evaluate: null };
  function* policies(): Generator<Float64Array> {
    const seg = Array.from({ length: Math.min(K, H) }, () => new Float64Array(n * m));
    const q = new Float64Array(n * m);
    let a = new Float64Array(n);
    let b = new Float64Array(n);
    for (let start = 0; start < H; start += K) {
      const end = Math.min(start + K, H);
      if (end === H) b.fill(0);
      else b.set(checkpoints.get(end)!);
      for (let t = end - 1; t >= start; t--) {
        rules.dynamics.apply(mdp, b, alpha, gamma, q);
        rules.actions.apply(q, prior, alpha, a, seg[t - start]!);
        [a, b] = [b, a];
      }
      for (let t = start; t < end; t++) yield seg[t - start]!;
    }
  }
  // The forward pass when asked (the result's diagnostics are read lazily): it keeps the checkpoints.
  return { Q, V: V0, policy, evaluate: () => evaluateFinite(mdp, prior, alpha, gamma, policies()) };
}
